//! The trees and blobs one tree has that another lacks at the same place: what a pack must
//! carry to a repository that has the other. libgit2's push finds them by entering every
//! object of the server's tree in a map (100,000 records: a fifth of a push); here an
//! unchanged folder is passed over by its id and an unchanged file by its entry.

use std::cmp::Ordering;

use git2::Oid;

use super::tree_edit::{Entries, Entry, TREE, git_order};
use super::tree_patch::Trees;

/// A commit of another repository (a submodule): nothing of this repository to send.
const SUBMODULE: u32 = 0o160000;

impl Trees<'_> {
    /// Every tree and blob under `to`, `to` itself included, that is not the entry at the same
    /// path under `from` (`None`: nothing), each with its path (the pack's delta search pairs
    /// objects by it). `None` when a tree cannot be read or is not well formed.
    pub fn objects_not_in(
        &mut self,
        from: Option<Oid>,
        to: Oid,
        out: &mut Vec<(Oid, String)>,
    ) -> Option<()> {
        if from == Some(to) {
            return Some(());
        }
        out.push((to, String::new()));
        self.new_under(from, to, &mut Vec::new(), out)
    }

    fn new_under(
        &mut self,
        from: Option<Oid>,
        to: Oid,
        path: &mut Vec<u8>,
        out: &mut Vec<(Oid, String)>,
    ) -> Option<()> {
        let new = self.raw(to)?;
        let old = match from {
            Some(t) => Some(self.raw(t)?),
            None => None,
        };
        let theirs = Entries::of(&new)?;
        let ours = match &old {
            Some(d) => Entries::of(d)?,
            None => Entries::none(),
        };
        let base = path.len();
        let (mut i, mut j) = (0, 0);
        while let Some(e) = theirs.get(j) {
            j += 1;
            // the entry of the same name and kind under `from`
            let mut same: Option<Entry<'_>> = None;
            while let Some(o) = ours.get(i) {
                match git_order(o.name, o.mode == TREE, e.name, e.mode == TREE) {
                    Ordering::Less => i += 1,
                    Ordering::Equal => {
                        same = Some(o);
                        i += 1;
                        break;
                    }
                    Ordering::Greater => break,
                }
            }
            if same.is_some_and(|o| o.id == e.id) || e.mode == SUBMODULE {
                continue;
            }
            let id = e.oid()?;
            path.truncate(base);
            path.extend_from_slice(e.name);
            out.push((id, String::from_utf8_lossy(path).into_owned()));
            if e.mode == TREE {
                path.push(b'/');
                let under = same.and_then(|o| o.oid());
                self.new_under(under, id, path, out)?;
            }
        }
        path.truncate(base);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use git2::{ObjectType, Repository};

    use super::*;

    fn objects_of(repo: &Repository, tree: Oid, out: &mut BTreeSet<Oid>) {
        out.insert(tree);
        let tree = repo.find_tree(tree).expect("tree");
        for e in tree.iter() {
            match e.kind() {
                Some(ObjectType::Tree) => objects_of(repo, e.id(), out),
                Some(ObjectType::Blob) => {
                    out.insert(e.id());
                }
                _ => {}
            }
        }
    }

    fn tree_of(repo: &Repository, files: &[(&str, &str)]) -> Oid {
        let mut index = git2::Index::new().expect("index");
        for (path, text) in files {
            let blob = repo.blob(text.as_bytes()).expect("blob");
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: if path.ends_with(".sh") {
                    0o100755
                } else {
                    0o100644
                },
                uid: 0,
                gid: 0,
                file_size: 0,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).expect("add");
        }
        index.write_tree_to(repo).expect("tree")
    }

    /// Whatever the two trees, the objects found are exactly those of `to` that `from` lacks,
    /// give or take objects `from` has at another place (sending those again is harmless).
    #[test]
    fn the_objects_found_are_what_the_other_tree_lacks() {
        let dir = tempfile::tempdir().expect("tmp");
        let repo = Repository::init_bare(dir.path()).expect("repo");
        type Files<'a> = Vec<(&'a str, &'a str)>;
        let cases: Vec<(Files<'_>, Files<'_>)> = vec![
            (vec![], vec![("a.toml", "1")]),
            (
                vec![("actions/a.toml", "1"), ("actions/b.toml", "2")],
                vec![("actions/a.toml", "1"), ("actions/b.toml", "3")],
            ),
            (
                vec![("actions/a.toml", "1"), ("items/x.toml", "9")],
                vec![
                    ("actions/a.toml", "1"),
                    ("actions/c.toml", "4"),
                    ("notes/n.toml", "5"),
                ],
            ),
            // a file that becomes a folder, and a folder's name that sorts among files
            (
                vec![("x", "1"), ("x.toml", "2"), ("y/a", "3")],
                vec![
                    ("x/inner", "1"),
                    ("x.toml", "2"),
                    ("y", "3"),
                    ("y-z/b", "7"),
                ],
            ),
            // the same blob moved, and a mode changed
            (
                vec![("a/one.toml", "same"), ("run.txt", "echo")],
                vec![("b/one.toml", "same"), ("run.sh", "echo")],
            ),
        ];
        for (n, (before, after)) in cases.into_iter().enumerate() {
            let from = tree_of(&repo, &before);
            let to = tree_of(&repo, &after);
            let mut found = Vec::new();
            Trees::new(&repo)
                .expect("trees")
                .objects_not_in(Some(from), to, &mut found)
                .expect("walk");
            let found: BTreeSet<Oid> = found.into_iter().map(|(id, _)| id).collect();
            let (mut all_from, mut all_to) = (BTreeSet::new(), BTreeSet::new());
            objects_of(&repo, from, &mut all_from);
            objects_of(&repo, to, &mut all_to);
            let lacking: BTreeSet<Oid> = all_to.difference(&all_from).copied().collect();
            assert!(
                found.is_subset(&all_to),
                "case {n}: only objects of the new tree"
            );
            assert!(
                lacking.is_subset(&found),
                "case {n}: every object the old one lacks"
            );
            if from == to {
                assert!(found.is_empty());
            }
        }
    }
}
