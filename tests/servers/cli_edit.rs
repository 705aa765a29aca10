//! `ferry edit URL` against a real sshd and vsftpd, with editor stand-ins: scripts that save by
//! rename (as vim, VS Code and gedit do) or in place, twice, then exit. The server must end with
//! the last bytes, each save on its way while the editor still runs; a file changed on the server
//! meanwhile must survive; crafted names must keep the private copy in its folder.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// A save by rename: a new file beside the old, moved over it.
const SAVE_BY_RENAME: &str = r#"save() { printf '%s' "$1" > "$f.tmp"; mv "$f.tmp" "$f"; }"#;
/// A save in place: the same file truncated and written.
const SAVE_IN_PLACE: &str = r#"save() { printf '%s' "$1" > "$f"; }"#;

/// An editor stand-in: records the path and bytes it was given, saves once, waits until the
/// server has that save (so it was uploaded while the editor ran), saves again and exits.
fn editor(dir: &Path, save: &str) -> PathBuf {
    let script = dir.join("editor stand-in.sh");
    let body = format!(
        r#"#!/bin/sh
f="$1"
{save}
printf '%s' "$f" > "$RECORD.path"
stat -c %a "$(dirname "$f")" > "$RECORD.mode"
cp "$f" "$RECORD.given"
save 'first save'
i=0
until grep -q 'first save' "$SERVER_FILE"; do
  i=$((i+1)); if [ $i -gt 150 ]; then echo late > "$RECORD.late"; break; fi
  sleep 0.1
done
save 'second save, the last bytes'
"#
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// An editor stand-in during whose run someone else changes the file on the server.
fn editor_racing_another_user(dir: &Path) -> PathBuf {
    let script = dir.join("racing editor.sh");
    let body = r#"#!/bin/sh
f="$1"
printf 'theirs: changed on the server meanwhile' > "$SERVER_FILE"
printf 'mine' > "$f.tmp"; mv "$f.tmp" "$f"
sleep 1
"#;
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// A folder in the server's data the server's account can write in, holding `name` with `bytes`.
fn remote_file(data: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let folder = data.join("edit");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = folder.join(name);
    std::fs::write(&file, bytes).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    file
}

fn ferry_edit(config: &Path, args: &[&str], server_file: &Path, record: &Path) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .stdin(std::process::Stdio::null())
        .env_remove("FERRY_PASSWORD")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .env("SERVER_FILE", server_file)
        .env("RECORD", record);
    command.output().expect("run ferry")
}

/// `--editor` takes a command line: a path with spaces is quoted, as in a shell.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sftp_base(sshd: &Sshd, config: &Path) -> (String, String) {
    let known = config.join("known_hosts_for_test");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    (base, known.to_string_lossy().into_owned())
}

/// What is left in the config folder's private edit copies (not Ferry's own lock and record).
fn private_copies(config: &Path) -> Vec<PathBuf> {
    let mut left = Vec::new();
    if let Ok(folders) = std::fs::read_dir(config.join("edits")) {
        for folder in folders.flatten() {
            left.push(folder.path());
            let files = std::fs::read_dir(folder.path()).unwrap().flatten().map(|e| e.path());
            left.extend(files.filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with(".ferry-edit")));
        }
    }
    left
}

/// Writes an executable script.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn sftp_edit_with_an_editor_that_saves_by_rename_uploads_each_save_of_a_name_with_spaces() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (base, known) = sftp_base(&sshd, config.path());
    let server_file = remote_file(sshd.data_dir(), "my notes.txt", b"the server's bytes");
    let script = editor(scratch.path(), SAVE_BY_RENAME);
    let record = scratch.path().join("record");

    let output = ferry_edit(
        config.path(),
        &[
            "--known-hosts",
            &known,
            "edit",
            &format!("{base}/edit/my%20notes.txt"),
            "--editor",
            &format!("'{}'", script.display()),
        ],
        &server_file,
        &record,
    );

    assert!(output.status.success(), "ferry edit failed: {}", stderr(&output));
    assert_eq!(std::fs::read(scratch.path().join("record.given")).unwrap(), b"the server's bytes");
    assert!(!scratch.path().join("record.late").exists(), "the first save reached the server while the editor ran");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"second save, the last bytes");
    let given = PathBuf::from(std::fs::read_to_string(scratch.path().join("record.path")).unwrap());
    assert_eq!(given.file_name().unwrap(), "my notes.txt", "the editor shows the file's own name");
    assert!(given.starts_with(config.path().join("edits")), "{}", given.display());
    assert_eq!(private_copies(config.path()), Vec::<PathBuf>::new(), "the private copy is removed at the end");
}

#[test]
fn ftp_edit_with_an_editor_that_writes_in_place_uploads_each_save() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let server_file = remote_file(ftpd.data_dir(), "page.html", b"<p>old</p>");
    let script = editor(scratch.path(), SAVE_IN_PLACE);
    let record = scratch.path().join("record");
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/edit/page.html", ftpd.port());

    let output = ferry_edit(config.path(), &["edit", &url, "--editor", &quoted(&script)], &server_file, &record);

    assert!(output.status.success(), "ferry edit failed: {}", stderr(&output));
    assert_eq!(std::fs::read(scratch.path().join("record.given")).unwrap(), b"<p>old</p>");
    assert!(!scratch.path().join("record.late").exists(), "the first save reached the server while the editor ran");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"second save, the last bytes");
    assert_eq!(private_copies(config.path()), Vec::<PathBuf>::new());
}

/// Runs `ferry edit --batch` with an editor that saves while someone else changes the file on
/// the server, and checks that the server's version survives and the command fails plainly.
fn assert_conflict_refused(protocol: &str, config: &Path, mut args: Vec<String>, server_file: &Path) {
    let scratch = tempfile::tempdir().unwrap();
    let script = editor_racing_another_user(scratch.path());
    args.extend(["--batch".to_string(), "--editor".to_string(), quoted(&script)]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let output = ferry_edit(config, &args, server_file, &scratch.path().join("record"));

    let printed = stderr(&output);
    assert!(!output.status.success(), "{protocol}: a refused conflict fails the command: {printed}");
    assert_eq!(
        printed.matches("changed on the server since it was opened; your save was not uploaded").count(),
        1,
        "{protocol}: the conflict is told once: {printed}"
    );
    assert_eq!(
        std::fs::read(server_file).unwrap(),
        b"theirs: changed on the server meanwhile",
        "{protocol}: the server's version survives"
    );
    // The save the server did not take is kept, and the message says where.
    let kept = private_copies(config).into_iter().find(|p| p.is_file()).expect("the copy is kept");
    assert_eq!(std::fs::read(&kept).unwrap(), b"mine", "{protocol}");
    assert!(printed.contains("your edited copy is kept at"), "{protocol}: {printed}");
}

#[test]
fn sftp_a_file_changed_on_the_server_while_edited_survives_and_batch_fails_plainly() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let (base, known) = sftp_base(&sshd, config.path());
    let file = remote_file(sshd.data_dir(), "conf.ini", b"opened version");
    let args = vec!["--known-hosts".into(), known.clone(), "edit".into(), format!("{base}/edit/conf.ini")];
    assert_conflict_refused("sftp", config.path(), args, &file);

    // Editing the file again must not replace (or, when the editor fails, delete) the kept copy,
    // which holds work the server does not have.
    let again = ["--known-hosts", &known, "edit", &format!("{base}/edit/conf.ini"), "--editor", "/nonexistent/editor"];
    let output = ferry_edit(config.path(), &again, &file, &config.path().join("record"));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("an earlier edit kept your copy"), "{}", stderr(&output));
    let kept = private_copies(config.path()).into_iter().find(|p| p.is_file()).expect("the copy is still kept");
    assert_eq!(std::fs::read(&kept).unwrap(), b"mine", "the kept copy is untouched");
}

#[test]
fn ftp_a_file_changed_on_the_server_while_edited_survives_and_batch_fails_plainly() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let file = remote_file(ftpd.data_dir(), "conf.ini", b"opened version");
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/edit/conf.ini", ftpd.port());
    assert_conflict_refused("ftp", config.path(), vec!["edit".into(), url], &file);
}

#[test]
fn crafted_remote_names_keep_the_private_copy_in_its_own_private_folder() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (base, known) = sftp_base(&sshd, config.path());
    let server_file = remote_file(sshd.data_dir(), "x.txt", b"x");
    let hostile = remote_file(sshd.data_dir(), "evil\\..\\..\\escape.txt", b"e");
    let script = editor(scratch.path(), SAVE_BY_RENAME);
    let record = scratch.path().join("record");

    // `..` inside the path: the server resolves it; the copy stays one folder below `edits`.
    let output = ferry_edit(
        config.path(),
        &["--known-hosts", &known, "edit", &format!("{base}/edit/../edit/x.txt"), "--editor", &quoted(&script)],
        &server_file,
        &record,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let given = PathBuf::from(std::fs::read_to_string(scratch.path().join("record.path")).unwrap());
    let folder = given.parent().unwrap();
    assert_eq!(folder.parent().unwrap(), config.path().join("edits"), "{}", given.display());
    assert_eq!(given.file_name().unwrap(), "x.txt");
    let mode = std::fs::read_to_string(scratch.path().join("record.mode")).unwrap();
    assert_eq!(mode.trim(), "700", "the private folder is the user's alone");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"second save, the last bytes");

    // A name with backslashes is refused before anything is written, and no editor starts.
    std::fs::remove_file(scratch.path().join("record.path")).unwrap();
    let output = ferry_edit(
        config.path(),
        &[
            "--known-hosts",
            &known,
            "edit",
            &format!("{base}/edit/evil%5C..%5C..%5Cescape.txt"),
            "--editor",
            script.to_str().unwrap(),
        ],
        &hostile,
        &record,
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("refusing the name"), "{}", stderr(&output));
    assert!(!scratch.path().join("record.path").exists(), "no editor was started");
    assert_eq!(std::fs::read(&hostile).unwrap(), b"e");

    // A folder is no file to edit, and is said so.
    let output = ferry_edit(
        config.path(),
        &["--known-hosts", &known, "edit", &format!("{base}/edit"), "--editor", &quoted(&script)],
        &hostile,
        &record,
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("is a folder: only files can be opened in an editor"), "{}", stderr(&output));
    assert!(!scratch.path().join("record.path").exists(), "no editor was started");
    assert_eq!(private_copies(config.path()), Vec::<PathBuf>::new());
}

#[test]
fn an_editor_command_is_run_without_a_shell() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (base, known) = sftp_base(&sshd, config.path());
    let server_file = remote_file(sshd.data_dir(), "a.txt", b"a");
    let marker = scratch.path().join("ran");
    // A shell would run the `touch`; without one it is the name of a program that does not exist.
    let editor = format!("true; touch {}", marker.display());

    let output = ferry_edit(
        config.path(),
        &["--known-hosts", &known, "edit", &format!("{base}/edit/a.txt"), "--editor", &editor],
        &server_file,
        &scratch.path().join("record"),
    );

    assert!(!output.status.success());
    assert!(stderr(&output).contains("starting the editor true;"), "{}", stderr(&output));
    assert!(!marker.exists(), "nothing in the editor command was run by a shell");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"a");
    assert_eq!(private_copies(config.path()), Vec::<PathBuf>::new());
}

/// Runs `ferry edit --batch` of `file` on sshd with an editor whose body is `body` (`$f` is the
/// copy, `$SERVER_FILE` the server's file).
fn sftp_edit_with(sshd: &Sshd, config: &Path, scratch: &Path, file: &Path, body: &str) -> Output {
    let (base, known) = sftp_base(sshd, config);
    let editor = script(scratch, "editor.sh", &format!("#!/bin/sh\nf=\"$1\"\n{body}\n"));
    let name = file.file_name().unwrap().to_str().unwrap();
    let url = format!("{base}/edit/{name}");
    let args = ["--known-hosts", &known, "edit", &url, "--batch", "--editor", &quoted(&editor)];
    ferry_edit(config, &args, file, &scratch.join("record"))
}

#[test]
fn where_the_server_hashes_a_same_size_rewrite_in_the_same_second_is_a_conflict_and_a_touch_is_not() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();

    // Someone else writes other bytes of the same size and puts the old date back.
    let file = remote_file(sshd.data_dir(), "same.txt", b"aaaa");
    let rewrite = r#"touch -r "$SERVER_FILE" "$f.when"; printf 'bbbb' > "$SERVER_FILE"; touch -r "$f.when" "$SERVER_FILE"
printf 'mine' > "$f"; sleep 1"#;
    let output = sftp_edit_with(&sshd, config.path(), scratch.path(), &file, rewrite);
    assert!(!output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("changed on the server since it was opened"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&file).unwrap(), b"bbbb", "their rewrite survives");

    // Someone else only touches the file: the same bytes are no change, and the save goes up.
    let file = remote_file(sshd.data_dir(), "touched.txt", b"aaaa");
    let touch = r#"touch -d '2020-01-01 00:00:00' "$SERVER_FILE"; printf 'mine' > "$f"; sleep 1"#;
    let output = sftp_edit_with(&sshd, config.path(), scratch.path(), &file, touch);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
}

#[test]
fn an_editor_that_fails_or_cannot_start_is_reported_as_such() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let file = remote_file(sshd.data_dir(), "f.txt", b"old");

    let output =
        sftp_edit_with(&sshd, config.path(), scratch.path(), &file, "printf 'saved' > \"$f\"; sleep 1; exit 3");
    assert!(!output.status.success(), "{}", stderr(&output));
    let printed = stderr(&output);
    assert!(
        printed.contains("the editor of") && printed.contains("ended with a failure (exit status: 3)"),
        "{printed}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"saved", "what it saved before failing was uploaded");

    let (base, known) = sftp_base(&sshd, config.path());
    let url = format!("{base}/edit/f.txt");
    let args = ["--known-hosts", &known, "edit", &url, "--editor", "/nonexistent/editor"];
    let output = ferry_edit(config.path(), &args, &file, &scratch.path().join("record"));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("starting the editor /nonexistent/editor"), "{}", stderr(&output));
}

/// The log lines the config folder's log files hold.
fn logged(config: &Path) -> String {
    let mut text = String::new();
    for file in std::fs::read_dir(config.join("logs")).into_iter().flatten().flatten() {
        text.push_str(&std::fs::read_to_string(file.path()).unwrap_or_default());
    }
    text
}

#[test]
fn copies_a_crash_left_are_removed_when_the_server_has_them_and_listed_when_they_hold_work() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    // Ferry is killed (a crash) once a save is on the server: the copy holds nothing new.
    let synced = remote_file(sshd.data_dir(), "synced.txt", b"old");
    let crash_after_upload = r#"printf 'first save' > "$f"
i=0; until grep -q 'first save' "$SERVER_FILE" || [ $i -gt 150 ]; do i=$((i+1)); sleep 0.1; done
sleep 0.5; kill -9 $PPID"#;
    let output = sftp_edit_with(&sshd, config.path(), scratch.path(), &synced, crash_after_upload);
    assert!(!output.status.success());
    assert_eq!(std::fs::read(&synced).unwrap(), b"first save");
    let first: Vec<PathBuf> = private_copies(config.path()).into_iter().filter(|p| p.is_file()).collect();
    assert_eq!(first.len(), 1, "the crash left its copy: {first:?}");
    // Killed with a save not yet uploaded: the copy holds the only copy of that work.
    let unsaved = remote_file(sshd.data_dir(), "unsaved.txt", b"old");
    let crash_before_upload = r#"printf 'work the server never got' > "$f"; kill -9 $PPID"#;
    let output = sftp_edit_with(&sshd, config.path(), scratch.path(), &unsaved, crash_before_upload);
    assert!(!output.status.success());
    // That start removed the first copy (the server has its bytes); the second crash left its own.
    assert!(!first[0].exists(), "a copy the server already has is removed at the next start");

    // So the file opens again; the other copy is kept and listed in the log with its path, and
    // an edit of its file still refuses to reuse it.
    let output = sftp_edit_with(&sshd, config.path(), scratch.path(), &synced, "printf 'again' > \"$f\"; sleep 1");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read(&synced).unwrap(), b"again");
    let kept: Vec<PathBuf> = private_copies(config.path()).into_iter().filter(|p| p.is_file()).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"work the server never got");
    let log = logged(config.path());
    assert!(log.contains(&format!("the copy is kept at {}", kept[0].display())), "{log}");
    let output = sftp_edit_with(&sshd, config.path(), scratch.path(), &unsaved, "printf 'x' > \"$f\"");
    assert!(stderr(&output).contains("an earlier edit kept your copy"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"work the server never got");
    assert_eq!(std::fs::read(&unsaved).unwrap(), b"old");
}

#[test]
fn compare_fetches_theirs_beside_the_copy_opens_the_diff_tool_and_asks_again() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (base, known) = sftp_base(&sshd, config.path());
    let file = remote_file(sshd.data_dir(), "page.txt", b"opened version");
    let editor = editor_racing_another_user(scratch.path());
    let seen = scratch.path().join("diff");
    let diff = script(
        scratch.path(),
        "diff tool.sh",
        &format!(
            "#!/bin/sh\nprintf '%s\\n%s\\n' \"$1\" \"$2\" > '{0}.args'\ncat \"$1\" > '{0}.ours'\ncat \"$2\" > '{0}.theirs'\n",
            seen.display()
        ),
    );
    let url = format!("{base}/edit/page.txt");
    // A terminal to answer on: `c` (compare), then `o` (overwrite).
    let command = [
        env!("CARGO_BIN_EXE_ferry"),
        "--config-dir",
        config.path().to_str().unwrap(),
        "--known-hosts",
        &known,
        "edit",
        &url,
        "--editor",
        &quoted(&editor),
        "--diff",
        &quoted(&diff),
    ]
    .iter()
    .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
    .collect::<Vec<_>>()
    .join(" ");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("SERVER_FILE", &file)
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut answers = child.stdin.take().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    use std::io::Write;
    // Each answer once its question is out: the diff tool's run shows the first was read.
    while !std::path::Path::new(&format!("{}.theirs", seen.display())).exists() && std::time::Instant::now() < deadline
    {
        let _ = answers.write_all(b"c\n");
        std::thread::sleep(std::time::Duration::from_millis(700));
    }
    let _ = answers.write_all(b"o\n");
    let output = child.wait_with_output().unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    let args = std::fs::read_to_string(format!("{}.args", seen.display())).unwrap();
    let (ours, theirs) = args.trim().split_once('\n').unwrap();
    assert_eq!(Path::new(theirs).file_name().unwrap(), "page.theirs.txt", "{args}");
    assert_eq!(Path::new(theirs).parent(), Path::new(ours).parent(), "beside the copy: {args}");
    assert_eq!(std::fs::read(format!("{}.ours", seen.display())).unwrap(), b"mine");
    assert_eq!(
        std::fs::read(format!("{}.theirs", seen.display())).unwrap(),
        b"theirs: changed on the server meanwhile"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"mine", "overwritten after the compare");
}
