//! The site manager's "Server time zone" field for FTP sites: "auto" by default, an offset saved
//! and carried to the site's connections, a zone that is no offset refused in words.

use egui_kittest::kittest::Queryable;
use ferry::model::ServerTimeZone;

use crate::gui_site_manager::{choose, click, field, sample, saved, set_text, window};

#[test]
fn an_ftp_sites_time_zone_is_auto_by_default_and_a_typed_offset_is_saved() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    assert!(harness.query_by_label("Server time zone").is_none(), "SFTP gives UTC times: no such field");
    choose(&mut harness, "Protocol", "FTP");
    assert_eq!(field(&harness, "Server time zone"), "auto");

    set_text(&mut harness, "Server time zone", "Tokyo");
    click(&mut harness, "Save");
    assert!(saved(&harness).is_empty(), "nothing is saved");
    assert!(harness.query_by_label_contains("is not a server time zone").is_some(), "the refusal is shown");

    set_text(&mut harness, "Server time zone", "+09:00");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!(saved[0].server_time_zone, ServerTimeZone::Offset(36));
    let spec = ferry::bookmarks::bookmark_spec(&saved[0], None).unwrap();
    assert_eq!(spec.server_time_zone, ServerTimeZone::Offset(36), "its connections carry it");
}
