//! Before a sync starts: no unfinished git operation, no conflict markers, no uncommitted work.

use std::path::Path;

use git2::{Repository, Status, StatusOptions};

use super::SyncError;
use crate::model::Kind;
use crate::store::Store;
use crate::store::write::check_writable;

/// Files that still carry git conflict markers (record folders and overleg.toml).
pub fn marker_files(root: &Path) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut check = |rel: String| {
        if let Ok(text) = std::fs::read_to_string(root.join(&rel))
            && let Some(line) = crate::model::parse::conflict_marker_line(&text)
        {
            out.push((crate::text::line(&rel), line));
        }
    };
    check(crate::store::setup::SETTINGS_FILE.to_string());
    for kind in Kind::ALL {
        let Ok(rd) = std::fs::read_dir(root.join(kind.folder())) else {
            continue;
        };
        let mut names: Vec<String> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
            .collect();
        names.sort();
        for n in names {
            check(format!("{}/{}", kind.folder(), n));
        }
    }
    out
}

fn is_record_path(p: &str) -> bool {
    p == crate::store::setup::SETTINGS_FILE
        || (p.ends_with(".toml")
            && Kind::ALL.iter().any(|k| {
                p.strip_prefix(k.folder())
                    .is_some_and(|r| r.starts_with('/'))
            }))
}

/// Changes not committed: modified or deleted tracked files, and new record files.
pub fn uncommitted(repo: &Repository) -> Result<Vec<String>, SyncError> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .exclude_submodules(true)
        .include_ignored(false);
    let statuses = repo.statuses(Some(&mut opts))?;
    let mut out = Vec::new();
    for s in statuses.iter() {
        let Ok(p) = s.path().map(str::to_string) else {
            continue;
        };
        let st = s.status();
        if st == Status::CURRENT || st.contains(Status::IGNORED) {
            continue;
        }
        if st == Status::WT_NEW && !is_record_path(&p) {
            continue;
        }
        out.push(crate::text::line(&p));
    }
    Ok(out)
}

/// Refuse to start over an unfinished git operation, conflict markers or uncommitted work.
pub fn preflight(store: &Store, repo: &Repository) -> Result<(), SyncError> {
    check_writable(repo)?;
    let markers = marker_files(store.root());
    if !markers.is_empty() {
        return Err(SyncError::Markers(markers));
    }
    let dirty = uncommitted(repo)?;
    if !dirty.is_empty() {
        return Err(SyncError::Dirty(dirty));
    }
    Ok(())
}
