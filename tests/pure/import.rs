//! Imports fixture files written to FileZilla's, Cyberduck's, WinSCP's and OpenSSH's formats and
//! checks what a user would see: the sites, their folders and settings, the passwords handed over
//! for the keychain, and the plainly worded reasons for what was skipped.

use std::path::{Path, PathBuf};

use ferry::bookmarks::import::{self, ImportReport, ImportSource, ImportedBookmark, cyberduck, filezilla, ssh, winscp};
use ferry::bookmarks::{Bookmark, LoginMethod};
use ferry::model::{FtpMode, Protocol};
use secrecy::ExposeSecret;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import").join(relative)
}

fn site<'a>(report: &'a ImportReport, name: &str) -> &'a ImportedBookmark {
    report.imported.iter().find(|i| i.bookmark.name == name).unwrap_or_else(|| {
        let names: Vec<_> = report.imported.iter().map(|i| &i.bookmark.name).collect();
        panic!("{name:?} was not imported; imported: {names:?}; skipped: {:?}", report.skipped)
    })
}

fn password(imported: &ImportedBookmark) -> Option<&str> {
    imported.password.as_ref().map(|p| p.expose_secret())
}

fn skip_reason<'a>(report: &'a ImportReport, name: &str) -> &'a str {
    report
        .skipped
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{name:?} was not skipped; skipped: {:?}", report.skipped))
}

fn notes_for<'a>(report: &'a ImportReport, name: &str) -> Vec<&'a str> {
    report.notes.iter().filter(|n| n.name == name).map(|n| n.note.as_str()).collect()
}

/// No bookmark holds a password anywhere in its saved form.
fn assert_no_secret_in_bookmarks(report: &ImportReport) {
    for imported in &report.imported {
        let saved = serde_json::to_string(&imported.bookmark).unwrap();
        if let Some(password) = password(imported) {
            assert!(!saved.contains(password), "{saved} holds the password");
        }
    }
}

fn assert_unique_ids(report: &ImportReport) {
    let mut ids: Vec<_> = report.imported.iter().map(|i| i.bookmark.id.clone()).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "ids repeat");
}

#[test]
fn filezilla_sites_keep_folders_protocols_and_passwords() {
    let report = import::import_path(&fixture("filezilla/sitemanager.xml")).unwrap();
    assert_eq!(report.source, Some(ImportSource::FileZilla));
    let names: Vec<_> = report.imported.iter().map(|i| i.bookmark.name.as_str()).collect();
    assert_eq!(names.len(), 7, "{names:?}");

    let top = site(&report, "Top level FTP");
    assert_eq!(top.bookmark.folder, Vec::<String>::new());
    assert_eq!(top.bookmark.protocol, Protocol::Ftpes, "protocol 0 (TLS if offered) is imported as explicit TLS");
    assert_eq!((top.bookmark.host.as_str(), top.bookmark.port), ("ftp.example.org", 21));
    assert_eq!(top.bookmark.user, "alice");
    assert_eq!(top.bookmark.login, LoginMethod::Password);
    assert_eq!(password(top), Some("säcret & <more>"), "base64 password decoded as UTF-8");
    assert_eq!(top.bookmark.remote_dir.as_deref(), Some("/home/alice"));
    assert_eq!(top.bookmark.local_dir.as_deref(), Some(Path::new("/tmp")));
    assert_eq!(top.bookmark.comment, "first line\nsecond line");
    assert!(notes_for(&report, "Top level FTP").iter().any(|n| n.contains("explicit TLS")));

    let deploy = site(&report, "Deploy box");
    assert_eq!(deploy.bookmark.folder, vec!["Work".to_string()]);
    assert_eq!(deploy.bookmark.protocol, Protocol::Sftp);
    assert_eq!(deploy.bookmark.port, 2222);
    assert_eq!(deploy.bookmark.login, LoginMethod::KeyFile);
    assert_eq!(deploy.bookmark.key_file.as_deref(), Some(Path::new("/home/alice/.ssh/id_ed25519")));
    assert_eq!(deploy.bookmark.remote_dir.as_deref(), Some("/srv/my site/public"));
    assert!(deploy.password.is_none());

    let implicit = site(&report, "Customer (implicit TLS)");
    assert_eq!(implicit.bookmark.folder, vec!["Work".to_string(), "Customers & partners".to_string()]);
    assert_eq!(implicit.bookmark.protocol, Protocol::Ftps);
    assert_eq!(implicit.bookmark.port, 990);
    assert_eq!(implicit.bookmark.ftp_mode, FtpMode::Active);
    assert!(implicit.password.is_none(), "a master-password (crypt) password is not imported");
    assert!(
        notes_for(&report, "Customer (implicit TLS)").contains(
            &"the password is protected by FileZilla's master password and was not imported; Ferry asks for it"
        ),
        "{:?}",
        report.notes
    );

    let explicit = site(&report, "Customer (explicit TLS)");
    assert_eq!(explicit.bookmark.protocol, Protocol::Ftpes);
    assert_eq!(explicit.bookmark.ftp_mode, FtpMode::Passive);
    assert_eq!(password(explicit), Some("plain text pw"), "a password without encoding is plain text");
    assert_eq!(explicit.bookmark.remote_dir.as_deref(), Some("/in box"));
    assert_eq!(explicit.bookmark.local_dir, None, "a Windows path means nothing here");
    assert!(notes_for(&report, "Customer (explicit TLS)").iter().any(|n| n.contains("is not a path on this computer")));

    let legacy = site(&report, "Legacy anonymous");
    assert_eq!(legacy.bookmark.protocol, Protocol::Ftp);
    assert_eq!(legacy.bookmark.port, 21, "port 0 means the protocol's default");
    assert_eq!(legacy.bookmark.user, "anonymous");
    assert!(legacy.password.is_none());

    assert_eq!(site(&report, "Ask each time").bookmark.login, LoginMethod::Ask);
    let interactive = site(&report, "One-time password");
    assert_eq!(interactive.bookmark.login, LoginMethod::Ask);
    assert_eq!(interactive.bookmark.remote_dir.as_deref(), Some("/héllo /x"), "lengths count characters");

    assert_eq!(skip_reason(&report, "Backups bucket"), "S3 is not a protocol Ferry speaks");
    assert_eq!(skip_reason(&report, "WebDAV share"), "WebDAV is not a protocol Ferry speaks");
    assert_eq!(skip_reason(&report, "Plain HTTP"), "HTTP is not a protocol Ferry speaks");
    assert_eq!(report.skipped.len(), 3);
    assert_no_secret_in_bookmarks(&report);
    assert_unique_ids(&report);
}

#[test]
fn filezilla_ids_are_the_same_on_a_second_import() {
    let text = std::fs::read_to_string(fixture("filezilla/sitemanager.xml")).unwrap();
    let first: Vec<_> = filezilla::parse(&text).unwrap().imported.into_iter().map(|i| i.bookmark.id).collect();
    let second: Vec<_> = filezilla::parse(&text).unwrap().imported.into_iter().map(|i| i.bookmark.id).collect();
    assert_eq!(first, second);
}

#[test]
fn filezilla_broken_files_are_errors_not_panics() {
    for broken in
        ["", "<FileZilla3>", "<FileZilla3><Servers><Server></Servers></FileZilla3>", "<NotFileZilla/>", "&bogus;"]
    {
        assert!(filezilla::parse(broken).is_err(), "{broken:?} was accepted");
    }
    let empty = filezilla::parse("<FileZilla3><Servers/></FileZilla3>").unwrap();
    assert!(empty.imported.is_empty() && empty.skipped.is_empty());
}

#[test]
fn cyberduck_folder_imports_every_duck_file() {
    let report = import::import_path(&fixture("cyberduck")).unwrap();
    assert_eq!(report.source, Some(ImportSource::Cyberduck));
    assert_eq!(report.imported.len(), 4, "{:?}", report.imported);

    let deploy = site(&report, "Deploy key");
    let expected = Bookmark {
        id: deploy.bookmark.id.clone(),
        name: "Deploy key".into(),
        folder: vec![],
        protocol: Protocol::Sftp,
        host: "deploy.example.com".into(),
        port: 2222,
        user: "deploy".into(),
        login: LoginMethod::KeyFile,
        key_file: Some(PathBuf::from("/home/alice/.ssh/deploy_ed25519")),
        ftp_mode: FtpMode::Passive,
        remote_dir: Some("/var/www/site".into()),
        local_dir: None,
        comment: "Production web server".into(),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: Default::default(),
    };
    assert_eq!(deploy.bookmark, expected);
    assert_eq!(deploy.bookmark.id.0, "cyberduck-5e1f2b8a-0c3d-4e6f-9a1b-2c3d4e5f6a7b", "Cyberduck's UUID is kept");

    let backup = site(&report, "Backup host");
    assert_eq!(backup.bookmark.login, LoginMethod::KeyFile);
    assert_eq!(backup.bookmark.key_file.as_deref(), Some(Path::new("/home/alice/.ssh/backup_rsa")));
    assert_eq!(backup.bookmark.local_dir.as_deref(), Some(Path::new("/home/alice/Downloads")));

    let old = site(&report, "Old FTP & friends");
    assert_eq!((old.bookmark.protocol, old.bookmark.ftp_mode), (Protocol::Ftp, FtpMode::Active));
    assert_eq!(old.bookmark.user, "anonymous");

    let tls = site(&report, "Explicit TLS");
    assert_eq!((tls.bookmark.protocol, tls.bookmark.port), (Protocol::Ftpes, 21));
    assert_eq!(tls.bookmark.remote_dir.as_deref(), Some("/incoming"));
    assert!(tls.bookmark.id.0.starts_with("cyberduck-"), "no UUID: a hash id");

    assert_eq!(skip_reason(&report, "Photos bucket"), "S3 is not a protocol Ferry speaks");
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(report.imported.iter().all(|i| i.password.is_none()), "Cyberduck files hold no passwords");
    assert_unique_ids(&report);
}

#[test]
fn cyberduck_single_file_and_binary_plist() {
    let one = import::import_path(&fixture("cyberduck/Explicit TLS.duck")).unwrap();
    assert_eq!(one.imported.len(), 1);

    // The same bookmark saved as a binary property list imports the same way.
    let xml = std::fs::read(fixture("cyberduck/Deploy key.duck")).unwrap();
    let value = plist::Value::from_reader(std::io::Cursor::new(&xml)).unwrap();
    let mut binary = Vec::new();
    value.to_writer_binary(&mut binary).unwrap();
    let from_binary = cyberduck::parse_bytes(&binary).unwrap();
    let from_xml = cyberduck::parse_bytes(&xml).unwrap();
    assert_eq!(from_binary.imported[0].bookmark, from_xml.imported[0].bookmark);

    assert!(cyberduck::parse("<plist><array/></plist>").is_err(), "a root that is not a dict is an error");
    assert!(cyberduck::parse("not a plist").is_err());
}

#[test]
fn a_folder_without_duck_files_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let error = import::import_path(empty.path()).unwrap_err();
    assert!(error.to_string().contains("no Cyberduck .duck files"), "{error}");
}

/// WinSCP's password obfuscation, written here from the format description: `0xFF`, version 0,
/// length, the count of padding bytes, the padding, then `user+host+password`; each byte stored as
/// `!byte ^ 0xA3`, in upper-case hex.
fn winscp_obfuscate(password: &str, user: &str, host: &str, padding: &[u8]) -> String {
    let text = format!("{user}{host}{password}");
    let mut plain = vec![0xFF, 0x00, text.len() as u8, padding.len() as u8];
    plain.extend_from_slice(padding);
    plain.extend_from_slice(text.as_bytes());
    plain.iter().map(|b| format!("{:02X}", !b ^ 0xA3)).collect()
}

#[test]
fn winscp_sessions_with_escaped_names_folders_defaults_and_passwords() {
    let ini_path = fixture("winscp/WinSCP.ini");
    let text = std::fs::read_to_string(&ini_path).unwrap();
    // The fixture's Password= value is exactly what the encoder above writes.
    let expected = winscp_obfuscate("W1nSCP p@ss;=%", "webadmin", "web.example.com", &[0x12, 0x34, 0x56]);
    assert!(text.contains(&format!("Password={expected}\r\n")), "fixture and encoder disagree");

    let report = import::import_path(&ini_path).unwrap();
    assert_eq!(report.source, Some(ImportSource::WinScp));

    let web = site(&report, "Web server");
    assert_eq!(web.bookmark.folder, vec!["Work Sites".to_string()]);
    assert_eq!((web.bookmark.protocol, web.bookmark.port), (Protocol::Sftp, 22), "defaults filled in");
    assert_eq!(web.bookmark.user, "webadmin");
    assert_eq!(password(web), Some("W1nSCP p@ss;=%"));
    assert_eq!(web.bookmark.remote_dir.as_deref(), Some("/var/www/html"));
    assert_eq!(web.bookmark.local_dir, None);
    assert!(
        notes_for(&report, "Web server").contains(
            &"the local folder \"C:\\\\Users\\\\alice\\\\Sites\" is not a path on this computer and was left out"
        ),
        "{:?}",
        report.notes
    );

    let scp = site(&report, "SCP only");
    assert_eq!(scp.bookmark.folder, vec!["Work Sites".to_string(), "Legacy".to_string()]);
    assert_eq!((scp.bookmark.protocol, scp.bookmark.port), (Protocol::Sftp, 2200));
    let scp_notes = notes_for(&report, "SCP only");
    assert!(scp_notes.iter().any(|n| n.starts_with("WinSCP used SCP; imported as SFTP")), "{scp_notes:?}");
    assert!(scp_notes.iter().any(|n| n.contains("not a path on this computer")), "{scp_notes:?}");
    assert_eq!(scp.bookmark.login, LoginMethod::Password);

    let mueller = site(&report, "Müller & Co");
    assert_eq!((mueller.bookmark.protocol, mueller.bookmark.port), (Protocol::Ftps, 990));
    assert_eq!(password(mueller), Some("klartext"));

    let explicit = site(&report, "Explicit FTPS");
    assert_eq!((explicit.bookmark.protocol, explicit.bookmark.port), (Protocol::Ftpes, 21));
    assert_eq!(explicit.bookmark.ftp_mode, FtpMode::Active);

    let plain = site(&report, "Plain FTP");
    assert_eq!((plain.bookmark.protocol, plain.bookmark.port), (Protocol::Ftp, 2121));
    assert_eq!((plain.bookmark.user.as_str(), plain.bookmark.host.as_str()), ("guest", "ftp.example.net"));
    assert_eq!(plain.bookmark.ftp_mode, FtpMode::Passive, "passive is WinSCP's default");

    let key = site(&report, "Unix key");
    assert_eq!(key.bookmark.login, LoginMethod::KeyFile);
    assert_eq!(key.bookmark.key_file.as_deref(), Some(Path::new("/home/kim/.ssh/id_ed25519")));

    assert_eq!(skip_reason(&report, "Default Settings"), "WinSCP's template for new sites, not a site");
    assert_eq!(skip_reason(&report, "Nextcloud"), "WebDAV is not a protocol Ferry speaks");
    assert_eq!(skip_reason(&report, "Bucket"), "S3 is not a protocol Ferry speaks");
    assert_eq!(skip_reason(&report, "No host"), "it has no host name");
    assert_eq!(report.imported.len(), 6);
    assert_eq!(report.skipped.len(), 4);
    assert_no_secret_in_bookmarks(&report);
    assert_unique_ids(&report);
}

#[test]
fn winscp_master_password_sessions_import_without_the_password() {
    let report = import::import_path(&fixture("winscp/WinSCP-master.ini")).unwrap();
    let protected = site(&report, "Protected");
    assert_eq!(protected.bookmark.host, "vault.example.com");
    assert!(protected.password.is_none());
    assert_eq!(
        notes_for(&report, "Protected"),
        vec!["the password is protected by WinSCP's master password and was not imported; Ferry asks for it"]
    );
}

#[test]
fn winscp_password_with_the_two_byte_length_header_decodes() {
    let text = "bobexample.comA much longer password";
    let mut plain = vec![0xFF, 0x02, 0x00, text.len() as u8, 0x01, 0x99];
    plain.extend_from_slice(text.as_bytes());
    let hex: String = plain.iter().map(|b| format!("{:02X}", !b ^ 0xA3)).collect();
    assert_eq!(winscp::decode_password(&hex, "bobexample.com").as_deref(), Some("A much longer password"));
    // Old-style (no header): the first byte is the length.
    let mut old = vec![3u8, 0];
    old.extend_from_slice(b"abc");
    let hex: String = old.iter().map(|b| format!("{:02X}", !b ^ 0xA3)).collect();
    assert_eq!(winscp::decode_password(&hex, "ignored").as_deref(), Some("abc"));
}

#[test]
fn ssh_config_hosts_become_sftp_bookmarks() {
    let dir = fixture("ssh");
    let text = std::fs::read_to_string(dir.join("config")).unwrap();
    let report = ssh::parse(&text, &dir).unwrap();
    assert_eq!(report.source, Some(ImportSource::OpenSsh));
    let mut names: Vec<_> = report.imported.iter().map(|i| i.bookmark.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["bastion", "gitbox", "internal", "plain", "prod-web", "web"], "wildcards are not sites");

    let web = site(&report, "web");
    assert_eq!(web.bookmark.protocol, Protocol::Sftp);
    assert_eq!((web.bookmark.host.as_str(), web.bookmark.port), ("web01.example.com", 2222));
    assert_eq!(web.bookmark.user, "deploy");
    assert_eq!(web.bookmark.login, LoginMethod::KeyFile);
    assert!(web.bookmark.key_file.as_ref().unwrap().ends_with(".ssh/deploy_ed25519"));
    assert!(web.bookmark.key_file.as_ref().unwrap().is_absolute(), "~ is expanded");

    let bastion = site(&report, "bastion");
    assert_eq!(bastion.bookmark.login, LoginMethod::Agent, "no IdentityFile: the agent");
    assert_eq!(bastion.bookmark.port, 22);

    let plain = site(&report, "plain");
    assert_eq!(plain.bookmark.host, "plain", "no HostName: the alias is the host");

    let internal = site(&report, "internal");
    assert_eq!(internal.bookmark.host, "10.0.5.20");
    assert_eq!(internal.bookmark.connect_through.as_deref(), Some("bastion"), "its ProxyJump is kept");
    assert!(notes_for(&report, "internal").is_empty());

    let git = site(&report, "gitbox");
    assert_eq!((git.bookmark.host.as_str(), git.bookmark.port), ("git.example.org", 2022), "Include followed");
    assert!(git.bookmark.key_file.as_ref().unwrap().ends_with(".ssh/git_key"));
    assert!(notes_for(&report, "gitbox")[0].contains("ssh would try 2 key files"));
    assert!(report.skipped.is_empty());
    assert_unique_ids(&report);
}

#[test]
fn ssh_config_hosts_behind_a_proxy_command_are_skipped_not_imported_as_direct_sites() {
    let text = "Host piped\n  HostName 10.1.1.1\n  ProxyCommand ssh -W %h:%p gw\nHost direct\n  HostName 10.1.1.2\n";
    let report = ssh::parse(text, Path::new("/nonexistent")).unwrap();
    let names: Vec<_> = report.imported.iter().map(|i| i.bookmark.name.as_str()).collect();
    assert_eq!(names, ["direct"]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].name, "piped");
    assert!(report.skipped[0].reason.contains("ProxyCommand ssh -W %h:%p gw"), "{}", report.skipped[0].reason);
}

#[test]
fn ssh_config_is_recognised_by_import_path() {
    let dir = tempfile::tempdir().unwrap();
    let included = dir.path().join("extra.conf");
    std::fs::write(&included, "Host extra\n  HostName extra.example.com\n").unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, format!("Include {}\nHost main\n  User me\n", included.display())).unwrap();
    let report = import::import_path(&config).unwrap();
    assert_eq!(report.source, Some(ImportSource::OpenSsh));
    assert_eq!(site(&report, "extra").bookmark.host, "extra.example.com");
    assert_eq!(site(&report, "main").bookmark.user, "me");
}

#[test]
fn unknown_files_are_refused_with_a_plain_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "just some notes\n").unwrap();
    let error = import::import_path(&file).unwrap_err();
    assert!(error.to_string().contains("not a FileZilla sitemanager.xml"), "{error}");
    let missing = import::import_path(&dir.path().join("missing.xml")).unwrap_err();
    assert_eq!(missing.kind, ferry::error::ErrorKind::NotFound);
}

#[test]
fn an_unreadable_ssh_host_line_is_skipped_not_imported_without_a_host() {
    // Found by the import fuzz target: an unclosed quote on a Host line.
    let report = ssh::parse("Host web prod-'web\n  HostName web01.example.com\n", Path::new("/nonexistent")).unwrap();
    assert!(report.imported.iter().all(|i| !i.bookmark.host.is_empty() && !i.bookmark.name.is_empty()));
    for skipped in &report.skipped {
        assert_eq!(skipped.reason, "its Host line could not be read (an unclosed quote?)");
    }
}

#[test]
fn two_copies_of_one_duck_file_get_their_own_ids() {
    let dir = tempfile::tempdir().unwrap();
    for copy in ["Deploy key.duck", "Deploy key copy.duck"] {
        std::fs::copy(fixture("cyberduck/Deploy key.duck"), dir.path().join(copy)).unwrap();
    }
    let report = import::import_path(dir.path()).unwrap();
    assert_eq!(report.imported.len(), 2);
    assert_unique_ids(&report);
}

/// A `.duck` file as Cyberduck writes it, for one site.
fn duck_file(uuid: &str, nickname: &str, host: &str, user: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\
         <key>Protocol</key><string>sftp</string>\n<key>Nickname</key><string>{nickname}</string>\n\
         <key>UUID</key><string>{uuid}</string>\n<key>Hostname</key><string>{host}</string>\n\
         <key>Port</key><string>22</string>\n<key>Username</key><string>{user}</string>\n</dict>\n</plist>\n"
    )
}

#[test]
fn a_duck_file_with_a_saved_uuid_but_another_host_is_added_not_repointed() {
    use ferry::bookmarks::{BookmarkStore, Keychain, import_into};
    let dir = tempfile::tempdir().unwrap();
    let store = BookmarkStore::new(&ferry::config::ConfigDir::at(dir.path().join("config")));
    let uuid = "0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9";
    let original = dir.path().join("Web.duck");
    let repointed = dir.path().join("Web copy.duck");
    std::fs::write(&original, duck_file(uuid, "Web", "web.example.org", "alice")).unwrap();
    std::fs::write(&repointed, duck_file(uuid, "Web", "collector.example.net", "alice")).unwrap();
    let keychain = Keychain::unavailable();

    import_into(&store, &keychain, &original).unwrap();
    let outcome = import_into(&store, &keychain, &repointed).unwrap();
    let notes: Vec<String> = outcome.notes.iter().map(|n| format!("{}: {}", n.name, n.note)).collect();
    assert!(
        notes.iter().any(|n| n.contains("added as new because") && n.contains("web.example.org")),
        "the report does not say why: {notes:?}"
    );

    // Importing both again changes nothing: still two sites, each where its file points.
    import_into(&store, &keychain, &repointed).unwrap();
    import_into(&store, &keychain, &original).unwrap();
    let saved = store.load().unwrap().file.bookmarks;
    assert_eq!(saved.len(), 2, "{saved:#?}");
    let kept = saved.iter().find(|b| b.name == "Web").expect("the first site keeps its name");
    assert_eq!(kept.id.0, format!("cyberduck-{}", uuid.to_ascii_lowercase()));
    assert_eq!(kept.host, "web.example.org", "the saved site was repointed");
    let added = saved.iter().find(|b| b.host == "collector.example.net").expect("the second site was added");
    assert_ne!(added.id, kept.id);
    assert_ne!(added.name, kept.name, "two sites share a name, so NAME:/path is ambiguous");
    // Each secret entry is bound to its own host: the kept site's password is not the new one's.
    assert_ne!(ferry::bookmarks::SecretKey::of(added), ferry::bookmarks::SecretKey::of(kept));
}

#[test]
fn a_secret_is_bound_to_the_host_and_user_it_was_saved_for() {
    use ferry::bookmarks::{BookmarkId, SecretKey};
    let site = Bookmark {
        id: BookmarkId("site-1".into()),
        name: "web".into(),
        folder: Vec::new(),
        protocol: Protocol::Sftp,
        host: "web.example.org".into(),
        port: 22,
        user: "alice".into(),
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
    };
    let key = SecretKey::of(&site);
    assert!(key.account().contains("site-1") && key.account().contains("alice@web.example.org"), "{key:?}");
    let other_host = Bookmark { host: "collector.example.net".into(), ..site.clone() };
    let other_user = Bookmark { user: "root".into(), ..site.clone() };
    assert_ne!(SecretKey::of(&other_host), key, "a repointed site would get the password");
    assert_ne!(SecretKey::of(&other_user), key, "another user would get the password");
    let renamed = Bookmark { name: "renamed".into(), port: 2222, host: "WEB.example.org".into(), ..site };
    assert_eq!(SecretKey::of(&renamed), key, "a new name or port keeps the password");
}
