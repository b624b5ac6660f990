//! The steps of our own fetch once the server's references are known, whatever the
//! connection (`wire` for `git://`, `http` for smart HTTP): is there anything to fetch, which
//! commits to name as ours, the pack (into `store::received_pack`, or into libgit2's indexer
//! when it is too large to hold), and the remote-tracking branch moved to what was fetched.

use std::cell::RefCell;
use std::io::{self, Read, Write};

use git2::{Odb, OdbPackwriter, Oid, Repository, Sort};

use super::receive_pack::Advertised;
use super::remote::{Sideband, emit};
use super::upload_pack::{read_answer, request};
use super::{Event, SyncError};
use crate::store::received_pack;

/// A pack up to this size is taken in here; a larger one (the first fetch of a large
/// repository) streams to libgit2's indexer, which does not hold it in memory.
const HELD_BYTES: usize = 256 << 20;
const HELD_OBJECTS: u32 = 200_000;

/// Commits named as ours without a remote-tracking branch: the most recent ones, then ever
/// sparser back to this many.
const HAVES: usize = 32;
const HAVES_WALKED: usize = 4096;

/// Fetch `refname`, advertised in `adv`, into `remote_ref`. `exchange` sends the request (or,
/// with `None`, ends the conversation: nothing is needed) and gives the server's answer;
/// `Ok(None)` from it, or `None` here: libgit2's fetch should do it instead.
pub(crate) fn fetch(
    repo: &Repository,
    adv: &Advertised,
    refname: &str,
    remote_ref: &str,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
    exchange: impl FnOnce(Option<&[u8]>) -> Result<Option<Box<dyn Read>>, SyncError>,
) -> Option<Result<(), SyncError>> {
    // a branch the server does not have: libgit2's fetch leaves things as they are
    let theirs = adv.get(refname)?;
    let known = repo.refname_to_id(remote_ref).ok();
    let odb = match repo.odb() {
        Ok(o) => o,
        Err(e) => return Some(Err(e.into())),
    };
    if known == Some(theirs) || odb.exists(theirs) {
        // up to date, or the server's branch is a commit of ours (we pushed it)
        if let Err(e) = exchange(None) {
            return Some(Err(e));
        }
        return Some(moved(repo, remote_ref, known, theirs));
    }
    let t = std::time::Instant::now();
    let tm = |what: &str| {
        if std::env::var_os("OVERLEG_TIMING").is_some() {
            eprintln!("fetch: {what} {:?}", t.elapsed());
        }
    };
    let body = request(adv, theirs, &haves(repo, known))?;
    tm("haves");
    let mut answer = match exchange(Some(&body)) {
        Ok(Some(a)) => a,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    let mut sink = Sink::Held(Vec::new());
    let received = {
        let mut said = Sideband::new(progress);
        let mut told = 0;
        read_answer(&mut answer, &mut |t| said.feed(t), &mut |bytes| {
            sink.take(&odb, bytes)?;
            if sink.received() >= told + (256 << 10) {
                told = sink.received();
                emit(progress, &sink.progress(false));
            }
            Ok(())
        })
    };
    match received {
        Ok(()) => {}
        // what the server said went wrong, in its words
        Err(e) if e.kind() == io::ErrorKind::Other => {
            return Some(Err(SyncError::Other(format!(
                "the server could not send what was asked ({e}); nothing was changed here"
            ))));
        }
        // a connection that broke or timed out, or an answer that was not git's: libgit2
        // tries once more and says what it finds
        Err(_) => return None,
    }
    tm("received");
    let done = sink.progress(true);
    if sink.store(repo).is_err() || !odb.exists(theirs) {
        // a pack that does not hold what it should: libgit2 fetches again and checks
        return None;
    }
    tm("stored");
    emit(progress, &done);
    Some(moved(repo, remote_ref, known, theirs))
}

/// Move `remote_ref` from `known` to `theirs`, as libgit2's fetch does.
fn moved(
    repo: &Repository,
    remote_ref: &str,
    known: Option<Oid>,
    theirs: Oid,
) -> Result<(), SyncError> {
    if known != Some(theirs) {
        repo.reference(remote_ref, theirs, true, "overleg sync: fetch")?;
    }
    Ok(())
}

/// The commits to name as ours. Each one the server has costs it a walk of that commit's
/// whole tree (it marks what we have, to leave it out of a thin pack): 3 ms at 100,000
/// records, so libgit2's twenty lines were 60 ms of the server's time. What we last fetched
/// is on the server unless its history was rewritten, and then it is all the server needs;
/// our branch is added in case the remote-tracking branch is behind it. Without a
/// remote-tracking branch, the history of ours: the recent commits, then ever sparser.
fn haves(repo: &Repository, known: Option<Oid>) -> Vec<Oid> {
    let head = repo.refname_to_id("HEAD").ok();
    let mut out: Vec<Oid> = known.into_iter().collect();
    if known.is_some() {
        out.extend(head.filter(|h| Some(*h) != known));
        return out;
    }
    let Ok(mut walk) = repo.revwalk() else {
        return out;
    };
    let _ = walk.set_sorting(Sort::TIME);
    if walk.push_head().is_err() {
        return out;
    }
    let (mut next, mut step) = (0, 1);
    for (i, id) in walk.flatten().take(HAVES_WALKED).enumerate() {
        if out.len() >= HAVES {
            break;
        }
        if i == next {
            out.push(id);
            if out.len() > HAVES / 4 {
                step *= 2;
            }
            next += step;
        }
    }
    out
}

/// Where the pack goes as it arrives.
enum Sink<'o> {
    Held(Vec<u8>),
    Streamed {
        to: OdbPackwriter<'o>,
        received: usize,
        objects: u32,
    },
}

impl<'o> Sink<'o> {
    fn take(&mut self, odb: &'o Odb<'_>, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Held(held) => {
                held.extend_from_slice(bytes);
                let objects = objects_in(held);
                if held.len() > HELD_BYTES || objects > HELD_OBJECTS {
                    let mut to = odb.packwriter().map_err(io::Error::other)?;
                    to.write_all(held)?;
                    *self = Sink::Streamed {
                        to,
                        received: held.len(),
                        objects,
                    };
                }
            }
            Sink::Streamed { to, received, .. } => {
                to.write_all(bytes)?;
                *received += bytes.len();
            }
        }
        Ok(())
    }

    fn received(&self) -> usize {
        match self {
            Sink::Held(h) => h.len(),
            Sink::Streamed { received, .. } => *received,
        }
    }

    fn progress(&self, all: bool) -> Event {
        let total = match self {
            Sink::Held(h) => objects_in(h),
            Sink::Streamed { objects, .. } => *objects,
        } as usize;
        Event::Fetch {
            received_objects: if all { total } else { 0 },
            total_objects: total,
            indexed_deltas: 0,
            total_deltas: 0,
            received_bytes: self.received(),
        }
    }

    fn store(self, repo: &Repository) -> io::Result<()> {
        match self {
            Sink::Held(pack) => received_pack::store(repo, &pack).map(|_| ()),
            Sink::Streamed { mut to, .. } => to.commit().map(|_| ()).map_err(io::Error::other),
        }
    }
}

/// The number of objects a pack's header announces (0 before it has arrived).
fn objects_in(pack: &[u8]) -> u32 {
    match pack.get(8..12) {
        Some(n) => u32::from_be_bytes([n[0], n[1], n[2], n[3]]),
        None => 0,
    }
}
