//! The pack a push sends to a server that has the commit `theirs`: only the objects it lacks,
//! and the trees of record folders as deltas on the server's own versions of them (a "thin"
//! pack, as `git push` sends; the server completes it with what it has).
//!
//! libgit2's push sends every changed tree whole: 1.2 MB for one changed action at 100,000
//! records (the `actions` tree), 12 MB at 1,000,000, on every sync, whatever the change. It
//! also sends the versions of files the server changed since the merge base, which it has.
//! Here a change of one record is a few hundred bytes.

use std::collections::HashSet;
use std::io;

use git2::{ObjectType, Oid, Repository};

use super::loose::{Deflater, header, type_code};
use super::tree_delta::{Base, tree_delta};
use super::tree_edit::Entries;
use super::tree_patch::Trees;

/// A pack's type code of a delta on an object named by its id.
const REF_DELTA: u8 = 7;

/// The most objects a pack is built of here, in memory: more (a first push of a large
/// repository) is left to libgit2's pack builder, which streams.
const MAX_OBJECTS: usize = 200_000;

/// A pack ready to send.
pub struct ThinPack {
    pub bytes: Vec<u8>,
    pub objects: usize,
    /// Entries stored as deltas on objects the server has.
    pub deltas: usize,
}

/// Every object the commits from `target` back to `theirs` add that the server, which has
/// `theirs` and its tree `their_tree` (`None`: nothing), lacks; `None` when a tree is not one
/// `Trees` reads (then libgit2 pushes).
fn objects_to_send(
    repo: &Repository,
    trees: &mut Trees<'_>,
    target: Oid,
    theirs: Option<Oid>,
    their_tree: Option<Oid>,
) -> Result<Option<Vec<(Oid, String)>>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.push(target)?;
    if let Some(t) = theirs {
        walk.hide(t)?;
    }
    let mut out = Vec::new();
    let mut sent = HashSet::new();
    for id in walk {
        let commit = repo.find_commit(id?)?;
        out.push((commit.id(), String::new()));
        let tree = commit.tree_id();
        // What the server's tree lacks of this one; of that, only what this commit adds to
        // its parents: the rest is on the server with a parent it has, or sent with one.
        let mut lacking = Vec::new();
        if trees
            .objects_not_in(their_tree, tree, &mut lacking)
            .is_none()
        {
            return Ok(None);
        }
        let parents = commit
            .parent_ids()
            .map(|p| repo.find_commit(p).map(|c| c.tree_id()))
            .collect::<Result<Vec<Oid>, _>>()?;
        // a merge of the server's tree adds to it just what it lacks (the merge a sync makes)
        if !parents.is_empty() && !parents.iter().any(|p| Some(*p) == their_tree) {
            let mut added = Vec::new();
            for before in parents {
                if trees
                    .objects_not_in(Some(before), tree, &mut added)
                    .is_none()
                {
                    return Ok(None);
                }
            }
            let added: HashSet<Oid> = added.into_iter().map(|(id, _)| id).collect();
            lacking.retain(|(id, _)| added.contains(id));
        }
        out.extend(lacking.into_iter().filter(|(id, _)| sent.insert(*id)));
    }
    Ok(Some(out))
}

/// The folder at `path` (names joined by `/`; empty: the root) under the tree `root`.
fn folder_at(trees: &mut Trees<'_>, root: Oid, path: &str) -> Option<Oid> {
    let mut at = root;
    for name in path.split('/').filter(|n| !n.is_empty()) {
        let data = trees.raw(at)?;
        at = Entries::of(&data)?.folder(name.as_bytes())?;
    }
    Some(at)
}

/// The pack that brings a server holding `theirs` to `target`. `Ok(None)` when this cannot
/// build it (`theirs` is not here, or see [`objects_to_send`]) or it would be larger than
/// [`MAX_OBJECTS`].
pub fn build(
    repo: &Repository,
    target: Oid,
    theirs: Option<Oid>,
) -> Result<Option<ThinPack>, git2::Error> {
    let Some(mut trees) = Trees::new(repo) else {
        return Ok(None);
    };
    let their_tree = match theirs.map(|t| repo.find_commit(t)) {
        Some(Ok(c)) => Some(c.tree_id()),
        Some(Err(_)) => return Ok(None),
        None => None,
    };
    let Some(objects) = objects_to_send(repo, &mut trees, target, theirs, their_tree)? else {
        return Ok(None);
    };
    if objects.len() > MAX_OBJECTS {
        return Ok(None);
    }
    let odb = repo.odb()?;
    let io_error = |e: io::Error| git2::Error::from_str(&format!("building the pack: {e}"));
    let count = u32::try_from(objects.len())
        .map_err(|_| git2::Error::from_str("too many objects for one pack"))?;
    let mut bytes = Vec::with_capacity(objects.len() * 256 + 64);
    bytes.extend_from_slice(b"PACK");
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend_from_slice(&count.to_be_bytes());
    let mut deltas = 0;
    let mut z = Deflater::new();
    for (id, path) in &objects {
        // every tree to send was read to find what to send: megabytes not to inflate again
        if let Some(data) = trees.cached(*id) {
            if let Some(base_id) = their_tree.and_then(|t| folder_at(&mut trees, t, path))
                && base_id != *id
                && let Some(base) = trees.raw(base_id).and_then(|b| Base::new(b, 0))
                && let Some(d) = tree_delta(&base, &data)
            {
                header(&mut bytes, REF_DELTA, d.len());
                bytes.extend_from_slice(base_id.as_bytes());
                z.deflate(&mut bytes, &d).map_err(io_error)?;
                deltas += 1;
            } else {
                header(
                    &mut bytes,
                    type_code(ObjectType::Tree).map_err(io_error)?,
                    data.len(),
                );
                z.deflate(&mut bytes, &data).map_err(io_error)?;
            }
            continue;
        }
        let object = odb.read(*id)?;
        header(
            &mut bytes,
            type_code(object.kind()).map_err(io_error)?,
            object.data().len(),
        );
        z.deflate(&mut bytes, object.data()).map_err(io_error)?;
    }
    use sha1::{Digest, Sha1};
    let sum: [u8; 20] = Sha1::digest(&bytes).into();
    bytes.extend_from_slice(&sum);
    Ok(Some(ThinPack {
        bytes,
        objects: objects.len(),
        deltas,
    }))
}

#[cfg(test)]
#[path = "thin_pack_tests.rs"]
mod tests;
