use super::super::test_git::{all_objects, git};
use super::*;
use std::io::Write;

/// A clone where every commit wrote its objects loose, as overleg's saves do: a folder of
/// a few hundred records (its tree over the size for deltas), one record changed per commit.
fn loose_repo(commits: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "gc.auto", "0"]);
    std::fs::create_dir_all(d.join("actions")).expect("dir");
    for i in 0..400 {
        std::fs::write(
            d.join(format!("actions/a-{i:04}.toml")),
            format!("id = {i}\n"),
        )
        .expect("write");
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "begin"]);
    for c in 0..commits {
        std::fs::write(
            d.join(format!("actions/a-{:04}.toml", (c * 37) % 400)),
            format!("id = {c}\nstatus = \"gereed\"\n"),
        )
        .expect("write");
        git(d, &["commit", "-q", "-am", &format!("stap {c}")]);
    }
    dir
}

fn loose_files(d: &Path) -> usize {
    list(&d.join(".git/objects"), &mut || false)
        .expect("list")
        .map_or(0, |l| l.len())
}

#[test]
fn loose_objects_become_one_pack_with_trees_as_deltas_and_git_content() {
    let dir = loose_repo(40);
    let d = dir.path();
    let before = all_objects(d);
    let n = loose_files(d);
    assert!(n > 400, "{n} loose objects");
    let repo = Repository::open(d).expect("open");
    let packed = pack_all(&repo).expect("packed");
    assert_eq!(packed.objects, n);
    assert_eq!(loose_files(d), 0, "loose files removed");
    assert!(packed.deltas >= 39, "{packed:?}");
    assert!(packed.pack_bytes * 3 < packed.loose_bytes, "{packed:?}");
    assert_eq!(all_objects(d), before, "every object, readable");
    git(d, &["fsck", "--full", "--strict", "--no-dangling"]);
    let pack = std::fs::read_dir(d.join(".git/objects/pack"))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an index");
    git(d, &["verify-pack", pack.to_str().expect("utf8")]);
    // libgit2 reads every tree back through its delta
    let odb = repo.odb().expect("odb");
    odb.foreach(|id| odb.read(*id).is_ok()).expect("all read");
}

#[test]
fn a_damaged_loose_object_stops_the_packing_and_every_file_stays() {
    let dir = loose_repo(3);
    let d = dir.path();
    let files = list(&d.join(".git/objects"), &mut || false)
        .expect("list")
        .expect("listed");
    let (_, victim, _) = &files[files.len() / 2];
    // a valid zlib stream of other content: libgit2 reads it, its id does not match
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(b"blob 5\0hallo").expect("z");
    let bytes = z.finish().expect("z");
    std::fs::set_permissions(victim, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    std::fs::write(victim, &bytes).expect("write");
    let repo = Repository::open(d).expect("open");
    let err = pack_all(&repo).expect_err("refused");
    // libgit2 checks it in tests (the binary leaves that to overleg's own check)
    let msg = err.to_string();
    assert!(
        msg.contains("does not match") || msg.contains("mismatch"),
        "{msg}"
    );
    assert_eq!(loose_files(d), files.len(), "no loose file removed");
    assert_eq!(std::fs::read(victim).expect("read"), bytes);
    let packs = std::fs::read_dir(d.join(".git/objects/pack"))
        .map(|rd| rd.count())
        .unwrap_or(0);
    assert_eq!(packs, 0, "no pack or temporary file left");
}

#[test]
fn few_loose_objects_are_left_loose() {
    let dir = loose_repo(2);
    let repo = Repository::open(dir.path()).expect("open");
    use super::super::housekeeping::{LOOSE_LIMIT, Limits, due};
    let by_count = Limits {
        objects: Some(LOOSE_LIMIT),
        bytes: None,
    };
    assert_eq!(due(repo.path(), by_count), None);
    assert!(loose_files(dir.path()) > 0);
}
