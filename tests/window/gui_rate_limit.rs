//! The queue panel's bandwidth limit control: a rate picked from the menu or typed is sent to the
//! worker at once, down and up apart; "none" lifts it; a nonsense rate is refused in words and
//! sends nothing; the limit is remembered across a restart.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ferry::gui::queue_panel::QueuePanel;
use ferry::worker::{Command, QueueCommand, RateLimits};

struct QueueView {
    panel: QueuePanel,
    commands: Vec<Command>,
}

fn harness() -> Harness<'static, QueueView> {
    Harness::builder().with_size([1300.0, 400.0]).build_ui_state(
        |ui, view: &mut QueueView| {
            let commands = view.panel.show(ui);
            view.commands.extend(commands);
        },
        QueueView { panel: QueuePanel::default(), commands: Vec::new() },
    )
}

/// The limits sent so far, in order.
fn limits_sent(harness: &Harness<'_, QueueView>) -> Vec<RateLimits> {
    harness
        .state()
        .commands
        .iter()
        .filter_map(|command| match command {
            Command::Queue(QueueCommand::SetRateLimits { limits }) => Some(*limits),
            _ => None,
        })
        .collect()
}

/// Opens the menu named `menu` and clicks its entry `choice`.
fn choose(harness: &mut Harness<'_, QueueView>, menu: &str, choice: &str) {
    harness.get_by_label(menu).click();
    harness.run();
    harness.get_by_label(choice).click();
    harness.run();
}

/// Replaces what the field `label` holds with `text`, and presses Enter.
fn type_into(harness: &mut Harness<'_, QueueView>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
    assert_eq!(harness.get_by_label(label).value().as_deref(), Some(text), "field {label}");
    harness.key_press(egui::Key::Enter);
    harness.run();
}

#[test]
fn a_limit_picked_or_typed_is_sent_at_once_and_nonsense_is_refused_in_words() {
    let mut harness = harness();
    harness.run();
    assert!(limits_sent(&harness).is_empty(), "nothing is sent before the user picks");

    choose(&mut harness, "Download limit", "500 KiB/s");
    assert_eq!(limits_sent(&harness), [RateLimits { down: Some(500 * 1024), up: None }]);

    choose(&mut harness, "Upload limit", "Custom…");
    type_into(&mut harness, "Custom upload limit", "fast");
    assert!(harness.query_by_label_contains("is not a rate").is_some(), "the refusal is shown");
    assert_eq!(limits_sent(&harness).len(), 1, "a nonsense rate sends nothing");

    type_into(&mut harness, "Custom upload limit", "1.5M");
    assert_eq!(limits_sent(&harness)[1], RateLimits { down: Some(500 * 1024), up: Some(1536 * 1024) });
    assert!(harness.query_by_label_contains("is not a rate").is_none(), "the refusal is gone");

    choose(&mut harness, "Download limit", "none");
    assert_eq!(limits_sent(&harness)[2], RateLimits { down: None, up: Some(1536 * 1024) }, "lifted");
}

/// The whole window, restarted on the same config folder: the global limit picked in the queue
/// panel is shown again (and so in force again) after the restart, and "none" is remembered too.
#[test]
fn the_global_limit_is_remembered_across_a_restart() {
    use crate::window_driver::{app_harness, wait_for, wait_until};
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("notes.txt"), b"n").unwrap();
    let saved = |config: &std::path::Path| {
        std::fs::read_to_string(ferry::config::ConfigDir::at(config).window_state()).unwrap_or_default()
    };
    {
        let mut app = app_harness(config.path(), local.path());
        wait_for(&mut app, "notes.txt");
        app.get_by_label("Download limit").click();
        app.run();
        app.get_by_label("500 KiB/s").click();
        app.run();
        wait_until(&mut app, "the limit is saved", |_| saved(config.path()).contains("\"limit_down\": 512000"));
    }
    let mut app = app_harness(config.path(), local.path());
    wait_for(&mut app, "notes.txt");
    let shown =
        |app: &Harness<'_, ferry::app::FerryApp>, menu: &str| app.get_by_label(menu).value().unwrap_or_default();
    assert_eq!(shown(&app, "Download limit"), "500 KiB/s", "the download limit is shown again after the restart");
    assert_eq!(shown(&app, "Upload limit"), "none", "the upload limit stays none");
    app.get_by_label("Download limit").click();
    app.run();
    app.get_by_label("none").click();
    app.run();
    wait_until(&mut app, "the lifted limit is saved", |_| saved(config.path()).contains("\"limit_down\": null"));
    drop(app);
    let mut app = app_harness(config.path(), local.path());
    wait_for(&mut app, "notes.txt");
    assert_eq!(shown(&app, "Download limit"), "none", "lifted, it stays lifted");
}
