//! The git command line for the store's tests, isolated from the machine's and the user's
//! configuration: repositories made by git itself, and git's own checks of what overleg wrote.

use std::path::Path;
use std::process::Command;

/// Run git in `dir`; panics with git's message when it fails. Returns its output.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every object of the repository at `d` with its type and size, one per line, sorted: what
/// git itself can read there.
pub(crate) fn all_objects(d: &Path) -> String {
    let mut lines: Vec<String> = git(
        d,
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check",
            "--unordered",
        ],
    )
    .lines()
    .map(str::to_string)
    .collect();
    lines.sort();
    lines.join("\n")
}

/// What `git pack-objects` sends for `revs` from the repository at `dir` (`--thin`: a
/// server's pack for a fetch, with deltas on objects the receiver has).
pub(crate) fn pack_of(dir: &Path, revs: &str, thin: bool) -> Vec<u8> {
    let mut args = vec!["pack-objects", "--revs", "--stdout", "-q"];
    if thin {
        args.push("--thin");
    }
    let mut child = std::process::Command::new("git")
        .args(&args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, revs.as_bytes()).expect("revs");
    drop(stdin);
    let out = child.wait_with_output().expect("pack");
    assert!(out.status.success());
    out.stdout
}
