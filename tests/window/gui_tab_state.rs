//! The window tells the active tab's state, through the whole app on the real worker: the status
//! bar speaks of the tab in front (not of the last one to connect), and after Disconnect the old
//! listing's Download (its button and the rows' menu) is off and says why.

use crate::scripted_ftp::{Script, ScriptedFtp};
use crate::window_driver;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;
use window_driver::{app_harness, click, click_node, rightmost, topmost, type_into, wait_for, wait_until};

/// A scripted FTP server listing one file, and the window connected to it.
fn connected_window(config: &std::path::Path, local: &std::path::Path) -> (ScriptedFtp, Harness<'static, FerryApp>) {
    let ftp = ScriptedFtp::start(Script::new().dir_listing("/", &["-rw-r--r-- 1 u g 5 Jan 01 2025 on-ftp.txt"]));
    let mut harness = app_harness(config, local);
    harness.run_steps(5);
    type_into(&mut harness, "Host", &format!("ftp://anonymous@127.0.0.1:{}", ftp.port()));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "on-ftp.txt");
    (ftp, harness)
}

fn says(harness: &Harness<'_, FerryApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn the_status_bar_speaks_of_the_active_tab() {
    let (config, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_ftp, mut harness) = connected_window(config.path(), local.path());
    wait_for(&mut harness, "Connected to");

    click(&mut harness, "New tab");
    harness.run_steps(3);
    assert!(
        !says(&harness, "Connected to"),
        "an empty new tab is not connected, yet the status bar says so: {:#?}",
        harness.root()
    );
    assert!(says(&harness, "Not connected"), "the status bar tells the empty tab's state: {:#?}", harness.root());
}

#[test]
fn after_disconnect_download_is_off_and_says_why() {
    let (config, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_ftp, mut harness) = connected_window(config.path(), local.path());
    click_node(&mut harness, |h| rightmost(h, "on-ftp.txt"));
    wait_until(&mut harness, "Download enabled for the selection", |h| {
        !rightmost(h, "Download").accesskit_node().is_disabled()
    });

    click_node(&mut harness, |h| h.query_all_by_label("File").next().expect("the File menu"));
    click_node(&mut harness, |h| topmost(h, "Disconnect"));
    wait_for(&mut harness, "Reconnect");
    harness.run_steps(3);
    let download = rightmost(&harness, "Download");
    assert!(download.accesskit_node().is_disabled(), "Download is off once disconnected: {:#?}", harness.root());
    // The reason shows when the pointer rests on it.
    download.hover();
    harness.run_steps(30);
    assert!(says(&harness, "not connected"), "the disabled Download says why: {:#?}", harness.root());
}

#[test]
fn after_disconnect_the_rows_menu_offers_no_download() {
    let (config, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_ftp, mut harness) = connected_window(config.path(), local.path());
    click_node(&mut harness, |h| rightmost(h, "on-ftp.txt"));
    click_node(&mut harness, |h| h.query_all_by_label("File").next().expect("the File menu"));
    click_node(&mut harness, |h| topmost(h, "Disconnect"));
    wait_for(&mut harness, "Reconnect");
    // The menu key on the greyed listing, where the selection still is.
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F10);
    harness.run_steps(4);
    let menu_download = harness
        .query_all_by_label("Download")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::MenuItem)
        .unwrap_or_else(|| panic!("the rows' menu with its Download: {:#?}", harness.root()));
    assert!(
        menu_download.accesskit_node().is_disabled(),
        "the menu's Download is off once disconnected: {:#?}",
        harness.root()
    );
}
