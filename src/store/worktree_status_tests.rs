//! The status read from the index agrees with libgit2's, whatever was done to the files.

use std::path::Path;
use std::time::{Duration, SystemTime};

use proptest::prelude::*;

fn is_record(p: &str) -> bool {
    p == "overleg.toml"
        || (p.ends_with(".toml")
            && crate::model::Kind::ALL.iter().any(|k| {
                p.strip_prefix(k.folder())
                    .is_some_and(|r| r.starts_with('/'))
            }))
}

/// Every file an hour old, then the index taken again, so that entries are not racy and the
/// stat data is what decides.
fn age_and_refresh(repo: &git2::Repository, root: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in walk(root) {
        if let Ok(f) = std::fs::File::options().write(true).open(&entry) {
            let _ = f.set_modified(old);
        }
    }
    let mut index = repo.index().expect("index");
    // added again: entries with the files' stat data as they are now
    index.clear().expect("clear");
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .expect("refresh");
    index.write().expect("write index");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn repo_with_records(dir: &Path) -> git2::Repository {
    let repo = git2::Repository::init(dir).expect("init");
    for folder in ["actions", "items", "registry/people"] {
        std::fs::create_dir_all(dir.join(folder)).expect("dir");
    }
    for i in 0..8 {
        std::fs::write(
            dir.join(format!("actions/a-{i}.toml")),
            format!("id = \"a-{i}\"\n"),
        )
        .expect("write");
        std::fs::write(
            dir.join(format!("items/i-{i}.toml")),
            format!("id = \"i-{i}\"\n"),
        )
        .expect("write");
    }
    std::fs::write(dir.join("registry/people/p-1.toml"), "id = \"p-1\"\n").expect("w");
    std::fs::write(dir.join("overleg.toml"), "name = \"t\"\n").expect("w");
    std::fs::write(dir.join("README.md"), "x\n").expect("w");
    std::fs::write(dir.join(".gitignore"), "actions/ignored-*.toml\n").expect("w");
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let sig = git2::Signature::now("t", "t@t.invalid").expect("sig");
    repo.commit(Some("HEAD"), &sig, &sig, "start", &tree, &[])
        .expect("commit");
    drop(tree);
    age_and_refresh(&repo, dir);
    repo
}

fn apply(repo: &git2::Repository, dir: &Path, op: u8, n: usize) {
    let a = format!("actions/a-{}.toml", n % 8);
    let p = dir.join(&a);
    match op % 13 {
        // new content of the same length, the old modification time put back
        0 => {
            let old = std::fs::metadata(&p).and_then(|m| m.modified()).ok();
            let _ = std::fs::write(&p, format!("id = \"b-{}\"\n", n % 8));
            if let (Some(t), Ok(f)) = (old, std::fs::File::options().write(true).open(&p)) {
                let _ = f.set_modified(t);
            }
        }
        // touched only
        1 => {
            if let Ok(f) = std::fs::File::options().write(true).open(&p) {
                let _ = f.set_modified(SystemTime::now());
            }
        }
        2 => {
            let _ = std::fs::remove_file(&p);
        }
        3 => {
            let _ = std::fs::write(dir.join(format!("items/new-{n}.toml")), "id = \"x\"\n");
        }
        4 => {
            let _ = std::fs::write(dir.join(format!("actions/note-{n}.md")), "x\n");
        }
        // staged, not committed
        5 => {
            let _ = std::fs::write(&p, format!("id = \"staged-{n}\"\n"));
            if p.exists() {
                let mut index = repo.index().expect("index");
                let _ = index.add_path(Path::new(&a));
                let _ = index.write();
            }
        }
        6 => {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
        }
        7 => {
            let _ = std::fs::remove_file(&p);
            let _ = std::os::unix::fs::symlink("../items/i-1.toml", &p);
        }
        8 => {
            let _ = std::fs::create_dir_all(dir.join("actions/sub"));
            let _ = std::fs::write(dir.join(format!("actions/sub/s-{n}.toml")), "x\n");
        }
        9 => {
            let _ = std::fs::write(dir.join(format!("actions/ignored-{n}.toml")), "x\n");
        }
        // a new file staged, among the others in git's order or in a folder of its own
        11 | 12 => {
            let rel = if op % 13 == 11 {
                format!("actions/a-{}b.toml", n % 8)
            } else {
                format!("actions/sub/t-{n}.toml")
            };
            let _ = std::fs::create_dir_all(dir.join("actions/sub"));
            let _ = std::fs::write(dir.join(&rel), "id = \"n\"\n");
            let mut index = repo.index().expect("index");
            let _ = index.add_path(Path::new(&rel));
            let _ = index.write();
        }
        // out of the index only
        _ => {
            let mut index = repo.index().expect("index");
            let _ = index.remove_path(Path::new(&a));
            let _ = index.write();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_same_files_as_libgit2(ops in proptest::collection::vec((any::<u8>(), any::<usize>()), 0..6)) {
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = repo_with_records(tmp.path());
        for (op, n) in &ops {
            apply(&repo, tmp.path(), *op, *n);
        }
        let ours = super::uncommitted(&repo, "", &is_record);
        let libgit2 = crate::sync::uncommitted(&repo).expect("status");
        prop_assert_eq!(ours, Some(libgit2));
    }
}

#[test]
fn a_clean_checkout_is_clean_and_attributes_are_left_to_libgit2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = repo_with_records(tmp.path());
    assert_eq!(super::uncommitted(&repo, "", &is_record), Some(Vec::new()));
    // the entries carry the files' stat data, so that is what decides (nothing is hashed)
    let index = repo.index().expect("index");
    let entry = index
        .get_path(Path::new("actions/a-3.toml"), 0)
        .expect("entry");
    let meta = std::fs::metadata(tmp.path().join("actions/a-3.toml")).expect("meta");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(i64::from(entry.mtime.seconds()), meta.mtime());
    assert_eq!(i64::from(entry.ctime.seconds()), meta.ctime());
    apply(&repo, tmp.path(), 0, 3);
    assert_eq!(
        super::uncommitted(&repo, "", &is_record),
        Some(vec!["actions/a-3.toml".to_string()])
    );
    std::fs::write(tmp.path().join(".gitattributes"), "*.toml text eol=crlf\n").expect("w");
    assert_eq!(super::uncommitted(&repo, "", &is_record), None);
}
