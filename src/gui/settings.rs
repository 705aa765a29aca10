//! The window's remembered state (size, pane split, sort order, hidden toggle, last local folder,
//! theme), kept in `<config>/window.json` between runs.

use serde::{Deserialize, Serialize};

use crate::config::ConfigDir;
use crate::gui::pane::PaneViewSettings;

/// Light, dark, or whatever the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Follow the desktop's setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// egui's name for it.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// What the window remembers. Unknown or missing fields fall back to defaults, so an older or
/// newer file never stops the window from opening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The window's inner size in points.
    pub window_size: Option<[f32; 2]>,
    /// The local pane's width in points.
    pub local_pane_width: Option<f32>,
    /// Sort and hidden toggle of the local pane.
    pub local_view: PaneViewSettings,
    /// Sort and hidden toggle of the remote panes.
    pub remote_view: PaneViewSettings,
    /// The folder the local pane showed last.
    pub last_local_folder: Option<String>,
    /// Light, dark or system.
    pub theme: ThemeChoice,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            window_size: None,
            local_pane_width: None,
            local_view: PaneViewSettings::default(),
            remote_view: PaneViewSettings::default(),
            last_local_folder: None,
            theme: ThemeChoice::System,
        }
    }
}

impl UiState {
    /// Reads the saved state. A file that cannot be read as JSON is moved aside (and the path
    /// given back, to tell the user) rather than overwritten by the next save.
    pub fn load(config: &ConfigDir) -> (UiState, Option<std::path::PathBuf>) {
        let path = config.window_state();
        let Ok(bytes) = std::fs::read(&path) else { return (UiState::default(), None) };
        match serde_json::from_slice(&bytes) {
            Ok(state) => (state, None),
            Err(_) => (UiState::default(), Some(crate::config::move_aside(&path))),
        }
    }

    /// The JSON the worker writes.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_survives_a_corrupt_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = ConfigDir::at(dir.path());
        let state = UiState { window_size: Some([800.0, 600.0]), theme: ThemeChoice::Dark, ..UiState::default() };
        crate::config::write_atomically(&config.window_state(), state.to_json().as_bytes()).unwrap();
        assert_eq!(UiState::load(&config), (state, None));

        std::fs::write(config.window_state(), b"{ not json").unwrap();
        let (loaded, aside) = UiState::load(&config);
        assert_eq!(loaded, UiState::default());
        let aside = aside.unwrap();
        assert_eq!(std::fs::read(&aside).unwrap(), b"{ not json", "the broken file is kept aside");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let state: UiState = serde_json::from_str(r#"{"theme":"light","from_the_future":1}"#).unwrap();
        assert_eq!(state.theme, ThemeChoice::Light);
    }
}
