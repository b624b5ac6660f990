//! Entry point: parse the command line and hand off.

use clap::Parser;

use overleg::cli::{self, Cli};

fn main() {
    let parsed = Cli::parse();
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
