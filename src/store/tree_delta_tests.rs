use super::super::test_git::git;
use super::*;

/// A tree's bytes from (name, id number) pairs, names in order.
fn tree(entries: &[(String, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, id) in entries {
        out.extend_from_slice(b"100644 ");
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&[0xab; ID - 4]);
    }
    out
}

#[test]
fn a_tree_delta_rebuilds_the_tree_and_is_small() {
    let old: Vec<(String, u32)> = (0..5000).map(|i| (format!("a-{i:05}.toml"), i)).collect();
    let base = Base::new(tree(&old).into(), 0).expect("base");
    // one changed, one added in the middle, one removed, one changed at each end
    let mut new = old.clone();
    new[2500].1 = 90_000;
    new.insert(1234, ("a-01234x.toml".into(), 90_001));
    new.remove(4000);
    new[0].1 = 90_002;
    let last = new.len() - 1;
    new[last].1 = 90_003;
    let target = tree(&new);
    let d = tree_delta(&base, &target).expect("a delta");
    assert!(d.len() < 1000, "{} bytes", d.len());
    assert_eq!(apply(&base.data, &d).as_deref(), Some(target.as_slice()));
    // a tree with nothing in common is stored whole
    let other: Vec<(String, u32)> = (0..5000)
        .map(|i| (format!("b-{i:05}.toml"), i + 100_000))
        .collect();
    assert_eq!(tree_delta(&base, &tree(&other)), None);
}

#[test]
fn copies_longer_than_64_kib_and_offsets_with_zero_bytes_apply() {
    let base: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    for (from, len) in [
        (0, 0x10000),
        (0x10000, 0x10000),
        (0x10000, 0x2_0001),
        (1, 70_000),
    ] {
        let mut d = Vec::new();
        size_varint(&mut d, base.len());
        size_varint(&mut d, len);
        copy_op(&mut d, (from, len));
        assert_eq!(
            apply(&base, &d).as_deref(),
            Some(&base[from..from + len]),
            "{from} {len}"
        );
    }
}

#[test]
fn entries_are_walked_in_the_order_git_writes_them() {
    // a folder sorts as if its name ended in `/`: after `a-b` and `a.b`, before `a0`
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q"]);
    for f in ["a-b", "a.b", "a/x", "a0", "ab", "b/c/d", "b.c", "b0"] {
        let p = d.join(f);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, f).expect("write");
    }
    git(d, &["add", "-A"]);
    let id = git(d, &["write-tree"]);
    let repo = git2::Repository::open(d).expect("open");
    let tree = repo
        .find_object(git2::Oid::from_str(id.trim()).expect("id"), None)
        .expect("tree");
    let odb = repo.odb().expect("odb");
    let data = odb.read(tree.id()).expect("read").data().to_vec();
    let list = entries(&data).expect("entries");
    let names: Vec<String> = list
        .iter()
        .map(|&(s, e)| String::from_utf8_lossy(entry_name(&data[s..e]).0).into_owned())
        .collect();
    assert_eq!(names, ["a-b", "a.b", "a", "a0", "ab", "b.c", "b", "b0"]);
    for w in list.windows(2) {
        let (a, b) = (&data[w[0].0..w[0].1], &data[w[1].0..w[1].1]);
        assert!(tree_order(a, b).is_lt(), "{names:?}");
        assert!(tree_order(b, a).is_gt());
    }
    // and the walk finds every entry a tree shares with itself
    let base = Base::new(data.clone().into(), 0).expect("base");
    let d = tree_delta(&base, &data);
    assert_eq!(
        d.as_deref().map(|d| apply(&data, d)),
        Some(Some(data.clone()))
    );
}
