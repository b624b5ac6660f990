//! The history of one record: every commit that changed its file, with who, which department,
//! when and which fields changed.

use std::path::Path;

use git2::{Oid, Repository, Sort};

use super::Store;
use super::error::Result;
use crate::model::edit::{FieldChange, diff};

#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub commit: String,
    pub author: String,
    pub email: String,
    pub department: String,
    /// Seconds since the epoch, and the offset in minutes.
    pub time: i64,
    pub offset_minutes: i32,
    pub summary: String,
    pub changes: Vec<FieldChange>,
}

fn blob_at(tree: &git2::Tree<'_>, rel: &str) -> Option<Oid> {
    tree.get_path(Path::new(rel)).ok().map(|e| e.id())
}

fn text_of(repo: &Repository, oid: Option<Oid>) -> Option<String> {
    let blob = repo.find_blob(oid?).ok()?;
    String::from_utf8(blob.content().to_vec()).ok()
}

/// The department a commit was made for: the `Overleg-Department:` trailer, else the
/// `DEPT:` prefix of the summary.
pub fn department_of(message: &str) -> String {
    for line in message.lines().rev() {
        if let Some(d) = line.strip_prefix("Overleg-Department:") {
            return d.trim().to_string();
        }
    }
    match message.split_once(':') {
        Some((d, _)) if !d.is_empty() && d.len() <= 12 && !d.contains(' ') => d.to_string(),
        _ => String::new(),
    }
}

impl Store {
    /// Newest first. `limit` bounds the number of commits walked, not entries found.
    pub fn history(&self, rel: &str, limit: usize) -> Result<Vec<HistoryEntry>> {
        let repo = self.repo()?;
        let rel = &self.git_path(rel);
        let mut walk = repo.revwalk()?;
        if walk.push_head().is_err() {
            return Ok(Vec::new());
        }
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        let mut out = Vec::new();
        for oid in walk.take(limit) {
            let commit = repo.find_commit(oid?)?;
            let tree = commit.tree()?;
            let here = blob_at(&tree, rel);
            let parents: Vec<Option<Oid>> = commit
                .parents()
                .map(|p| p.tree().ok().and_then(|t| blob_at(&t, rel)))
                .collect();
            // Changed here when it differs from every parent (a merge that took one side
            // unchanged did not change it).
            let changed = if parents.is_empty() {
                here.is_some()
            } else {
                parents.iter().all(|p| *p != here)
            };
            if !changed {
                continue;
            }
            let before = parents.first().copied().flatten();
            let changes = diff(
                text_of(&repo, before).as_deref(),
                text_of(&repo, here).as_deref(),
            );
            let author = commit.author();
            let message = commit.message().unwrap_or("").to_string();
            out.push(HistoryEntry {
                commit: oid_short(commit.id()),
                author: author.name().unwrap_or("").to_string(),
                email: author.email().unwrap_or("").to_string(),
                department: department_of(&message),
                time: author.when().seconds(),
                offset_minutes: author.when().offset_minutes(),
                summary: message.lines().next().unwrap_or("").to_string(),
                changes,
            });
        }
        Ok(out)
    }
}

fn oid_short(o: Oid) -> String {
    o.to_string().chars().take(10).collect()
}
