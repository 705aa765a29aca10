//! The site manager's form: a bookmark's fields as typed, checked and turned back into a
//! bookmark, and the secret typed for the keychain.

use std::path::PathBuf;

use secrecy::zeroize::Zeroize;

use super::file_dialog::DialogPurpose;
use super::{NO_KEYCHAIN_NOTE, SiteAction, SiteManager};
use crate::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use crate::model::{FtpMode, Protocol};
use crate::name_charset::{NameCharset, OFFERED};

impl SiteManager {
    pub(super) fn editor_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        let keychain_available = self.keychain_available;
        let dialog_free = self.file_dialog.is_none();
        let Some(editor) = self.editor.as_mut() else {
            ui.label("Choose a site in the tree, or make one with \"New site\".");
            return;
        };
        let mut browse = None;
        ui.strong("Site details");
        if editor.is_new {
            ui.weak("Not saved yet");
        }
        let fields = &mut editor.fields;
        egui::Grid::new("site fields").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let name = labelled_text(ui, "Name", &mut fields.name);
            if std::mem::take(&mut editor.wants_focus) {
                name.request_focus();
            }

            let login_before = fields.login;
            let label = ui.label("Protocol");
            let before = fields.protocol;
            egui::ComboBox::from_id_salt("site protocol")
                .selected_text(protocol_label(fields.protocol))
                .width(240.0)
                .show_ui(ui, |ui| {
                    for protocol in PROTOCOLS {
                        ui.selectable_value(&mut fields.protocol, protocol, protocol_label(protocol));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            if fields.protocol != before {
                fields.protocol_changed(before);
            }

            labelled_text(ui, "Host", &mut fields.host);
            labelled_text(ui, "Port", &mut fields.port);
            labelled_text(ui, "User", &mut fields.user);

            let label = ui.label("Login");
            egui::ComboBox::from_id_salt("site login")
                .selected_text(login_label(fields.login))
                .width(240.0)
                .show_ui(ui, |ui| {
                    for &login in login_methods(fields.protocol) {
                        ui.selectable_value(&mut fields.login, login, login_label(login));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            // A secret typed for one login method is not meant for another.
            if fields.login != login_before {
                editor.password.0.zeroize();
            }
            match fields.login {
                LoginMethod::Password => {
                    secret_row(ui, "Password", &mut editor.password, editor.is_new, keychain_available);
                }
                LoginMethod::KeyFile => {
                    let label = ui.label("Key file");
                    ui.horizontal(|ui| {
                        let field = egui::TextEdit::singleline(&mut fields.key_file).desired_width(170.0);
                        ui.add(field).labelled_by(label.id);
                        let button = ui.add_enabled(dialog_free, egui::Button::new("Browse..."));
                        if button.accessible_name("Browse for a key file").clicked() {
                            browse = Some(DialogPurpose::KeyFile);
                        }
                    });
                    ui.end_row();
                    secret_row(ui, "Key passphrase", &mut editor.password, editor.is_new, keychain_available);
                }
                LoginMethod::Agent | LoginMethod::Ask => {}
            }

            if fields.protocol.is_ftp() {
                ui.label("FTP mode");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut fields.ftp_mode, FtpMode::Passive, "Passive");
                    ui.radio_value(&mut fields.ftp_mode, FtpMode::Active, "Active");
                });
                ui.end_row();
                charset_row(ui, &mut fields.name_charset);
                labelled_text(ui, "Server time zone", &mut fields.server_time_zone).on_hover_text(
                    "The time zone the server lists times in, for servers without MLSD: auto (found \
                     by comparing a listed time with MDTM), UTC, or an offset such as +09:00.",
                );
            }

            if fields.protocol == Protocol::Sftp {
                labelled_text(ui, "Connect through", &mut fields.connect_through).on_hover_text(
                    "SSH jump hosts, as ssh -J takes them: [user@]host[:port], several separated by \
                     commas. Empty: as the ssh config says.",
                );
            }

            labelled_text(ui, "Proxy", &mut fields.proxy).on_hover_text(
                "socks5://, socks5h:// (names resolved by the proxy) or http:// (CONNECT), then \
                 [user[:password]@]host:port; the password goes to the keychain. none: straight to the \
                 server. Empty: ALL_PROXY if set.",
            );

            labelled_text(ui, "Remote folder", &mut fields.remote_dir);

            let label = ui.label("Local folder");
            ui.horizontal(|ui| {
                let field = egui::TextEdit::singleline(&mut fields.local_dir).desired_width(170.0);
                ui.add(field).labelled_by(label.id);
                let button = ui.add_enabled(dialog_free, egui::Button::new("Browse..."));
                if button.accessible_name("Browse for a local folder").clicked() {
                    browse = Some(DialogPurpose::LocalFolder);
                }
            });
            ui.end_row();

            labelled_text(ui, "Folder", &mut fields.folder);

            ui.label("Uploads");
            ui.checkbox(&mut fields.uploads_in_place, "Write uploads in place (no temporary file)").on_hover_text(
                "For servers without a rename right or room for two copies. \
                 An interrupted upload then leaves a partial file in place of the old one.",
            );
            ui.end_row();

            ui.label("Transfers");
            ui.horizontal_wrapped(|ui| {
                ui.checkbox(&mut fields.keep.modes, "Keep permissions").on_hover_text(
                    "Give each copy the permission bits of its source (never set-id bits). \
                     Turn off for servers that refuse to set them.",
                );
                ui.checkbox(&mut fields.keep.times, "Keep modification times").on_hover_text(
                    "Give each copy, folders included, the time of its source. \
                     Turn off for servers that refuse to set them.",
                );
            });
            ui.end_row();

            let label = ui.label("Bandwidth");
            ui.horizontal(|ui| {
                let hover = "This site's own limit, shared by its transfers (500K, 2M; empty for none). \
                             The limit in the queue panel still holds where it is stricter.";
                let down = egui::TextEdit::singleline(&mut fields.limit_down).desired_width(60.0).hint_text("none");
                ui.label("down");
                ui.add(down).labelled_by(label.id).accessible_name("Download limit").on_hover_text(hover);
                let up = egui::TextEdit::singleline(&mut fields.limit_up).desired_width(60.0).hint_text("none");
                ui.label("up");
                ui.add(up).accessible_name("Upload limit").on_hover_text(hover);
            });
            ui.end_row();

            let label = ui.label("Comment");
            let field = egui::TextEdit::multiline(&mut fields.comment).desired_rows(3).desired_width(240.0);
            ui.add(field).labelled_by(label.id);
            ui.end_row();
        });

        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        let mut save = false;
        let mut connect = false;
        ui.horizontal(|ui| {
            save = ui.button("Save").clicked();
            connect = ui.button("Connect").clicked();
        });
        if let Some(purpose) = browse {
            self.start_file_dialog(ui.ctx(), purpose);
        }
        if connect {
            self.connect(actions);
        } else if save {
            self.save(actions);
        }
    }
}

/// The protocols a bookmark can use, in the order the combo box lists them.
pub(super) const PROTOCOLS: [Protocol; 4] = [Protocol::Sftp, Protocol::Ftp, Protocol::Ftpes, Protocol::Ftps];

/// A masked field for the secret the keychain keeps (a password or a key's passphrase), disabled
/// with a note when there is no keychain. Left empty, the stored secret stays as it is.
pub(super) fn secret_row(
    ui: &mut egui::Ui,
    label: &str,
    secret: &mut TypedPassword,
    is_new: bool,
    keychain_available: bool,
) {
    let label = ui.label(label);
    ui.vertical(|ui| {
        let hint = if is_new { "" } else { "(unchanged)" };
        let field = egui::TextEdit::singleline(&mut secret.0).password(true).hint_text(hint).desired_width(240.0);
        ui.add_enabled(keychain_available, field).labelled_by(label.id);
        if !keychain_available {
            ui.weak(NO_KEYCHAIN_NOTE);
        }
    });
    ui.end_row();
}

/// A label and a one-line text field named by it, as one grid row.
pub(super) fn labelled_text(ui: &mut egui::Ui, label: &str, text: &mut String) -> egui::Response {
    let label = ui.label(label);
    let field = ui.add(egui::TextEdit::singleline(text).desired_width(240.0)).labelled_by(label.id);
    ui.end_row();
    field
}

/// The form's working copy of a bookmark's fields, as the user types them.
#[derive(Clone, PartialEq)]
pub(super) struct Fields {
    pub(super) name: String,
    pub(super) protocol: Protocol,
    pub(super) host: String,
    pub(super) port: String,
    pub(super) user: String,
    pub(super) login: LoginMethod,
    pub(super) key_file: String,
    pub(super) ftp_mode: FtpMode,
    pub(super) remote_dir: String,
    pub(super) local_dir: String,
    pub(super) folder: String,
    pub(super) comment: String,
    pub(super) uploads_in_place: bool,
    pub(super) connect_through: String,
    /// The site's proxy URL as typed (a password in it goes to the keychain when saved).
    pub(super) proxy: String,
    pub(super) keep: crate::model::KeepAttributes,
    /// The site's own bandwidth limits as typed (500K, 2M); empty for none.
    pub(super) limit_down: String,
    pub(super) limit_up: String,
    /// FTP only: the charset of the server's names.
    pub(super) name_charset: NameCharset,
    /// The server's time zone as typed: `auto`, `UTC`, `+09:00`.
    pub(super) server_time_zone: String,
}

impl Fields {
    pub(super) fn from_bookmark(bookmark: &Bookmark) -> Self {
        Fields {
            name: bookmark.name.clone(),
            protocol: bookmark.protocol,
            host: bookmark.host.clone(),
            port: bookmark.port.to_string(),
            user: bookmark.user.clone(),
            login: bookmark.login,
            key_file: bookmark.key_file.as_ref().map(|path| path.display().to_string()).unwrap_or_default(),
            ftp_mode: bookmark.ftp_mode,
            remote_dir: bookmark.remote_dir.clone().unwrap_or_default(),
            local_dir: bookmark.local_dir.as_ref().map(|path| path.display().to_string()).unwrap_or_default(),
            folder: format_folder(&bookmark.folder),
            comment: bookmark.comment.clone(),
            uploads_in_place: bookmark.uploads_in_place,
            connect_through: bookmark.connect_through.clone().unwrap_or_default(),
            proxy: bookmark.proxy.clone().unwrap_or_default(),
            keep: bookmark.keep,
            limit_down: bookmark.limit_down.map(rate_field).unwrap_or_default(),
            limit_up: bookmark.limit_up.map(rate_field).unwrap_or_default(),
            name_charset: bookmark.name_charset,
            server_time_zone: bookmark.server_time_zone.to_string(),
        }
    }

    /// A port still at the old protocol's default follows the new one; a login the new protocol
    /// cannot use falls back to a password.
    pub(super) fn protocol_changed(&mut self, before: Protocol) {
        let port = self.port.trim();
        if port.is_empty() || port.parse::<u16>().ok() == Some(before.default_port()) {
            self.port = self.protocol.default_port().to_string();
        }
        if !login_methods(self.protocol).contains(&self.login) {
            self.login = LoginMethod::Password;
        }
    }

    /// The bookmark these fields describe, or what is wrong with them, in words.
    pub(super) fn to_bookmark(&self, id: BookmarkId) -> Result<Bookmark, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("The name must not be empty.".to_owned());
        }
        let host = self.host.trim();
        if host.is_empty() {
            return Err("The host must not be empty.".to_owned());
        }
        let port = match self.port.trim().parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err("The port must be a number from 1 to 65535.".to_owned()),
        };
        let key_file = non_empty(&self.key_file).map(PathBuf::from);
        if self.login == LoginMethod::KeyFile && key_file.is_none() {
            return Err("Choose the key file for key file login.".to_owned());
        }
        let connect_through = match (self.protocol, non_empty(&self.connect_through)) {
            (Protocol::Sftp, Some(chain)) => {
                crate::route::parse_jump_chain(chain)
                    .map_err(|error| format!("Connect through: {}.", error.context))?;
                Some(chain.to_owned())
            }
            _ => None,
        };
        let proxy = match non_empty(&self.proxy) {
            None => None,
            Some(text) if text.eq_ignore_ascii_case("none") => Some("none".to_owned()),
            Some(text) => {
                crate::proxy::parse_proxy_url(text).map_err(|error| format!("Proxy: {}.", error.context))?;
                Some(text.to_owned())
            }
        };
        let limit_down = parse_limit(&self.limit_down, "download")?;
        let limit_up = parse_limit(&self.limit_up, "upload")?;
        let server_time_zone = self
            .server_time_zone
            .parse::<crate::model::ServerTimeZone>()
            .map_err(|problem| format!("Server time zone: {problem}."))?;
        Ok(Bookmark {
            id,
            name: name.to_owned(),
            folder: parse_folder(&self.folder),
            protocol: self.protocol,
            host: host.to_owned(),
            port,
            user: self.user.trim().to_owned(),
            login: self.login,
            key_file,
            ftp_mode: self.ftp_mode,
            remote_dir: non_empty(&self.remote_dir).map(str::to_owned),
            local_dir: non_empty(&self.local_dir).map(PathBuf::from),
            comment: self.comment.clone(),
            uploads_in_place: self.uploads_in_place,
            connect_through,
            proxy,
            keep: self.keep,
            limit_down,
            limit_up,
            name_charset: if self.protocol.is_ftp() { self.name_charset } else { NameCharset::Auto },
            server_time_zone,
        })
    }
}

/// The "Names" row of an FTP site: the charset its file names are written in.
fn charset_row(ui: &mut egui::Ui, charset: &mut NameCharset) {
    let label = ui.label("Names");
    let shown = |charset: &NameCharset| match charset {
        NameCharset::Auto => "Auto (UTF-8)".to_string(),
        chosen => chosen.label().to_string(),
    };
    egui::ComboBox::from_id_salt("site_name_charset")
        .selected_text(shown(charset))
        .show_ui(ui, |ui| {
            let choices =
                std::iter::once(NameCharset::Auto).chain(OFFERED.iter().filter_map(|l| NameCharset::from_label(l)));
            for choice in choices {
                ui.selectable_value(charset, choice, shown(&choice));
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text(
            "The character set of the server's file names. Auto reads UTF-8 and shows other bytes \
             as \\xNN; choose the server's charset (Shift_JIS, windows-1251...) to read them.",
        );
    ui.end_row();
}

/// A rate as the limit fields show it: whole kibibytes as `500K`, other rates in bytes.
fn rate_field(rate: u64) -> String {
    if rate.is_multiple_of(1024) { format!("{}K", rate / 1024) } else { rate.to_string() }
}

/// A limit field: empty for none, else a rate as `--limit-rate` takes it.
fn parse_limit(text: &str, direction: &str) -> Result<Option<u64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    crate::transfer::rate_text::parse_rate(text)
        .map(Some)
        .map_err(|problem| format!("The {direction} limit: {problem}."))
}

/// The editor: which bookmark, its fields as typed, and a password typed but not yet saved.
pub(super) struct Editor {
    pub(super) id: BookmarkId,
    /// Not in the bookmark list yet.
    pub(super) is_new: bool,
    pub(super) fields: Fields,
    /// The fields as last saved, to tell whether anything changed.
    pub(super) baseline: Fields,
    /// Held only until Save moves it into the action; wiped then and when the editor goes.
    pub(super) password: TypedPassword,
    /// A new entry puts the cursor in its name, the first thing to type.
    pub(super) wants_focus: bool,
}

impl Editor {
    pub(super) fn existing(bookmark: &Bookmark) -> Self {
        let fields = Fields::from_bookmark(bookmark);
        Editor {
            id: bookmark.id.clone(),
            is_new: false,
            baseline: fields.clone(),
            fields,
            password: TypedPassword::default(),
            wants_focus: false,
        }
    }

    pub(super) fn new_entry(draft: &Bookmark) -> Self {
        Editor { is_new: true, wants_focus: true, ..Editor::existing(draft) }
    }

    pub(super) fn is_dirty(&self) -> bool {
        self.is_new || self.fields != self.baseline || !self.password.0.is_empty()
    }
}

/// A password as typed, wiped from memory when dropped.
#[derive(Default)]
pub(super) struct TypedPassword(pub(super) String);

impl Drop for TypedPassword {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The combo box text for a protocol.
pub fn protocol_label(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Sftp => "SFTP",
        Protocol::Ftp => "FTP",
        Protocol::Ftpes => "FTPES (explicit TLS)",
        Protocol::Ftps => "FTPS (implicit TLS)",
        Protocol::Local => "Local",
    }
}

/// The combo box text for a login method.
pub fn login_label(login: LoginMethod) -> &'static str {
    match login {
        LoginMethod::Password => "Password",
        LoginMethod::KeyFile => "Key file",
        LoginMethod::Agent => "Agent",
        LoginMethod::Ask => "Ask each time",
    }
}

/// Key files and the agent are SSH things; FTP logs in with a password.
pub(super) fn login_methods(protocol: Protocol) -> &'static [LoginMethod] {
    if protocol == Protocol::Sftp {
        &[LoginMethod::Password, LoginMethod::KeyFile, LoginMethod::Agent, LoginMethod::Ask]
    } else {
        &[LoginMethod::Password, LoginMethod::Ask]
    }
}

/// "Work/Clients" to `["Work", "Clients"]`, ignoring empty parts and spaces around names.
pub(super) fn parse_folder(text: &str) -> Vec<String> {
    text.split('/').map(str::trim).filter(|part| !part.is_empty()).map(str::to_owned).collect()
}

pub(super) fn format_folder(folder: &[String]) -> String {
    folder.join("/")
}

pub(super) fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|text| !text.is_empty())
}
