//! What the SFTP backend needs from libssh2 that ssh2 0.9 does not expose; all its `unsafe` is
//! here. Mainly `posix-rename@openssh.com`, which puts a file over an existing one in one step,
//! so the target name is never absent, and folder listings with each entry's `ls -l` line (SFTP
//! v3's "longname", the only place the protocol gives owner and group names): ssh2 neither sends
//! the one nor returns the other, nor lends out its SFTP handle, so a second SFTP channel is
//! opened on the same session, once per connection and only when needed. Also the linked
//! libssh2's version.

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
pub(super) struct SecondChannel {
    channel: Option<Channel>,
    /// The server did not offer the extension: never ask again on this connection.
    unsupported: bool,
    /// The server would not open a second channel: listings go without `ls -l` lines.
    refused: bool,
}

/// The longest name and `ls -l` line a listing takes with its `ls -l` lines. libssh2 refuses an
/// entry that does not fit (as a protocol error), and the caller then lists the folder again
/// without those lines: a hostile line costs names, never the listing.
const LISTING_FIELD_BYTES: usize = 16 * 1024;

/// One entry of a folder, as the server sent it: the name, its `ls -l` line, and its attributes.
pub(super) struct RawDirEntry {
    pub(super) name: Vec<u8>,
    pub(super) longname: Vec<u8>,
    pub(super) stat: ssh2::FileStat,
}

/// An open folder on the second channel, closed when dropped.
pub(super) struct RawDir<'a> {
    channel: &'a Channel,
    handle: NonNull<raw::LIBSSH2_SFTP_HANDLE>,
    name: Vec<u8>,
    longname: Vec<u8>,
}

impl SecondChannel {
    /// Opens folder `dir` (absolute) for a listing with `ls -l` lines, opening the channel the
    /// first time. `Ok(None)` when the server will not open a second channel.
    pub(super) fn open_dir(&mut self, session: &Session, dir: &str) -> Result<Option<RawDir<'_>>, Error> {
        if self.refused {
            return Ok(None);
        }
        if self.channel.is_none() {
            match Channel::open(session) {
                Ok(channel) => self.channel = Some(channel),
                Err(_) => {
                    self.refused = true;
                    return Ok(None);
                }
            }
        }
        let Some(channel) = self.channel.as_ref() else { return Ok(None) };
        channel.open_dir(dir).map(Some)
    }

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
                // The channel stays for listings.
                self.unsupported = true;
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
        Err(self.error(raw_session, rc))
    }

    /// The error behind a failed call's `rc`: the server's SFTP status where it sent one.
    fn error(&self, raw_session: *mut raw::LIBSSH2_SESSION, rc: c_int) -> Error {
        if rc == raw::LIBSSH2_ERROR_SFTP_PROTOCOL {
            // SAFETY: `self.sftp` is live (see `Channel`) and the caller holds the session's
            // lock; this only reads the status the server (or libssh2) last set.
            let status = unsafe { raw::libssh2_sftp_last_error(self.sftp.as_ptr()) };
            return Error::from_errno(ErrorCode::SFTP(c_int::try_from(status).unwrap_or(c_int::MAX)));
        }
        Error::from_session_error_raw(raw_session, rc)
    }

    fn open_dir(&self, dir: &str) -> Result<RawDir<'_>, Error> {
        let length = std::ffi::c_uint::try_from(dir.len()).map_err(|_| Error::unknown())?;
        let mut guard = self.session.raw();
        let raw_session: *mut raw::LIBSSH2_SESSION = &mut *guard;
        // SAFETY: `self.sftp` came from libssh2_sftp_init on this session, locked by `guard` for
        // the call; the path is valid for its length, which libssh2 copies into its packet.
        let handle = unsafe {
            raw::libssh2_sftp_open_ex(self.sftp.as_ptr(), dir.as_ptr().cast(), length, 0, 0, raw::LIBSSH2_SFTP_OPENDIR)
        };
        match NonNull::new(handle) {
            Some(handle) => Ok(RawDir {
                channel: self,
                handle,
                name: vec![0; LISTING_FIELD_BYTES],
                longname: vec![0; LISTING_FIELD_BYTES],
            }),
            None => {
                // SAFETY: as above; this only reads the session's last error code.
                let rc = unsafe { raw::libssh2_session_last_errno(raw_session) };
                Err(self.error(raw_session, rc))
            }
        }
    }
}

impl RawDir<'_> {
    /// The next entry (`.` and `..` included, as the server sends them), `None` at the end.
    pub(super) fn next_entry(&mut self) -> Result<Option<RawDirEntry>, Error> {
        let mut guard = self.channel.session.raw();
        let raw_session: *mut raw::LIBSSH2_SESSION = &mut *guard;
        // SAFETY: all-zero is a valid value of this plain C struct of integers.
        let mut attributes: raw::LIBSSH2_SFTP_ATTRIBUTES = unsafe { std::mem::zeroed() };
        // SAFETY: `self.handle` is an open folder handle of this channel's session, which `guard`
        // keeps locked for the call; both buffers are valid and writable for the lengths given,
        // and libssh2 writes at most that many bytes into each (NUL included).
        let rc = unsafe {
            raw::libssh2_sftp_readdir_ex(
                self.handle.as_ptr(),
                self.name.as_mut_ptr().cast(),
                self.name.len(),
                self.longname.as_mut_ptr().cast(),
                self.longname.len(),
                &mut attributes,
            )
        };
        if rc == 0 {
            return Ok(None);
        }
        let Ok(length) = usize::try_from(rc) else {
            return Err(self.channel.error(raw_session, rc));
        };
        let name = self.name.get(..length).ok_or_else(Error::unknown)?.to_vec();
        // The line ends at its NUL: libssh2 always writes one.
        let line_end = self.longname.iter().position(|&byte| byte == 0).unwrap_or(0);
        let longname = self.longname[..line_end].to_vec();
        // The buffer is reused: an entry without a line must not show the last one's.
        self.longname.fill(0);
        Ok(Some(RawDirEntry { name, longname, stat: ssh2::FileStat::from_raw(&attributes) }))
    }
}

impl Drop for RawDir<'_> {
    fn drop(&mut self) {
        let _guard = self.channel.session.raw();
        // SAFETY: the handle came from libssh2_sftp_open_ex on this channel, which outlives
        // `self`; it is closed exactly once, here, with the session locked. A failure (a dead
        // connection) leaves nothing to free on our side.
        let _ = unsafe { raw::libssh2_sftp_close_handle(self.handle.as_ptr()) };
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
