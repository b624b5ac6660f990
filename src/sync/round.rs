//! One sync, from the checks to the push, with its retries. Two pairs of steps run side by
//! side, each pair on two repository handles (a libgit2 repository is not shared between
//! threads): the checks of the work tree beside the first fetch, and the work tree following
//! a merge beside the push of that merge.

use std::cell::RefCell;
use std::time::Duration;

use git2::{Oid, Repository};

use super::{
    Event, SyncError, SyncOptions, SyncReport, check_out, current_branch, integrate_with,
    preflight, remote,
};
use crate::store::Store;
use crate::store::lock::WriteLock;
use crate::store::write::check_writable;

/// Where the merge waits to be pushed while the branch has not moved to it yet.
const PUSH_REF: &str = "refs/overleg/sync-push";

pub(super) fn run(
    store: &Store,
    repo: &Repository,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<SyncReport, SyncError> {
    let t0 = std::time::Instant::now();
    let timing = std::env::var_os("OVERLEG_TIMING").is_some();
    let tm = |what: &str| {
        if timing {
            eprintln!("sync: {what} {:?}", t0.elapsed());
        }
    };
    let identity = store.identity()?;
    let _shared = crate::store::tree_patch::SharedTrees::start();
    let branch = current_branch(repo)?;
    let remote_ref = format!("refs/remotes/{}/{}", opts.remote, branch);
    let mut remote = repo
        .find_remote(&opts.remote)
        .map_err(|_| SyncError::NoRemote(opts.remote.clone()))?;
    // The checks of the work tree (a status of every file: a fifth of a second at 100,000
    // records) run beside the first fetch, which waits on the server. The fetch only moves
    // the remote-tracking branch, so nothing of the user's is touched before both are done;
    // a failed check still stops the sync before the merge.
    std::thread::scope(|scope| {
        let checks = scope.spawn(|| -> Result<(), SyncError> {
            // its own handle: a libgit2 repository is not shared between threads
            let repo = store.repo()?;
            preflight(store, &repo, &remote_ref)
        });
        let mut checks = Some(checks);
        let mut checked = || -> Result<(), SyncError> {
            match checks.take().map(std::thread::ScopedJoinHandle::join) {
                None => Ok(()),
                Some(Ok(res)) => {
                    tm("preflight");
                    res
                }
                Some(Err(_)) => Err(SyncError::Other(
                    "the check of the work tree stopped unexpectedly; nothing was synced".into(),
                )),
            }
        };
        let progress: RefCell<&mut dyn FnMut(&Event)> = RefCell::new(progress);
        let emit = |e: Event| remote::emit(&progress, &e);
        let mut report = SyncReport::default();
        for attempt in 0..=opts.retries {
            if attempt > 0 {
                report.retries = attempt;
                emit(Event::Retrying(attempt));
            }
            emit(Event::Fetching);
            let fetched = remote::fetch(repo, &mut remote, &branch, &progress);
            tm("fetch returned");
            if fetched.is_err() {
                // what the checks found comes first: it is what the user has to act on
                checked()?;
            }
            fetched?;
            tm("fetched");
            let theirs = repo.refname_to_id(&remote_ref).ok();
            let (mut pending, mut lock) = (None, None);
            if let Some(t) = theirs {
                emit(Event::Merging);
                let held = WriteLock::acquire(repo.path(), Duration::from_secs(30))?;
                if held.taken_over {
                    crate::store::recover::sweep_side_files(store.root());
                }
                check_writable(repo)?;
                // the checks run on while the trees are merged; the merge asks for their
                // outcome before it touches anything of the user's
                let out =
                    integrate_with(store, repo, &identity, t, &remote_ref, true, &mut checked)?;
                tm("preflight and merge");
                tm("merged");
                pending = out.pending;
                // held until the work tree has followed the merge, below
                lock = Some(held);
                report.incoming += out.incoming;
                report.merged.extend(out.merged);
                report.resolved += out.resolved;
                report.fast_forward |= out.fast_forward;
                if out.merge_commit.is_some() {
                    report.merge_commit = out.merge_commit;
                }
                if out.conflicts > 0 {
                    report.conflicts = out.conflicts;
                    fill_counts(repo, &remote_ref, &mut report);
                    return Ok(report);
                }
            }
            if let Some(target) = pending {
                emit(Event::Pushing);
                let pushed = push_during_checkout(
                    store,
                    repo,
                    &mut remote,
                    &branch,
                    &remote_ref,
                    target,
                    &progress,
                    &mut checked,
                );
                drop(lock);
                match pushed? {
                    remote::Pushed::Done => {
                        tm("pushed");
                        report.pushed = true;
                        fill_counts(repo, &remote_ref, &mut report);
                        return Ok(report);
                    }
                    remote::Pushed::Behind => continue,
                }
            }
            drop(lock);
            checked()?;
            let head = match repo.refname_to_id("HEAD") {
                Ok(h) => h,
                Err(_) => return Ok(report), // nothing here and nothing there
            };
            if theirs == Some(head) {
                fill_counts(repo, &remote_ref, &mut report);
                return Ok(report);
            }
            emit(Event::Pushing);
            let local = format!("refs/heads/{branch}");
            match remote::push(
                repo,
                &mut remote,
                &local,
                &branch,
                theirs,
                &progress,
                &mut checked,
            )? {
                remote::Pushed::Done => {
                    tm("pushed");
                    repo.reference(&remote_ref, head, true, "overleg sync: pushed")?;
                    report.pushed = true;
                    fill_counts(repo, &remote_ref, &mut report);
                    return Ok(report);
                }
                remote::Pushed::Behind => continue,
            }
        }
        Err(SyncError::Busy(opts.retries + 1))
    })
}

fn fill_counts(repo: &Repository, remote_ref: &str, report: &mut SyncReport) {
    if let (Ok(h), Ok(u)) = (repo.refname_to_id("HEAD"), repo.refname_to_id(remote_ref))
        && let Ok((a, b)) = repo.graph_ahead_behind(h, u)
    {
        report.ahead = a;
        report.behind = b;
    }
}

/// Push the merge commit `target` while the branch and work tree move to it. The push names
/// the commit through a reference of its own, as the branch still points at what was there
/// before. The checks of the work tree may still be running: the pack is built and the
/// connection opened meanwhile, and both the push and the work tree wait for `settled`. A
/// failed checkout is what is reported (the user has to act on it); a push that went through
/// is still recorded, and the next sync finds the branch behind the server and moves it on.
#[allow(clippy::too_many_arguments)]
fn push_during_checkout(
    store: &Store,
    repo: &Repository,
    remote: &mut git2::Remote<'_>,
    branch: &str,
    remote_ref: &str,
    target: Oid,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
    settled: &mut remote::Settled<'_>,
) -> Result<remote::Pushed, SyncError> {
    repo.reference(PUSH_REF, target, true, "overleg sync: the merge, to push")?;
    // what the merge was made against: the server's branch must still be there
    let expected = repo.refname_to_id(remote_ref).ok();
    let (fit, may_move) = std::sync::mpsc::channel::<bool>();
    let (moved, pushed, checks) = std::thread::scope(|scope| {
        let moving = scope.spawn(move || -> Result<(), SyncError> {
            // nothing of the user's is touched before the checks found the work tree fit
            if may_move.recv() != Ok(true) {
                return Ok(());
            }
            let repo = store.repo()?;
            check_out(store, &repo, target)
        });
        let mut asked = false;
        let mut gate = || -> Result<(), SyncError> {
            if asked {
                return Ok(()); // asked and fit: a push that fell back to libgit2 asks again
            }
            asked = true;
            let found = settled();
            let _ = fit.send(found.is_ok());
            found
        };
        let pushed = remote::push(
            repo, remote, PUSH_REF, branch, expected, progress, &mut gate,
        );
        // a push that ended before sending anything did not ask: the work tree still waits
        let checks = gate();
        let moved = moving.join().unwrap_or_else(|_| {
            Err(SyncError::Other(
                "the work tree could not follow the merge: the step stopped unexpectedly; run `overleg sync` again".into(),
            ))
        });
        (moved, pushed, checks)
    });
    if let Ok(mut r) = repo.find_reference(PUSH_REF) {
        let _ = r.delete();
    }
    if matches!(pushed, Ok(remote::Pushed::Done)) {
        repo.reference(remote_ref, target, true, "overleg sync: pushed")?;
    }
    checks?;
    moved?;
    pushed
}
