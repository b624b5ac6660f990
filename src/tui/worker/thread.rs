//! The worker thread: jobs in, actions out, one job at a time; and, once the user has been
//! idle a moment after a save, the clone's housekeeping, stopped as soon as a job comes.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

use super::super::action::{Action, Job};
use super::Runner;
use crate::store::Store;

/// Start the worker thread on the repository at `root`; jobs go in, actions come out.
pub fn spawn(
    root: PathBuf,
    jobs: Receiver<(u64, Job, crate::tui::lists::ListKeys)>,
    out: Sender<Action>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let store = match Store::open(&root) {
            Ok(s) => s,
            Err(e) => {
                let _ = out.send(Action::Failed {
                    job: 0,
                    message: e.to_string(),
                });
                return;
            }
        };
        let mut runner = Runner::unloaded(store);
        let mut tidy_due = false;
        let mut next = jobs.recv().ok();
        while let Some((id, job, keys)) = next.take() {
            runner.list_keys = Some(keys);
            // what writes objects: saves, and a sync (whose fetch leaves a pack, and which
            // leaves the clone's housekeeping to this); and the start, as a clone may have
            // many loose objects from before (the CLI with packing off, older versions)
            let writes = matches!(
                job,
                Job::Save(_) | Job::Resolve { .. } | Job::Start | Job::Sync
            );
            let result = runner.run_with(id, job, &mut |a| {
                let _ = out.send(a);
            });
            if out.send(result).is_err() {
                break;
            }
            tidy_due |= writes;
            next = if tidy_due {
                match when_idle(&mut runner, &jobs, IDLE) {
                    Idle::Job(j) => Some(j),
                    Idle::Quit => None,
                    Idle::Done(outcome) => {
                        tidy_due = false;
                        if let Some(o) = outcome
                            && out.send(Action::Tidied(o)).is_err()
                        {
                            break;
                        }
                        jobs.recv().ok()
                    }
                }
            } else {
                jobs.recv().ok()
            };
        }
    })
}

/// How long the worker waits for the next job before it packs loose objects.
const IDLE: std::time::Duration = std::time::Duration::from_secs(3);

type Queued = (u64, Job, crate::tui::lists::ListKeys);

/// What the housekeeping did, or why it failed.
pub type Tidy = std::result::Result<crate::store::housekeeping::Tidied, String>;

/// What became of waiting for the user to be idle.
enum Idle {
    /// A job came (in the wait, or during the packing, which stopped for it).
    Job(Queued),
    /// The workbench closed.
    Quit,
    /// The housekeeping ran: `None` when nothing was due.
    Done(Option<Tidy>),
}

/// Wait `idle` for a job; if none comes, pack the loose objects when they are due, stopping
/// as soon as a job comes or the workbench closes.
fn when_idle(runner: &mut Runner, jobs: &Receiver<Queued>, idle: std::time::Duration) -> Idle {
    use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
    match jobs.recv_timeout(idle) {
        Ok(j) => return Idle::Job(j),
        Err(RecvTimeoutError::Disconnected) => return Idle::Quit,
        Err(RecvTimeoutError::Timeout) => {}
    }
    let mut came: Option<Idle> = None;
    let outcome = runner.tidy(&mut || {
        if came.is_none() {
            came = match jobs.try_recv() {
                Ok(j) => Some(Idle::Job(j)),
                Err(TryRecvError::Disconnected) => Some(Idle::Quit),
                Err(TryRecvError::Empty) => None,
            };
        }
        came.is_some()
    });
    came.unwrap_or(Idle::Done(outcome))
}
