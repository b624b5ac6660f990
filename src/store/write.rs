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
    /// The files the commit changed (relative to the agenda's folder).
    pub paths: Vec<String>,
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
    if let Some(lock) = super::recover::git_locks(repo).into_iter().next() {
        let age = super::recover::age(&lock);
        return Err(if lock.ends_with("index.lock") {
            StoreError::IndexLocked(lock, age)
        } else {
            StoreError::GitLocked(lock, age)
        });
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

/// Replace `path` by a new file (a rename, so a reader sees the old or the new content);
/// `durable`: flushed to the disk before the rename.
pub(super) fn write_replacing(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::Rejected(format!("{} has no folder", path.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let tmp = side_name(path, "tmp");
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(StoreError::io(path, e));
    }
    Ok(())
}

/// libgit2 reports a failed write(2) (a full disk, a file size limit) as "no error", and errno
/// is gone by the time it returns. Find the operating system's reason by writing as much as
/// the change needs beside the objects, and name it.
fn write_failure(git_dir: &Path, size: usize, e: git2::Error) -> StoreError {
    if e.class() != git2::ErrorClass::None && e.message() != "no error" {
        return StoreError::Git(e);
    }
    let probe = git_dir
        .join("objects")
        .join(format!("overleg-probe-{}", std::process::id()));
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&probe)?;
        f.write_all(&vec![0x20; size + 8192])?;
        f.sync_all()
    })();
    let _ = std::fs::remove_file(&probe);
    match res {
        Err(os) => StoreError::Rejected(format!(
            "cannot write to the repository: {os}; nothing was changed"
        )),
        Ok(()) => StoreError::Rejected(
            "cannot write to the repository (a full disk?); nothing was changed".into(),
        ),
    }
}

/// Moves the branch HEAD points at from `old` to `new` (compare-and-swap), with a reflog entry
/// like git's own.
fn move_branch(repo: &Repository, old: Option<Oid>, new: Oid, msg: &str) -> Result<()> {
    let head = repo.find_reference("HEAD")?;
    let branch = head
        .symbolic_target()
        .map_err(|_| StoreError::Detached)?
        .ok_or(StoreError::Detached)?
        .to_string();
    let log = format!("commit: {}", msg.lines().next().unwrap_or(""));
    match old {
        Some(old) => repo
            .reference_matching(&branch, new, true, old, &log)
            .map_err(|e| write_failure(repo.path(), 0, e))?,
        None => repo
            .reference(&branch, new, false, &log)
            .map_err(|e| write_failure(repo.path(), 0, e))?,
    };
    Ok(())
}

/// Work files replaced in this transaction, and how to put each back.
#[derive(Default)]
pub(super) struct Undo {
    /// (the file, a hard link to its old content, or `None` when it did not exist)
    done: Vec<(std::path::PathBuf, Option<std::path::PathBuf>)>,
}

fn side_name(path: &Path, what: &str) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.overleg-{}.{what}", std::process::id()))
}

impl Undo {
    /// Write (or with `None` delete) `path`, keeping the old content aside.
    fn apply(&mut self, path: &Path, text: Option<&str>) -> Result<()> {
        self.apply_bytes(path, text.map(str::as_bytes), true)
    }

    /// [`Undo::apply`] for any bytes; `durable` as in [`write_replacing`].
    pub(super) fn apply_bytes(
        &mut self,
        path: &Path,
        bytes: Option<&[u8]>,
        durable: bool,
    ) -> Result<()> {
        let backup = side_name(path, "old");
        let existed = match std::fs::hard_link(path, &backup) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            // a file system without hard links: a copy
            Err(_) => match std::fs::copy(path, &backup) {
                Ok(_) => true,
                Err(e) => {
                    let _ = std::fs::remove_file(&backup);
                    return Err(StoreError::io(path, e));
                }
            },
        };
        let res = match bytes {
            Some(b) => write_replacing(path, b, durable),
            None => match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError::io(path, e)),
            },
        };
        if let Err(e) = res {
            if existed {
                let _ = std::fs::remove_file(&backup);
            }
            return Err(e);
        }
        self.done
            .push((path.to_path_buf(), existed.then_some(backup)));
        Ok(())
    }

    /// Put every file back as it was (renames and removals only: no disk space needed).
    pub(super) fn roll_back(self) {
        for (path, backup) in self.done.into_iter().rev() {
            match backup {
                Some(b) => {
                    let _ = std::fs::rename(&b, &path);
                }
                None => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }

    /// The change is saved: drop the old contents.
    pub(super) fn commit(self) {
        for (_, backup) in self.done {
            if let Some(b) = backup {
                let _ = std::fs::remove_file(b);
            }
        }
    }
}

impl Store {
    /// The index entries of the changed files, written directly (see `index_file`).
    fn update_index(
        &self,
        git_dir: &Path,
        changes: &[Change],
        blobs: &[Option<Oid>],
    ) -> std::result::Result<(), super::index_file::Declined> {
        let paths: Vec<String> = changes.iter().map(|c| self.git_path(&c.path)).collect();
        let mut updates = Vec::with_capacity(changes.len());
        for ((c, blob), path) in changes.iter().zip(blobs).zip(&paths) {
            let new = match blob {
                Some(oid) => Some((*oid, std::fs::symlink_metadata(self.root.join(&c.path))?)),
                None => None,
            };
            updates.push(super::index_file::Change {
                path,
                new,
                executable: None,
            });
        }
        super::index_file::update(git_dir, &updates)
    }
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
        let t0 = std::time::Instant::now();
        let timing = std::env::var_os("OVERLEG_TIMING").is_some();
        let tm = |what: &str| {
            if timing {
                eprintln!("transact: {what} {:?}", t0.elapsed());
            }
        };
        let repo = self.repo()?;
        let lock = WriteLock::acquire(repo.path(), Duration::from_secs(10))?;
        // Temporary files beside the records exist only while a save runs: a writer that died
        // mid-save left its lock too. Only then is there anything to sweep (listing a folder
        // of 50,000 records for nothing is a fifth of a save). Swept before anything can stop
        // this save (a git lock file the dead writer left too): the next save will not find
        // the lock taken over, and would leave them.
        if lock.taken_over {
            super::recover::sweep_side_files(&self.root);
        }
        check_writable(&repo)?;
        tm("checked");
        let head = match repo.head() {
            Ok(h) => Some(h.peel_to_commit()?),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        let head_tree = head.as_ref().map(|c| c.tree()).transpose()?;
        let reader = Reader { root: &self.root };
        tm("head");
        let (changes, summary) = f(&reader)?;
        tm("edited");
        if changes.is_empty() {
            return Err(StoreError::Rejected("nothing changed".into()));
        }
        // The trees are read once for the check below and the new tree.
        let mut trees = head_tree
            .as_ref()
            .and_then(|t| Some((super::tree_patch::Trees::new(&repo)?, t.id())));
        // Never sweep up someone's uncommitted edits into our commit, never write through a link.
        for c in &changes {
            super::check_no_links(&self.root, &c.path)?;
            let on_disk = match std::fs::read(self.root.join(&c.path)) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(StoreError::io(self.root.join(&c.path), e)),
            };
            let git_path = self.git_path(&c.path);
            // the committed id, else (a link, a path unknown to HEAD) the committed bytes
            let known = trees
                .as_mut()
                .and_then(|(t, root)| t.blob_at(*root, &git_path));
            let clean = match (known, &on_disk) {
                (Some(id), Some(bytes)) => Oid::hash_object(git2::ObjectType::Blob, bytes)? == id,
                _ => on_disk == head_blob(&repo, head_tree.as_ref(), &git_path)?,
            };
            if !clean {
                return Err(StoreError::Dirty(c.path.clone()));
            }
        }
        tm("dirty-checked");
        let size: usize = changes
            .iter()
            .map(|c| c.text.as_ref().map_or(0, String::len))
            .sum();
        let fail = |e: git2::Error| write_failure(repo.path(), size, e);
        // 1. the objects: blobs, tree and commit. Nothing visible changes yet; on a full disk
        //    or a crash here only unreferenced objects remain (git gc removes them).
        let mut builder = TreeUpdateBuilder::new();
        let mut blobs = Vec::with_capacity(changes.len());
        for c in &changes {
            match &c.text {
                Some(t) => {
                    let blob = repo.blob(t.as_bytes()).map_err(&fail)?;
                    builder.upsert(self.git_path(&c.path), blob, FileMode::Blob);
                    blobs.push(Some(blob));
                }
                None => {
                    builder.remove(self.git_path(&c.path));
                    blobs.push(None);
                }
            }
        }
        let base = match &head_tree {
            Some(t) => t.clone(),
            None => {
                let empty: Oid = repo.treebuilder(None)?.write().map_err(&fail)?;
                repo.find_tree(empty)?
            }
        };
        tm("blobs");
        // Changed contents of existing files (the usual save): the stored trees with new ids
        // in them; anything else (new or removed files) through libgit2.
        let replaced: Option<Vec<(String, Oid)>> = changes
            .iter()
            .zip(&blobs)
            .map(|(c, b)| b.map(|b| (self.git_path(&c.path), b)))
            .collect();
        let patched = match (&mut trees, &replaced) {
            (Some((trees, root)), Some(r)) => {
                let r: Vec<(&str, Oid)> = r.iter().map(|(p, b)| (p.as_str(), *b)).collect();
                trees.replace_blobs(*root, &r)
            }
            _ => None,
        };
        let tree = match patched {
            Some(t) => repo.find_tree(t)?,
            None => repo.find_tree(builder.create_updated(&repo, &base).map_err(&fail)?)?,
        };
        tm("tree");
        let sig = Signature::now(&id.name, &id.email)?;
        let msg = message(&id.department, &summary);
        let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
        let oid = repo
            .commit(None, &sig, &sig, &msg, &tree, &parents)
            .map_err(&fail)?;
        tm("commit");
        // 2. the work files, each replaced atomically; the old ones kept (hard links) until the
        //    branch has moved, so a failure puts them back without needing disk space.
        // the folders' state before and after the files are written, for the journal
        let journal = self
            .snapshot_dir_of(&repo)
            .map(|dir| (dir, self.folder_key()));
        let mut undo = Undo::default();
        for c in &changes {
            if let Err(e) = undo.apply(&self.root.join(&c.path), c.text.as_deref()) {
                undo.roll_back();
                return Err(e);
            }
        }
        // 3. the branch, moved only if nobody else moved it meanwhile: this is the moment the
        //    change is saved.
        if let Err(e) = move_branch(&repo, head.as_ref().map(|c| c.id()), oid, &msg) {
            undo.roll_back();
            return Err(e);
        }
        undo.commit();
        if let Some((dir, before)) = journal {
            let paths = changes.iter().map(|c| c.path.clone()).collect();
            super::journal::record(&dir, &self.root, before, self.folder_key(), paths);
        }
        tm("branch");
        // 4. the index, for the changed paths only, so `git status` stays clean. The change is
        //    saved already: a failure here (a full disk) leaves the index behind HEAD for these
        //    paths, which `overleg check` reports with the command that fixes it.
        if self.update_index(repo.path(), &changes, &blobs).is_ok() {
            tm("index");
            return Ok(Saved {
                paths: changes.iter().map(|c| c.path.clone()).collect(),
                commit: oid.to_string(),
                summary: msg.lines().next().unwrap_or("").to_string(),
            });
        }
        let _ = (|| -> std::result::Result<(), git2::Error> {
            let mut index = repo.index()?;
            for c in &changes {
                match &c.text {
                    Some(_) => index.add_path(Path::new(&self.git_path(&c.path)))?,
                    None => {
                        let _ = index.remove_path(Path::new(&self.git_path(&c.path)));
                    }
                }
            }
            index.write()
        })();
        tm("index");
        Ok(Saved {
            paths: changes.iter().map(|c| c.path.clone()).collect(),
            commit: oid.to_string(),
            summary: msg.lines().next().unwrap_or("").to_string(),
        })
    }
}
