//! After a crash: the terminal is given back, the panic goes to a log file (not over the
//! screen), and text that was being typed is written to a recovery file that the next start
//! points at. The draft is kept up to date by the event loop after every batch of actions.

use std::path::PathBuf;
use std::sync::Mutex;

use super::state::{Overlay, State};

static DRAFT: Mutex<Option<String>> = Mutex::new(None);

/// `$XDG_STATE_HOME/overleg`, else `~/.local/state/overleg`, else the temp folder.
pub fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("overleg");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".local/state/overleg");
    }
    std::env::temp_dir().join("overleg")
}

/// What the user has typed and not saved yet, if anything.
pub fn draft_of(state: &State) -> Option<String> {
    let mut out = String::new();
    for o in &state.overlays {
        match o {
            Overlay::Editor(e) => {
                let text = e.text();
                if text != e.original {
                    out.push_str(&format!("## {}\n{}\n\n", e.title, text));
                }
            }
            Overlay::Form(f) => {
                let changed: Vec<String> = f
                    .fields
                    .iter()
                    .filter(|x| x.value() != x.initial)
                    .map(|x| format!("{}: {}", x.label, x.value()))
                    .collect();
                if !changed.is_empty() {
                    out.push_str(&format!("## {}\n{}\n\n", f.title, changed.join("\n")));
                }
            }
            _ => {}
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Called by the event loop after each batch of actions.
pub fn remember(state: &State) {
    let draft = draft_of(state);
    if let Ok(mut d) = DRAFT.lock() {
        *d = draft;
    }
}

/// The panic hook: write the log and the draft, then say in one line where they are.
pub fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    let dir = state_dir();
    let _ = std::fs::create_dir_all(&dir);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let log = dir.join("panic.log");
    let entry = format!(
        "--- {stamp} overleg {}\n{info}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        std::backtrace::Backtrace::force_capture()
    );
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| std::io::Write::write_all(&mut f, entry.as_bytes()));
    // try_lock: the panic may have happened while the lock was held.
    let draft = DRAFT.try_lock().ok().and_then(|d| d.clone());
    let saved = draft.and_then(|text| {
        let p = dir.join(format!("recovered-{stamp}.txt"));
        std::fs::write(&p, text).ok().map(|_| p)
    });
    eprintln!(
        "overleg stopped because of an internal error. Everything it reported as saved is in git. Details: {}",
        log.display()
    );
    if let Some(p) = saved {
        eprintln!("The text you were typing is kept in {}", p.display());
    }
}

/// Recovery files left by earlier crashes, newest first.
pub fn leftovers() -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(state_dir()) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("recovered-"))
        })
        .collect();
    v.sort();
    v.reverse();
    v
}
