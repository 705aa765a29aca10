//! The site manager window on its own, driven with egui_kittest: the tree, the search, the editor,
//! and the actions it hands back (no worker, no server).

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use ferry::gui::site_manager::{NO_KEYCHAIN_NOTE, SiteAction, SiteManager, TITLE};
use ferry::model::{FtpMode, Protocol};
use secrecy::ExposeSecret;

/// The window and everything it has returned so far.
pub(crate) struct Window {
    manager: SiteManager,
    actions: Vec<SiteAction>,
}

fn bookmark(id: &str, name: &str, folder: &[&str], host: &str) -> Bookmark {
    Bookmark {
        id: BookmarkId(id.to_owned()),
        name: name.to_owned(),
        folder: folder.iter().map(|part| part.to_string()).collect(),
        protocol: Protocol::Sftp,
        host: host.to_owned(),
        port: 22,
        user: String::new(),
        login: LoginMethod::Password,
        key_file: None,
        ftp_mode: FtpMode::Passive,
        remote_dir: None,
        local_dir: None,
        comment: String::new(),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: Default::default(),
    }
}

/// Work/Clients/Web server, Work/Backup, and Home NAS at the top level.
pub(crate) fn sample() -> Vec<Bookmark> {
    let web = Bookmark {
        user: "deploy".to_owned(),
        ..bookmark("web", "Web server", &["Work", "Clients"], "web.example.com")
    };
    let backup =
        Bookmark { user: "backup".to_owned(), ..bookmark("backup", "Backup", &["Work"], "backup.example.com") };
    let nas = Bookmark { comment: "family photos".to_owned(), ..bookmark("nas", "Home NAS", &[], "nas.example.net") };
    vec![web, backup, nas]
}

pub(crate) fn window(bookmarks: Vec<Bookmark>, keychain_available: bool) -> Harness<'static, Window> {
    let mut manager = SiteManager::new();
    manager.set_bookmarks(bookmarks, keychain_available);
    manager.open();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        // Short frames, so two clicks in a row make a double click as they would for a user.
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(
            |ui, window: &mut Window| {
                let actions = window.manager.show(ui.ctx());
                window.actions.extend(actions);
            },
            Window { manager, actions: Vec::new() },
        );
    harness.run();
    harness
}

pub(crate) fn click(harness: &mut Harness<'_, Window>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// Replaces the text of the field labelled `label`, as a user selecting all and typing would.
pub(crate) fn set_text(harness: &mut Harness<'_, Window>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    if text.is_empty() {
        harness.key_press(egui::Key::Backspace);
    } else {
        harness.get_by_label(label).type_text(text);
    }
    harness.run();
    assert_eq!(harness.get_by_label(label).value().as_deref(), Some(text), "field {label}");
}

pub(crate) fn choose(harness: &mut Harness<'_, Window>, combo: &str, item: &str) {
    click(harness, combo);
    click(harness, item);
}

pub(crate) fn field(harness: &Harness<'_, Window>, label: &str) -> String {
    harness.get_by_label(label).value().unwrap_or_default()
}

fn shows(harness: &Harness<'_, Window>, label: &str) -> bool {
    harness.query_by_label(label).is_some()
}

/// The bookmarks of the `Save` actions returned so far.
pub(crate) fn saved(harness: &Harness<'_, Window>) -> Vec<Bookmark> {
    harness
        .state()
        .actions
        .iter()
        .filter_map(|action| match action {
            SiteAction::Save { bookmark, .. } => Some(bookmark.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_tree_shows_folders_and_sites() {
    let mut harness = window(sample(), true);
    assert!(shows(&harness, TITLE));
    assert!(shows(&harness, "Work"));
    assert!(shows(&harness, "Home NAS"));
    assert!(!shows(&harness, "Backup"), "folders start closed");
    click(&mut harness, "Work");
    assert!(shows(&harness, "Backup"));
    assert!(shows(&harness, "Clients"));
    assert!(!shows(&harness, "Web server"));
    click(&mut harness, "Clients");
    assert!(shows(&harness, "Web server"));
    assert!(harness.state().actions.is_empty());
}

#[test]
fn the_tree_lists_folders_first_then_names_in_natural_order() {
    let sites = vec![
        bookmark("10", "Server 10", &[], "ten.example.com"),
        bookmark("2", "server 2", &[], "two.example.com"),
        bookmark("z", "Alpha", &["Zeta"], "alpha.example.com"),
    ];
    let harness = window(sites, true);
    let top = |label: &str| harness.get_by_label(label).rect().top();
    assert!(top("Zeta") < top("server 2"), "folders come first");
    assert!(top("server 2") < top("Server 10"), "2 sorts before 10, whatever the case");
}

#[test]
fn search_narrows_the_tree_and_opens_the_folders_of_matches() {
    let mut harness = window(sample(), true);
    set_text(&mut harness, "Search", "backup");
    assert!(shows(&harness, "Backup"), "matched by name and user, its folder opened");
    assert!(!shows(&harness, "Home NAS"));
    assert!(!shows(&harness, "Web server"));
    assert!(!shows(&harness, "Clients"), "a folder without a match is hidden");

    set_text(&mut harness, "Search", "PHOTOS");
    assert!(shows(&harness, "Home NAS"), "matched by comment, case-insensitively");
    assert!(!shows(&harness, "Work"));

    set_text(&mut harness, "Search", "web.example");
    assert!(shows(&harness, "Web server"), "matched by host, two folders deep");

    set_text(&mut harness, "Search", "nothing like this");
    assert!(shows(&harness, "No site matches"));
}

#[test]
fn selecting_a_site_fills_the_form() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Work");
    click(&mut harness, "Backup");
    assert_eq!(field(&harness, "Name"), "Backup");
    assert_eq!(field(&harness, "Host"), "backup.example.com");
    assert_eq!(field(&harness, "Port"), "22");
    assert_eq!(field(&harness, "User"), "backup");
    assert_eq!(field(&harness, "Folder"), "Work");
    assert!(shows(&harness, "Password"), "password login shows the password field");
    assert!(!shows(&harness, "FTP mode"), "no FTP mode for SFTP");
}

#[test]
fn editing_and_saving_returns_the_changed_site() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    set_text(&mut harness, "Host", "nas2.example.net");
    set_text(&mut harness, "User", "me");
    set_text(&mut harness, "Remote folder", "/volume1/photos");
    set_text(&mut harness, "Comment", "moved to the new box");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!(saved.len(), 1);
    let site = &saved[0];
    assert_eq!(site.id, BookmarkId("nas".to_owned()));
    assert_eq!(site.name, "Home NAS");
    assert_eq!(site.host, "nas2.example.net");
    assert_eq!(site.user, "me");
    assert_eq!(site.remote_dir.as_deref(), Some("/volume1/photos"));
    assert_eq!(site.comment, "moved to the new box");
    assert!(shows(&harness, "Home NAS"), "still in the tree");
}

#[test]
fn writing_uploads_in_place_is_a_per_site_choice_off_by_default() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    click(&mut harness, "Write uploads in place (no temporary file)");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!(saved.len(), 1);
    assert!(saved[0].uploads_in_place, "the box was ticked");
    let spec = ferry::bookmarks::bookmark_spec(&saved[0], None).unwrap();
    assert!(spec.uploads_in_place, "connections to the site write uploads in place");
    assert!(!sample().iter().any(|site| site.uploads_in_place), "off unless asked");
}

#[test]
fn an_sftp_site_connects_through_the_jump_hosts_typed_and_a_wrong_chain_is_explained() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    set_text(&mut harness, "Connect through", "ops@bastion:notaport");
    click(&mut harness, "Save");
    assert!(
        harness.query_by_label_contains("Connect through: the jump host").is_some(),
        "the wrong chain is explained"
    );
    assert!(harness.state().actions.is_empty(), "nothing saved while the chain is wrong");
    set_text(&mut harness, "Connect through", "ops@bastion:2222,inner");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!(saved[0].connect_through.as_deref(), Some("ops@bastion:2222,inner"));
    let spec = ferry::bookmarks::bookmark_spec(&saved[0], None).unwrap();
    let ferry::route::Route::Jump(hops) = spec.route else { panic!("{:?}", spec.route) };
    assert_eq!((hops[0].user.as_str(), hops[0].host.as_str(), hops[0].port), ("ops", "bastion", 2222));
    assert_eq!((hops[1].host.as_str(), hops[1].port), ("inner", 22));
    // FTP sites have no such field: FTP does not go through jump hosts yet.
    choose(&mut harness, "Protocol", "FTP");
    assert!(harness.query_by_label("Connect through").is_none());
}

#[test]
fn a_sites_proxy_is_typed_in_the_form_and_a_wrong_one_is_explained() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    set_text(&mut harness, "Proxy", "ftp://proxy.example:21");
    click(&mut harness, "Save");
    assert!(harness.query_by_label_contains("Proxy: the proxy").is_some(), "the wrong proxy is explained");
    assert!(harness.state().actions.is_empty(), "nothing saved while the proxy is wrong");
    set_text(&mut harness, "Proxy", "socks5h://me@proxy.example:1080");
    click(&mut harness, "Save");
    assert_eq!(saved(&harness)[0].proxy.as_deref(), Some("socks5h://me@proxy.example:1080"));
}

#[test]
fn keeping_permissions_and_times_is_a_per_site_choice_on_by_default() {
    assert!(sample().iter().all(|site| site.keep.modes && site.keep.times), "on unless turned off");
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    click(&mut harness, "Keep permissions");
    click(&mut harness, "Keep modification times");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert!(!saved[0].keep.modes && !saved[0].keep.times, "both boxes were cleared");
    let spec = ferry::bookmarks::bookmark_spec(&saved[0], None).unwrap();
    assert!(!spec.keep.modes && !spec.keep.times, "connections to the site keep neither");
}

#[test]
fn a_sites_own_bandwidth_limits_are_saved_and_a_nonsense_one_is_refused() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    set_text(&mut harness, "Download limit", "fast");
    click(&mut harness, "Save");
    assert!(saved(&harness).is_empty(), "nothing is saved");
    assert!(harness.query_by_label_contains("is not a rate").is_some(), "the refusal is shown");
    set_text(&mut harness, "Download limit", "500K");
    set_text(&mut harness, "Upload limit", "2M");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!((saved[0].limit_down, saved[0].limit_up), (Some(500 * 1024), Some(2 << 20)));
    let spec = ferry::bookmarks::bookmark_spec(&saved[0], None).unwrap();
    assert_eq!((spec.limit_down, spec.limit_up), (Some(500 * 1024), Some(2 << 20)), "its connections carry them");
}

#[test]
fn an_ftp_sites_name_charset_is_chosen_and_saved_and_an_sftp_site_has_none() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    assert!(!shows(&harness, "Names"), "SFTP names are UTF-8: no charset to choose");
    choose(&mut harness, "Protocol", "FTP");
    choose(&mut harness, "Names", "Shift_JIS");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!(saved[0].name_charset.label(), "Shift_JIS");
    let spec = ferry::bookmarks::bookmark_spec(&saved[0], None).unwrap();
    assert_eq!(spec.name_charset.label(), "Shift_JIS", "its connections read names in it");
}

#[test]
fn a_new_site_is_filled_in_and_saved_with_a_fresh_id() {
    let mut harness = window(sample(), true);
    click(&mut harness, "New site");
    assert!(shows(&harness, "Not saved yet"));
    assert!(harness.get_by_label("Name").is_focused(), "ready to type the name");
    set_text(&mut harness, "Name", "Fresh");
    choose(&mut harness, "Protocol", "FTP");
    assert_eq!(field(&harness, "Port"), "21", "the port followed the protocol");
    set_text(&mut harness, "Host", "fresh.example.org");
    set_text(&mut harness, "User", "uploader");
    click(&mut harness, "Active");
    click(&mut harness, "Save");
    let saved = saved(&harness);
    assert_eq!(saved.len(), 1);
    let site = &saved[0];
    assert_eq!(site.name, "Fresh");
    assert_eq!(site.protocol, Protocol::Ftp);
    assert_eq!(site.port, 21);
    assert_eq!(site.host, "fresh.example.org");
    assert_eq!(site.user, "uploader");
    assert_eq!(site.ftp_mode, FtpMode::Active);
    assert!(site.folder.is_empty());
    assert!(!site.id.0.is_empty());
    assert!(sample().iter().all(|other| other.id != site.id));
    assert!(shows(&harness, "Fresh"), "the new site is in the tree");
    assert!(!shows(&harness, "Not saved yet"));
}

#[test]
fn a_new_site_goes_into_the_folder_last_clicked() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Work");
    click(&mut harness, "New site");
    assert_eq!(field(&harness, "Folder"), "Work");
}

#[test]
fn new_folder_makes_a_folder_that_new_sites_go_into() {
    let mut harness = window(sample(), true);
    click(&mut harness, "New folder");
    set_text(&mut harness, "Folder name", "Lab");
    click(&mut harness, "Create folder");
    assert!(shows(&harness, "Lab"), "the empty folder is in the tree");
    click(&mut harness, "New site");
    assert_eq!(field(&harness, "Folder"), "Lab");
    set_text(&mut harness, "Host", "lab.example.com");
    click(&mut harness, "Save");
    assert_eq!(saved(&harness)[0].folder, vec!["Lab".to_owned()]);
}

#[test]
fn duplicate_saves_a_copy_with_a_new_id() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    click(&mut harness, "Duplicate");
    let saves = saved(&harness);
    assert_eq!(saves.len(), 1);
    let copy = &saves[0];
    assert_eq!(copy.name, "Home NAS (copy)");
    assert_ne!(copy.id, BookmarkId("nas".to_owned()));
    assert_eq!(copy.host, "nas.example.net");
    assert_eq!(copy.comment, "family photos");
    assert!(shows(&harness, "Home NAS (copy)"));
    assert_eq!(field(&harness, "Name"), "Home NAS (copy)", "the copy is selected");

    click(&mut harness, "Home NAS");
    click(&mut harness, "Duplicate");
    assert_eq!(saved(&harness)[1].name, "Home NAS (copy 2)", "names stay distinct");
}

#[test]
fn delete_asks_first_then_returns_delete() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    click(&mut harness, "Delete");
    assert!(shows(&harness, "Delete Home NAS?"));
    assert!(harness.state().actions.is_empty(), "nothing deleted before the answer");
    click(&mut harness, "Cancel");
    assert!(!shows(&harness, "Delete Home NAS?"));
    assert!(harness.state().actions.is_empty());

    click(&mut harness, "Delete");
    click(&mut harness, "Yes, delete");
    assert!(matches!(harness.state().actions.as_slice(), [SiteAction::Delete(id)] if id.0 == "nas"));
    assert!(!shows(&harness, "Home NAS"));
}

#[test]
fn changing_the_folder_field_moves_the_site() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    set_text(&mut harness, "Folder", "Work / Clients");
    click(&mut harness, "Save");
    assert_eq!(saved(&harness)[0].folder, vec!["Work".to_owned(), "Clients".to_owned()]);
    assert!(!shows(&harness, "Home NAS"), "it left the top level (its folder is closed)");
    click(&mut harness, "Work");
    click(&mut harness, "Clients");
    assert!(shows(&harness, "Home NAS"));
}

#[test]
fn dragging_a_site_onto_a_folder_moves_it() {
    let mut harness = window(sample(), true);
    let from = harness.get_by_label("Home NAS").rect().center();
    let to = harness.get_by_label("Work").rect().center();
    harness.hover_at(from);
    harness.drag_at(from);
    for step in 1..=10 {
        harness.hover_at(from + (to - from) * (step as f32 / 10.0));
    }
    harness.drop_at(to);
    harness.run();
    let saved = saved(&harness);
    assert_eq!(saved.len(), 1, "{:?}", harness.state().actions);
    assert_eq!(saved[0].id, BookmarkId("nas".to_owned()));
    assert_eq!(saved[0].folder, vec!["Work".to_owned()]);
}

#[test]
fn double_click_connects() {
    let mut harness = window(sample(), true);
    let site = harness.get_by_label("Home NAS");
    site.click();
    site.click();
    harness.run();
    assert!(matches!(harness.state().actions.as_slice(), [SiteAction::Connect(id)] if id.0 == "nas"));
}

#[test]
fn connect_saves_pending_edits_first() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    click(&mut harness, "Connect");
    assert!(matches!(harness.state().actions.as_slice(), [SiteAction::Connect(id)] if id.0 == "nas"));

    assert!(!harness.state().manager.is_open(), "the site manager steps aside once it connects");

    harness.state_mut().manager.open();
    harness.run();
    harness.state_mut().actions.clear();
    set_text(&mut harness, "Port", "2222");
    click(&mut harness, "Connect");
    match harness.state().actions.as_slice() {
        [SiteAction::Save { bookmark, .. }, SiteAction::Connect(id)] => {
            assert_eq!(bookmark.port, 2222);
            assert_eq!(id.0, "nas");
        }
        other => panic!("expected Save then Connect, got {other:?}"),
    }
}

#[test]
fn changing_the_protocol_moves_a_default_port_but_keeps_a_custom_one() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    choose(&mut harness, "Protocol", "FTPS (implicit TLS)");
    assert_eq!(field(&harness, "Port"), "990");
    assert!(shows(&harness, "FTP mode"));
    choose(&mut harness, "Protocol", "FTPES (explicit TLS)");
    assert_eq!(field(&harness, "Port"), "21");
    choose(&mut harness, "Protocol", "SFTP");
    assert_eq!(field(&harness, "Port"), "22");
    set_text(&mut harness, "Port", "2200");
    choose(&mut harness, "Protocol", "FTP");
    assert_eq!(field(&harness, "Port"), "2200", "a port the user chose stays");
}

#[test]
fn save_explains_what_is_wrong() {
    let mut harness = window(sample(), true);
    click(&mut harness, "New site");
    click(&mut harness, "Save");
    assert!(shows(&harness, "The host must not be empty."));
    set_text(&mut harness, "Host", "example.com");
    set_text(&mut harness, "Name", "");
    click(&mut harness, "Save");
    assert!(shows(&harness, "The name must not be empty."));
    set_text(&mut harness, "Name", "Example");
    for port in ["0", "65536", "ssh"] {
        set_text(&mut harness, "Port", port);
        click(&mut harness, "Save");
        assert!(shows(&harness, "The port must be a number from 1 to 65535."), "port {port}");
    }
    assert!(harness.state().actions.is_empty(), "nothing saved while the form is wrong");
    set_text(&mut harness, "Port", "65535");
    click(&mut harness, "Save");
    assert_eq!(saved(&harness)[0].port, 65535);
    assert!(!shows(&harness, "The port must be a number from 1 to 65535."));
}

#[test]
fn key_file_login_needs_a_key_file() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    choose(&mut harness, "Login", "Key file");
    assert!(!shows(&harness, "Password"));
    assert!(shows(&harness, "Browse for a key file"));
    click(&mut harness, "Save");
    assert!(shows(&harness, "Choose the key file for key file login."));
    set_text(&mut harness, "Key file", "/home/me/.ssh/id_ed25519");
    click(&mut harness, "Save");
    let site = saved(&harness).remove(0);
    assert_eq!(site.login, LoginMethod::KeyFile);
    assert_eq!(site.key_file.as_deref(), Some(std::path::Path::new("/home/me/.ssh/id_ed25519")));
}

#[test]
fn key_file_login_keeps_a_passphrase_and_a_secret_typed_for_another_login_is_dropped() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    harness.get_by_label("Password").click();
    harness.run();
    harness.get_by_label("Password").type_text("typed-as-password");
    harness.run();
    choose(&mut harness, "Login", "Key file");
    set_text(&mut harness, "Key file", "/home/me/.ssh/id_rsa");
    click(&mut harness, "Save");
    assert!(
        matches!(harness.state().actions.as_slice(), [SiteAction::Save { password: None, .. }]),
        "the password typed before switching to key file login is not a passphrase"
    );

    harness.state_mut().actions.clear();
    harness.get_by_label("Key passphrase").click();
    harness.run();
    harness.get_by_label("Key passphrase").type_text("correct horse");
    harness.run();
    click(&mut harness, "Save");
    match harness.state().actions.as_slice() {
        [SiteAction::Save { bookmark, password: Some(passphrase) }] => {
            assert_eq!(bookmark.login, LoginMethod::KeyFile);
            assert_eq!(passphrase.expose_secret(), "correct horse");
        }
        other => panic!("expected a Save with the passphrase, got {other:?}"),
    }
}

#[test]
fn without_a_keychain_the_password_field_is_disabled_and_says_why() {
    let mut harness = window(sample(), false);
    click(&mut harness, "Home NAS");
    assert!(shows(&harness, NO_KEYCHAIN_NOTE));
    assert!(harness.get_by_label("Password").accesskit_node().is_disabled());

    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    assert!(!shows(&harness, NO_KEYCHAIN_NOTE));
    assert!(!harness.get_by_label("Password").accesskit_node().is_disabled());

    harness.state_mut().manager.set_bookmarks(sample(), false);
    choose(&mut harness, "Login", "Key file");
    assert!(shows(&harness, NO_KEYCHAIN_NOTE), "the passphrase cannot be kept either");
    assert!(harness.get_by_label("Key passphrase").accesskit_node().is_disabled());
}

#[test]
fn a_typed_password_is_in_the_save_action_but_never_in_its_debug_text() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    harness.get_by_label("Password").click();
    harness.run();
    harness.get_by_label("Password").type_text("hunter2-secret");
    harness.run();
    click(&mut harness, "Save");
    let actions = &harness.state().actions;
    match actions.as_slice() {
        [SiteAction::Save { password: Some(password), .. }] => assert_eq!(password.expose_secret(), "hunter2-secret"),
        other => panic!("expected a Save with a password, got {other:?}"),
    }
    assert!(!format!("{actions:?}").contains("hunter2"));

    // The form forgot it: saving again leaves the stored password alone.
    harness.state_mut().actions.clear();
    click(&mut harness, "Save");
    assert!(matches!(harness.state().actions.as_slice(), [SiteAction::Save { password: None, .. }]));
}

#[test]
fn open_new_shows_the_draft_for_saving() {
    let mut manager = SiteManager::new();
    manager.set_bookmarks(sample(), true);
    assert!(!manager.is_open());
    let draft = Bookmark {
        protocol: Protocol::Ftpes,
        port: 21,
        user: "alice".to_owned(),
        ..bookmark("", "files.example.org", &[], "files.example.org")
    };
    manager.open_new(draft);
    assert!(manager.is_open());
    let mut harness = Harness::builder().with_size(egui::vec2(1200.0, 900.0)).build_ui_state(
        |ui, window: &mut Window| {
            let actions = window.manager.show(ui.ctx());
            window.actions.extend(actions);
        },
        Window { manager, actions: Vec::new() },
    );
    harness.run();
    assert!(shows(&harness, "Not saved yet"));
    assert_eq!(field(&harness, "Name"), "files.example.org");
    assert_eq!(field(&harness, "Host"), "files.example.org");
    assert_eq!(field(&harness, "User"), "alice");
    assert_eq!(field(&harness, "Port"), "21");
    assert!(shows(&harness, "FTP mode"));
    set_text(&mut harness, "Name", "Files");
    click(&mut harness, "Save");
    let site = saved(&harness).remove(0);
    assert_eq!(site.name, "Files");
    assert_eq!(site.protocol, Protocol::Ftpes);
    assert!(!site.id.0.is_empty(), "an empty draft id is replaced");
}

#[test]
fn leaving_unsaved_changes_asks_first() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    set_text(&mut harness, "Host", "changed.example.net");
    click(&mut harness, "Work");
    click(&mut harness, "Backup");
    assert!(shows(&harness, "Discard the unsaved changes to Home NAS?"));
    click(&mut harness, "Keep editing");
    assert_eq!(field(&harness, "Host"), "changed.example.net");
    click(&mut harness, "Backup");
    click(&mut harness, "Discard changes");
    assert_eq!(field(&harness, "Host"), "backup.example.com");
    assert!(harness.state().actions.is_empty());
}

#[test]
fn the_worker_list_replaces_the_shown_one_and_close_hides_the_window() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    let mut renamed = sample();
    renamed[2].name = "Attic NAS".to_owned();
    harness.state_mut().manager.set_bookmarks(renamed, true);
    harness.state_mut().manager.set_message(Some("Imported 3 sites from FileZilla".to_owned()));
    harness.run();
    assert!(shows(&harness, "Attic NAS"));
    assert_eq!(field(&harness, "Name"), "Attic NAS", "an unchanged form follows the list");
    assert!(shows(&harness, "Imported 3 sites from FileZilla"));
    click(&mut harness, "Close");
    assert!(!harness.state().manager.is_open());
    assert!(!shows(&harness, TITLE));
}

#[test]
fn the_window_keeps_a_steady_size_that_holds_every_button() {
    let mut harness = window(sample(), true);
    click(&mut harness, "Home NAS");
    click(&mut harness, "Delete");
    let before = harness.get_by_label(TITLE).rect();
    for _ in 0..5 {
        harness.step();
    }
    let after = harness.get_by_label(TITLE).rect();
    assert_eq!(before, after, "the window does not grow by itself");
    for label in ["Search", "Save", "Connect", "Yes, delete", "Import...", "Export...", "Close"] {
        assert!(after.contains_rect(harness.get_by_label(label).rect()), "{label} is outside the window");
    }
}
