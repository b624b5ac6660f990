//! What can go wrong when reading or writing the repository, each with what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{0} is not inside a git repository; run `overleg init DIR --department CODE` or pass --repo DIR"
    )]
    NotARepo(PathBuf),
    #[error("another overleg is saving in this repository (lock {0}); try again in a moment")]
    Busy(PathBuf),
    #[error(
        "git's index is locked ({0}, {1} old): another git program is running, or one was interrupted (an overleg killed during a save leaves this file; the records and commits are intact). overleg never removes it, because a running git needs it: if no git program is running, remove it (`rm {0}`) and try again"
    )]
    IndexLocked(PathBuf, String),
    #[error(
        "git's lock file {0} ({1} old) blocks saving: another git program is running, or one was interrupted (the records and commits are intact). If no git program is running, remove it (`rm {0}`) and try again"
    )]
    GitLocked(PathBuf, String),
    #[error(
        "the repository is in the middle of a {0}; finish it (`git status` tells how) before saving with overleg"
    )]
    Unclean(String),
    #[error(
        "HEAD is detached (not on a branch); check out a branch, e.g. `git switch main`, before saving"
    )]
    Detached,
    #[error(
        "{0} has changes that are not committed; commit or discard them (`git diff {0}`) before overleg changes it"
    )]
    Dirty(String),
    #[error(
        "no git identity: set one with `git config user.name \"Naam\"` and `git config user.email naam@minezk.nl` (or GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL)"
    )]
    NoIdentity,
    #[error(
        "no department for this clone: set it with `git config overleg.department EZK` (or OVERLEG_DEPARTMENT)"
    )]
    NoDepartment,
    #[error("no record with id or reference `{0}`; `overleg list` shows what there is")]
    NotFound(String),
    #[error("{0}")]
    Rejected(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

impl StoreError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
