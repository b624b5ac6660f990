//! The only code that touches git and the work tree: opening a repository, loading every
//! record, writing one change as one commit, and reading a record's history.

pub mod bundled;
pub mod cache;
pub mod checkout;
pub mod error;
pub mod history;
pub mod housekeeping;
pub mod index_file;
pub mod journal;
pub mod load;
pub mod lock;
pub mod loose;
mod pack_index;
mod pack_writer;
pub mod packs;
pub mod received_pack;
pub mod recover;
pub mod setup;
pub mod snapshot;
#[cfg(test)]
pub(crate) mod test_git;
pub mod thin_pack;
mod tree_delta;
pub mod tree_edit;
pub mod tree_objects;
pub mod tree_patch;
pub mod undo;
pub mod worktree_status;
pub mod write;

use std::path::{Path, PathBuf};

use git2::Repository;

pub use error::{Result, StoreError};

/// Who is making changes in this clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
    pub department: String,
}

/// An agenda repository on disk: a folder with `overleg.toml` and the record folders, in a git
/// work tree (usually at its top; an agenda in a subfolder of a larger repository works too).
pub struct Store {
    /// The agenda's folder.
    root: PathBuf,
    /// The git work tree, `None` for a plain folder (read-only: `check`, `list`, `show`).
    workdir: Option<PathBuf>,
    /// `root` relative to the work tree, with a trailing `/`, or empty.
    prefix: String,
}

/// Refuse a record path that passes through a symbolic link (a linked folder or file could
/// point outside the repository): overleg never reads or writes through links.
pub fn check_no_links(root: &Path, rel: &str) -> Result<()> {
    let mut p = root.to_path_buf();
    let mut shown = String::new();
    for part in rel.split('/').filter(|c| !c.is_empty()) {
        if part == ".." {
            return Err(StoreError::Rejected(format!(
                "{}: leaves the repository",
                crate::text::line(rel)
            )));
        }
        p.push(part);
        if !shown.is_empty() {
            shown.push('/');
        }
        shown.push_str(part);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(StoreError::Rejected(format!(
                "{} is a symbolic link; overleg never reads or writes through links (they can point outside the repository). Replace it with a plain folder or file",
                crate::text::line(&shown)
            )));
        }
    }
    Ok(())
}

impl Store {
    /// Open the agenda at `path`. A folder holding `overleg.toml` is the agenda even inside a
    /// larger repository; otherwise the top of the git work tree that contains `path` is.
    pub fn open(path: &Path) -> Result<Store> {
        let not_repo = || StoreError::NotARepo(path.to_path_buf());
        let own_settings = path.join(setup::SETTINGS_FILE).is_file();
        let repo = match Repository::discover(path) {
            Ok(r) => r,
            Err(_) if own_settings => {
                let root = path.canonicalize().map_err(|e| StoreError::io(path, e))?;
                return Ok(Store {
                    root,
                    workdir: None,
                    prefix: String::new(),
                });
            }
            Err(_) => return Err(not_repo()),
        };
        let workdir = repo
            .workdir()
            .ok_or_else(not_repo)?
            .canonicalize()
            .map_err(|e| StoreError::io(path, e))?;
        if !own_settings {
            return Ok(Store {
                root: workdir.clone(),
                workdir: Some(workdir),
                prefix: String::new(),
            });
        }
        let root = path.canonicalize().map_err(|e| StoreError::io(path, e))?;
        let prefix = match root.strip_prefix(&workdir) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => String::new(),
        };
        Ok(Store {
            root,
            workdir: Some(workdir),
            prefix,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path git knows a record file by.
    pub fn git_path(&self, rel: &str) -> String {
        format!("{}{}", self.prefix, rel)
    }

    /// A path git knows (relative to the work tree) relative to the agenda's folder; `None`
    /// when it lies outside it.
    pub fn relative<'a>(&self, git_path: &'a str) -> Option<&'a str> {
        git_path.strip_prefix(self.prefix.as_str())
    }

    pub fn repo(&self) -> Result<Repository> {
        let dir = self
            .workdir
            .as_ref()
            .ok_or_else(|| StoreError::NotARepo(self.root.clone()))?;
        Ok(Repository::open(dir)?)
    }

    /// The department of this clone: `OVERLEG_DEPARTMENT`, else `overleg.department` in the
    /// clone's git config.
    pub fn department(&self) -> Result<String> {
        if let Ok(d) = std::env::var("OVERLEG_DEPARTMENT")
            && !d.trim().is_empty()
        {
            return Ok(d.trim().to_string());
        }
        let repo = self.repo()?;
        let cfg = repo.config()?;
        match cfg.get_string("overleg.department") {
            Ok(d) if !d.trim().is_empty() => Ok(d.trim().to_string()),
            _ => Err(StoreError::NoDepartment),
        }
    }

    /// Name, e-mail and department used for commits.
    pub fn identity(&self) -> Result<Identity> {
        let department = self.department()?;
        let repo = self.repo()?;
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let (name, email) = match (env("GIT_AUTHOR_NAME"), env("GIT_AUTHOR_EMAIL")) {
            (Some(n), Some(e)) => (n, e),
            (n, e) => {
                let cfg = repo.config()?;
                let name = n
                    .or_else(|| cfg.get_string("user.name").ok())
                    .ok_or(StoreError::NoIdentity)?;
                let email = e
                    .or_else(|| cfg.get_string("user.email").ok())
                    .ok_or(StoreError::NoIdentity)?;
                (name, email)
            }
        };
        Ok(Identity {
            name,
            email,
            department,
        })
    }
}
