//! Importers for other clients' saved sites: FileZilla, Cyberduck, WinSCP and OpenSSH's config.
