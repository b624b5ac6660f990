//! Entry point: parse the command line and hand off.

use clap::Parser;

use overleg::cli::{self, Cli};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let parsed = Cli::parse();
    overleg::tls::start_libgit2_without_certificates();
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
