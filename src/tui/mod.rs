//! The workbench (ratatui + crossterm): state, named actions, a pure `update`, views per
//! screen, and a worker thread that does every git operation.

pub mod config;
pub mod i18n;
pub mod keys;
pub mod search;
pub mod theme;

use crate::cli::Cli;

/// Open the workbench on the repository of `cli`.
pub fn open(cli: &Cli) -> anyhow::Result<i32> {
    let dir = crate::cli::repo_dir(cli);
    let store = crate::store::Store::open(&dir)?;
    anyhow::bail!(
        "the workbench is not built yet; use the command line (overleg --help) on {}",
        store.root().display()
    )
}
