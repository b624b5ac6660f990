//! Shared test harness: real repositories in temp dirs, with the user's own git configuration
//! kept out, and the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().expect("temp dir");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        Env { tmp, home }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// The overleg binary with an isolated environment: no user or system git config, a fixed
    /// "today" for the 2020–2021 example.
    pub fn overleg(&self, dir: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_overleg"));
        self.isolate(&mut c);
        c.current_dir(dir);
        c
    }

    pub fn git(&self, dir: &Path) -> Command {
        let mut c = Command::new("git");
        self.isolate(&mut c);
        c.current_dir(dir);
        c
    }

    fn isolate(&self, c: &mut Command) {
        for k in [
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL",
            "OVERLEG_DEPARTMENT",
            "OVERLEG_REPO",
            "GIT_DIR",
            "GIT_WORK_TREE",
        ] {
            c.env_remove(k);
        }
        c.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("OVERLEG_TODAY", "2021-03-01")
            .env("COLUMNS", "200")
            .env("NO_COLOR", "1");
    }

    /// `overleg demo --no-open` in `self/ws`; returns the workspace folder.
    pub fn demo(&self) -> PathBuf {
        let ws = self.path().join("ws");
        let out = self
            .overleg(self.path())
            .args(["demo", "--no-open", "--dir"])
            .arg(&ws)
            .output()
            .expect("run demo");
        assert_ok(&out);
        ws
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "command failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(o),
        stderr(o)
    );
}

pub fn run_ok(c: &mut Command) -> String {
    let o = c.output().expect("run");
    assert_ok(&o);
    stdout(&o)
}

pub fn json(o: &str) -> serde_json::Value {
    serde_json::from_str(o).unwrap_or_else(|e| panic!("not JSON ({e}):\n{o}"))
}

/// Number of commits reachable from HEAD.
pub fn commit_count(repo: &Path) -> usize {
    let r = git2::Repository::open(repo).expect("open");
    let mut w = r.revwalk().expect("walk");
    w.push_head().expect("head");
    w.count()
}

/// The files changed by the HEAD commit against its first parent.
pub fn head_changed_files(repo: &Path) -> Vec<String> {
    let r = git2::Repository::open(repo).expect("open");
    let head = r.head().expect("head").peel_to_commit().expect("commit");
    let parent_tree = head.parent(0).ok().map(|p| p.tree().expect("tree"));
    let diff = r
        .diff_tree_to_tree(
            parent_tree.as_ref(),
            Some(&head.tree().expect("tree")),
            None,
        )
        .expect("diff");
    diff.deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or(d.old_file().path())
                .map(|p| p.to_string_lossy().into_owned())
        })
        .collect()
}

/// `git status --porcelain` is empty.
pub fn clean(env: &Env, repo: &Path) -> bool {
    let o = env
        .git(repo)
        .args(["status", "--porcelain"])
        .output()
        .expect("git status");
    o.status.success() && o.stdout.is_empty()
}

/// The record folders and the files whose times the snapshots' freshness rests on.
pub const FOLDERS: [&str; 10] = [
    "",
    "registry",
    "overleg.toml",
    "meetings",
    "items",
    "notes",
    "actions",
    "registry/bodies",
    "registry/organisations",
    "registry/people",
];

/// Make the folders look untouched for a while, as they are between two commands of a user
/// (snapshots do not trust a folder changed within the last two seconds).
pub fn settle(root: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(30);
    for rel in FOLDERS {
        let f = std::fs::File::open(root.join(rel)).expect("open folder");
        f.set_modified(past).expect("set time");
    }
}

/// How many loose objects git counts, by `git count-objects -v` run as `git` is set up.
pub fn loose_objects(mut git: Command) -> usize {
    run_ok(git.args(["count-objects", "-v"]))
        .lines()
        .find_map(|l| l.strip_prefix("count: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("count")
}
