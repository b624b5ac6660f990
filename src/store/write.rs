//! Writing: every user action becomes exactly one commit that touches only the files of that
//! action. The work file is replaced atomically before the commit is made, so a crash leaves
//! either the old state or the new file not yet committed, never half a file.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use git2::{FileMode, Oid, Repository, RepositoryState, Signature, build::TreeUpdateBuilder};

use super::error::{Result, StoreError};
use super::lock::WriteLock;
use super::{Identity, Store};

/// One file's new content; `None` deletes it.
#[derive(Clone, Debug)]
pub struct Change {
    pub path: String,
    pub text: Option<String>,
}

/// What a saved change became.
#[derive(Clone, Debug)]
pub struct Saved {
    pub commit: String,
    /// The first line of the commit message.
    pub summary: String,
}

/// Read access to the work tree inside a transaction.
pub struct Reader<'a> {
    root: &'a Path,
}

impl Reader<'_> {
    /// The current text of a file, `None` when there is none.
    pub fn read(&self, rel: &str) -> Result<Option<String>> {
        super::check_no_links(self.root, rel)?;
        let p = self.root.join(rel);
        match std::fs::read(&p) {
            Ok(b) => String::from_utf8(b).map(Some).map_err(|_| {
                StoreError::Rejected(format!("{rel} is not valid UTF-8; fix it by hand first"))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(p, e)),
        }
    }
}

fn state_name(s: RepositoryState) -> &'static str {
    match s {
        RepositoryState::Merge => "merge",
        RepositoryState::Revert | RepositoryState::RevertSequence => "revert",
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => "cherry-pick",
        RepositoryState::Bisect => "bisect",
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => "rebase",
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => "git am",
        RepositoryState::Clean => "clean state",
    }
}

/// Refuse to work on a repository in a state where a commit would surprise the user.
pub fn check_writable(repo: &Repository) -> Result<()> {
    if repo.state() != RepositoryState::Clean {
        return Err(StoreError::Unclean(state_name(repo.state()).into()));
    }
    if repo.head_detached().unwrap_or(false) {
        return Err(StoreError::Detached);
    }
    let lock = repo.path().join("index.lock");
    if lock.exists() {
        return Err(StoreError::IndexLocked(lock));
    }
    Ok(())
}

fn head_blob(repo: &Repository, tree: Option<&git2::Tree>, rel: &str) -> Result<Option<Vec<u8>>> {
    let Some(tree) = tree else { return Ok(None) };
    match tree.get_path(Path::new(rel)) {
        Ok(entry) => Ok(Some(repo.find_blob(entry.id())?.content().to_vec())),
        Err(_) => Ok(None),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::Rejected(format!("{} has no folder", path.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.overleg-{}.tmp", std::process::id()));
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(StoreError::io(path, e));
    }
    Ok(())
}

/// The commit message: the department first, a trailer that `log` reads.
pub fn message(department: &str, summary: &str) -> String {
    let summary = crate::text::line(summary);
    format!("{department}: {summary}\n\nOverleg-Department: {department}\n")
}

impl Store {
    /// Run `f` under the write lock, with the work tree as it is now, and commit the changes it
    /// returns as one commit with the summary it returns. Nothing is written when `f` fails, when
    /// a changed file has uncommitted edits, or when the repository is mid-merge.
    pub fn transact<F>(&self, f: F) -> Result<Saved>
    where
        F: FnOnce(&Reader<'_>) -> Result<(Vec<Change>, String)>,
    {
        let id = self.identity()?;
        self.transact_as(&id, f)
    }

    pub fn transact_as<F>(&self, id: &Identity, f: F) -> Result<Saved>
    where
        F: FnOnce(&Reader<'_>) -> Result<(Vec<Change>, String)>,
    {
        let repo = self.repo()?;
        let _lock = WriteLock::acquire(repo.path(), Duration::from_secs(10))?;
        check_writable(&repo)?;
        let head = match repo.head() {
            Ok(h) => Some(h.peel_to_commit()?),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        let head_tree = head.as_ref().map(|c| c.tree()).transpose()?;
        let reader = Reader { root: &self.root };
        let (changes, summary) = f(&reader)?;
        if changes.is_empty() {
            return Err(StoreError::Rejected("nothing changed".into()));
        }
        // Never sweep up someone's uncommitted edits into our commit, never write through a link.
        for c in &changes {
            super::check_no_links(&self.root, &c.path)?;
            let on_disk = match std::fs::read(self.root.join(&c.path)) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(StoreError::io(self.root.join(&c.path), e)),
            };
            if on_disk != head_blob(&repo, head_tree.as_ref(), &self.git_path(&c.path))? {
                return Err(StoreError::Dirty(c.path.clone()));
            }
        }
        // 1. the work files, atomically
        for c in &changes {
            let p = self.root.join(&c.path);
            match &c.text {
                Some(t) => write_atomic(&p, t.as_bytes())?,
                None => match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(StoreError::io(p, e)),
                },
            }
        }
        // 2. the commit, built from trees: the index of a large repository is not rewritten
        let mut builder = TreeUpdateBuilder::new();
        for c in &changes {
            match &c.text {
                Some(t) => {
                    let blob = repo.blob(t.as_bytes())?;
                    builder.upsert(self.git_path(&c.path), blob, FileMode::Blob);
                }
                None => {
                    builder.remove(self.git_path(&c.path));
                }
            }
        }
        let base = match &head_tree {
            Some(t) => t.clone(),
            None => {
                let empty: Oid = repo.treebuilder(None)?.write()?;
                repo.find_tree(empty)?
            }
        };
        let tree = repo.find_tree(builder.create_updated(&repo, &base)?)?;
        let sig = Signature::now(&id.name, &id.email)?;
        let msg = message(&id.department, &summary);
        let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
        let oid = repo.commit(Some("HEAD"), &sig, &sig, &msg, &tree, &parents)?;
        // 3. the index, for the changed paths only, so `git status` stays clean
        let mut index = repo.index()?;
        for c in &changes {
            match &c.text {
                Some(_) => index.add_path(Path::new(&self.git_path(&c.path)))?,
                None => {
                    let _ = index.remove_path(Path::new(&self.git_path(&c.path)));
                }
            }
        }
        index.write()?;
        Ok(Saved {
            commit: oid.to_string(),
            summary: msg.lines().next().unwrap_or("").to_string(),
        })
    }
}
