//! The tree diff and the batched tree edit against libgit2's own, on random trees whose names
//! exercise git's entry order (`a` the folder sorts after `a-b` and `a.toml`, before `a0`).

use std::path::Path;

use git2::{FileMode, Repository, build::TreeUpdateBuilder};
use proptest::prelude::*;

use super::*;

const FOLDERS: [&str; 4] = ["a", "a-b", "ab", "x"];
const FILES: [&str; 6] = ["a.toml", "a-b.toml", "a0", "ab.toml", "b", "x.y"];

/// A path: up to two folders, then a file.
fn path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(&FOLDERS[..]), 0..3),
        prop::sample::select(&FILES[..]),
    )
        .prop_map(|(dirs, file)| {
            let mut p = dirs.join("/");
            if !p.is_empty() {
                p.push('/');
            }
            p + file
        })
}

/// Content 0..4 (few values: the same blob shows up in several places), and whether the
/// file is executable.
fn files() -> impl Strategy<Value = Vec<(String, u8, bool)>> {
    prop::collection::vec((path(), 0u8..4, any::<bool>()), 1..25)
}

fn mode(x: bool) -> (FileMode, u32) {
    if x {
        (FileMode::BlobExecutable, 0o100755)
    } else {
        (FileMode::Blob, 0o100644)
    }
}

fn build(repo: &Repository, files: &[(String, u8, bool)]) -> Oid {
    let empty = repo.treebuilder(None).expect("tb").write().expect("w");
    let base = repo.find_tree(empty).expect("t");
    let mut b = TreeUpdateBuilder::new();
    // one entry per path: the last given
    let files: std::collections::BTreeMap<&String, (u8, bool)> =
        files.iter().map(|(p, c, x)| (p, (*c, *x))).collect();
    for (p, (content, x)) in files {
        let blob = repo.blob(format!("{content}\n").as_bytes()).expect("blob");
        b.upsert(p, blob, mode(x).0);
    }
    b.create_updated(repo, &base).expect("tree")
}

fn libgit2_diff(repo: &Repository, from: Oid, to: Oid) -> Vec<FileDiff> {
    let (a, b) = (
        repo.find_tree(from).expect("a"),
        repo.find_tree(to).expect("b"),
    );
    let diff = repo
        .diff_tree_to_tree(Some(&a), Some(&b), None)
        .expect("diff");
    let mut out: Vec<FileDiff> = diff
        .deltas()
        .map(|d| {
            let side = |f: git2::DiffFile<'_>| {
                (!f.id().is_zero())
                    .then(|| (f.id(), u32::try_from(i32::from(f.mode())).expect("mode")))
            };
            FileDiff {
                path: d
                    .new_file()
                    .path()
                    .or(d.old_file().path())
                    .and_then(Path::to_str)
                    .expect("path")
                    .to_string(),
                old: side(d.old_file()),
                new: side(d.new_file()),
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn diff_is_libgit2s(a in files(), b in files(), overlap in 0usize..25) {
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = Repository::init_bare(tmp.path()).expect("init");
        // the second tree shares part of the first, so that subtrees are equal by id
        let mut b = b;
        b.extend(a.iter().take(overlap).cloned());
        let (ta, tb) = (build(&repo, &a), build(&repo, &b));
        let mut trees = Trees::new(&repo).expect("trees");
        let mut ours = trees.diff_files(Some(ta), tb).expect("plain files only");
        ours.sort_by(|a, b| a.path.cmp(&b.path));
        prop_assert_eq!(ours, libgit2_diff(&repo, ta, tb));
        let all = trees.diff_files(None, tb).expect("from nothing");
        prop_assert!(all.iter().all(|d| d.old.is_none() && d.new.is_some()));
        let mut listed = Vec::new();
        repo.find_tree(tb).expect("t").walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(git2::ObjectType::Blob) {
                listed.push(format!("{dir}{}", e.name().unwrap_or_default()));
            }
            git2::TreeWalkResult::Ok
        }).expect("walk");
        let mut paths: Vec<String> = all.into_iter().map(|d| d.path).collect();
        paths.sort();
        listed.sort();
        prop_assert_eq!(paths, listed);
    }

    #[test]
    fn edit_is_libgit2s_update(
        start in files(),
        edits in prop::collection::vec((path(), prop::option::of((0u8..4, any::<bool>()))), 1..20),
    ) {
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = Repository::init_bare(tmp.path()).expect("init");
        let root = build(&repo, &start);
        let tree = repo.find_tree(root).expect("t");
        // one edit per path (libgit2 would apply the last), removals only of what exists
        let mut seen = std::collections::HashSet::new();
        let mut list: Vec<(String, FileEdit)> = Vec::new();
        let mut b = TreeUpdateBuilder::new();
        for (p, e) in edits.into_iter().rev() {
            if !seen.insert(p.clone()) {
                continue;
            }
            match e {
                Some((content, x)) => {
                    let blob = repo.blob(format!("{content}\n").as_bytes()).expect("blob");
                    b.upsert(&p, blob, mode(x).0);
                    list.push((p, Some((blob, mode(x).1))));
                }
                None if tree.get_path(Path::new(&p)).is_ok() => {
                    b.remove(&p);
                    list.push((p, None));
                }
                None => {}
            }
        }
        prop_assume!(!list.is_empty());
        let want = b.create_updated(&repo, &tree).expect("libgit2 update");
        let mut trees = Trees::new(&repo).expect("trees");
        prop_assert_eq!(trees.edit_files(root, &list), Some(want));
        // what was written is a valid tree to libgit2
        prop_assert!(repo.find_tree(want).is_ok());
    }
}

#[test]
fn a_file_that_becomes_a_folder_is_left_to_libgit2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = Repository::init_bare(tmp.path()).expect("init");
    let file = build(
        &repo,
        &[("a".into(), 1, false), ("b.toml".into(), 1, false)],
    );
    let folder = build(
        &repo,
        &[("a/c".into(), 1, false), ("b.toml".into(), 1, false)],
    );
    let mut trees = Trees::new(&repo).expect("trees");
    assert_eq!(trees.diff_files(Some(file), folder), None);
    assert_eq!(trees.diff_files(Some(folder), file), None);
}

#[test]
fn declines_what_it_does_not_handle() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = Repository::init_bare(tmp.path()).expect("init");
    let root = build(
        &repo,
        &[("a/b.toml".into(), 1, false), ("c".into(), 2, false)],
    );
    let blob = repo.blob(b"x").expect("blob");
    let mut trees = Trees::new(&repo).expect("trees");
    for edits in [
        vec![("a".to_string(), Some((blob, 0o100644)))], // a file over a folder
        vec![("c/d".to_string(), Some((blob, 0o100644)))], // a folder over a file
        vec![("nothing".to_string(), None)],             // removing what is not there
        vec![("l".to_string(), Some((blob, 0o120000)))], // a link
        vec![
            ("c".to_string(), None),
            ("c".to_string(), Some((blob, 0o100644))),
        ], // one path twice
    ] {
        assert_eq!(trees.edit_files(root, &edits), None, "{edits:?}");
    }
}
