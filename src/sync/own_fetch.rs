//! The steps of our own fetch once the server's references are known, whatever the
//! connection (`wire` for `git://`, `http` for smart HTTP): is there anything to fetch, which
//! commits to name as ours, the pack (into `store::received_pack`, or into libgit2's indexer
//! when it is too large to hold), and the remote-tracking branch moved to what was fetched.

use std::cell::RefCell;
use std::io::{self, Read, Write};

use git2::{Odb, OdbPackwriter, Oid, Repository, Sort};

use super::own_push::unreachable;
use super::receive_pack::Advertised;
use super::remote::{Sideband, emit};
use super::upload_pack::{read_answer, request, said};
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

/// Fetch `refname`, advertised in `adv` by the server at `url`, into `remote_ref`.
/// `exchange` sends the request (or, with `None`, ends the conversation: nothing is needed)
/// and gives the server's answer; `Ok(None)` from it, or `None` here: libgit2's fetch should
/// do it instead.
pub(crate) fn fetch(
    repo: &Repository,
    url: &str,
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
    let mut sink = Sink::held(HELD_BYTES, HELD_OBJECTS);
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
    if let Err(e) = received {
        return match (said(&e), e.kind()) {
            // what the server said went wrong, in its words
            (Some(words), _) => Some(Err(SyncError::Other(format!(
                "the server could not send what was asked ({words}); nothing was changed here"
            )))),
            // a silent or broken connection: trying again with libgit2 would wait as long
            (
                None,
                io::ErrorKind::TimedOut
                | io::ErrorKind::WouldBlock
                | io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::BrokenPipe,
            ) => Some(Err(unreachable(url, &e))),
            // an answer that was not git's: libgit2 tries once more and says what it finds
            (None, _) => None,
        };
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
    /// Held in memory while it is no larger than `most_bytes` and `most_objects`.
    Held {
        pack: Vec<u8>,
        most_bytes: usize,
        most_objects: u32,
    },
    Streamed {
        to: OdbPackwriter<'o>,
        received: usize,
        objects: u32,
    },
}

impl<'o> Sink<'o> {
    fn held(most_bytes: usize, most_objects: u32) -> Sink<'o> {
        Sink::Held {
            pack: Vec::new(),
            most_bytes,
            most_objects,
        }
    }

    fn take(&mut self, odb: &'o Odb<'_>, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Held {
                pack,
                most_bytes,
                most_objects,
            } => {
                pack.extend_from_slice(bytes);
                let objects = objects_in(pack);
                if pack.len() > *most_bytes || objects > *most_objects {
                    let mut to = odb.packwriter().map_err(io::Error::other)?;
                    to.write_all(pack)?;
                    *self = Sink::Streamed {
                        to,
                        received: pack.len(),
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
            Sink::Held { pack, .. } => pack.len(),
            Sink::Streamed { received, .. } => *received,
        }
    }

    fn progress(&self, all: bool) -> Event {
        let total = match self {
            Sink::Held { pack, .. } => objects_in(pack),
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
            Sink::Held { pack, .. } => received_pack::store(repo, &pack).map(|_| ()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_git::{git, pack_of};

    /// A repository `there` with 60 records and then 10 of them changed, a clone `here` of
    /// the first commit, and the thin pack a server sends `here` for the second.
    fn thin_pack(root: &std::path::Path) -> (std::path::PathBuf, Oid, Vec<u8>) {
        let there = root.join("there");
        git(root, &["init", "-q", "-b", "main", "there"]);
        let write = |range: std::ops::Range<usize>, tag: &str| {
            std::fs::create_dir_all(there.join("actions")).expect("folder");
            for i in range {
                let text = format!("id = \"a-{i}\"\ntitle = \"{tag} {}\"\n", "x".repeat(300));
                std::fs::write(there.join(format!("actions/a-{i}.toml")), text).expect("write");
            }
            git(&there, &["add", "-A"]);
            git(&there, &["commit", "-qm", tag]);
        };
        write(0..60, "start");
        git(root, &["clone", "-q", "there", "here"]);
        write(0..10, "changed");
        let tip = git(&there, &["rev-parse", "HEAD"]);
        let pack = pack_of(&there, &format!("{}\n^{}\n", tip.trim(), "HEAD~1"), true);
        let tip = Oid::from_str(tip.trim()).expect("id");
        (root.join("here"), tip, pack)
    }

    #[test]
    fn a_pack_too_large_to_hold_streams_to_libgit2_and_arrives_whole() {
        for (most_bytes, streamed) in [(HELD_BYTES, false), (100, true)] {
            let tmp = tempfile::tempdir().expect("tmp");
            let (here, tip, pack) = thin_pack(tmp.path());
            let repo = Repository::open(&here).expect("repo");
            let odb = repo.odb().expect("odb");
            let mut sink = Sink::held(most_bytes, HELD_OBJECTS);
            for chunk in pack.chunks(64) {
                sink.take(&odb, chunk).expect("taken");
            }
            assert_eq!(matches!(sink, Sink::Streamed { .. }), streamed);
            assert_eq!(sink.received(), pack.len());
            sink.store(&repo).expect("stored");
            assert!(odb.exists(tip));
            git(&here, &["update-ref", "refs/heads/main", &tip.to_string()]);
            git(&here, &["fsck", "--strict", "--no-dangling"]);
        }
    }

    #[test]
    fn a_fetch_names_what_it_last_fetched_and_our_branch_only() {
        let tmp = tempfile::tempdir().expect("tmp");
        let (here, _, _) = thin_pack(tmp.path());
        let repo = Repository::open(&here).expect("repo");
        let known = repo
            .refname_to_id("refs/remotes/origin/main")
            .expect("known");
        assert_eq!(haves(&repo, Some(known)), vec![known]);
        git(&here, &["commit", "-q", "--allow-empty", "-m", "ours"]);
        let head = repo.refname_to_id("HEAD").expect("head");
        assert_eq!(haves(&repo, Some(known)), vec![known, head]);
        // without a remote-tracking branch: our history
        assert_eq!(haves(&repo, None), vec![head, known]);
    }
}
