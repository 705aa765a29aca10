//! The window: its parts driven with egui_kittest (panes, dialogs, queue, site manager, saved
//! sites), the pixel snapshots, and the real window on a virtual display.
//!
//! One test binary for all of them, so that the crate and its dependencies are linked once;
//! each file below is the module of one former test binary.

#[path = "../cutting_proxy/mod.rs"]
mod cutting_proxy;
#[path = "../scripted_ftp/mod.rs"]
mod scripted_ftp;
#[path = "../support/mod.rs"]
mod support;
#[path = "../window_driver/mod.rs"]
mod window_driver;

mod gui;
mod gui_a11y;
mod gui_dialogs;
mod gui_edit;
mod gui_existing_targets;
mod gui_feedback;
mod gui_hostile_names;
mod gui_keyboard;
mod gui_layout;
mod gui_links;
mod gui_no_sftp;
mod gui_pane;
mod gui_pane_transfers;
mod gui_path_bar;
mod gui_queue;
mod gui_rate_limit;
mod gui_site_connect;
mod gui_site_manager;
mod gui_site_time_zone;
mod gui_sites;
mod gui_snapshot_names;
mod gui_snapshots;
mod gui_sync;
mod gui_tab_state;
mod gui_text;
mod gui_unfinished;
mod gui_unknown_fields;
mod real_screen_reader;
mod real_window;
