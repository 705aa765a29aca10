//! Typing and pasting into the connect bar: a URL typed key by key stays exactly as typed until
//! Enter, and only then fills host, user and port; one pasted whole splits at once.

use crate::window_driver;

use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use ferry::app::FerryApp;
use window_driver::{app_harness, text_field};

/// What the field labelled `label` holds.
fn field_value(harness: &Harness<'_, FerryApp>, label: &str) -> String {
    text_field(harness, label).accesskit_node().value().unwrap_or_default()
}

/// A port on 127.0.0.1 that is listening but never answers, so a connect started by Enter goes
/// nowhere else and nothing answers it while the test reads the fields.
fn silent_port() -> (std::net::TcpListener, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("its address").port();
    (listener, port)
}

#[test]
fn a_url_typed_key_by_key_stays_as_typed_until_enter_then_fills_the_fields() {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let (_listener, port) = silent_port();
    let url = format!("sftp://tester@127.0.0.1:{port}/srv/data");
    let mut harness = app_harness(config.path(), local.path());
    harness.run_steps(2);
    text_field(&harness, "Host").click();
    harness.run_steps(2);

    let mut typed = String::new();
    for c in url.chars() {
        typed.push(c);
        harness.event(egui::Event::Text(c.to_string()));
        harness.run_steps(1);
        assert_eq!(field_value(&harness, "Host"), typed, "the Host field changed under the typing");
    }
    assert_eq!(field_value(&harness, "User"), "", "nothing was split before Enter");
    assert_eq!(field_value(&harness, "Port"), "");

    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(field_value(&harness, "Host"), "127.0.0.1");
    assert_eq!(field_value(&harness, "User"), "tester");
    assert_eq!(field_value(&harness, "Port"), port.to_string());
}

#[test]
fn a_url_pasted_whole_splits_into_the_fields_at_once() {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut harness = app_harness(config.path(), local.path());
    harness.run_steps(2);
    text_field(&harness, "Host").click();
    harness.run_steps(2);
    harness.event(egui::Event::Paste("ftpes://bob@files.example.org:2121/pub".into()));
    harness.run_steps(2);
    assert_eq!(field_value(&harness, "Host"), "files.example.org");
    assert_eq!(field_value(&harness, "User"), "bob");
    assert_eq!(field_value(&harness, "Port"), "2121");
}
