//! The workbench (ratatui + crossterm): state, named actions, a pure `update`, views per
//! screen, and a worker thread that does every git operation.

pub mod action;
pub mod app;
pub mod builders;
pub mod commands;
pub mod config;
pub mod edits;
pub mod forms;
pub mod i18n;
pub mod keys;
pub mod lists;
pub mod mouse;
pub mod prepare;
pub mod recovery;
pub mod rows;
pub mod search_worker;
pub mod state;
pub mod syncing;
pub mod testing;
pub mod theme;
pub mod update;
pub mod views;
pub mod widgets;
pub mod worker;

use crate::cli::Cli;
use crate::model::Date;

use self::config::Config;
use self::i18n::Lang;
use self::keys::Keymap;
use self::state::{Level, State};
use self::theme::Theme;

/// Everything the workbench needs to start, from the command line, the config file, the
/// environment and the repository. Problems become a status-line message, not a refusal.
pub fn initial_state(cli: &Cli, store: &crate::store::Store) -> State {
    let dir = config::config_dir();
    let (cfg, mut problems) = match Config::load(dir.as_deref()) {
        (c, Some(p)) => (c, vec![p]),
        (c, None) => (c, Vec::new()),
    };
    let lang = cli
        .lang
        .as_deref()
        .or(cfg.lang.as_deref())
        .and_then(Lang::parse)
        .unwrap_or_else(Lang::from_locale);
    let theme = if theme::no_color() {
        Theme::plain()
    } else {
        let name = cli
            .theme
            .as_deref()
            .or(cfg.theme.as_deref())
            .unwrap_or("dark");
        Theme::load(name, dir.as_deref()).unwrap_or_else(|e| {
            problems.push(e);
            Theme::default_dark()
        })
    };
    let (keymap, key_problems) = Keymap::with_overrides(&cfg.key_overrides());
    problems.extend(key_problems);
    let mut s = State::new(lang, theme, keymap, Date::today());
    match store.identity() {
        Ok(id) => {
            s.dept = id.department;
            s.author = id.name;
        }
        Err(e) => {
            s.dept = store.department().unwrap_or_default();
            problems.push(e.to_string());
        }
    }
    s.repo_name = store
        .root()
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if !problems.is_empty() {
        s.info(Level::Error, problems.join("; "));
    }
    s
}

/// Open the workbench on the repository of `cli`.
pub fn open(cli: &Cli) -> anyhow::Result<i32> {
    let dir = crate::cli::repo_dir(cli);
    let store = crate::store::Store::open(&dir)?;
    let mut state = initial_state(cli, &store);
    if let Some(p) = recovery::leftovers().first() {
        let msg = match state.lang {
            i18n::Lang::Nl => format!("Tekst van een afgebroken sessie staat in {}", p.display()),
            i18n::Lang::En => format!(
                "Text from an interrupted session is kept in {}",
                p.display()
            ),
        };
        state.info(state::Level::Info, msg);
    }
    app::run(state, store.root().to_path_buf())
}

#[cfg(test)]
mod lists_tests;
#[cfg(test)]
mod update_tests;
