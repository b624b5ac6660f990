//! Fetch and push when the server is a folder: a bare repository on this disk or a shared
//! drive.
//!
//! libgit2 does both there through its pack builder, which finds what to send by entering
//! every object of the other side's tree in a map, and hands the pack to the receiving
//! indexer one object at a time, mapping and unmapping the pack file for each. At 100,000
//! records that was two thirds of a push and half of a fetch. Here the objects to send are
//! those the new commits' trees do not share with their parents' (`Trees::objects_not_in`),
//! less those the receiving side already has; libgit2's pack builder packs them (with its
//! delta search) and the receiving indexer takes the pack whole. A push moves the server's
//! branch only if it is still where this sync found it, where libgit2's folder push
//! overwrites it whatever it holds by then.
//!
//! Like libgit2's folder push (and unlike a git server), a push runs no hooks of the server's.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;

use git2::{ErrorCode, Oid, Repository};

use super::Event;
use super::remote::{Pushed, emit, settled_before_sending};
use crate::store::tree_patch::Trees;

/// The bare repository `url` names when it is a folder given by its full path (or a `file://`
/// URL of one); `None` for anything else: a server, a relative path, a repository with a work
/// tree (git refuses a push to the branch checked out there). libgit2 pushes to those.
pub(crate) fn bare_folder(url: &str) -> Option<Repository> {
    let path = match url.strip_prefix("file://") {
        Some(rest) if !rest.contains('%') => rest,
        Some(_) => return None,
        None if url.contains("://") => return None,
        None => url,
    };
    let path = Path::new(path);
    if !path.is_absolute() || !path.is_dir() {
        return None;
    }
    let repo = Repository::open_bare(path).ok()?;
    repo.is_bare().then_some(repo)
}

/// What a pack from `from` must carry to `to`: the commits from `target` back to those in
/// `known` (commits both sides have) and the trees and blobs they add, less what `to` holds
/// already. `None` when a tree is not one `Trees` reads or a known commit is not in `from`
/// (then libgit2 does it all).
fn objects_to_send(
    from: &Repository,
    to: &Repository,
    target: Oid,
    known: &[Oid],
) -> Result<Option<Vec<(Oid, String)>>, git2::Error> {
    let mut walk = from.revwalk()?;
    walk.push(target)?;
    for k in known {
        if walk.hide(*k).is_err() {
            return Ok(None);
        }
    }
    let Some(mut trees) = Trees::new(from) else {
        return Ok(None);
    };
    let mut found: Vec<(Oid, String)> = Vec::new();
    for id in walk {
        let commit = from.find_commit(id?)?;
        found.push((commit.id(), String::new()));
        let tree = commit.tree_id();
        let mut parents = commit.parent_ids().peekable();
        if parents.peek().is_none() && trees.objects_not_in(None, tree, &mut found).is_none() {
            return Ok(None);
        }
        for parent in parents {
            let before = from.find_commit(parent)?.tree_id();
            if trees
                .objects_not_in(Some(before), tree, &mut found)
                .is_none()
            {
                return Ok(None);
            }
        }
    }
    let odb = to.odb()?;
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    found.retain(|(id, _)| {
        seen.insert(*id) && !odb.exists_ext(*id, git2::OdbLookupFlags::NO_REFRESH)
    });
    Ok(Some(found))
}

/// Fetch `branch` of the bare repository `server` into `remote_ref`. `None` when this does not
/// handle it (no such branch there, trees `Trees` does not read), and libgit2's fetch should.
pub(crate) fn fetch(
    repo: &Repository,
    server: &Repository,
    branch: &str,
    remote_ref: &str,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
) -> Option<Result<(), git2::Error>> {
    let theirs = server.refname_to_id(&format!("refs/heads/{branch}")).ok()?;
    let known = repo.refname_to_id(remote_ref).ok();
    if known == Some(theirs) {
        return Some(Ok(()));
    }
    let here = match repo.odb() {
        Ok(odb) => odb,
        Err(e) => return Some(Err(e)),
    };
    if !here.exists(theirs) {
        // the commits of ours the server has too: what we last fetched, and our branch
        // when we pushed it since
        let there = match server.odb() {
            Ok(odb) => odb,
            Err(e) => return Some(Err(e)),
        };
        let mut common: Vec<Oid> = known.into_iter().collect();
        if let Ok(head) = repo.refname_to_id("HEAD")
            && Some(head) != known
            && there.exists(head)
        {
            common.push(head);
        }
        let objects = match objects_to_send(server, repo, theirs, &common) {
            Ok(Some(o)) => o,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        let bytes = match send(server, repo, &objects) {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        emit(
            progress,
            &Event::Fetch {
                received_objects: objects.len(),
                total_objects: objects.len(),
                indexed_deltas: 0,
                total_deltas: 0,
                received_bytes: bytes,
            },
        );
    }
    Some(
        repo.reference(remote_ref, theirs, true, "overleg sync: fetch")
            .map(|_| ()),
    )
}

/// Push `target` to `branch` of the bare repository `server`, provided the branch is still at
/// `expected` (what the merge was made against; `None`: no such branch yet). `None` when this
/// does not handle the repository's trees, and libgit2's push should.
pub(crate) fn push(
    repo: &Repository,
    server: &Repository,
    target: Oid,
    branch: &str,
    expected: Option<Oid>,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
) -> Option<Result<Pushed, git2::Error>> {
    let refname = format!("refs/heads/{branch}");
    let now = match server.refname_to_id(&refname) {
        Ok(id) => Some(id),
        Err(e) if e.code() == ErrorCode::NotFound => None,
        Err(e) => return Some(Err(e)),
    };
    match settled_before_sending(repo, now, expected, target) {
        Ok(Some(p)) => return Some(Ok(p)),
        Ok(None) => {}
        Err(e) => return Some(Err(e)),
    }
    let objects = match objects_to_send(repo, server, target, now.as_slice()) {
        Ok(Some(o)) => o,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    Some(send(repo, server, &objects).and_then(|bytes| {
        emit(
            progress,
            &Event::Push {
                current: objects.len(),
                total: objects.len(),
                bytes,
            },
        );
        // moved only from where the merge found it: a department that pushed in between
        // makes this one fetch and merge again
        let moved = match now {
            Some(old) => server.reference_matching(&refname, target, true, old, "push"),
            None => server.reference(&refname, target, false, "push"),
        };
        match moved {
            Ok(_) => Ok(Pushed::Done),
            Err(e)
                if matches!(
                    e.code(),
                    ErrorCode::Modified | ErrorCode::Exists | ErrorCode::Locked
                ) =>
            {
                Ok(Pushed::Behind)
            }
            Err(e) => Err(e),
        }
    }))
}

/// The objects packed in `from` and indexed into `to`'s object store in one piece; the size
/// of the pack.
fn send(
    from: &Repository,
    to: &Repository,
    objects: &[(Oid, String)],
) -> Result<usize, git2::Error> {
    if objects.is_empty() {
        return Ok(0);
    }
    let mut pb = from.packbuilder()?;
    // the delta search on every core, as libgit2's push is told to
    pb.set_threads(0);
    for (id, name) in objects {
        pb.insert_object(*id, Some(name))?;
    }
    let mut pack = git2::Buf::new();
    pb.write_buf(&mut pack)?;
    let odb = to.odb()?;
    let mut writer = odb.packwriter()?;
    writer
        .write_all(&pack)
        .map_err(|e| git2::Error::from_str(&format!("writing the pack: {e}")))?;
    writer.commit()?;
    Ok(pack.len())
}
