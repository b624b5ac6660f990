//! A new tree for a commit that only changes the content of existing files, made by replacing
//! object ids in the stored trees. libgit2's tree update rebuilds every tree on the way from
//! its entries (50,000 of them in a folder of a large repository: most of a save); the bytes of
//! a tree whose entry only gets a new id are the old bytes with 20 of them replaced.

use git2::{ObjectType, Oid, Repository};

/// The id of `root` with the blob at each path replaced (`None` when a path is not an existing
/// plain file, or nothing to replace: the caller then lets libgit2 build the tree).
pub fn replace_blobs(repo: &Repository, root: Oid, changes: &[(&str, Oid)]) -> Option<Oid> {
    if changes.is_empty() {
        return None;
    }
    let odb = repo.odb().ok()?;
    let mut root = root;
    for (path, blob) in changes {
        let parts: Vec<&str> = path.split('/').collect();
        root = replace(&odb, root, &parts, *blob)?;
    }
    Some(root)
}

/// Replace the entry at `parts` under the tree `tree`, returning the new tree's id.
fn replace(odb: &git2::Odb<'_>, tree: Oid, parts: &[&str], blob: Oid) -> Option<Oid> {
    let (name, rest) = parts.split_first()?;
    let object = odb.read(tree).ok()?;
    if object.kind() != ObjectType::Tree {
        return None;
    }
    let mut data = object.data().to_vec();
    let (mode, at) = find(&data, name.as_bytes())?;
    let new = if rest.is_empty() {
        // a plain file (not executable, not a link, not a submodule)
        if mode != b"100644" {
            return None;
        }
        blob
    } else {
        if mode != b"40000" {
            return None;
        }
        replace(odb, Oid::from_bytes(&data[at..at + 20]).ok()?, rest, blob)?
    };
    data[at..at + 20].copy_from_slice(new.as_bytes());
    odb.write(ObjectType::Tree, &data).ok()
}

/// The mode of the entry `name` and where its id starts, in a tree's bytes
/// (`<mode> <name>\0<20-byte id>` after each other).
fn find<'a>(data: &'a [u8], name: &[u8]) -> Option<(&'a [u8], usize)> {
    let mut at = 0;
    while at < data.len() {
        let space = at + data.get(at..)?.iter().position(|b| *b == b' ')?;
        let nul = space + data.get(space..)?.iter().position(|b| *b == 0)?;
        let id = nul + 1;
        data.get(id..id + 20)?;
        if &data[space + 1..nul] == name {
            return Some((&data[at..space], id));
        }
        at = id + 20;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{FileMode, build::TreeUpdateBuilder};

    /// The same tree, to the id, as libgit2's own update, for files at the top, one and two
    /// folders down; and no answer for what it does not do (new files, folders, links).
    #[test]
    fn the_same_tree_as_libgit2() {
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = Repository::init_bare(tmp.path()).expect("init");
        let mut b = TreeUpdateBuilder::new();
        let files = [
            "overleg.toml",
            "actions/a-1.toml",
            "actions/a-2.toml",
            "actions/a-2.toml.x",
            "actions-x/a-1.toml",
            "registry/people/p-1.toml",
            "registry/people/p-2.toml",
            "registry/bodies/b-1.toml",
        ];
        for (i, f) in files.iter().enumerate() {
            let blob = repo.blob(format!("{i}\n").as_bytes()).expect("blob");
            b.upsert(*f, blob, FileMode::Blob);
        }
        let empty = repo.treebuilder(None).expect("tb").write().expect("w");
        let base = repo.find_tree(empty).expect("t");
        let root = b.create_updated(&repo, &base).expect("tree");
        let base = repo.find_tree(root).expect("t");
        for set in [
            vec!["actions/a-2.toml"],
            vec!["overleg.toml"],
            vec!["registry/people/p-2.toml", "actions/a-1.toml"],
            vec![
                "actions-x/a-1.toml",
                "registry/bodies/b-1.toml",
                "overleg.toml",
            ],
        ] {
            let changes: Vec<(&str, Oid)> = set
                .iter()
                .map(|p| {
                    (
                        *p,
                        repo.blob(format!("new {p}\n").as_bytes()).expect("blob"),
                    )
                })
                .collect();
            let mut b = TreeUpdateBuilder::new();
            for (p, o) in &changes {
                b.upsert(*p, *o, FileMode::Blob);
            }
            let theirs = b.create_updated(&repo, &base).expect("tree");
            assert_eq!(
                replace_blobs(&repo, root, &changes),
                Some(theirs),
                "{set:?}"
            );
        }
        let blob = repo.blob(b"x").expect("blob");
        for missing in [
            "actions/a-9.toml",
            "nieuw/a.toml",
            "actions",
            "registry/people",
        ] {
            assert_eq!(
                replace_blobs(&repo, root, &[(missing, blob)]),
                None,
                "{missing}"
            );
        }
    }
}
