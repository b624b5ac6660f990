//! The only code that touches git and the work tree: opening a repository, loading every
//! record, writing one change as one commit, and reading a record's history.

pub mod bundled;
pub mod error;
pub mod history;
pub mod load;
pub mod lock;
pub mod setup;
pub mod undo;
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

/// An agenda repository on disk (a git work tree).
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Open the repository that contains `path` (it may be a subfolder).
    pub fn open(path: &Path) -> Result<Store> {
        let repo =
            Repository::discover(path).map_err(|_| StoreError::NotARepo(path.to_path_buf()))?;
        let root = repo
            .workdir()
            .ok_or_else(|| StoreError::NotARepo(path.to_path_buf()))?
            .to_path_buf();
        Ok(Store { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn repo(&self) -> Result<Repository> {
        Ok(Repository::open(&self.root)?)
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
