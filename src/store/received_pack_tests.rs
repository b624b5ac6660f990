use std::path::Path;

use git2::Repository;

use super::{Received, store};
use crate::store::test_git::{all_objects, git, pack_of};

fn records(dir: &Path, range: std::ops::Range<usize>, tag: &str) {
    std::fs::create_dir_all(dir.join("actions")).expect("folder");
    for i in range {
        std::fs::write(
            dir.join(format!("actions/a-{i:04}.toml")),
            format!(
                "id = \"a-{i}\"\ntitle = \"Actie {i} {tag}\"\nstatus = \"open\"\n\
                 toelichting = \"{}\"\n",
                "De secretaris stelt de annotatie op en stuurt haar rond voor het overleg. "
                    .repeat(6)
            ),
        )
        .expect("record");
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", tag]);
}

/// A repository `there` with 200 records and then 40 of them changed, and a clone `here`
/// of its first commit. Returns both and the two commits.
fn two_clones(root: &Path) -> (std::path::PathBuf, std::path::PathBuf, String, String) {
    let there = root.join("there");
    git(root, &["init", "-q", "-b", "main", "there"]);
    records(&there, 0..200, "start");
    let first = git(&there, &["rev-parse", "HEAD"]).trim().to_string();
    git(root, &["clone", "-q", "there", "here"]);
    records(&there, 0..40, "changed");
    let second = git(&there, &["rev-parse", "HEAD"]).trim().to_string();
    (there, root.join("here"), first, second)
}

fn pack_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(".git/objects/pack"))
        .expect("pack folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_thin_pack_is_completed_with_the_bases_here_and_git_finds_it_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (there, here, first, second) = two_clones(tmp.path());
    let pack = pack_of(&there, &format!("{second}\n^{first}\n"), true);
    let repo = Repository::open(&here).expect("repo");
    let got = store(&repo, &pack).expect("stored");
    // the 40 changed records are deltas on the versions here, and so is the folder's tree
    assert_eq!(got.objects, 43, "{got:?}");
    assert!(got.deltas >= 40, "{got:?}");
    assert!(got.completed >= 40, "{got:?}");
    git(&here, &["fsck", "--strict", "--no-dangling"]);
    let new_pack = pack_files(&here)
        .into_iter()
        .find(|n| n.ends_with(".idx"))
        .expect("an index");
    let verified = git(
        &here,
        &[
            "verify-pack",
            "-s",
            &format!(".git/objects/pack/{new_pack}"),
        ],
    );
    assert!(verified.contains("non delta"), "{verified}");
    // the commit and everything it reaches is readable, by libgit2 as by git
    let commit = repo
        .find_commit(git2::Oid::from_str(&second).expect("id"))
        .expect("the fetched commit");
    let tree = commit.tree().expect("tree");
    let blob = tree
        .get_path(Path::new("actions/a-0007.toml"))
        .expect("record")
        .to_object(&repo)
        .expect("object");
    let text = blob
        .as_blob()
        .map(|b| b.content().to_vec())
        .unwrap_or_default();
    assert!(String::from_utf8_lossy(&text).contains("changed"));
    git(
        &here,
        &["diff", "--quiet", &first, &second, "--", "meetings"],
    );
}

#[test]
fn a_whole_pack_goes_in_as_it_came() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (there, _, _, second) = two_clones(tmp.path());
    git(tmp.path(), &["init", "-q", "-b", "main", "empty"]);
    let empty = tmp.path().join("empty");
    let pack = pack_of(&there, &format!("{second}\n"), false);
    let got = store(&Repository::open(&empty).expect("repo"), &pack).expect("stored");
    assert_eq!(got.completed, 0);
    assert_eq!(got.objects, 2 * 2 + 200 + 40 + 2, "{got:?}"); // commits, trees, blobs
    git(&empty, &["update-ref", "refs/heads/main", &second]);
    git(&empty, &["fsck", "--strict", "--no-dangling"]);
    assert_eq!(all_objects(&empty), all_objects(&there));
    // the entries are stored as sent: the pack file is the one git made
    let stored = pack_files(&empty)
        .into_iter()
        .find(|n| n.ends_with(".pack"))
        .expect("pack");
    let bytes = std::fs::read(empty.join(".git/objects/pack").join(stored)).expect("read");
    assert_eq!(bytes, pack);
}

#[test]
fn an_empty_pack_stores_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (there, here, _, second) = two_clones(tmp.path());
    let pack = pack_of(&there, &format!("{second}\n^{second}\n"), true);
    let before = pack_files(&here);
    let got = store(&Repository::open(&here).expect("repo"), &pack).expect("stored");
    assert_eq!(got, Received::default());
    assert_eq!(pack_files(&here), before);
}

/// `pack` with its checksum made right again after a change.
fn resealed(mut pack: Vec<u8>) -> Vec<u8> {
    use sha1::Digest;
    let body = pack.len() - 20;
    let sum = sha1::Sha1::digest(&pack[..body]);
    pack[body..].copy_from_slice(&sum);
    pack
}

#[test]
fn a_damaged_or_incomplete_pack_is_refused_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (there, here, first, second) = two_clones(tmp.path());
    let pack = pack_of(&there, &format!("{second}\n^{first}\n"), true);
    let repo = Repository::open(&here).expect("repo");
    let before = pack_files(&here);
    let refused = |bytes: &[u8], says: &str| {
        let e = store(&repo, bytes).expect_err("refused");
        assert!(e.to_string().contains(says), "{e} (wanted: {says})");
        assert_eq!(pack_files(&here), before, "nothing left behind");
    };
    // a byte changed on the way
    let mut flipped = pack.clone();
    flipped[pack.len() / 2] ^= 0x40;
    refused(&flipped, "checksum");
    // cut short
    refused(&pack[..pack.len() - 30], "checksum");
    refused(&pack[..10], "is not a pack");
    // an object whose bytes were changed by whoever made the pack
    let mut changed = pack.clone();
    let at = pack.len() / 2;
    changed[at] ^= 0x40;
    let e = store(&repo, &resealed(changed)).expect_err("refused");
    assert!(e.to_string().starts_with("the server's pack"), "{e}");
    // more objects than it holds
    let mut counted = pack.clone();
    counted[11] = counted[11].wrapping_add(1);
    let e = store(&repo, &resealed(counted)).expect_err("refused");
    assert!(e.to_string().starts_with("the server's pack"), "{e}");
    // a thin pack whose bases this repository lacks
    git(tmp.path(), &["init", "-q", "-b", "main", "empty"]);
    let empty = tmp.path().join("empty");
    let e = store(&Repository::open(&empty).expect("repo"), &pack).expect_err("refused");
    assert!(e.to_string().contains("neither in it nor here"), "{e}");
    assert_eq!(
        std::fs::read_dir(empty.join(".git/objects/pack"))
            .expect("folder")
            .count(),
        0
    );
}

#[test]
fn sizes_and_offsets_from_a_server_are_checked_before_use() {
    let tmp = tempfile::tempdir().expect("tmp");
    git(tmp.path(), &["init", "-q", "-b", "main", "r"]);
    let repo = Repository::open(tmp.path().join("r")).expect("repo");
    let pack = |entry: &[u8]| {
        let mut p = b"PACK\0\0\0\x02\0\0\0\x01".to_vec();
        p.extend_from_slice(entry);
        p.extend_from_slice(&[0; 20]);
        resealed(p)
    };
    for (entry, says) in [
        // a blob claiming 2^60 bytes
        (
            &[0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x78][..],
            "too large",
        ),
        // a size field longer than any size
        (
            &[
                0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ][..],
            "impossible size",
        ),
        // a delta reaching back before the pack
        (&[0x65, 0x7f, 0x78, 0x9c][..], "without its base"),
        // an unknown type
        (&[0x50, 0x78, 0x9c][..], "unknown type"),
        // a blob of five bytes whose stream ends at once
        (
            &[0x35, 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
            "shorter",
        ),
    ] {
        let e = store(&repo, &pack(entry)).expect_err("refused");
        assert!(e.to_string().contains(says), "{e} (wanted: {says})");
    }
}
