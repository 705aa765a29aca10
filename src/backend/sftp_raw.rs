//! What the SFTP backend needs from libssh2 that ssh2 0.9 does not expose; all its `unsafe` is
//! here. Mainly `posix-rename@openssh.com`, which puts a file over an existing one in one step,
//! so the target name is never absent: ssh2 neither sends it nor lends out its SFTP handle, so a
//! second SFTP channel is opened on the same session, once per connection and only when an
//! overwrite needs it. Also the linked libssh2's version.

use std::ffi::{c_char, c_int};
use std::ptr::NonNull;

use libssh2_sys as raw;
use ssh2::{Error, ErrorCode, Session};

unsafe extern "C" {
    /// From libssh2_sftp.h (libssh2 1.11 and later, as bundled by libssh2-sys 0.3.4): the names
    /// are given with their lengths and need no terminating NUL.
    fn libssh2_sftp_posix_rename_ex(
        sftp: *mut raw::LIBSSH2_SFTP,
        source: *const c_char,
        source_len: usize,
        dest: *const c_char,
        dest_len: usize,
    ) -> c_int;
}

/// SSH_FX_OP_UNSUPPORTED: also what libssh2 reports when the server never offered the extension.
const FX_OP_UNSUPPORTED: c_int = 8;
/// SSH_FX_PERMISSION_DENIED: OpenSSH's sftp-server answers so to a request its administrator
/// denied (`sftp-server -P posix-rename`), though it still offers the extension.
const FX_PERMISSION_DENIED: c_int = 3;

/// What one attempt at a POSIX rename came to.
pub(super) enum PosixRename {
    /// The file is in place.
    Done,
    /// The server has no such extension: another way is needed.
    Unsupported,
    /// The server refused this rename: another way may be allowed (plain renames), and where the
    /// folder itself is closed to us, that way fails with the real reason.
    Refused,
}

/// The lazily opened second SFTP channel, remembered per connection.
#[derive(Default)]
pub(super) struct PosixRenamer {
    channel: Option<Channel>,
    /// The server did not offer the extension: never ask again on this connection.
    unsupported: bool,
}

impl PosixRenamer {
    /// Renames `from` over `to` (both absolute) in one step, opening the channel the first time.
    pub(super) fn rename(&mut self, session: &Session, from: &str, to: &str) -> Result<PosixRename, Error> {
        if self.unsupported {
            return Ok(PosixRename::Unsupported);
        }
        let channel = match &mut self.channel {
            Some(channel) => channel,
            empty => empty.insert(Channel::open(session)?),
        };
        match channel.posix_rename(from, to) {
            Err(error) if error.code() == ErrorCode::SFTP(FX_OP_UNSUPPORTED) => {
                self.unsupported = true;
                // The channel is of no further use: give it back to the server now.
                self.channel = None;
                Ok(PosixRename::Unsupported)
            }
            // Not remembered: a folder we may not write to refuses too, and the next may not.
            Err(error) if error.code() == ErrorCode::SFTP(FX_PERMISSION_DENIED) => Ok(PosixRename::Refused),
            other => other.map(|()| PosixRename::Done),
        }
    }
}

/// A raw SFTP channel of `session`, shut down when dropped.
struct Channel {
    /// Keeps the session alive (and its lock at hand) for as long as the channel exists.
    session: Session,
    sftp: NonNull<raw::LIBSSH2_SFTP>,
}

// SAFETY: the handle is only ever used with the session's lock held (`Session::raw`), which
// serialises it with every other libssh2 call on this session, from whichever thread.
unsafe impl Send for Channel {}

impl Channel {
    fn open(session: &Session) -> Result<Self, Error> {
        // libssh2 returns EAGAIN instead of waiting on a non-blocking session; the backend never
        // makes one, and ssh2's own SFTP code assumes the same.
        session.set_blocking(true);
        let mut guard = session.raw();
        let raw_session: *mut raw::LIBSSH2_SESSION = &mut *guard;
        // SAFETY: `raw_session` is the live session, locked by `guard` for the whole call. In
        // blocking mode init waits (at most the session's timeout) and returns a handle or NULL.
        let sftp = unsafe { raw::libssh2_sftp_init(raw_session) };
        match NonNull::new(sftp) {
            Some(sftp) => {
                drop(guard);
                Ok(Channel { session: session.clone(), sftp })
            }
            None => Err(Error::last_session_error_raw(raw_session).unwrap_or_else(Error::unknown)),
        }
    }

    fn posix_rename(&mut self, from: &str, to: &str) -> Result<(), Error> {
        let mut guard = self.session.raw();
        let raw_session: *mut raw::LIBSSH2_SESSION = &mut *guard;
        // SAFETY: `self.sftp` came from libssh2_sftp_init on this very session, which `guard`
        // keeps locked (and `self.session` alive) across the call; the names are valid for their
        // lengths for the whole call, and libssh2 copies them into its packet.
        let rc = unsafe {
            libssh2_sftp_posix_rename_ex(
                self.sftp.as_ptr(),
                from.as_ptr().cast(),
                from.len(),
                to.as_ptr().cast(),
                to.len(),
            )
        };
        if rc == 0 {
            return Ok(());
        }
        if rc == raw::LIBSSH2_ERROR_SFTP_PROTOCOL {
            // SAFETY: as above; this only reads the status the server (or libssh2) last set.
            let status = unsafe { raw::libssh2_sftp_last_error(self.sftp.as_ptr()) };
            return Err(Error::from_errno(ErrorCode::SFTP(c_int::try_from(status).unwrap_or(c_int::MAX))));
        }
        Err(Error::from_session_error_raw(raw_session, rc))
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        // As ssh2 does for its own SFTP channel: a non-blocking shutdown could stop half way.
        self.session.set_blocking(true);
        let _guard = self.session.raw();
        // SAFETY: the handle came from libssh2_sftp_init on this session, which `self.session`
        // keeps alive until after this; it is shut down exactly once, here, with the session
        // locked. A failure (a dead connection) leaves nothing to free on our side.
        let _ = unsafe { raw::libssh2_sftp_shutdown(self.sftp.as_ptr()) };
    }
}

unsafe extern "C" {
    /// From libssh2.h: the version string of the linked library (NULL if older than `required`).
    fn libssh2_version(required: std::ffi::c_int) -> *const std::ffi::c_char;
}

/// The version of libssh2 this build links, as libssh2 reports it at run time.
pub fn libssh2_version_string() -> String {
    // Make sure libssh2 is initialised and linked in before asking it anything.
    let _ = Session::new();
    // SAFETY: libssh2_version(0) only returns a pointer to a static string compiled into the library.
    let pointer = unsafe { libssh2_version(0) };
    if pointer.is_null() {
        return "unknown".to_string();
    }
    // SAFETY: a non-null result is a NUL-terminated static string owned by libssh2.
    unsafe { std::ffi::CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
}
