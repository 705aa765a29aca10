//! The connect bar: protocol, host, port, user and password fields (or a URL pasted into Host),
//! Connect, and suggestions from bookmarks and recent connections as you type.

use secrecy::SecretString;

use crate::error::Result;
use crate::model::{ConnectSpec, Protocol};

/// A suggestion under the Host field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// What the list shows ("web (sftp://deploy@example.org:22)").
    pub label: String,
    /// What choosing it does.
    pub target: SuggestionTarget,
}

/// What a suggestion opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestionTarget {
    /// A saved bookmark, by id.
    Bookmark(crate::bookmarks::BookmarkId),
    /// A URL without password (a recent connection).
    Url(String),
}

/// What the user asked the bar for.
#[derive(Debug)]
pub enum ConnectRequest {
    /// Connect with these settings, opening `path` (the login folder when None).
    Spec { spec: Box<ConnectSpec>, path: Option<String> },
    /// Connect to a bookmark.
    Bookmark(crate::bookmarks::BookmarkId),
    /// The fields do not make a connection; the message says why.
    Invalid(String),
}

/// The fields of the bar.
pub struct ConnectBar {
    protocol: Protocol,
    host: String,
    port: String,
    user: String,
    password: String,
    /// The path of a pasted URL, opened after connecting.
    path: Option<String>,
    /// Whether the suggestion list is open.
    suggesting: bool,
    /// Where the suggestion list was drawn last frame: it stays open while the pointer is over it,
    /// since pressing on a suggestion takes the focus from the Host field before the click ends.
    suggestions_rect: Option<egui::Rect>,
    /// How wide the bar was when last drawn on one row; narrower windows get two rows.
    one_row_width: Option<f32>,
}

impl Default for ConnectBar {
    fn default() -> Self {
        ConnectBar {
            protocol: Protocol::Sftp,
            host: String::new(),
            port: String::new(),
            user: String::new(),
            password: String::new(),
            path: None,
            suggesting: false,
            suggestions_rect: None,
            one_row_width: None,
        }
    }
}

/// The protocols the bar offers, with their names.
const PROTOCOLS: [(Protocol, &str); 4] = [
    (Protocol::Sftp, "SFTP"),
    (Protocol::Ftp, "FTP"),
    (Protocol::Ftpes, "FTPES (explicit TLS)"),
    (Protocol::Ftps, "FTPS (implicit TLS)"),
];

fn protocol_name(protocol: Protocol) -> &'static str {
    PROTOCOLS.iter().find(|(p, _)| *p == protocol).map(|(_, name)| *name).unwrap_or("SFTP")
}

impl ConnectBar {
    /// Fills the fields from a URL (a pasted one, or a recent connection). Returns false, leaving
    /// the fields alone, when it is not a URL Ferry speaks.
    pub fn fill_from_url(&mut self, text: &str) -> bool {
        use secrecy::ExposeSecret;
        let Ok(remote) = crate::url::parse_url(text) else { return false };
        self.protocol = remote.spec.protocol;
        self.host = remote.spec.host.clone();
        self.port = remote.spec.port.to_string();
        self.user = remote.spec.user.clone();
        if let Some(password) = &remote.spec.password {
            self.password = password.expose_secret().to_string();
        }
        self.path = remote.path;
        true
    }

    /// The connection the fields describe.
    fn request(&mut self) -> Result<(ConnectSpec, Option<String>)> {
        let host = self.host.trim();
        if host.contains("://") {
            let text = host.to_string();
            self.fill_from_url(&text);
        }
        let host = self.host.trim();
        if host.is_empty() {
            return Err(crate::error::FerryError::new(crate::error::ErrorKind::Protocol, "type a host name or a URL"));
        }
        let mut spec = ConnectSpec::new(self.protocol, host);
        let port = self.port.trim();
        if !port.is_empty() {
            spec.port = port.parse::<u16>().ok().filter(|port| *port > 0).ok_or_else(|| {
                crate::error::FerryError::new(crate::error::ErrorKind::Protocol, "the port must be 1 to 65535")
            })?;
        }
        spec.user = self.user.trim().to_string();
        if !self.password.is_empty() {
            spec.password = Some(SecretString::from(std::mem::take(&mut self.password)));
        }
        spec.initial_path = self.path.clone();
        // The path stays with the fields: Connect again after a refused login opens it too.
        Ok((spec, self.path.clone()))
    }

    /// Shows the site a tab is on (its protocol, host, port, user and the path it was opened
    /// with), or empty fields for a tab on no site. The password field is left empty.
    pub fn show_site(&mut self, spec: Option<&ConnectSpec>) {
        let Some(spec) = spec else {
            *self = ConnectBar { protocol: self.protocol, ..ConnectBar::default() };
            return;
        };
        self.protocol = spec.protocol;
        self.host = spec.host.clone();
        self.port = spec.port.to_string();
        self.user = spec.user.clone();
        self.password.clear();
        self.path = spec.initial_path.clone();
        self.suggesting = false;
    }

    /// The connection the fields describe, as the Connect button gives it.
    pub fn take_request(&mut self) -> ConnectRequest {
        self.suggesting = false;
        match self.request() {
            Ok((spec, path)) => ConnectRequest::Spec { spec: Box::new(spec), path },
            Err(error) => ConnectRequest::Invalid(error.to_string()),
        }
    }

    /// The Host field's id (Ctrl+K and F6 put the keyboard there).
    pub fn host_id() -> egui::Id {
        egui::Id::unique("ferry_connect_host")
    }

    /// Draws the bar. `suggestions` are the bookmarks and recent connections to offer.
    pub fn show(&mut self, ui: &mut egui::Ui, suggestions: &[Suggestion]) -> Option<ConnectRequest> {
        let mut request = None;
        // One row where it fits (as wide as it was when last drawn on one), else two, so that
        // Connect and the history stay in the window at any width.
        let two_rows = self.one_row_width.is_some_and(|width| width > ui.available_width());
        let first = ui.horizontal(|ui| {
            let host = self.site_fields(ui);
            if !two_rows {
                self.login_fields(ui, &host, suggestions, &mut request);
            }
            host
        });
        if two_rows {
            ui.horizontal(|ui| self.login_fields(ui, &first.inner, suggestions, &mut request));
        } else {
            self.one_row_width = Some(first.response.rect.width());
        }
        request
    }

    /// Protocol, Host and Port; returns the Host field.
    fn site_fields(&mut self, ui: &mut egui::Ui) -> egui::Response {
        let label = ui.label("Protocol");
        egui::ComboBox::from_id_salt("connect_protocol")
            .selected_text(protocol_name(self.protocol))
            .show_ui(ui, |ui| {
                for (protocol, name) in PROTOCOLS {
                    ui.selectable_value(&mut self.protocol, protocol, name);
                }
            })
            .response
            .labelled_by(label.id);

        let label = ui.label("Host");
        let host = ui.add(
            egui::TextEdit::singleline(&mut self.host)
                .id(Self::host_id())
                .hint_text("host or sftp://user@host/path")
                .desired_width(220.0),
        );
        let host = host.labelled_by(label.id);
        if host.changed() {
            self.suggesting = true;
            // A URL pasted whole splits into the fields, as in FileZilla's quick connect. One
            // being typed stays as typed until Connect or Enter: split half way, its start
            // would land in Host and the rest would be garbled by each further key.
            let pasted = ui.input(|i| i.events.iter().any(|event| matches!(event, egui::Event::Paste(_))));
            if pasted && self.host.contains("://") {
                let text = self.host.trim().to_string();
                self.fill_from_url(&text);
            } else {
                // Another host: the path of the URL given before is not one of its folders.
                self.path = None;
            }
        }
        let label = ui.label("Port");
        ui.add(
            egui::TextEdit::singleline(&mut self.port).hint_text(default_port_hint(self.protocol)).desired_width(60.0),
        )
        .labelled_by(label.id);
        host
    }

    /// User, Password, Connect and the history; `host` is the Host field drawn before them.
    fn login_fields(
        &mut self,
        ui: &mut egui::Ui,
        host: &egui::Response,
        suggestions: &[Suggestion],
        request: &mut Option<ConnectRequest>,
    ) {
        let label = ui.label("User");
        ui.add(egui::TextEdit::singleline(&mut self.user).desired_width(100.0)).labelled_by(label.id);
        let label = ui.label("Password");
        let password = ui
            .add(egui::TextEdit::singleline(&mut self.password).password(true).desired_width(100.0))
            .labelled_by(label.id);
        let enter = (host.lost_focus() || password.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Connect").clicked() || enter {
            *request = Some(self.take_request());
        }
        ui.menu_button("Recent", |ui| {
            let recent: Vec<&Suggestion> = suggestions.iter().collect();
            if recent.is_empty() {
                ui.label("No recent connections or bookmarks yet");
            }
            for suggestion in recent {
                if ui.button(&suggestion.label).clicked() {
                    *request = self.choose(suggestion);
                    ui.close();
                }
            }
        });
        let pointer_on_list = self
            .suggestions_rect
            .is_some_and(|rect| ui.input(|i| i.pointer.latest_pos().is_some_and(|pos| rect.contains(pos))));
        self.suggestions_rect = None;
        if self.suggesting && (host.has_focus() || pointer_on_list) && !self.host.trim().is_empty() {
            let typed = self.host.trim().to_lowercase();
            let matching: Vec<&Suggestion> =
                suggestions.iter().filter(|s| s.label.to_lowercase().contains(&typed)).take(10).collect();
            if !matching.is_empty() {
                let shown = egui::Popup::from_response(host).open(true).show(|ui| {
                    for suggestion in matching {
                        if ui.button(&suggestion.label).clicked() {
                            *request = self.choose(suggestion);
                            self.suggesting = false;
                        }
                    }
                });
                self.suggestions_rect = shown.map(|shown| shown.response.rect);
            }
        }
    }

    /// Acts on a chosen suggestion: a bookmark connects, a recent URL fills the fields and connects.
    fn choose(&mut self, suggestion: &Suggestion) -> Option<ConnectRequest> {
        match &suggestion.target {
            SuggestionTarget::Bookmark(id) => Some(ConnectRequest::Bookmark(id.clone())),
            SuggestionTarget::Url(url) => {
                self.fill_from_url(url);
                self.request().ok().map(|(spec, path)| ConnectRequest::Spec { spec: Box::new(spec), path })
            }
        }
    }
}

fn default_port_hint(protocol: Protocol) -> String {
    protocol.default_port().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_url_fills_every_field() {
        let mut bar = ConnectBar::default();
        assert!(bar.fill_from_url("ftpes://bob:secret@files.example.org:2121/pub/x"));
        assert_eq!(
            (bar.protocol, bar.host.as_str(), bar.port.as_str()),
            (Protocol::Ftpes, "files.example.org", "2121")
        );
        assert_eq!(bar.user, "bob");
        let (spec, path) = bar.request().unwrap();
        assert_eq!(spec.port, 2121);
        assert!(spec.password.is_some());
        assert!(bar.password.is_empty(), "the password leaves the field once used");
        assert_eq!(path.as_deref(), Some("pub/x"));
        let (_, again) = bar.request().unwrap();
        assert_eq!(again.as_deref(), Some("pub/x"), "a second Connect (after a refused login) opens it too");
    }

    #[test]
    fn bad_ports_and_empty_hosts_are_explained() {
        let mut bar = ConnectBar { host: "example.org".into(), port: "70000".into(), ..ConnectBar::default() };
        assert!(bar.request().unwrap_err().to_string().contains("port"));
        let mut bar = ConnectBar::default();
        assert!(bar.request().unwrap_err().to_string().contains("host"));
    }
}
