//! libssh2's error codes in the words of `FerryError`: which failures are the server's answer
//! (a refused login, a missing file) and which are a lost connection, worth a retry.

use ssh2::ErrorCode;

use crate::error::{ErrorKind, FerryError};

/// Whether a login attempt failed because the server said no, rather than because the
/// connection failed: only then is the password wrong.
pub(super) fn is_refusal(error: &ssh2::Error) -> bool {
    !matches!(ssh_error(error, "").kind, ErrorKind::ConnectionLost | ErrorKind::Timeout)
}

/// Maps a libssh2 error to an error kind a user can act on.
pub(super) fn ssh_error(error: &ssh2::Error, context: &str) -> FerryError {
    let kind = match error.code() {
        // SSH_FX_NO_SUCH_FILE, SSH_FX_NO_SUCH_PATH
        ErrorCode::SFTP(2) | ErrorCode::SFTP(10) => ErrorKind::NotFound,
        // SSH_FX_PERMISSION_DENIED, SSH_FX_WRITE_PROTECT
        ErrorCode::SFTP(3) | ErrorCode::SFTP(12) => ErrorKind::PermissionDenied,
        // SSH_FX_FILE_ALREADY_EXISTS
        ErrorCode::SFTP(11) => ErrorKind::AlreadyExists,
        // SSH_FX_NO_CONNECTION, SSH_FX_CONNECTION_LOST
        ErrorCode::SFTP(6) | ErrorCode::SFTP(7) => ErrorKind::ConnectionLost,
        // SSH_FX_OP_UNSUPPORTED
        ErrorCode::SFTP(8) => ErrorKind::Unsupported,
        ErrorCode::SFTP(_) => ErrorKind::Protocol,
        // LIBSSH2_ERROR_TIMEOUT
        ErrorCode::Session(-9) => ErrorKind::Timeout,
        // LIBSSH2_ERROR_AUTHENTICATION_FAILED, PUBLICKEY_UNVERIFIED
        ErrorCode::Session(-18) | ErrorCode::Session(-19) => ErrorKind::AuthFailed,
        // LIBSSH2_ERROR_SOCKET_TIMEOUT
        ErrorCode::Session(-30) => ErrorKind::Timeout,
        // SOCKET_NONE, BANNER_RECV, BANNER_SEND, SOCKET_SEND, SOCKET_DISCONNECT, SOCKET_RECV,
        // BAD_SOCKET, and KEX failures
        ErrorCode::Session(-1)
        | ErrorCode::Session(-2)
        | ErrorCode::Session(-3)
        | ErrorCode::Session(-7)
        | ErrorCode::Session(-13)
        | ErrorCode::Session(-43)
        | ErrorCode::Session(-45) => ErrorKind::ConnectionLost,
        ErrorCode::Session(-5) | ErrorCode::Session(-8) => ErrorKind::ConnectionLost,
        ErrorCode::Session(_) => ErrorKind::Protocol,
    };
    // libssh2's code and message ("[SFTP(4)] failure", "[Session(-7)] Unable to send FXP_OPEN")
    // describe the library's state, not anything a user can act on: they go to the log only.
    FerryError::new(kind, context).with_log_detail(format!("libssh2 {error}"))
}

/// Maps an I/O error from reading or writing a remote file: libssh2 reports a broken session as
/// a generic error, and that is a lost connection (worth a retry), not a local problem.
pub(super) fn remote_io_error(error: &std::io::Error, context: &str) -> FerryError {
    let error = FerryError::from_io(error, context.to_string());
    match error.kind {
        ErrorKind::LocalIo | ErrorKind::Protocol => FerryError { kind: ErrorKind::ConnectionLost, ..error },
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libssh2_codes_go_to_the_log_not_to_the_message() {
        let lost = ssh2::Error::new(ErrorCode::Session(-7), "Unable to send FXP_OPEN command");
        let error = ssh_error(&lost, "opening /srv/a.txt");
        assert_eq!(error.kind, ErrorKind::ConnectionLost);
        let shown = error.to_string();
        assert_eq!(shown, "connection lost: opening /srv/a.txt");
        assert!(
            error.log_text().contains("Session(-7)") && error.log_text().contains("FXP_OPEN"),
            "{}",
            error.log_text()
        );

        let failure = ssh_error(&ssh2::Error::new(ErrorCode::SFTP(4), "failure"), "deleting folder /srv/full");
        assert!(!failure.to_string().contains("failure)"), "{failure}");
    }
}
