//! The window's remembered state (size, pane split, sort order, hidden toggle, last local folder,
//! theme, bandwidth limits), kept in `<config>/window.json` between runs.

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
    /// The local pane's width in points, as older versions saved it: read once, to find the
    /// fraction, and no longer written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_pane_width: Option<f32>,
    /// The local pane's share of the width beside it (0 to 1), so the split keeps its proportion
    /// at any window size.
    pub local_pane_fraction: Option<f32>,
    /// The height of the queue and log panel in points, as the user last dragged it.
    pub bottom_panel_height: Option<f32>,
    /// Sort and hidden toggle of the local pane.
    pub local_view: PaneViewSettings,
    /// Sort and hidden toggle of the remote panes.
    pub remote_view: PaneViewSettings,
    /// The folder the local pane showed last.
    pub last_local_folder: Option<String>,
    /// Light, dark or system.
    pub theme: ThemeChoice,
    /// The external editors for Edit (F4): one for every file, and by extension.
    pub editors: crate::transfer::edit::EditorChoice,
    /// The queue panel's global bandwidth limits, bytes a second (none: unlimited), set again
    /// at the next start.
    pub limit_down: Option<u64>,
    pub limit_up: Option<u64>,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            window_size: None,
            local_pane_width: None,
            local_pane_fraction: None,
            bottom_panel_height: None,
            local_view: PaneViewSettings::default(),
            remote_view: PaneViewSettings::default(),
            last_local_folder: None,
            theme: ThemeChoice::System,
            editors: Default::default(),
            limit_down: None,
            limit_up: None,
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
            Ok(state) => (UiState::with_fraction_from_width(state), None),
            Err(_) => (UiState::default(), Some(crate::config::move_aside(&path))),
        }
    }

    /// A file from before the split was a fraction holds the local pane's width in points: the
    /// share of the window it had then is the fraction to start from.
    fn with_fraction_from_width(mut self) -> UiState {
        if let (None, Some(width), Some([window_width, _])) =
            (self.local_pane_fraction, self.local_pane_width.take(), self.window_size)
            && window_width > 0.0
        {
            self.local_pane_fraction = Some(width / window_width);
        }
        self
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
    fn an_old_pixel_split_becomes_a_fraction() {
        let dir = tempfile::tempdir().unwrap();
        let config = ConfigDir::at(dir.path());
        let old = r#"{"window_size":[1200.0,800.0],"local_pane_width":300.0}"#;
        std::fs::write(config.window_state(), old).unwrap();
        let (state, _) = UiState::load(&config);
        assert_eq!(state.local_pane_fraction, Some(0.25));
        assert!(!state.to_json().contains("local_pane_width"), "only the fraction is written again");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let state: UiState = serde_json::from_str(r#"{"theme":"light","from_the_future":1}"#).unwrap();
        assert_eq!(state.theme, ThemeChoice::Light);
    }
}
