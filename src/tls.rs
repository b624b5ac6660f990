//! libgit2 parses the whole CA bundle when it starts: 25–45 ms here, more than a `list` of
//! 100,000 records and most of the start of the workbench on the bundled example. Only a sync
//! (or a clone from a URL) talks to a server, so libgit2 is started without certificates and
//! is handed them the first time a connection is made.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The certificate locations a connection must use: the user's (`SSL_CERT_FILE`,
/// `SSL_CERT_DIR`), else the system's as OpenSSL would find them.
static LOCATIONS: OnceLock<(Option<PathBuf>, Option<PathBuf>)> = OnceLock::new();
static LOADED: Mutex<bool> = Mutex::new(false);

/// Start libgit2 with an empty certificate store, then put the environment back as it was
/// (an editor or `git` started later sees the user's settings). Must run before any other
/// thread exists: it changes the environment for a moment.
pub fn start_libgit2_without_certificates() {
    let file = std::env::var_os("SSL_CERT_FILE");
    let dir = std::env::var_os("SSL_CERT_DIR");
    let probed = openssl_probe::probe();
    let locations = (
        file.clone().map(PathBuf::from).or(probed.cert_file),
        dir.clone().map(PathBuf::from).or(probed.cert_dir),
    );
    if locations.0.is_none() && locations.1.is_none() {
        // nowhere to hand them from later: let OpenSSL find its own at the start
        return;
    }
    let _ = LOCATIONS.set(locations);
    // SAFETY: called first thing in main, while the process has one thread.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", "/dev/null");
        std::env::set_var("SSL_CERT_DIR", "/nonexistent");
    }
    // any option call starts libgit2 (and its OpenSSL context) now, with the empty store
    git2::opts::enable_caching(true);
    restore("SSL_CERT_FILE", file);
    restore("SSL_CERT_DIR", dir);
}

fn restore(name: &str, value: Option<OsString>) {
    // SAFETY: as above, still single-threaded.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

/// Where the certificates a connection trusts are: the file and the folder (`None`: OpenSSL's
/// own defaults, as when libgit2 was started with them).
pub fn locations() -> Option<(Option<PathBuf>, Option<PathBuf>)> {
    LOCATIONS.get().cloned()
}

/// Give libgit2 the certificates, once, before the first connection to a server. Without
/// [`start_libgit2_without_certificates`] (tests, a library user) there is nothing to do.
pub fn load_certificates() -> Result<(), git2::Error> {
    let Some((file, dir)) = LOCATIONS.get() else {
        return Ok(());
    };
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if *loaded {
        return Ok(());
    }
    // SAFETY: libgit2's certificate option is process-wide; the lock keeps two threads from
    // setting it at once, and no connection is being made while it is set (this runs before
    // the first).
    unsafe {
        if let Some(f) = file.as_ref().filter(|f| f.is_file()) {
            git2::opts::set_ssl_cert_file(f)?;
        }
        if let Some(d) = dir.as_ref().filter(|d| d.is_dir()) {
            git2::opts::set_ssl_cert_dir(d)?;
        }
    }
    *loaded = true;
    Ok(())
}
