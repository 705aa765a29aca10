//! Driving the whole window in tests as a user would: build it on the real worker, wait for
//! what should appear, move the pointer over a widget before clicking it, type into fields.
#![allow(dead_code)] // each test file uses a different share of these

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::{FerryApp, Startup};
use ferry::config::ConfigDir;
use ferry::worker::WorkerOptions;

/// The window at a laptop's size, its local pane in `local`, its files in `config`.
pub fn app_harness(config: &Path, local: &Path) -> Harness<'static, FerryApp> {
    app_harness_sized(config, local, egui::vec2(1400.0, 900.0))
}

/// The window `size` points big, its local pane in `local`, its files in `config`.
pub fn app_harness_sized(config: &Path, local: &Path, size: egui::Vec2) -> Harness<'static, FerryApp> {
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config)) };
    let local = local.to_string_lossy().into_owned();
    Harness::builder().with_size(size).build_eframe(move |creation| {
        let startup = Startup { worker: options, url: None, local_folder: Some(local) };
        FerryApp::start(&creation.egui_ctx, startup).expect("worker starts")
    })
}

/// Steps the UI until `done` holds, as a user would wait; fails with the UI tree after 30 s.
pub fn wait_until(harness: &mut Harness<'_, FerryApp>, what: &str, done: impl Fn(&Harness<'_, FerryApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness) {
        assert!(Instant::now() < deadline, "{what}: never happened; the window shows {:#?}", harness.root());
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
}

/// Steps the UI until a widget whose label contains `label` is shown.
pub fn wait_for(harness: &mut Harness<'_, FerryApp>, label: &str) {
    wait_until(harness, &format!("\"{label}\" shown"), |h| h.query_all_by_label_contains(label).next().is_some());
}

/// The text field labelled `label` (a button may share the label: "New folder").
pub fn text_field<'a>(harness: &'a Harness<'_, FerryApp>, label: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label(label)
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .unwrap_or_else(|| panic!("no text field \"{label}\" in {:#?}", harness.root()))
}

/// Whether some widget's label holds `text`.
pub fn shown(harness: &Harness<'_, FerryApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Opens the File menu (file rows are described as "File" too: the menu bar comes first).
pub fn open_file_menu(harness: &mut Harness<'_, FerryApp>) {
    let menu = harness.query_all_by_label("File").next().expect("the File menu").rect().center();
    harness.hover_at(menu);
    harness.run_steps(2);
    harness.query_all_by_label("File").next().expect("the File menu").click();
    harness.run_steps(2);
}

/// The texts the last frame put on the clipboard (Copy URL, Copy all).
pub fn copied_texts<S>(harness: &Harness<'_, S>) -> Vec<String> {
    harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|command| match command {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The last widget labelled `label`: the one in a menu that just opened, over the panes.
pub fn topmost<'a>(harness: &'a Harness<'_, FerryApp>, label: &'a str) -> egui_kittest::Node<'a> {
    harness.query_all_by_label(label).last().unwrap_or_else(|| panic!("no \"{label}\" in {:#?}", harness.root()))
}

/// Replaces the text of a field, as select-all and typing does.
/// Of the widgets labelled `label`, the one furthest right (the remote pane's row, when both panes
/// show the same name).
pub fn rightmost<'a>(harness: &'a Harness<'_, FerryApp>, label: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label(label)
        .max_by(|a, b| a.rect().center().x.total_cmp(&b.rect().center().x))
        .unwrap_or_else(|| panic!("no \"{label}\" in {:#?}", harness.root()))
}

/// Of the widgets labelled `label`, the one furthest left (the local pane's row, when both panes
/// show the same name).
pub fn leftmost<'a>(harness: &'a Harness<'_, FerryApp>, label: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label(label)
        .min_by(|a, b| a.rect().center().x.total_cmp(&b.rect().center().x))
        .unwrap_or_else(|| panic!("no \"{label}\" in {:#?}", harness.root()))
}

/// Moves the pointer over a widget, then clicks it, as a hand with a mouse does. (A click with no
/// hover before it can miss a dialog that has just opened on a layer of its own.)
pub fn click_node<'h>(
    harness: &mut Harness<'h, FerryApp>,
    find: impl for<'a> Fn(&'a Harness<'h, FerryApp>) -> egui_kittest::Node<'a>,
) {
    find(harness).hover();
    harness.run_steps(2);
    find(harness).click();
    harness.run_steps(2);
}

pub fn click(harness: &mut Harness<'_, FerryApp>, label: &str) {
    harness.get_by_label(label).hover();
    harness.run_steps(2);
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

pub fn type_into(harness: &mut Harness<'_, FerryApp>, label: &str, text: &str) {
    text_field(harness, label).click();
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    text_field(harness, label).type_text(text);
    harness.run_steps(2);
}

/// Drags with the primary button from one point to another, in small moves, and releases.
pub fn drag_and_drop(harness: &mut Harness<'_, FerryApp>, from: egui::Pos2, to: egui::Pos2) {
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    harness.hover_at(from + (to - from) * 0.5);
    harness.step();
    harness.hover_at(to);
    harness.run_steps(2);
    harness.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run_steps(2);
}

/// Two clicks in quick succession on the widget labelled `label`. The harness's frames are a
/// quarter of a second apart, longer than a double click may take, so the second click's frame
/// is stamped a tenth of a second after the first.
pub fn double_click(harness: &mut Harness<'_, FerryApp>, label: &str) {
    // A second of frames first, so an earlier click elsewhere cannot make this a triple click.
    harness.run_steps(4);
    let pos = harness.get_by_label(label).rect().center();
    harness.hover_at(pos);
    harness.step();
    for second in [false, true] {
        if second {
            let first = harness.ctx.input(|input| input.time);
            harness.input_mut().time = Some(first + 0.1);
        }
        for pressed in [true, false] {
            let button = egui::PointerButton::Primary;
            harness.event(egui::Event::PointerButton { pos, button, pressed, modifiers: egui::Modifiers::NONE });
        }
        harness.step();
    }
    // The harness's own clock again.
    harness.input_mut().time = None;
    harness.run_steps(2);
}
