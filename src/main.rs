//! Entry point: parse the command line and hand off.

use clap::Parser;

use overleg::cli::{self, Cli, Command};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// libgit2 parses the system's CA bundle when it starts (about 25 ms, a quarter of a `list`);
/// commands that never talk to a server do not need it. Only done when the user has not
/// chosen certificates, and before any thread exists.
fn skip_tls_setup_when_offline(cmd: Option<&Command>) {
    let offline = matches!(
        cmd,
        Some(
            Command::List(_)
                | Command::Show { .. }
                | Command::Log { .. }
                | Command::New(_)
                | Command::Set { .. }
                | Command::Delete { .. }
                | Command::Search { .. }
                | Command::Check { .. }
                | Command::Export(_)
                | Command::Gen { .. }
                | Command::Init { .. }
                | Command::Conflicts { .. }
                | Command::Resolve(_)
        )
    );
    // `search` neither talks to a server nor starts another program, so certificates the user
    // chose cannot matter to it either: it skips the setup always (a fifth of its time).
    let user_chose =
        std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some();
    if offline && (!user_chose || matches!(cmd, Some(Command::Search { .. }))) {
        // SAFETY: single-threaded here, at the very start of main.
        unsafe {
            std::env::set_var("SSL_CERT_FILE", "/dev/null");
            std::env::set_var("SSL_CERT_DIR", "/nonexistent");
        }
    }
}

fn main() {
    let parsed = Cli::parse();
    skip_tls_setup_when_offline(parsed.command.as_ref());
    // overleg writes trees only from entries it has just read from git itself, so libgit2's
    // check that every entry of a new tree exists (one lookup per record of a folder, a
    // large part of a save at 100,000 records) proves nothing here.
    git2::opts::strict_object_creation(false);
    // Nor does overleg re-hash every object it reads (a folder's tree is megabytes at 100,000
    // records): like git itself, it leaves that to `git fsck`.
    git2::opts::strict_hash_verification(false);
    let result = match &parsed.command {
        Some(cmd) => cli::run(&parsed, cmd),
        None => overleg::tui::open(&parsed),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!(
                "error: {}",
                overleg::text::sanitize(&format!("{e:#}"), true)
            );
            std::process::exit(2);
        }
    }
}
