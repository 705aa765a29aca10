//! SSH client key pairs, made once per test process.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::KEY_PASSPHRASE;
use super::files::{create_dir, process_dir, read_lossy, run, set_mode};

/// SSH client key pairs for the tests, made once per test process. Each
/// private key has its public key beside it (`<path>.pub`). Every [`Sshd`]
/// accepts all of them for [`ssh_login_user`].
#[derive(Debug)]
pub struct ClientKeys {
    /// The directory holding the keys (mode 0755).
    pub dir: PathBuf,
    /// Ed25519, OpenSSH format, no passphrase.
    pub ed25519: PathBuf,
    /// Ed25519, OpenSSH format, encrypted with [`ClientKeys::passphrase`].
    pub ed25519_protected: PathBuf,
    /// RSA 3072 in the old PEM format ("BEGIN RSA PRIVATE KEY"), no passphrase.
    pub rsa_pem: PathBuf,
    /// The passphrase of `ed25519_protected` ([`KEY_PASSPHRASE`]).
    pub passphrase: &'static str,
}

impl ClientKeys {
    /// The private keys, in the order of the fields.
    pub fn private_keys(&self) -> [&Path; 3] {
        [&self.ed25519, &self.ed25519_protected, &self.rsa_pem]
    }

    /// The public key file of a private key (`<path>.pub`).
    pub fn public_key_path(private_key: &Path) -> PathBuf {
        let mut path = private_key.as_os_str().to_owned();
        path.push(".pub");
        PathBuf::from(path)
    }

    /// All public keys, one per line: an authorized_keys file.
    pub fn authorized_keys(&self) -> String {
        self.private_keys().iter().map(|key| read_lossy(&Self::public_key_path(key))).collect()
    }
}

/// The client keys of this test process (made on first use).
pub fn client_keys() -> &'static ClientKeys {
    static KEYS: OnceLock<ClientKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = process_dir().join("client-keys");
        create_dir(&dir, 0o755);
        let keys = ClientKeys {
            ed25519: dir.join("id_ed25519"),
            ed25519_protected: dir.join("id_ed25519_protected"),
            rsa_pem: dir.join("id_rsa_pem"),
            passphrase: KEY_PASSPHRASE,
            dir,
        };
        ssh_keygen(&keys.ed25519, &["-t", "ed25519"], "", "ferry-test-ed25519");
        ssh_keygen(&keys.ed25519_protected, &["-t", "ed25519"], KEY_PASSPHRASE, "ferry-test-protected");
        ssh_keygen(&keys.rsa_pem, &["-t", "rsa", "-b", "3072", "-m", "PEM"], "", "ferry-test-rsa");
        // Public keys readable by everyone. Private keys stay 0600 (as
        // ssh-keygen made them): ssh-add and ssh refuse keys that others
        // can read, and real users' keys look like this too.
        for key in keys.private_keys() {
            set_mode(&ClientKeys::public_key_path(key), 0o644);
        }
        keys
    })
}

/// Makes a key pair at `path` and `path.pub` (removing old ones, because
/// ssh-keygen would ask before overwriting).
/// A new unprotected key pair of `key_type` ("ed25519", "rsa", "ecdsa") at `dir/name`, for
/// [`Sshd::start_with_host_key`] or a known_hosts line. Returns the private key's path and the
/// public key as known_hosts holds it: "type base64".
pub fn new_key_pair(dir: &Path, name: &str, key_type: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let bits: &[&str] = if key_type == "rsa" { &["-b", "2048"] } else { &[] };
    ssh_keygen(&path, &[&["-t", key_type], bits].concat(), "", "ferry-test-key");
    let public = read_lossy(&ClientKeys::public_key_path(&path));
    let fields: Vec<&str> = public.split_whitespace().take(2).collect();
    (path, fields.join(" "))
}

pub(super) fn ssh_keygen(path: &Path, type_args: &[&str], passphrase: &str, comment: &str) {
    let _ = fs::remove_file(path);
    let _ = fs::remove_file(ClientKeys::public_key_path(path));
    run(Command::new("ssh-keygen").arg("-q").args(type_args).args(["-N", passphrase, "-C", comment, "-f"]).arg(path));
}
