//! The bookkeeping of this clone (last sync, last result) and the cheap status: ahead/behind
//! against the last fetched state of the server, open conflicts. No network.

use std::time::{SystemTime, UNIX_EPOCH};

use git2::Repository;
use serde::{Deserialize, Serialize};

use super::{SyncError, conflicts, remote};
use crate::store::{Store, StoreError};

/// The sync bookkeeping of this clone, in `.git/overleg-sync.toml`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SyncRecord {
    /// Seconds since 1970 of the last sync that completed (merged and pushed).
    pub last_success: Option<i64>,
    pub last_attempt: Option<i64>,
    /// One line: what the last attempt ended with.
    pub last_result: Option<String>,
}

/// For the status line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncStatus {
    pub branch: Option<String>,
    pub remote: Option<String>,
    /// Commits here that the server does not have yet, and the other way round (as of the
    /// last fetch).
    pub ahead: usize,
    pub behind: usize,
    pub last_success: Option<i64>,
    pub last_attempt: Option<i64>,
    pub last_result: Option<String>,
    /// Conflicting fields waiting for a choice.
    pub open_conflicts: usize,
}

pub(super) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn record_path(repo: &Repository) -> std::path::PathBuf {
    repo.path().join("overleg-sync.toml")
}

pub fn read_record(repo: &Repository) -> SyncRecord {
    std::fs::read_to_string(record_path(repo))
        .ok()
        .and_then(|s| toml::from_str(&s).ok())
        .unwrap_or_default()
}

pub(super) fn write_record(repo: &Repository, r: &SyncRecord) {
    if let Ok(text) = toml::to_string(r) {
        let p = record_path(repo);
        let tmp = p.with_extension("tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &p);
        }
    }
}

pub(super) fn current_branch(repo: &Repository) -> Result<String, SyncError> {
    let head = repo.find_reference("HEAD")?;
    let target = head
        .symbolic_target()
        .map_err(|_| SyncError::Store(StoreError::Detached))?
        .ok_or(SyncError::Store(StoreError::Detached))?;
    target
        .strip_prefix("refs/heads/")
        .map(str::to_string)
        .ok_or(SyncError::Store(StoreError::Detached))
}

/// Cheap: no network. Ahead/behind against the last fetched state of the server.
pub fn status(store: &Store) -> Result<SyncStatus, SyncError> {
    status_of(store, "origin")
}

pub fn status_of(store: &Store, remote: &str) -> Result<SyncStatus, SyncError> {
    let repo = store.repo()?;
    let rec = read_record(&repo);
    let mut s = SyncStatus {
        last_success: rec.last_success,
        last_attempt: rec.last_attempt,
        last_result: rec.last_result,
        ..SyncStatus::default()
    };
    s.remote = repo
        .find_remote(remote)
        .ok()
        .and_then(|r| r.url().ok().map(remote::safe_url));
    if let Ok(b) = current_branch(&repo) {
        let up = format!("refs/remotes/{remote}/{b}");
        if let (Ok(h), Ok(u)) = (repo.refname_to_id("HEAD"), repo.refname_to_id(&up)) {
            let (a, bh) = repo.graph_ahead_behind(h, u)?;
            s.ahead = a;
            s.behind = bh;
        } else if let Ok(h) = repo.refname_to_id("HEAD") {
            // nothing fetched yet: every commit is ahead
            let mut walk = repo.revwalk()?;
            walk.push(h)?;
            s.ahead = walk.count();
        }
        s.branch = Some(b);
    }
    s.open_conflicts = conflicts::list(store)?
        .iter()
        .filter(|c| c.resolved.is_none())
        .count();
    Ok(s)
}
