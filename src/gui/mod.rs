//! The window's parts: file panes, the queue and log panels, and dialogs. `app` puts them together.

pub mod a11y;
pub mod connect_bar;
pub mod dialogs;
pub mod edit_list;
pub mod fonts;
pub mod icons;
pub mod keys;
pub mod log_panel;
pub mod pane;
pub mod queue_panel;
pub mod settings;
pub mod site_manager;
