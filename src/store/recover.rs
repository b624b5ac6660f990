//! What an interrupted save (a crash, a kill, a full disk) can leave behind, found and
//! explained: record files changed but not committed, git's index behind HEAD, git lock files,
//! and overleg's own temporary files. Nothing here ever throws away a change.
//!
//! Decision on git's lock files (`.git/index.lock`, `.git/refs/heads/<branch>.lock`, …):
//! overleg never removes them. Nothing in such a file tells which program made it, and a git
//! command running right now (in another terminal, an IDE) holds one legitimately; removing it
//! would corrupt that command's work. overleg reports the file, its age and the command that
//! removes it. Its own temporary files (`.<file>.overleg-<pid>.tmp|old`, beside the record)
//! carry the writer's pid and are removed once that process is gone: they never hold the only
//! copy of anything (a `.tmp` was never renamed into place; an `.old` is the version in HEAD or
//! in HEAD's history).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use git2::{Repository, StatusOptions};

use crate::model::{Kind, Problem};

use super::Store;

/// Git's lock files that block a commit, oldest first.
pub fn git_locks(repo: &Repository) -> Vec<PathBuf> {
    let git = repo.path();
    let mut out: Vec<PathBuf> = ["index.lock", "HEAD.lock", "packed-refs.lock"]
        .iter()
        .map(|n| git.join(n))
        .filter(|p| p.exists())
        .collect();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.filter_map(|e| e.ok()) {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "lock") {
                out.push(p);
            }
        }
    }
    walk(&git.join("refs/heads"), &mut out);
    out
}

/// "3 minutes" since a file was last written.
pub fn age(path: &Path) -> String {
    let secs = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .map_or(0, |d| d.as_secs());
    match secs {
        0..=119 => format!("{secs} seconds"),
        120..=7199 => format!("{} minutes", secs / 60),
        _ => format!("{} hours", secs / 3600),
    }
}

fn pid_alive(pid: u32) -> bool {
    !cfg!(target_os = "linux") || Path::new(&format!("/proc/{pid}")).exists()
}

/// The pid in an overleg side file name: `.a-1.toml.overleg-123.tmp` → 123.
fn side_file_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let rest = rest
        .strip_suffix(".tmp")
        .or_else(|| rest.strip_suffix(".old"))?;
    let (_, pid) = rest.rsplit_once(".overleg-")?;
    pid.parse().ok()
}

/// overleg's side files in the record folders whose writer is gone.
pub fn stale_side_files(root: &Path) -> Vec<PathBuf> {
    let folders: Vec<&str> = Kind::ALL.iter().map(|k| k.folder()).collect();
    let mut out = Vec::new();
    for folder in folders {
        if super::check_no_links(root, folder).is_err() {
            continue;
        }
        let Ok(rd) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(pid) = side_file_pid(&name)
                && !pid_alive(pid)
                && e.file_type().is_ok_and(|t| t.is_file())
            {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Remove overleg's own side files left by writers that are gone (see the module note).
pub fn sweep_side_files(root: &Path) {
    for p in stale_side_files(root) {
        let _ = std::fs::remove_file(p);
    }
}

fn is_record_path(rel: &str) -> bool {
    Kind::ALL.iter().any(|k| {
        rel.strip_prefix(k.folder())
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|name| !name.contains('/') && name.ends_with(".toml"))
    })
}

impl Store {
    /// Warnings about what an interrupted save or a hand edit left: nothing is changed.
    pub fn leftovers(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let Ok(repo) = self.repo() else {
            return out;
        };
        for lock in git_locks(&repo) {
            let shown = crate::text::line(&lock.display().to_string());
            out.push(Problem::warning(
                &shown,
                1,
                1,
                "",
                format!(
                    "git lock file, {} old: a git program is running, or one was interrupted (an overleg killed during a save leaves one; the records and commits are intact). Saving is blocked until it is gone: if no git program is running, remove it with `rm {shown}`",
                    age(&lock)
                ),
            ));
        }
        for p in stale_side_files(&self.root) {
            let rel = p
                .strip_prefix(&self.root)
                .map_or_else(|_| p.display().to_string(), |r| r.display().to_string());
            out.push(Problem::warning(
                &crate::text::line(&rel),
                1,
                1,
                "",
                "temporary file of an interrupted overleg save; the record itself is intact. The next save removes it (or delete it yourself)",
            ));
        }
        let head_tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let Ok(statuses) = repo.statuses(Some(&mut opts)) else {
            return out;
        };
        for st in statuses.iter() {
            let Ok(git_path) = st.path().map(str::to_string) else {
                continue;
            };
            let Some(rel) = git_path.strip_prefix(&self.prefix) else {
                continue;
            };
            if !is_record_path(rel) || st.status().is_ignored() {
                continue;
            }
            let in_head = head_tree
                .as_ref()
                .and_then(|t| t.get_path(Path::new(&git_path)).ok())
                .and_then(|e| repo.find_blob(e.id()).ok())
                .map(|b| b.content().to_vec());
            let on_disk = std::fs::read(self.root.join(rel)).ok();
            let shown = crate::text::line(rel);
            let msg = match (&in_head, &on_disk) {
                (a, b) if a == b => format!(
                    "git's index is behind the last commit for this file (an interrupted save); the file and the commit agree. `git reset -q -- {shown}` brings the index up to date"
                ),
                (None, Some(_)) => format!(
                    "new record file that is not committed (a save that was interrupted, or made by hand). Keep it with `git add {shown} && git commit`, or delete it"
                ),
                (Some(_), None) => format!(
                    "deleted, but the deletion is not committed. Keep it deleted with `git rm -q {shown} && git commit`, or restore it with `git checkout HEAD -- {shown}`"
                ),
                _ => format!(
                    "has changes that are not committed (a save that was interrupted, or an edit by hand); overleg will not change this record until they are. Look with `git diff HEAD -- {shown}`, keep them with `git add {shown} && git commit`, or drop them with `git checkout HEAD -- {shown}`"
                ),
            };
            out.push(Problem::warning(&shown, 1, 1, "", msg));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_file_names() {
        assert_eq!(side_file_pid(".a-1.toml.overleg-123.tmp"), Some(123));
        assert_eq!(side_file_pid(".a-1.toml.overleg-9.old"), Some(9));
        assert_eq!(side_file_pid("a-1.toml"), None);
        assert_eq!(side_file_pid(".a-1.toml.overleg-x.tmp"), None);
        assert!(is_record_path("actions/a-1.toml"));
        assert!(is_record_path("registry/people/p-1.toml"));
        assert!(!is_record_path("overleg.toml"));
        assert!(!is_record_path("files/a.toml"));
    }
}
