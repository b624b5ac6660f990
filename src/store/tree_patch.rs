//! A new tree for a commit that only changes the content of existing files, made by replacing
//! object ids in the stored trees. libgit2's tree update rebuilds every tree on the way from
//! its entries (50,000 of them in a folder of a large repository: most of a save); the bytes of
//! a tree whose entry only gets a new id are the old bytes with 20 of them replaced.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository};

thread_local! {
    /// Trees shared between the steps of one sync while a [`SharedTrees`] lives on this
    /// thread: the merge reads the trees of both sides and of their base and writes the merged
    /// one, and the pack of the push reads the same four again: at 100,000 records each is
    /// 2.4 MB inflated from a chain of deltas. Only trees this large are kept.
    static SHARED: RefCell<Option<HashMap<Oid, Rc<[u8]>>>> = const { RefCell::new(None) };
}

/// A tree smaller than this is quick to read again.
const SHARED_FROM: usize = 64 * 1024;

/// Trees read or written on this thread are shared (see [`SHARED`]) until this is dropped;
/// then the memory is freed, so that no process keeps trees it may never read again.
pub struct SharedTrees(());

impl SharedTrees {
    pub fn start() -> SharedTrees {
        SHARED.with(|s| *s.borrow_mut() = Some(HashMap::new()));
        SharedTrees(())
    }
}

impl Drop for SharedTrees {
    fn drop(&mut self) {
        SHARED.with(|s| *s.borrow_mut() = None);
    }
}

fn shared(tree: Oid) -> Option<Rc<[u8]>> {
    SHARED.with(|s| s.borrow().as_ref()?.get(&tree).cloned())
}

pub(super) fn share(tree: Oid, data: &Rc<[u8]>) {
    if data.len() >= SHARED_FROM {
        SHARED.with(|s| {
            if let Some(map) = s.borrow_mut().as_mut() {
                map.entry(tree).or_insert_with(|| data.clone());
            }
        });
    }
}

/// The id of `root` with the blob at each path replaced (`None` when a path is not an existing
/// plain file, or nothing to replace: the caller then lets libgit2 build the tree).
pub fn replace_blobs(repo: &Repository, root: Oid, changes: &[(&str, Oid)]) -> Option<Oid> {
    Trees::new(repo)?.replace_blobs(root, changes)
}

/// The trees of one save, each read (and inflated) once: the check that a file has no
/// uncommitted edits and the new tree both walk the same 2.5 MB folder tree at 100,000 records.
pub struct Trees<'r> {
    odb: git2::Odb<'r>,
    objects: PathBuf,
    raw: HashMap<Oid, Rc<[u8]>>,
}

impl<'r> Trees<'r> {
    pub fn new(repo: &'r Repository) -> Option<Trees<'r>> {
        Some(Trees {
            odb: repo.odb().ok()?,
            objects: repo.path().join("objects"),
            raw: HashMap::new(),
        })
    }

    /// A tree's bytes if they were read already.
    pub(super) fn cached(&self, tree: Oid) -> Option<Rc<[u8]>> {
        self.raw.get(&tree).cloned()
    }

    /// A tree's stored bytes (shared: a folder's tree is megabytes).
    pub(super) fn raw(&mut self, tree: Oid) -> Option<Rc<[u8]>> {
        if let Some(data) = self.raw.get(&tree) {
            return Some(data.clone());
        }
        if let Some(data) = shared(tree) {
            self.raw.insert(tree, data.clone());
            return Some(data);
        }
        let object = self.odb.read(tree).ok()?;
        if object.kind() != ObjectType::Tree {
            return None;
        }
        let data: Rc<[u8]> = object.data().into();
        share(tree, &data);
        self.raw.insert(tree, data.clone());
        Some(data)
    }

    /// The blob id of the plain file at `path` under `root`; `None` when there is none (or it
    /// is something else: a link, a folder, a submodule).
    pub fn blob_at(&mut self, root: Oid, path: &str) -> Option<Oid> {
        let mut tree = root;
        let parts: Vec<&str> = path.split('/').collect();
        for (n, name) in parts.iter().enumerate() {
            let data = self.raw(tree)?;
            let (mode, at) = find(&data, name.as_bytes())?;
            let last = n + 1 == parts.len();
            if mode != if last { &b"100644"[..] } else { &b"40000"[..] } {
                return None;
            }
            tree = Oid::from_bytes(data.get(at..at + 20)?).ok()?;
        }
        Some(tree)
    }

    /// Every entry that is not a folder under `tree`, with its path (`path` holds the
    /// folder's path on entry, `/`-terminated or empty), id and mode; `None` when a tree
    /// cannot be read. One path buffer for all: no allocation per file.
    pub fn walk_files(
        &mut self,
        tree: Oid,
        path: &mut Vec<u8>,
        each: &mut dyn FnMut(&[u8], Oid, u32),
    ) -> Option<()> {
        let data = self.raw(tree)?;
        let base = path.len();
        let mut at = 0;
        while at < data.len() {
            let space = at + data.get(at..)?.iter().position(|b| *b == b' ')?;
            let nul = space + data.get(space..)?.iter().position(|b| *b == 0)?;
            let mode = u32::from_str_radix(std::str::from_utf8(&data[at..space]).ok()?, 8).ok()?;
            let id = Oid::from_bytes(data.get(nul + 1..nul + 21)?).ok()?;
            path.truncate(base);
            path.extend_from_slice(&data[space + 1..nul]);
            if mode == 0o40000 {
                path.push(b'/');
                self.walk_files(id, path, each)?;
            } else {
                each(path, id, mode);
            }
            at = nul + 21;
        }
        path.truncate(base);
        Some(())
    }

    /// [`replace_blobs`] with the trees read so far.
    pub fn replace_blobs(&mut self, root: Oid, changes: &[(&str, Oid)]) -> Option<Oid> {
        if changes.is_empty() {
            return None;
        }
        let mut root = root;
        for (path, blob) in changes {
            let parts: Vec<&str> = path.split('/').collect();
            root = self.replace(root, &parts, *blob)?;
        }
        Some(root)
    }

    /// Replace the entry at `parts` under the tree `tree`, returning the new tree's id.
    fn replace(&mut self, tree: Oid, parts: &[&str], blob: Oid) -> Option<Oid> {
        let (name, rest) = parts.split_first()?;
        let mut data = self.raw(tree)?.to_vec();
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
            self.replace(Oid::from_bytes(&data[at..at + 20]).ok()?, rest, blob)?
        };
        data[at..at + 20].copy_from_slice(new.as_bytes());
        self.write_tree(data)
    }

    /// Store a tree's bytes as an object (and keep them for what comes next).
    pub(super) fn write_tree(&mut self, data: Vec<u8>) -> Option<Oid> {
        let id = match write_loose(&self.objects, "tree", &data) {
            Ok(id) => id,
            // an object folder elsewhere, a full disk: libgit2 tries, and reports
            Err(_) => self.odb.write(ObjectType::Tree, &data).ok()?,
        };
        let data: Rc<[u8]> = data.into();
        share(id, &data);
        self.raw.insert(id, data);
        Some(id)
    }
}

/// Write a loose object the way git does, compressed at git's own default for loose objects
/// (`core.looseCompression` = 1, best speed). libgit2 compresses at level 6: for the 2.5 MB
/// tree of a folder of 46,000 records that is most of a save, for a file a few percent smaller.
fn write_loose(objects: &Path, kind: &str, data: &[u8]) -> std::io::Result<Oid> {
    use sha1::{Digest, Sha1};
    let header = format!("{kind} {}\0", data.len());
    let mut hash = Sha1::new();
    hash.update(header.as_bytes());
    hash.update(data);
    let id = Oid::from_bytes(&hash.finalize()).map_err(std::io::Error::other)?;
    let hex = id.to_string();
    let dir = objects.join(&hex[..2]);
    let path = dir.join(&hex[2..]);
    if path.exists() {
        return Ok(id);
    }
    if !objects.is_dir() {
        return Err(std::io::Error::other("no objects folder"));
    }
    std::fs::create_dir_all(&dir)?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tmp = dir.join(format!("tmp_obj_overleg_{}_{stamp}", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut z = flate2::write::ZlibEncoder::new(
            std::io::BufWriter::with_capacity(1 << 16, file),
            flate2::Compression::fast(),
        );
        z.write_all(header.as_bytes())?;
        z.write_all(data)?;
        let file = z.finish()?.into_inner().map_err(|e| e.into_error())?;
        drop(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o444))?;
        }
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(id)
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
        let mut trees = Trees::new(&repo).expect("trees");
        for f in files {
            let want = base.get_path(std::path::Path::new(f)).expect("entry").id();
            assert_eq!(trees.blob_at(root, f), Some(want), "{f}");
        }
        assert_eq!(trees.blob_at(root, "registry/people"), None);
        // what the patch wrote is a valid object to libgit2
        let changed = repo.blob(b"changed\n").expect("blob");
        let id = replace_blobs(&repo, root, &[("registry/people/p-1.toml", changed)]).expect("id");
        let tree = repo.find_tree(id).expect("readable tree");
        assert_eq!(
            tree.get_path(std::path::Path::new("registry/people/p-1.toml"))
                .expect("e")
                .id(),
            changed
        );
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

    /// While a sync's [`SharedTrees`] lives, a large tree read once is read again from memory
    /// (here: after its object file is gone), and a small one is not kept; afterwards nothing
    /// is kept.
    #[test]
    fn large_trees_are_shared_for_the_life_of_a_sync_only() {
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = Repository::init_bare(tmp.path()).expect("init");
        let blob = repo.blob(b"x\n").expect("blob");
        let mut b = TreeUpdateBuilder::new();
        for i in 0..3000 {
            b.upsert(format!("actions/a-{i:05}.toml"), blob, FileMode::Blob);
        }
        let empty = repo.treebuilder(None).expect("tb").write().expect("w");
        let root = b
            .create_updated(&repo, &repo.find_tree(empty).expect("t"))
            .expect("tree");
        let folder = repo
            .find_tree(root)
            .expect("t")
            .get_path(Path::new("actions"))
            .expect("folder")
            .id();
        let loose = |id: Oid| {
            let hex = id.to_string();
            tmp.path().join("objects").join(&hex[..2]).join(&hex[2..])
        };
        let sync = SharedTrees::start();
        let mut first = Trees::new(&repo).expect("trees");
        let size = first.raw(folder).expect("read").len();
        assert!(size > SHARED_FROM, "{size}");
        assert!(first.raw(root).is_some());
        std::fs::remove_file(loose(folder)).expect("remove");
        std::fs::remove_file(loose(root)).expect("remove");
        let fresh = Repository::open_bare(tmp.path()).expect("open");
        let mut second = Trees::new(&fresh).expect("trees");
        assert_eq!(second.raw(folder).map(|d| d.len()), Some(size));
        assert!(second.raw(root).is_none(), "a small tree is not kept");
        drop(sync);
        let mut third = Trees::new(&fresh).expect("trees");
        assert!(third.raw(folder).is_none(), "kept after the sync");
    }
}
