//! Putting the files of another commit in the work tree when only some files differ (a sync
//! that brings in a thousand records): each changed file replaced by its new content, git's
//! index entries for them written in place, and the branch moved. libgit2's checkout loads and
//! re-hashes the whole index and walks the whole work tree for that: a quarter of a second or
//! more at 100,000 records.
//!
//! As safe as libgit2's safe checkout: nothing is overwritten that is not what the old commit
//! holds, and a failure before the branch moved puts every file back.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use git2::{Delta, FileMode, Oid, Repository, Tree};

use super::StoreError;
use super::index_file::{Change, update};
use super::write::write_replacing;

/// One file to change: its path (as git knows it), what HEAD has and what comes (blob and
/// whether it is executable).
struct Step {
    path: String,
    old: Option<(Oid, bool)>,
    new: Option<(Oid, bool)>,
}

/// How a step finds its file: already as it should be, or shared with another name (a hard
/// link, which an in-place write would change too).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    Old,
    Linked,
    Done,
}

/// Replace the files that differ between `from` (what the work tree holds) and `to`, then run
/// `move_branch`. `Ok(false)`: a change of a kind not handled here (a link, a submodule, a
/// type change); nothing was done and the caller lets libgit2 check out. Files that are not
/// what `from` holds are refused, naming them, before anything is written.
pub fn switch(
    repo: &Repository,
    from: &Tree<'_>,
    to: &Tree<'_>,
    move_branch: &mut dyn FnMut() -> Result<(), git2::Error>,
) -> Result<bool, StoreError> {
    let Some(workdir) = repo.workdir() else {
        return Ok(false);
    };
    let Some(steps) = changed_files(repo, from, to)? else {
        return Ok(false);
    };
    for s in &steps {
        if super::check_no_links(workdir, &s.path).is_err() {
            return Ok(false);
        }
    }
    // 1. every file is what the old commit has (or absent where it had none)
    let mut found = Vec::with_capacity(steps.len());
    let mut changed = Vec::new();
    for s in &steps {
        let path = workdir.join(&s.path);
        let (now, links) = match read_file(&path) {
            Ok((b, links)) => (Some(Oid::hash_object(git2::ObjectType::Blob, &b)?), links),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, 1),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        // old before new: a change of mode alone keeps the content
        found.push(if now == s.old.map(|o| o.0) {
            if links > 1 { Found::Linked } else { Found::Old }
        } else if now == s.new.map(|n| n.0) {
            Found::Done
        } else {
            changed.push(crate::text::line(&s.path));
            Found::Old
        });
    }
    if !changed.is_empty() {
        return Err(StoreError::Rejected(format!(
            "changed in the work tree since the last commit, so not overwritten: {}; commit or undo those changes, then try again",
            changed.join(", ")
        )));
    }
    // 2. the files. A changed file is written over in place: replacing it (a new file, a
    //    rename, or a truncation to nothing) makes ext4 free its block and flush the new one
    //    at once, ten times the cost (150 ms for a thousand records on this kind of machine).
    //    Nothing is flushed one by one: like git's checkout, the commit holds the content,
    //    and a failure before the branch moved writes every file back from the old commit.
    let mut done: Vec<usize> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if found[i] == Found::Done {
            continue;
        }
        let path = workdir.join(&s.path);
        let res = match s.new {
            Some((id, executable)) => repo
                .find_blob(id)
                .map_err(StoreError::from)
                .and_then(|b| put(&path, b.content(), s.old, executable, found[i])),
            None => std::fs::remove_file(&path).map_err(|e| StoreError::io(&path, e)),
        };
        done.push(i);
        if let Err(e) = res {
            roll_back(repo, workdir, &steps, &done);
            return Err(e);
        }
    }
    // 3. the branch: from here on the change is made
    if let Err(e) = move_branch() {
        roll_back(repo, workdir, &steps, &done);
        return Err(e.into());
    }
    for s in steps.iter().filter(|s| s.new.is_none()) {
        // folders emptied by the change go, as with git
        if let Some(parent) = workdir.join(&s.path).parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
    // 4. the index, for these paths only; when that cannot be done in place, libgit2
    let changes: Option<Vec<Change<'_>>> = steps
        .iter()
        .map(|s| {
            let new = match s.new {
                Some((id, _)) => Some((id, std::fs::symlink_metadata(workdir.join(&s.path)).ok()?)),
                None => None,
            };
            Some(Change {
                path: &s.path,
                new,
                executable: s.new.map(|(_, x)| x),
            })
        })
        .collect();
    if changes.is_none_or(|c| update(repo.path(), &c).is_err()) {
        let mut index = repo.index()?;
        for s in &steps {
            match s.new {
                Some(_) => index.add_path(Path::new(&s.path))?,
                None => {
                    let _ = index.remove_path(Path::new(&s.path));
                }
            }
        }
        index.write()?;
    }
    Ok(true)
}

/// The files that differ, from the stored trees or else libgit2's diff; `None` for a change
/// not handled here (a link, a submodule, a file that becomes a folder).
fn changed_files(
    repo: &Repository,
    from: &Tree<'_>,
    to: &Tree<'_>,
) -> Result<Option<Vec<Step>>, StoreError> {
    let exec = |mode: u32| mode == 0o100755;
    if let Some(list) =
        super::tree_patch::Trees::new(repo).and_then(|mut t| t.diff_files(Some(from.id()), to.id()))
    {
        return Ok(Some(
            list.into_iter()
                .map(|d| Step {
                    path: d.path,
                    old: d.old.map(|(id, m)| (id, exec(m))),
                    new: d.new.map(|(id, m)| (id, exec(m))),
                })
                .collect(),
        ));
    }
    let diff = repo.diff_tree_to_tree(Some(from), Some(to), None)?;
    let plain = |m: FileMode| matches!(m, FileMode::Blob | FileMode::BlobExecutable);
    let blob = |f: git2::DiffFile<'_>| (f.id(), f.mode() == FileMode::BlobExecutable);
    let mut steps = Vec::new();
    for d in diff.deltas() {
        let (o, n) = (d.old_file(), d.new_file());
        let Some(path) = n.path().or(o.path()).and_then(Path::to_str) else {
            return Ok(None);
        };
        let (old, new) = match d.status() {
            Delta::Added if plain(n.mode()) => (None, Some(blob(n))),
            Delta::Deleted if plain(o.mode()) => (Some(blob(o)), None),
            Delta::Modified if plain(o.mode()) && plain(n.mode()) => (Some(blob(o)), Some(blob(n))),
            _ => return Ok(None),
        };
        steps.push(Step {
            path: path.to_string(),
            old,
            new,
        });
    }
    Ok(Some(steps))
}

/// The file's bytes, and how many names it has.
fn read_file(path: &Path) -> std::io::Result<(Vec<u8>, u64)> {
    let mut f = std::fs::File::open(path)?;
    let links = f.metadata()?.nlink();
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    Ok((bytes, links))
}

/// Give `path` the content `bytes` (and the mode), where it held `old` (or nothing).
fn put(
    path: &Path,
    bytes: &[u8],
    old: Option<(Oid, bool)>,
    executable: bool,
    found: Found,
) -> Result<(), StoreError> {
    let io = |e| StoreError::io(path, e);
    match (old, found) {
        (Some(_), Found::Old) => match OpenOptions::new().write(true).open(path) {
            Ok(mut f) => {
                f.write_all(bytes).map_err(io)?;
                f.set_len(bytes.len() as u64).map_err(io)?;
            }
            // a read-only file: replaced, as git's checkout does
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                write_replacing(path, bytes, false)?;
                return set_mode(path, executable);
            }
            Err(e) => return Err(io(e)),
        },
        (Some(_), _) => write_replacing(path, bytes, false)?,
        (None, _) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(if executable { 0o755 } else { 0o644 })
                .open(path)
                .map_err(io)?;
            f.write_all(bytes).map_err(io)?;
            return Ok(());
        }
    }
    if old.is_some_and(|(_, x)| x != executable) || found == Found::Linked {
        return set_mode(path, executable);
    }
    Ok(())
}

fn set_mode(path: &Path, executable: bool) -> Result<(), StoreError> {
    let mode = if executable { 0o755 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| StoreError::io(path, e))
}

/// Undo steps `done` (indexes into `steps`, in the order made): each file back to what the
/// old commit holds, or gone where it had none. Best effort: this runs after a failure.
fn roll_back(repo: &Repository, workdir: &Path, steps: &[Step], done: &[usize]) {
    for &i in done.iter().rev() {
        let s = &steps[i];
        let path = workdir.join(&s.path);
        match s.old {
            None => {
                let _ = std::fs::remove_file(&path);
            }
            Some((id, executable)) => {
                if let Ok(blob) = repo.find_blob(id) {
                    let _ = restore(&path, blob.content(), executable);
                }
            }
        }
    }
}

fn restore(path: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mode = if executable { 0o755 } else { 0o644 };
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(mode)
        .open(path)?;
    f.write_all(bytes)?;
    f.set_len(bytes.len() as u64)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::build::TreeUpdateBuilder;

    fn repo_with(dir: &Path, files: &[(&str, &str)]) -> (Repository, Oid) {
        let repo = Repository::init(dir).expect("init");
        for (p, t) in files {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(path, t).expect("write");
        }
        let mut index = repo.index().expect("index");
        index
            .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.write().expect("write");
        let tree = index.write_tree().expect("tree");
        let sig = git2::Signature::now("t", "t@t.invalid").expect("sig");
        let tree = repo.find_tree(tree).expect("tree");
        let c = repo
            .commit(Some("HEAD"), &sig, &sig, "a", &tree, &[])
            .expect("commit");
        drop(tree);
        (repo, c)
    }

    /// The next commit's tree, made without touching the work tree (as a merge makes it).
    fn next_tree(repo: &Repository, from: Oid) -> Oid {
        let base = repo.find_commit(from).expect("c").tree().expect("t");
        let mut b = TreeUpdateBuilder::new();
        let blob = |t: &str| repo.blob(t.as_bytes()).expect("blob");
        b.upsert(
            "actions/a.toml",
            blob("id = \"a\"\ntitle = \"nieuw\"\n"),
            FileMode::Blob,
        );
        b.remove("actions/b.toml");
        b.upsert("items/c.toml", blob("id = \"c\"\n"), FileMode::Blob);
        b.upsert("run.sh", blob("echo\n"), FileMode::BlobExecutable);
        b.upsert("nieuw/map/d.toml", blob("id = \"d\"\n"), FileMode::Blob);
        b.create_updated(repo, &base).expect("tree")
    }

    fn git_status(dir: &Path) -> String {
        let out = std::process::Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    const START: &[(&str, &str)] = &[
        ("actions/a.toml", "id = \"a\"\n"),
        ("actions/b.toml", "id = \"b\"\n"),
        ("run.sh", "echo\n"),
        ("overleg.toml", "name = \"t\"\n"),
    ];

    #[test]
    fn the_work_tree_and_index_become_the_new_commit() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (repo, a) = repo_with(tmp.path(), START);
        let to = next_tree(&repo, a);
        let from = repo.find_commit(a).expect("c").tree().expect("t");
        let to_tree = repo.find_tree(to).expect("t");
        let sig = git2::Signature::now("t", "t@t.invalid").expect("sig");
        let head = repo.find_commit(a).expect("c");
        let b = repo
            .commit(None, &sig, &sig, "b", &to_tree, &[&head])
            .expect("commit");
        let mut move_branch = || {
            repo.reference("refs/heads/master", b, true, "test")
                .or_else(|_| repo.reference("refs/heads/main", b, true, "test"))
                .map(|_| ())
        };
        assert!(switch(&repo, &from, &to_tree, &mut move_branch).expect("switch"));
        let read = |p: &str| std::fs::read_to_string(tmp.path().join(p)).ok();
        assert_eq!(
            read("actions/a.toml").as_deref(),
            Some("id = \"a\"\ntitle = \"nieuw\"\n")
        );
        assert_eq!(read("actions/b.toml"), None);
        assert_eq!(read("items/c.toml").as_deref(), Some("id = \"c\"\n"));
        assert_eq!(read("nieuw/map/d.toml").as_deref(), Some("id = \"d\"\n"));
        let mode = std::fs::metadata(tmp.path().join("run.sh"))
            .expect("m")
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "run.sh is executable now");
        assert_eq!(repo.head().expect("head").target(), Some(b));
        assert_eq!(git_status(tmp.path()), "", "git sees a clean work tree");
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true);
        assert_eq!(repo.statuses(Some(&mut opts)).expect("status").len(), 0);
    }

    #[test]
    fn changed_files_are_refused_and_a_failed_branch_move_puts_everything_back() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (repo, a) = repo_with(tmp.path(), START);
        let to = repo.find_tree(next_tree(&repo, a)).expect("t");
        let from = repo.find_commit(a).expect("c").tree().expect("t");
        // an edit nobody committed: refused by name, nothing touched
        std::fs::write(tmp.path().join("actions/b.toml"), "id = \"b\"\n# eigen\n").expect("w");
        let mut never = || -> Result<(), git2::Error> { panic!("the branch must not move") };
        let err = switch(&repo, &from, &to, &mut never).expect_err("refused");
        assert!(err.to_string().contains("actions/b.toml"), "{err}");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("actions/a.toml")).expect("r"),
            "id = \"a\"\n"
        );
        // the branch cannot move: every file as it was
        std::fs::write(tmp.path().join("actions/b.toml"), "id = \"b\"\n").expect("w");
        let mut fails = || Err(git2::Error::from_str("locked"));
        assert!(switch(&repo, &from, &to, &mut fails).is_err());
        assert_eq!(git_status(tmp.path()), "");
        assert!(!tmp.path().join("items/c.toml").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path().join("actions"))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn a_file_with_a_second_name_is_replaced_not_written_through() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (repo, a) = repo_with(tmp.path(), START);
        let outside = tmp.path().join("kopie.toml");
        std::fs::hard_link(tmp.path().join("actions/a.toml"), &outside).expect("link");
        let to = repo.find_tree(next_tree(&repo, a)).expect("t");
        let from = repo.find_commit(a).expect("c").tree().expect("t");
        let mut ok = || Ok(());
        assert!(switch(&repo, &from, &to, &mut ok).expect("switch"));
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("actions/a.toml")).expect("r"),
            "id = \"a\"\ntitle = \"nieuw\"\n"
        );
        assert_eq!(
            std::fs::read_to_string(&outside).expect("r"),
            "id = \"a\"\n",
            "the other name keeps its content"
        );
    }
}
