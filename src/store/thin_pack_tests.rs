use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use super::build;
use crate::store::test_git::git;

fn write_records(dir: &Path, names: impl Iterator<Item = usize>, tag: &str) {
    std::fs::create_dir_all(dir.join("actions")).expect("folder");
    for i in names {
        std::fs::write(
            dir.join(format!("actions/a-{i:04}.toml")),
            format!("id = \"a-{i}\"\ntitle = \"Actie {i} {tag}\"\nstatus = \"open\"\n"),
        )
        .expect("record");
    }
}

fn commit_all(dir: &Path, msg: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", msg]);
}

fn rev(dir: &Path, what: &str) -> Oid {
    Oid::from_str(git(dir, &["rev-parse", what]).trim()).expect("id")
}

/// A server (bare), a clone `here` and a clone `there` of it, 300 records in one folder.
fn world(root: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let server = root.join("server.git");
    git(root, &["init", "-q", "--bare", "-b", "main", "server.git"]);
    let seed = root.join("seed");
    git(root, &["init", "-q", "-b", "main", "seed"]);
    write_records(&seed, 0..300, "");
    std::fs::create_dir_all(seed.join("meetings")).expect("folder");
    std::fs::write(seed.join("meetings/m-1.toml"), "id = \"m-1\"\n").expect("meeting");
    commit_all(&seed, "start");
    git(
        &seed,
        &["push", "-q", server.to_str().expect("utf-8"), "main"],
    );
    for c in ["here", "there"] {
        git(root, &["clone", "-q", server.to_str().expect("utf-8"), c]);
    }
    (server, root.join("here"), root.join("there"))
}

/// The server takes `pack` as `git push` would have it taken (completing a thin pack from
/// its own objects), moves `main` from `old` to `new`, and git finds it whole.
fn receive(server: &Path, pack: &[u8], old: Oid, new: Oid) {
    let mut child = Command::new("git")
        .args(["index-pack", "--stdin", "--fix-thin", "--strict"])
        .current_dir(server)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("index-pack");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pack)
        .expect("pack");
    let out = child.wait_with_output().expect("index-pack");
    assert!(
        out.status.success(),
        "index-pack: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(
        server,
        &[
            "update-ref",
            "refs/heads/main",
            &new.to_string(),
            &old.to_string(),
        ],
    );
    git(server, &["fsck", "--strict", "--no-dangling"]);
}

#[test]
fn a_merge_is_sent_as_what_the_server_lacks_with_its_folders_as_deltas() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (server, here, there) = world(tmp.path());
    // another department changes 20 records and pushes
    write_records(&there, 0..20, "daar");
    commit_all(&there, "theirs");
    git(&there, &["push", "-q", "origin", "main"]);
    // this one changed 20 others, fetches and merges
    write_records(&here, 100..120, "hier");
    commit_all(&here, "ours");
    git(&here, &["fetch", "-q"]);
    git(&here, &["merge", "-q", "--no-edit", "origin/main"]);
    let (target, theirs) = (rev(&here, "HEAD"), rev(&here, "origin/main"));

    let repo = Repository::open(&here).expect("open");
    let pack = build(&repo, target, Some(theirs))
        .expect("build")
        .expect("handled");
    // 20 records of ours, two commits, and the root and `actions` tree of each: not the
    // versions of their 20 records this side's commit still had (the server has them)
    assert_eq!(pack.objects, 26);
    // both `actions` trees as deltas on the server's (a root of two entries is sent whole)
    assert_eq!(pack.deltas, 2);
    receive(&server, &pack.bytes, theirs, target);
    assert_eq!(rev(&server, "main"), target);
    // the server's files are the merge's
    assert_eq!(
        git(&server, &["ls-tree", "-r", "main"]),
        git(&here, &["ls-tree", "-r", "HEAD"])
    );
}

#[test]
fn one_changed_record_is_a_few_hundred_bytes_whatever_the_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (server, here, _) = world(tmp.path());
    let theirs = rev(&here, "HEAD");
    write_records(&here, 7..8, "gewijzigd");
    commit_all(&here, "one");
    let target = rev(&here, "HEAD");
    let repo = Repository::open(&here).expect("open");
    let pack = build(&repo, target, Some(theirs))
        .expect("build")
        .expect("handled");
    let folder = git(&here, &["cat-file", "-s", "HEAD:actions"]);
    let folder: usize = folder.trim().parse().expect("size");
    assert_eq!((pack.objects, pack.deltas), (4, 1));
    assert!(
        pack.bytes.len() < 600 && folder > 10_000,
        "pack {} bytes, folder tree {folder}",
        pack.bytes.len()
    );
    receive(&server, &pack.bytes, theirs, target);
}

#[test]
fn an_empty_server_gets_everything_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_, here, _) = world(tmp.path());
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "empty.git"],
    );
    let empty = tmp.path().join("empty.git");
    let target = rev(&here, "HEAD");
    let repo = Repository::open(&here).expect("open");
    let pack = build(&repo, target, None).expect("build").expect("handled");
    // a commit, two folders and the root, 301 files
    assert_eq!((pack.objects, pack.deltas), (305, 0));
    receive(&empty, &pack.bytes, Oid::ZERO_SHA1, target);
}
