//! The window against a server whose listing leaves a size or a date out: the file is shown, and
//! what is not known is left blank, never shown as 0 B or as a date in 1970.

use crate::scripted_ftp;
use crate::window_driver;

use scripted_ftp::{Script, ScriptedFtp};
use window_driver::{app_harness, click, shown, type_into, wait_for};

#[test]
fn a_file_with_an_unknown_size_or_date_is_shown_with_those_cells_blank() {
    let lines = [
        "-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 dated.txt",
        "-rw-r--r--    1 ftp      ftp             7 undated.txt",
        "+r,\tno-size-no-date",
    ];
    let server = ScriptedFtp::start(Script::new().dir_listing("dir", &lines));
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut harness = app_harness(config.path(), local.path());
    type_into(&mut harness, "Host", &format!("ftp://anonymous@127.0.0.1:{}/dir", server.port()));
    click(&mut harness, "Connect");
    for name in ["dated.txt", "undated.txt", "no-size-no-date"] {
        wait_for(&mut harness, name);
    }
    harness.run_steps(3);
    // The known size and date are shown, so their absence below means something.
    assert!(shown(&harness, "5 B") && shown(&harness, "7 B") && shown(&harness, "2024-01-0"), "{:#?}", harness.root());
    assert!(!shown(&harness, "1970") && !shown(&harness, "0 B"), "{:#?}", harness.root());
}
