//! Hides a password given in a URL on the command line once it has been read: its bytes in the
//! process's own argument memory are overwritten with `*`, as curl does with `-u`, so `ps` and
//! `/proc/PID/cmdline` no longer show it for the rest of the run (a long-lived window, a long
//! transfer). The shell's history still holds it: `FERRY_PASSWORD` or the keychain is better.

/// Overwrites the password of every URL among the process's arguments with `*`. Call it once the
/// arguments are parsed and before any other thread starts, since the bytes change in place.
/// Only Linux with glibc gives a program its argument memory; elsewhere this does nothing.
pub fn hide_passwords() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::hide_passwords();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::ffi::{CStr, c_char, c_int};
    use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

    static ARGC: AtomicUsize = AtomicUsize::new(0);
    static ARGV: AtomicPtr<*mut c_char> = AtomicPtr::new(std::ptr::null_mut());

    /// glibc calls the functions in `.init_array` with `argc, argv, envp` before `main`; this is
    /// how the real argument pointers are found (std does the same, and keeps its copy private).
    #[used]
    #[unsafe(link_section = ".init_array")]
    static CAPTURE: extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char) = capture;

    extern "C" fn capture(argc: c_int, argv: *mut *mut c_char, _envp: *mut *mut c_char) {
        ARGC.store(usize::try_from(argc).unwrap_or(0), Ordering::Relaxed);
        ARGV.store(argv, Ordering::Relaxed);
    }

    pub(super) fn hide_passwords() {
        let argc = ARGC.load(Ordering::Relaxed);
        let argv = ARGV.load(Ordering::Relaxed);
        if argv.is_null() {
            return;
        }
        for index in 1..argc {
            // SAFETY: glibc passed `argc` pointers in `argv`, each to a NUL-terminated string in
            // the process's initial stack: writable, alive for the whole run, and read by no
            // other thread yet (see `hide_passwords`). Bytes are only replaced, never added, so
            // each string keeps its length and its NUL.
            let bytes = unsafe {
                let arg = *argv.add(index);
                if arg.is_null() {
                    break;
                }
                let len = CStr::from_ptr(arg).to_bytes().len();
                std::slice::from_raw_parts_mut(arg.cast::<u8>(), len)
            };
            let span = std::str::from_utf8(bytes).ok().and_then(crate::url::password_span);
            if let Some(span) = span {
                bytes[span].fill(b'*');
            }
        }
    }
}
