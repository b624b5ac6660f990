//! Entry point: parse the command line and hand off.

use clap::Parser;

use overleg::cli::{self, Cli};

// zlib-rs in place of the system's zlib for libgit2: its symbols are exported under zlib's
// own names, and the linker resolves libgit2's calls to them before the shared library. A
// large repository's sync spends a third of its time inflating and deflating folder trees,
// and zlib-rs does that about twice as fast as zlib 1.2.
extern crate libz_rs_sys;

#[cfg(target_os = "linux")]
mod compression;

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
    // libgit2 caches no tree over 4 KiB, and a folder's tree is megabytes in a large
    // repository: a sync read and inflated the same few trees a dozen times (status, merge,
    // checkout, push). Keeping trees up to 64 MiB (a folder of ~1.5 million records) within
    // libgit2's 256 MiB cache inflates each once.
    // SAFETY: set before any repository is opened, on the only thread.
    let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 64 << 20) };
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
