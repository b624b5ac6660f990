use std::path::PathBuf;

use super::super::test_git::{all_objects, git};
use super::*;

/// A repository made by git with `n` commits of one growing file each: every object loose.
fn loose_repo(n: usize) -> (tempfile::TempDir, git2::Repository) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "gc.auto", "0"]);
    for i in 0..n {
        let text: String = (0..=i)
            .map(|k| format!("regel {k} van versie {i}\n"))
            .collect();
        std::fs::write(d.join("a.toml"), text).expect("write");
        git(d, &["add", "a.toml"]);
        git(d, &["commit", "-q", "-m", &format!("versie {i}")]);
    }
    let repo = git2::Repository::open(d).expect("open");
    (dir, repo)
}

/// Every loose file: path and bytes.
fn loose_files(git_dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for fan in 0..=255u8 {
        let Ok(rd) = std::fs::read_dir(git_dir.join("objects").join(format!("{fan:02x}"))) else {
            continue;
        };
        for e in rd.flatten() {
            out.push((e.path(), std::fs::read(e.path()).expect("read")));
        }
    }
    out.sort();
    out
}

fn pack_dir_names(git_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(git_dir.join("objects").join("pack"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn limits_follow_git_gc_auto_and_the_size_setting() {
    let (_d, repo) = loose_repo(1);
    let mut cfg = repo.config().expect("config");
    // (git itself must not pack while the test repositories are made)
    cfg.remove("gc.auto").expect("unset");
    assert_eq!(
        limits(&cfg),
        Limits {
            objects: Some(LOOSE_LIMIT),
            bytes: Some(LOOSE_BYTES_LIMIT)
        }
    );
    cfg.set_str("overleg.autoPackBytes", "3k").expect("set");
    assert_eq!(limits(&cfg).bytes, Some(3 * 1024));
    cfg.set_i64("overleg.autoPackBytes", 0).expect("set");
    assert_eq!(
        limits(&cfg),
        Limits {
            objects: Some(LOOSE_LIMIT),
            bytes: None
        }
    );
    // git's automatic packing turned off turns off overleg's, both limits
    cfg.set_str("overleg.autoPackBytes", "3k").expect("set");
    cfg.set_i64("gc.auto", 0).expect("set");
    assert_eq!(
        limits(&cfg),
        Limits {
            objects: None,
            bytes: None
        }
    );
}

#[test]
fn loose_objects_are_due_by_their_size_however_few() {
    let (_d, repo) = loose_repo(12);
    let files = loose_files(repo.path());
    assert_eq!(files.len(), 36);
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let by_size = |b: u64| Limits {
        objects: Some(LOOSE_LIMIT),
        bytes: Some(b),
    };
    // counted exactly while there are few
    assert_eq!(
        due(repo.path(), by_size(bytes - 1)),
        Some(Due {
            objects: 36,
            bytes: Some(bytes)
        })
    );
    assert_eq!(due(repo.path(), by_size(bytes)), None);
    assert_eq!(
        due(
            repo.path(),
            Limits {
                objects: Some(LOOSE_LIMIT),
                bytes: None
            }
        ),
        None
    );
}

#[test]
fn packing_stopped_half_way_leaves_every_loose_file_and_no_pack() {
    let (_d, repo) = loose_repo(12);
    let before = loose_files(repo.path());
    let objects = all_objects(repo.workdir().expect("work tree"));
    // stopped while the loose objects are being listed
    let e = pack_loose(&repo, &mut || true).expect_err("stopped");
    assert_eq!(e.kind(), io::ErrorKind::Interrupted);
    assert_eq!(loose_files(repo.path()), before);
    // and while they are being packed
    let mut asked = 0;
    let e = pack_loose(&repo, &mut || {
        asked += 1;
        asked > 20
    })
    .expect_err("stopped");
    assert_eq!(e.kind(), io::ErrorKind::Interrupted);
    assert_eq!(asked, 21, "asked along the way, and before each object");
    assert_eq!(loose_files(repo.path()), before);
    assert_eq!(pack_dir_names(repo.path()), Vec::<String>::new());
    // then packed in full when not stopped
    let p = pack_loose(&repo, &mut || false).expect("packed");
    assert_eq!(p.objects, 36);
    assert_eq!(loose_files(repo.path()), Vec::new());
    let wd = repo.workdir().expect("work tree");
    assert_eq!(all_objects(wd), objects);
    git(wd, &["fsck", "--full", "--strict"]);
}

#[test]
fn what_a_killed_packing_left_is_swept_after_an_hour() {
    let (_d, repo) = loose_repo(2);
    let pack = repo.path().join("objects").join("pack");
    std::fs::create_dir_all(&pack).expect("pack dir");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for name in [
        "tmp_overleg_1-2.pack",
        "tmp_overleg_1-2.idx",
        "tmp_pack_git",
    ] {
        let f = std::fs::File::create(pack.join(name)).expect("create");
        f.set_modified(old).expect("mtime");
    }
    // one being written now by another process
    std::fs::write(pack.join("tmp_overleg_9-9.pack"), b"PACK").expect("write");
    pack_loose(&repo, &mut || false).expect("packed");
    let names = pack_dir_names(repo.path());
    let tmp: Vec<&String> = names.iter().filter(|n| n.starts_with("tmp_")).collect();
    assert_eq!(tmp, ["tmp_overleg_9-9.pack", "tmp_pack_git"]);
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn two_packings_at_once_lose_nothing() {
    // A workbench packing while the user's `overleg set` in another terminal packs too. The
    // first is held half way (from its stop check) until the second has packed and removed
    // every loose file; then it goes on, reading objects whose loose files are gone.
    for hold_at in [1, 20, 30] {
        let (d, repo) = loose_repo(12);
        let wd = d.path().to_path_buf();
        let objects = all_objects(&wd);
        let git_dir = repo.path().to_path_buf();
        let (go, wait_go) = std::sync::mpsc::channel::<()>();
        let (done, wait_done) = std::sync::mpsc::channel::<()>();
        let results: Vec<io::Result<Packed>> = std::thread::scope(|s| {
            let git_dir = &git_dir;
            let a = s.spawn(move || {
                let r = git2::Repository::open(git_dir).expect("open");
                let mut asked = 0;
                pack_loose(&r, &mut || {
                    asked += 1;
                    if asked == hold_at {
                        go.send(()).expect("go");
                        wait_done.recv().expect("the other packed");
                    }
                    false
                })
            });
            let b = s.spawn(move || {
                wait_go.recv().expect("go");
                let r = git2::Repository::open(git_dir).expect("open");
                let p = pack_loose(&r, &mut || false);
                done.send(()).expect("done");
                p
            });
            vec![a.join().expect("held"), b.join().expect("other")]
        });
        assert!(results[1].is_ok(), "{results:?}");
        // the held one packed too, or stopped with every object still there
        assert_eq!(loose_files(&git_dir), Vec::new(), "{results:?}");
        assert_eq!(all_objects(&wd), objects, "{results:?}");
        git(&wd, &["fsck", "--full", "--strict"]);
        let tmp: Vec<String> = pack_dir_names(&git_dir)
            .into_iter()
            .filter(|n| n.starts_with("tmp_"))
            .collect();
        assert_eq!(tmp, Vec::<String>::new());
    }
}
