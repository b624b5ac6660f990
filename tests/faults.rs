//! Faults: overleg killed (SIGKILL) at random moments during saves, stale lock files, and a
//! full disk. Afterwards the repository is valid, every change reported as saved is in HEAD,
//! what a kill left behind is still there and explained, and the next save works.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A small deterministic generator (xorshift); the seed is printed so a run can be repeated.
struct Rng(u64);
impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("OVERLEG_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
                    | 1
            });
        eprintln!("fault seed: {seed} (OVERLEG_FAULT_SEED repeats it)");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn git_ok(env: &Env, dir: &Path, args: &[&str]) -> String {
    let mut c = env.git(dir);
    c.args([
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@overleg.invalid",
    ])
    .args(args);
    run_ok(&mut c)
}

fn fsck(env: &Env, dir: &Path) {
    let o = env
        .git(dir)
        .args(["fsck", "--strict", "--no-progress", "--no-dangling"])
        .output()
        .expect("fsck");
    assert!(
        o.status.success(),
        "git fsck failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
}

fn head_of(dir: &Path) -> String {
    let r = git2::Repository::open(dir).expect("the repository opens");
    r.head()
        .expect("HEAD")
        .peel_to_commit()
        .expect("HEAD is a commit")
        .id()
        .to_string()
}

/// `overleg check --json`: no errors; the warnings, as (path, message).
fn check_warnings(env: &Env, dir: &Path) -> Vec<(String, String)> {
    let o = env
        .overleg(dir)
        .args(["check", "--json"])
        .output()
        .expect("check");
    assert!(o.status.signal().is_none(), "check crashed");
    let v = json(&stdout(&o));
    let all = v.as_array().expect("array");
    let errors: Vec<_> = all.iter().filter(|p| p["severity"] == "error").collect();
    assert!(errors.is_empty(), "check reports damage: {errors:?}");
    assert_eq!(o.status.code(), Some(0));
    all.iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or("").to_string(),
                p["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Lines of `git status --porcelain`, without overleg's own side files (the next save removes
/// those).
fn status_lines(env: &Env, dir: &Path) -> Vec<String> {
    git_ok(
        env,
        dir,
        &["status", "--porcelain", "--untracked-files=all"],
    )
    .lines()
    .filter(|l| !l.contains(".overleg-"))
    .map(str::to_string)
    .collect()
}

#[derive(Default, Debug)]
struct Tally {
    runs: usize,
    killed: usize,
    finished: usize,
    overleg_lock_left: usize,
    git_lock_left: usize,
    uncommitted_kept: usize,
    index_behind: usize,
    side_files: usize,
}

#[test]
fn sigkill_at_random_moments_during_saves_loses_nothing() {
    let iterations: usize = std::env::var("OVERLEG_FAULT_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let mut rng = Rng::new();
    let refs: Vec<String> = json(&run_ok(
        env.overleg(&ezk).args(["list", "actions", "--json"]),
    ))
    .as_array()
    .expect("actions")
    .iter()
    .filter_map(|a| a["ref"].as_str().map(str::to_string))
    .take(6)
    .collect();
    // How long a save takes here, to aim the kills at its whole length, the end especially.
    let t = Instant::now();
    for r in &refs[..3] {
        run_ok(env.overleg(&ezk).args(["set", r, "status_note=ijking"]));
    }
    let mut span = (t.elapsed().as_micros() / 3).max(1000) as u64;
    let mut saved_sets: Vec<String> = Vec::new(); // summaries printed by `set`
    let mut saved_news: Vec<(String, String)> = Vec::new(); // (id, title)
    let mut tally = Tally::default();
    // At least `iterations` runs, and on until a quarter of them were killed mid-save: the
    // aim follows how long saves take right now (a busy machine makes them slower).
    let mut i = 0;
    while (tally.runs < iterations || tally.killed <= iterations / 4) && tally.runs < iterations * 4
    {
        i += 1;
        let value = format!("kill-{i}");
        let new = rng.below(3) == 0;
        let mut cmd = env.overleg(&ezk);
        if new {
            cmd.args(["new", "action", "--title", &value, "--owner", "EZK"]);
        } else {
            let r = &refs[rng.below(refs.len() as u64) as usize];
            cmd.args(["set", r, &format!("status_note={value}")]);
        }
        let delay = if rng.below(2) == 0 {
            rng.below(span)
        } else {
            span / 2 + rng.below(span * 3 / 4)
        };
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL; a no-op when it has already finished
        let out = child.wait_with_output().expect("wait");
        tally.runs += 1;
        match (out.status.code(), out.status.signal()) {
            (Some(0), _) => {
                tally.finished += 1;
                span = (span * 9 / 10).max(200);
                if new {
                    let id = stdout(&out).trim().to_string();
                    saved_news.push((id, value.clone()));
                } else {
                    saved_sets.push(stdout(&out).trim().to_string());
                }
            }
            (None, Some(9)) => {
                tally.killed += 1;
                span = span * 21 / 20;
            }
            other => panic!(
                "iteration {i}: neither saved nor killed ({other:?}):\n{}",
                stderr(&out)
            ),
        }

        // The repository is valid and opens.
        fsck(&env, &ezk);
        let _ = head_of(&ezk);
        if ezk.join(".git/overleg.lock").exists() {
            tally.overleg_lock_left += 1; // taken over by the next save (its pid is dead)
        }
        // A git lock file left by the kill: the next save explains it; remove it as told.
        let repo = git2::Repository::open(&ezk).expect("open");
        let locks = overleg::store::recover::git_locks(&repo);
        if !locks.is_empty() {
            tally.git_lock_left += 1;
            let warnings = check_warnings(&env, &ezk);
            let o = env
                .overleg(&ezk)
                .args(["set", &refs[0], "status_note=geblokkeerd"])
                .output()
                .expect("set");
            assert_eq!(o.status.code(), Some(2), "saved past a git lock file");
            let err = stderr(&o);
            assert!(err.contains("rm ") && err.contains(".lock"), "{err}");
            for l in &locks {
                assert!(
                    warnings.iter().any(|(p, _)| p == &l.display().to_string()),
                    "check does not report {}",
                    l.display()
                );
                std::fs::remove_file(l).expect("remove lock as told");
            }
        }
        // Damage check, and what the kill left behind: reported with what to do, then done.
        let warnings = check_warnings(&env, &ezk);
        if warnings.iter().any(|(_, m)| m.contains("temporary file")) {
            tally.side_files += 1;
        }
        for line in status_lines(&env, &ezk) {
            let path = line[3..].trim().to_string();
            let w = warnings
                .iter()
                .find(|(p, _)| *p == path)
                .unwrap_or_else(|| panic!("check does not report {line:?}: {warnings:?}"));
            if w.1.contains("index is behind") {
                tally.index_behind += 1;
                git_ok(&env, &ezk, &["reset", "-q", "--", &path]);
            } else {
                // A change written but not committed: it is there, whole, and it is the change
                // that was being saved. Nothing lost: keep it, as the warning says.
                assert!(w.1.contains("git add"), "{w:?}");
                let text = std::fs::read_to_string(ezk.join(&path)).expect("read");
                assert!(
                    text.contains(&value),
                    "uncommitted {path} is not the interrupted change:\n{text}"
                );
                text.parse::<toml::Table>().expect("a whole record");
                tally.uncommitted_kept += 1;
                git_ok(&env, &ezk, &["add", "--", &path]);
                git_ok(
                    &env,
                    &ezk,
                    &["commit", "-q", "-m", &format!("EZK: hersteld {path}")],
                );
                if new {
                    let id = path
                        .trim_start_matches("actions/")
                        .trim_end_matches(".toml");
                    saved_news.push((id.to_string(), value.clone()));
                }
            }
        }
        assert!(status_lines(&env, &ezk).is_empty());
    }
    // The next save works, and clears what the kills left.
    run_ok(
        env.overleg(&ezk)
            .args(["set", &refs[0], "status_note=na de storingen"]),
    );
    fsck(&env, &ezk);
    let remaining = check_warnings(&env, &ezk);
    assert!(remaining.is_empty(), "warnings remain: {remaining:?}");
    assert!(clean(&env, &ezk), "git status is not clean at the end");
    // Every change reported as saved is in HEAD.
    let log = git_ok(&env, &ezk, &["log", "--format=%s"]);
    for s in &saved_sets {
        assert!(
            log.lines().any(|l| l == s),
            "reported saved but not in HEAD: {s}"
        );
    }
    let listed = json(&run_ok(
        env.overleg(&ezk).args(["list", "actions", "--json"]),
    ));
    for (id, title) in &saved_news {
        assert!(
            listed
                .as_array()
                .expect("array")
                .iter()
                .any(|a| a["id"] == id.as_str() && a["title"] == title.as_str()),
            "new action {id} ({title}) reported saved but not in HEAD"
        );
        let in_head = Command::new("git")
            .current_dir(&ezk)
            .args(["cat-file", "-e", &format!("HEAD:actions/{id}.toml")])
            .status()
            .expect("cat-file");
        assert!(in_head.success(), "{id} is not in HEAD");
    }
    eprintln!(
        "faults: {tally:?}; reported saved: {} sets, {} new",
        saved_sets.len(),
        saved_news.len()
    );
    assert!(tally.runs >= iterations);
    assert!(
        tally.killed > iterations / 4,
        "too few kills landed: {tally:?}"
    );
}

/// Stale locks: overleg's own (dead pid) is taken over; git's are explained, never removed.
/// A save tried while git's lock file is there.
fn blocked_save(env: &Env, ezk: &Path) -> std::process::Output {
    env.overleg(ezk)
        .args(["set", "2021-02-A1", "status_note=geblokkeerd"])
        .output()
        .expect("set")
}

#[test]
fn stale_locks_are_taken_over_or_explained() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    // overleg.lock of a process that is gone
    let mut gone = Command::new("true").spawn().expect("spawn");
    let pid = gone.id();
    gone.wait().expect("wait");
    std::fs::write(ezk.join(".git/overleg.lock"), format!("{pid}\n")).expect("lock");
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A1", "status_note=overgenomen"]),
    );
    assert!(!ezk.join(".git/overleg.lock").exists());
    // an empty overleg.lock: a writer killed between creating it and writing its pid
    let lock = ezk.join(".git/overleg.lock");
    std::fs::write(&lock, "").expect("lock");
    let ok = Command::new("touch")
        .args(["-d", "1 minute ago"])
        .arg(&lock)
        .status()
        .expect("touch");
    assert!(ok.success());
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A1", "status_note=leeg slot"]),
    );
    assert!(!lock.exists());
    // git's lock files: explained with their path and how to remove them; left alone.
    let branch_lock = ezk.join(".git/refs/heads/main.lock");
    for lock in [ezk.join(".git/index.lock"), branch_lock] {
        std::fs::write(&lock, "").expect("lock");
        let head = head_of(&ezk);
        let warnings = check_warnings(&env, &ezk);
        assert!(
            warnings
                .iter()
                .any(|(p, m)| p == &lock.display().to_string() && m.contains("rm ")),
            "{warnings:?}"
        );
        let o = blocked_save(&env, &ezk);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("rm {}", lock.display())) && err.contains("old"),
            "{err}"
        );
        assert!(lock.exists(), "overleg removed git's lock file");
        assert_eq!(head_of(&ezk), head);
        std::fs::remove_file(&lock).expect("remove as told");
        let note = format!("status_note=weer vrij na {}", lock.display());
        run_ok(env.overleg(&ezk).args(["set", "2021-02-A1", &note]));
    }
    // What a writer killed mid-save leaves: its lock and a temporary file, both naming its
    // pid. Reported, then removed by the next save, which takes the lock over.
    let side = ezk.join(format!("actions/.a-2021-02-a1.toml.overleg-{pid}.tmp"));
    std::fs::write(&side, "half").expect("side");
    std::fs::write(ezk.join(".git/overleg.lock"), format!("{pid}\n")).expect("lock");
    let warnings = check_warnings(&env, &ezk);
    assert!(
        warnings.iter().any(|(_, m)| m.contains("temporary file")),
        "{warnings:?}"
    );
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A1", "status_note=opgeruimd"]),
    );
    assert!(!side.exists());
    // The same, and git's lock file too (killed while git's index was being written): the
    // save that takes the lock over stops at git's lock, but removes the temporary file first.
    // (Swept later, no save would ever find the lock to take over again, and the file stayed.)
    std::fs::write(&side, "half").expect("side");
    std::fs::write(ezk.join(".git/overleg.lock"), format!("{pid}\n")).expect("lock");
    let index_lock = ezk.join(".git/index.lock");
    std::fs::write(&index_lock, "").expect("lock");
    assert_eq!(blocked_save(&env, &ezk).status.code(), Some(2));
    assert!(!side.exists(), "the dead writer's temporary file is left");
    std::fs::remove_file(&index_lock).expect("remove as told");
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A1", "status_note=weer vrij"]),
    );
    assert!(check_warnings(&env, &ezk).is_empty());
    // an uncommitted hand edit is reported, kept, and not overwritten
    let path = ezk.join("actions/a-2021-02-a1.toml");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str("# nog niet vastgelegd\n");
    std::fs::write(&path, &text).expect("write");
    let warnings = check_warnings(&env, &ezk);
    assert!(
        warnings
            .iter()
            .any(|(p, m)| p == "actions/a-2021-02-a1.toml" && m.contains("not committed")),
        "{warnings:?}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
}

// ---------------------------------------------------------------------------------------------
// full disk

struct Mount(PathBuf);
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fill the file system of `dir` up to `leave` free bytes (about; tmpfs counts pages).
fn fill(dir: &Path, leave: u64) {
    use std::io::Write;
    let f = dir.join("vulling");
    let _ = std::fs::remove_file(&f);
    let mut file = std::fs::File::create(&f).expect("fill file");
    let chunk = vec![0x5a_u8; 4096];
    loop {
        let free = free_bytes(dir);
        if free <= leave + 4096 {
            break;
        }
        let n = ((free - leave) as usize).min(1 << 20) / 4096 * 4096;
        for _ in 0..(n / 4096).max(1) {
            if file.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = file.flush();
    }
}

fn free_bytes(dir: &Path) -> u64 {
    let o = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .expect("df");
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0)
}

/// Pseudo-random text that does not compress: a big field makes every write phase need space.
fn incompressible(n: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 80 == 79 {
                '\n'
            } else {
                char::from(b'a' + (x % 26) as u8)
            }
        })
        .collect()
}

/// The state a failed save must leave untouched.
fn snapshot(dir: &Path, rel: &str) -> (String, Vec<u8>, Vec<u8>) {
    (
        head_of(dir),
        std::fs::read(dir.join(".git/index")).expect("index"),
        std::fs::read(dir.join(rel)).expect("record"),
    )
}

fn side_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("actions"))
        .expect("actions")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".overleg-"))
        .collect()
}

/// After one attempted save on a (nearly) full disk: either it failed and nothing changed, or
/// it succeeded and the file, HEAD and the index agree.
fn assert_old_or_new(
    env: &Env,
    repo: &Path,
    rel: &str,
    o: &Output,
    before: &(String, Vec<u8>, Vec<u8>),
) -> bool {
    assert!(
        o.status.signal().is_none(),
        "killed by a signal: {:?}",
        o.status
    );
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
    assert!(
        side_files(repo).is_empty(),
        "temporary files left: {:?}",
        side_files(repo)
    );
    if o.status.success() {
        assert_ne!(head_of(repo), before.0);
        let in_head = git_ok(env, repo, &["show", &format!("HEAD:{rel}")]);
        assert_eq!(
            std::fs::read_to_string(repo.join(rel)).expect("read"),
            in_head
        );
        true
    } else {
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(o);
        assert!(
            err.contains("No space left on device")
                || err.contains("File too large")
                || err.contains("space"),
            "not a clear error: {err}"
        );
        let after = snapshot(repo, rel);
        assert_eq!(after.0, before.0, "HEAD moved on a failed save");
        assert!(after.1 == before.1, "the index changed on a failed save");
        assert!(after.2 == before.2, "the record changed on a failed save");
        false
    }
}

#[test]
fn a_full_disk_gives_a_clear_error_and_corrupts_nothing() {
    let env = Env::new();
    let ws = env.demo();
    let disk = env.path().join("schijf");
    std::fs::create_dir_all(&disk).expect("dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=6m", "tmpfs"])
        .arg(&disk)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!(
            "full disk: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN); only the RLIMIT_FSIZE test runs"
        );
        return;
    }
    let _guard = Mount(disk.clone());
    let repo = disk.join("ezk");
    git_ok(
        &env,
        &disk,
        &[
            "clone",
            "-q",
            ws.join("server.git").to_str().expect("utf8"),
            "ezk",
        ],
    );
    git_ok(&env, &repo, &["config", "overleg.department", "EZK"]);
    git_ok(&env, &repo, &["config", "user.name", "Secretariaat EZK"]);
    git_ok(
        &env,
        &repo,
        &["config", "user.email", "ezk@overleg.invalid"],
    );
    let rel = "actions/a-2021-02-a1.toml";
    let big = incompressible(64 * 1024);
    let (mut failed, mut succeeded) = (0, 0);
    // From a completely full disk up to room for everything, in steps: each phase of a save
    // (objects, the work file, the branch, the index) runs out of space somewhere on the way.
    for (n, leave) in [
        0u64, 2048, 8192, 16_384, 32_768, 49_152, 65_536, 81_920, 98_304, 131_072, 196_608,
    ]
    .into_iter()
    .enumerate()
    {
        fill(&disk, leave);
        let before = snapshot(&repo, rel);
        let o = env
            .overleg(&repo)
            .args([
                "set",
                "2021-02-A1",
                &format!("description=poging {n}\n{big}"),
            ])
            .output()
            .expect("set");
        if assert_old_or_new(&env, &repo, rel, &o, &before) {
            succeeded += 1;
        } else {
            failed += 1;
        }
        // a small change on the same disk state too
        let before = snapshot(&repo, rel);
        let o = env
            .overleg(&repo)
            .args(["set", "2021-02-A1", &format!("status_note=klein {n}")])
            .output()
            .expect("set");
        if assert_old_or_new(&env, &repo, rel, &o, &before) {
            succeeded += 1;
        } else {
            failed += 1;
        }
        std::fs::remove_file(disk.join("vulling")).expect("free");
        fsck(&env, &repo);
        // nothing is broken: check finds no damage, and the only leftovers are explained ones
        for (p, m) in check_warnings(&env, &repo) {
            assert!(m.contains("index is behind"), "{p}: {m}");
            git_ok(&env, &repo, &["reset", "-q", "--", &p]);
        }
    }
    eprintln!(
        "full disk: {failed} saves refused cleanly, {succeeded} saved, on a tmpfs filled to 0–192 KiB free"
    );
    assert!(failed >= 2, "the disk was never full enough");
    run_ok(
        env.overleg(&repo)
            .args(["set", "2021-02-A1", "status_note=weer ruimte"]),
    );
    assert!(clean(&env, &repo));
}

/// The same without a mount: a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes every
/// large write fail with EFBIG, the way a full disk makes it fail with ENOSPC.
#[test]
fn a_file_size_limit_gives_a_clear_error_and_corrupts_nothing() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let rel = "actions/a-2021-02-a1.toml";
    let before = snapshot(&ezk, rel);
    let c = env.overleg(&ezk);
    let prog = c.get_program().to_owned();
    let mut limited = Command::new("sh");
    limited
        .args([
            "-c",
            "trap '' XFSZ; exec prlimit --fsize=16384 -- \"$@\"",
            "sh",
        ])
        .arg(prog)
        .args([
            "set",
            "2021-02-A1",
            &format!("description={}", incompressible(100 * 1024)),
        ]);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => limited.env(k, v),
            None => limited.env_remove(k),
        };
    }
    limited.current_dir(&ezk);
    let o = limited.output().expect("run limited");
    assert!(
        !assert_old_or_new(&env, &ezk, rel, &o, &before),
        "saved past the limit"
    );
    fsck(&env, &ezk);
    assert!(check_warnings(&env, &ezk).is_empty());
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A1", "status_note=zonder limiet"]),
    );
}

/// Every loose file: its path and bytes.
fn loose_files(repo: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for fan in 0..=255u8 {
        let Ok(rd) = std::fs::read_dir(repo.join(format!(".git/objects/{fan:02x}"))) else {
            continue;
        };
        for e in rd.flatten() {
            out.push((e.path(), std::fs::read(e.path()).expect("read")));
        }
    }
    out.sort();
    out
}

/// A loose object whose bytes are not what its name says (a disk fault, a bad copy): the
/// binary reads objects without libgit2's own hash check, so overleg's check is what stops
/// the packing. The save stands, the user is told, and every loose file stays as it was.
#[test]
fn a_damaged_loose_object_stops_the_packing_after_a_save_and_nothing_is_lost() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    // an object no save reads, made to hold another object's bytes
    let id = |text: &str| {
        let mut c = env.git(&ezk);
        c.args(["hash-object", "-w", "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = c.spawn().expect("git");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("git");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let victim = id("een notitie die niemand leest\n");
    let other = id("een andere notitie\n");
    let path = |id: &str| ezk.join(format!(".git/objects/{}/{}", &id[..2], &id[2..]));
    std::fs::copy(path(&other), path(&victim)).expect("copy");
    git_ok(&env, &ezk, &["config", "overleg.autoPackBytes", "1"]);
    let before = loose_files(&ezk);
    let out = env
        .overleg(&ezk)
        .args(["set", "2021-02-A2", "status=gereed"])
        .output()
        .expect("overleg");
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("packing"), "{said}");
    assert!(
        said.contains("does not match its id") && said.contains("every object is kept"),
        "{said}"
    );
    // the save's own objects came after: every loose file from before is there unchanged
    let after = loose_files(&ezk);
    for f in &before {
        assert!(after.contains(f), "{} changed or gone", f.0.display());
    }
    let shown = json(&run_ok(env.overleg(&ezk).args([
        "show",
        "2021-02-A2",
        "--json",
    ])));
    assert_eq!(shown["status"], "gereed");
    let packs: Vec<_> = std::fs::read_dir(ezk.join(".git/objects/pack"))
        .expect("pack dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("tmp_"))
        .collect();
    assert_eq!(
        packs,
        Vec::<String>::new(),
        "a half-written pack left behind"
    );
}
