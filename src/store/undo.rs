//! Two small reads and one write the workbench needs: how many commits are not yet shared
//! (ahead of the upstream branch), and undoing one's own newest change as a new commit that
//! restores the previous text of the files it changed.

use git2::BranchType;

use super::Store;
use super::error::{Result, StoreError};
use super::write::{Change, Saved};

impl Store {
    /// Commits on the current branch that its upstream does not have; `None` without an
    /// upstream (a repository that is not shared).
    pub fn unshared(&self) -> Result<Option<usize>> {
        let repo = self.repo()?;
        let Ok(head) = repo.head() else {
            return Ok(None);
        };
        let (Some(name), Some(local)) = (head.shorthand().ok().map(str::to_string), head.target())
        else {
            return Ok(None);
        };
        let Ok(branch) = repo.find_branch(&name, BranchType::Local) else {
            return Ok(None);
        };
        let Ok(up) = branch.upstream() else {
            return Ok(None);
        };
        let Some(remote) = up.get().target() else {
            return Ok(None);
        };
        let (ahead, _) = repo.graph_ahead_behind(local, remote)?;
        Ok(Some(ahead))
    }

    /// Undo `commit`, which must be the newest commit and made by this clone's identity: one
    /// new commit puts back what its files held before. Refuses when anything came after it.
    pub fn revert_own(&self, commit: &str) -> Result<Saved> {
        let repo = self.repo()?;
        let head = repo.head()?.peel_to_commit()?;
        if head.id().to_string() != commit {
            return Err(StoreError::Rejected(
                "your change is no longer the newest commit (something was saved or pulled after it); change it back by hand".into(),
            ));
        }
        let me = self.identity()?;
        if head.author().email().ok() != Some(me.email.as_str()) {
            return Err(StoreError::Rejected(
                "the newest commit is not yours; it cannot be undone here".into(),
            ));
        }
        let parent = head.parent(0).map_err(|_| {
            StoreError::Rejected("the first commit of a repository cannot be undone".into())
        })?;
        let (old, new) = (parent.tree()?, head.tree()?);
        let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None)?;
        let mut changes = Vec::new();
        for d in diff.deltas() {
            let Some(path) = d.new_file().path().or_else(|| d.old_file().path()) else {
                continue;
            };
            let rel = path.to_string_lossy().replace('\\', "/");
            let text = match old.get_path(path) {
                Ok(entry) => {
                    let blob = repo.find_blob(entry.id())?;
                    Some(String::from_utf8(blob.content().to_vec()).map_err(|_| {
                        StoreError::Rejected(format!("{rel} was not UTF-8 before; undo it by hand"))
                    })?)
                }
                Err(_) => None,
            };
            changes.push(Change { path: rel, text });
        }
        let summary = head.summary().ok().flatten().unwrap_or("").to_string();
        let what = summary
            .split_once(": ")
            .map_or(summary.as_str(), |(_, s)| s)
            .to_string();
        self.transact_as(&me, |_| Ok((changes, format!("ongedaan gemaakt: {what}"))))
    }
}
