//! Before a sync starts: no unfinished git operation, no conflict markers, no uncommitted work.

use std::path::Path;

use git2::{Repository, Status, StatusOptions};

use super::SyncError;
use crate::model::Kind;
use crate::store::Store;
use crate::store::write::check_writable;

/// Which of these files (relative to the agenda's folder) still carry git conflict markers.
fn markers_in(root: &Path, files: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for rel in files {
        if crate::store::check_no_links(root, &rel).is_err() {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(root.join(&rel))
            && let Some(line) = crate::model::parse::conflict_marker_line(&text)
        {
            out.push((crate::text::line(&rel), line));
        }
    }
    out
}

/// Files that still carry git conflict markers (record folders and overleg.toml).
pub fn marker_files(root: &Path) -> Vec<(String, usize)> {
    let mut files = vec![crate::store::setup::SETTINGS_FILE.to_string()];
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
        files.extend(
            names
                .into_iter()
                .map(|n| format!("{}/{}", kind.folder(), n)),
        );
    }
    markers_in(root, files.into_iter())
}

/// The files (relative to the agenda's folder) that commits not yet on `remote_ref` changed;
/// `None` when nothing was shared yet (then every file is new to the server).
fn unshared_files(store: &Store, repo: &Repository, remote_ref: &str) -> Option<Vec<String>> {
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    let remote = repo.refname_to_id(remote_ref).ok()?;
    let base = repo.merge_base(head.id(), remote).ok()?;
    let base_tree = repo.find_commit(base).ok()?.tree().ok()?;
    let head_tree = head.tree().ok()?;
    // the stored trees compared directly; libgit2's diff for what that does not handle
    let paths: Vec<String> = match crate::store::tree_patch::Trees::new(repo)
        .and_then(|mut t| t.diff_files(Some(base_tree.id()), head_tree.id()))
    {
        Some(list) => list.into_iter().map(|d| d.path).collect(),
        None => repo
            .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), None)
            .ok()?
            .deltas()
            .filter_map(|d| d.new_file().path().and_then(|p| p.to_str()))
            .map(str::to_string)
            .collect(),
    };
    Some(
        paths
            .iter()
            .filter_map(|p| store.relative(p))
            .filter(|p| is_record_path(p))
            .map(str::to_string)
            .collect(),
    )
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

/// [`uncommitted`], from git's index and the files' stat data on every core when the
/// repository is a plain checkout (`store::worktree_status`), else from libgit2.
pub fn uncommitted_in(store: &Store, repo: &Repository) -> Result<Vec<String>, SyncError> {
    let prefix = store.git_path("");
    let t = std::time::Instant::now();
    let fast = crate::store::worktree_status::uncommitted(repo, &prefix, &is_record_path);
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!(
            "sync: status from the index {:?} ({})",
            t.elapsed(),
            if fast.is_some() {
                "done"
            } else {
                "declined: libgit2"
            }
        );
    }
    match fast {
        Some(paths) => Ok(paths.iter().map(|p| crate::text::line(p)).collect()),
        None => uncommitted(repo),
    }
}

/// Refuse to start over an unfinished git operation, conflict markers or uncommitted work.
/// Markers are looked for where they could come from: files changed and not committed, and
/// files changed by commits the server does not have yet (reading all 100,000 files of a
/// large repository would take seconds).
pub fn preflight(store: &Store, repo: &Repository, remote_ref: &str) -> Result<(), SyncError> {
    check_writable(repo)?;
    let dirty = uncommitted_in(store, repo)?;
    let markers = match unshared_files(store, repo, remote_ref) {
        Some(mut files) => {
            files.extend(
                dirty
                    .iter()
                    .filter_map(|p| store.relative(p))
                    .map(str::to_string),
            );
            files.sort();
            files.dedup();
            markers_in(store.root(), files.into_iter())
        }
        None => marker_files(store.root()),
    };
    if !markers.is_empty() {
        return Err(SyncError::Markers(markers));
    }
    if !dirty.is_empty() {
        return Err(SyncError::Dirty(dirty));
    }
    Ok(())
}
