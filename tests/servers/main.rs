//! Ferry against real servers (sshd, Dropbear, vsftpd, pure-ftpd) and the scripted hostile FTP
//! server: every backend, the worker, the queue, reconnects, faults, limits, the command line,
//! bookmarks, folder syncs, packaging and the first run.
//!
//! One test binary for all of them, so that the crate and its dependencies are linked once;
//! each file below is the module of one former test binary.

#[path = "../cutting_proxy/mod.rs"]
mod cutting_proxy;
#[path = "../driver/mod.rs"]
mod driver;
#[path = "../ftp_proxy/mod.rs"]
mod ftp_proxy;
#[path = "../scripted_ftp/mod.rs"]
mod scripted_ftp;
#[path = "../support/mod.rs"]
mod support;

mod backends;
mod bookmarks;
mod charsets;
mod cli;
mod cli_bookmarks;
mod cli_edit;
mod cli_messages;
mod cli_queue;
mod cli_rm;
mod cli_shell;
mod cutting_proxy_smoke;
mod dropbear;
mod faults;
mod first_run;
mod ftp;
mod harness_smoke;
mod hostile_ftp;
mod limits;
mod links;
mod listing_formats;
mod modes_times;
mod owner_names;
mod packaging;
mod protocol_log;
mod proxies;
mod queue;
mod rate_limits;
mod reconnect;
mod resume_check;
mod safe_uploads;
mod scp_fallback;
mod segmented;
mod server_time_zone;
mod sftp_login;
mod sftp_upload_sizes;
mod slow_folders;
mod ssh_ciphers;
mod ssh_routes;
mod sync;
mod sync_trial;
mod tree_ops;
mod worker;
