use std::io::Write;
use std::process::Command;

use super::super::test_git::{all_objects, git};
use super::*;

/// A clone with `n` packs, made the way fetches make them: each holds a few commits, with
/// deltas by offset between versions of a large file, and one pack repeats objects that are
/// also in another.
fn many_packs(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "gc.auto", "0"]);
    let mut text: String = (0..400)
        .map(|i| format!("regel {i} van het verslag\n"))
        .collect();
    for p in 0..n {
        for c in 0..2 {
            text.push_str(&format!("besluit {p}.{c}\n"));
            std::fs::write(d.join("verslag.toml"), &text).expect("write");
            std::fs::write(
                d.join(format!("actie-{p}-{c}.toml")),
                format!("id = {p}{c}\n"),
            )
            .expect("write");
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", &format!("stap {p}.{c}")]);
        }
        git(d, &["repack", "-q", "-d"]);
    }
    // a pack that repeats objects the others hold (as a fetched thin pack made whole does):
    // every version of the large file, bases of deltas here and in their own packs
    let mut repeated = git(d, &["rev-parse", "HEAD^{tree}"]);
    for line in git(d, &["rev-list", "--objects", "--all"]).lines() {
        if let Some(id) = line.strip_suffix(" verslag.toml") {
            repeated.push_str(id);
            repeated.push('\n');
        }
    }
    let mut child = Command::new("git")
        .args(["pack-objects", "-q", ".git/objects/pack/pack"])
        .current_dir(d)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pack-objects");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(repeated.as_bytes())
        .expect("ids");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let stem = pack_dir(d).join(format!("pack-{name}"));
    assert!(stem.with_extension("idx").exists(), "{stem:?}");
    (dir, stem)
}

fn pack_dir(d: &Path) -> PathBuf {
    d.join(".git/objects/pack")
}

fn count(d: &Path, ext: &str) -> usize {
    std::fs::read_dir(pack_dir(d))
        .expect("pack dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == ext))
        })
        .count()
}

#[test]
fn geometric_choice_joins_the_small_packs_and_keeps_a_progression() {
    assert_eq!(geometric_split(&[]), 0);
    assert_eq!(geometric_split(&[5]), 0);
    assert_eq!(
        geometric_split(&[1, 2, 6, 18, 54]),
        0,
        "already a progression"
    );
    assert_eq!(geometric_split(&[1, 1, 1, 1, 100]), 4);
    // sixteen fetches of 1.5 and an earlier join of 40 join; the clone's pack of 150 stays
    let mut sizes = vec![15u64; 16];
    sizes.extend([400, 1500]);
    assert_eq!(geometric_split(&sizes), 17);
    sizes.push(10_000);
    assert_eq!(geometric_split(&sizes), 17);
    // after a split, each remaining pack is at least twice all below it
    for sizes in [
        vec![3u64, 3, 5, 9, 30, 31, 200, 201],
        vec![1, 1, 2, 3, 5, 8, 13, 21, 34],
    ] {
        let k = geometric_split(&sizes);
        for j in k..sizes.len() {
            assert!(
                sizes[j] >= 2 * sizes[..j].iter().sum::<u64>(),
                "{sizes:?} at {j}"
            );
        }
    }
}

#[test]
fn many_packs_become_few_with_every_object_kept_and_git_content() {
    let (dir, _) = many_packs(PACK_LIMIT + 4);
    let d = dir.path();
    let before = all_objects(d);
    let packs_before = count(d, "pack");
    assert!(packs_before > PACK_LIMIT, "{packs_before}");
    let joined = join_if_many(&d.join(".git"))
        .expect("join")
        .expect("joined");
    let packs_after = count(d, "pack");
    assert_eq!(packs_after, packs_before - joined.packs + 1);
    assert!(packs_after <= 3, "{packs_after} packs left");
    assert_eq!(count(d, "idx"), packs_after);
    assert!(
        !std::fs::read_dir(pack_dir(d)).expect("dir").any(|e| e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .starts_with("tmp_")),
        "temporary files left"
    );
    assert_eq!(all_objects(d), before, "the same objects, each readable");
    assert!(joined.repeated > 0, "the repeated objects were left out");
    // git checks every object and the joined pack's index against its content
    git(d, &["fsck", "--full", "--strict", "--no-dangling"]);
    let idx = pack_dir(d).join(joined.name.replace(".pack", ".idx"));
    git(d, &["verify-pack", idx.to_str().expect("utf8")]);
    // and libgit2 reads every object through the joined pack
    let repo = git2::Repository::open(d).expect("open");
    let odb = repo.odb().expect("odb");
    let mut n = 0;
    odb.foreach(|id| {
        n += 1;
        odb.read(*id).is_ok()
    })
    .expect("all read");
    assert!(n >= joined.objects / 2, "{n} objects");
    // nothing more to do until the packs are many again
    assert_eq!(join_if_many(&d.join(".git")).expect("again"), None);
}

/// The repeated copies come first, so the packs' own copies are left out, and the deltas on
/// them in those packs must now name their base by id.
#[test]
fn deltas_on_a_left_out_copy_find_their_base_by_id() {
    let (dir, repeated) = many_packs(4);
    let d = dir.path();
    let before = all_objects(d);
    let mut packs = vec![Pack {
        stem: repeated.clone(),
        size: 0,
    }];
    for e in std::fs::read_dir(pack_dir(d)).expect("dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "pack") && p.with_extension("") != repeated {
            packs.push(Pack {
                stem: p.with_extension(""),
                size: 0,
            });
        }
    }
    let joined = join(&pack_dir(d), &packs, &mut || false)
        .expect("join")
        .expect("joined");
    assert!(joined.repeated > 0);
    assert!(joined.rebased > 0, "{joined:?}");
    assert_eq!(count(d, "pack"), 1);
    assert_eq!(all_objects(d), before);
    git(d, &["fsck", "--full", "--strict", "--no-dangling"]);
    let idx = pack_dir(d).join(joined.name.replace(".pack", ".idx"));
    git(d, &["verify-pack", idx.to_str().expect("utf8")]);
}

/// Two departments' syncs joining a folder server's packs at once: each finishes without an
/// error, and every object is still there.
#[test]
fn two_joins_at_once_lose_nothing() {
    for _ in 0..4 {
        let (dir, _) = many_packs(PACK_LIMIT + 3);
        let d = dir.path();
        let before = all_objects(d);
        let git_dir = d.join(".git");
        let start = std::sync::Barrier::new(2);
        let results: Vec<io::Result<Option<Joined>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        join_if_many(&git_dir)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        for r in &results {
            assert!(r.is_ok(), "{r:?}");
        }
        assert!(
            results.iter().any(|r| matches!(r, Ok(Some(_)))),
            "{results:?}"
        );
        assert_eq!(all_objects(d), before);
        assert!(count(d, "pack") <= 3);
        git(d, &["fsck", "--full", "--strict", "--no-dangling"]);
    }
}

#[test]
fn a_damaged_pack_stops_the_join_and_every_pack_stays() {
    let (dir, _) = many_packs(PACK_LIMIT + 2);
    let d = dir.path();
    let mut packs: Vec<PathBuf> = std::fs::read_dir(pack_dir(d))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pack"))
        .collect();
    packs.sort_by_key(|p| std::fs::metadata(p).expect("meta").len());
    // one byte inside an entry of the smallest pack, which is always among those joined
    let victim = &packs[0];
    let mut bytes = std::fs::read(victim).expect("read");
    let at = bytes.len() / 2;
    bytes[at] ^= 0x55;
    std::fs::write(victim, &bytes).expect("write");
    let names_before: Vec<_> = {
        let mut v: Vec<_> = std::fs::read_dir(pack_dir(d))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        v.sort();
        v
    };
    let err = join_if_many(&d.join(".git")).expect_err("refused");
    assert!(err.to_string().contains("checksum"), "{err}");
    let mut names_after: Vec<_> = std::fs::read_dir(pack_dir(d))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names_after.sort();
    assert_eq!(names_after, names_before, "no pack removed, no file left");
    assert_eq!(
        std::fs::read(victim).expect("read"),
        bytes,
        "kept as it was"
    );
}

#[test]
fn kept_packs_and_a_multi_pack_index_are_left_alone() {
    let (dir, _) = many_packs(PACK_LIMIT + 2);
    let d = dir.path();
    // every pack but two kept: too few left to join
    let packs: Vec<PathBuf> = std::fs::read_dir(pack_dir(d))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pack"))
        .collect();
    for p in &packs[2..] {
        std::fs::write(p.with_extension("keep"), "").expect("keep");
    }
    assert_eq!(join_if_many(&d.join(".git")).expect("join"), None);
    for p in &packs[2..] {
        std::fs::remove_file(p.with_extension("keep")).expect("unkeep");
    }
    git(d, &["multi-pack-index", "write"]);
    assert_eq!(join_if_many(&d.join(".git")).expect("join"), None);
    assert_eq!(count(d, "pack"), packs.len());
}

#[test]
fn a_join_stopped_half_way_keeps_every_pack_and_leaves_nothing() {
    let (dir, _) = many_packs(PACK_LIMIT + 2);
    let d = dir.path();
    let listing = || {
        let mut v: Vec<(std::ffi::OsString, Vec<u8>)> = std::fs::read_dir(pack_dir(d))
            .expect("dir")
            .map(|e| {
                let e = e.expect("entry");
                (e.file_name(), std::fs::read(e.path()).expect("read"))
            })
            .collect();
        v.sort();
        v
    };
    let before = listing();
    let objects = all_objects(d);
    let plan = plan(&d.join(".git"), PACK_LIMIT)
        .expect("plan")
        .expect("packs to join");
    let joining = plan.packs();
    let mut asked = 0;
    let e = plan
        .run_unless(&mut || {
            asked += 1;
            asked == 3
        })
        .expect_err("stopped");
    assert_eq!(e.kind(), io::ErrorKind::Interrupted);
    assert!(joining > 3, "{joining}");
    // small packs: asked at the first entry of each, until told to stop
    assert_eq!(asked, 3);
    assert_eq!(
        listing(),
        before,
        "every pack as it was, no file left behind"
    );
    assert_eq!(all_objects(d), objects);
}
