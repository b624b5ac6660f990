//! The worker: the only place the workbench touches git. It owns its own `Store` and agenda,
//! runs one job at a time off the UI thread, and reports back as actions.

mod saves;
mod start;
mod thread;

pub use thread::{Tidy, spawn};

use crate::model::Agenda;
use crate::ops;
use crate::store::{Store, StoreError};

use super::action::{Action, Job, Op, ResolvedOutcome, SyncFailure, SyncSnapshot};
use crate::sync::{self, SyncError, SyncOptions, conflicts};

/// Runs jobs against one repository. Used by the worker thread and, directly, by tests.
pub struct Runner {
    pub store: Store,
    pub agenda: std::sync::Arc<Agenda>,
    /// The newest search index built (or read from a snapshot).
    pub index: std::sync::Arc<crate::search::Flat>,
    /// How `index` stands to `agenda` (after a save it is behind until `Job::Index`).
    pub indexed: Indexed,
    /// When the start's agenda came from a snapshot: the files that differ from the record
    /// cache, each as an overleg save left it, which the check of every file behind the first
    /// screen expects to find (`Catalog::besides_cache`); and when the snapshot was brought
    /// up to date by the journal of saves (`store::journal`), the folders' state it is of.
    replayed: Option<(
        crate::catalog::SavedFiles,
        Option<crate::store::snapshot::Key>,
    )>,
    /// Writes the snapshots a start brought up to date (see `catalog::keep_for_next_start`).
    pub keeping: Option<std::thread::JoinHandle<()>>,
    /// What the workbench's kept lists were asked for when the job was sent: the lists of
    /// every new agenda are computed here for them (`None`: left to the UI thread).
    pub list_keys: Option<super::lists::ListKeys>,
}

/// How the search index stands to the agenda.
pub enum Indexed {
    Current,
    /// Behind by saves of these records (ids; more is harmless): patched in `Job::Index`.
    Behind(Vec<String>),
    /// Behind by changes not known: built again in `Job::Index`.
    Stale,
}

impl Runner {
    pub fn new(store: Store) -> Runner {
        let agenda = store.load();
        Runner {
            store,
            agenda: std::sync::Arc::new(agenda),
            index: std::sync::Arc::default(),
            indexed: Indexed::Stale,
            replayed: None,
            keeping: None,
            list_keys: None,
        }
    }

    /// A runner whose agenda is read by its first job (`Job::Start`).
    pub fn unloaded(store: Store) -> Runner {
        Runner {
            store,
            agenda: std::sync::Arc::default(),
            index: std::sync::Arc::default(),
            indexed: Indexed::Stale,
            replayed: None,
            keeping: None,
            list_keys: None,
        }
    }

    pub fn run(&mut self, job_id: u64, job: Job) -> Action {
        self.run_with(job_id, job, &mut |_| {})
    }

    /// Ahead/behind, last sync and open conflicts (no network).
    pub fn snapshot(&self) -> SyncSnapshot {
        let offset_minutes = git2::Signature::now("overleg", "overleg@invalid")
            .map(|s| s.when().offset_minutes())
            .unwrap_or(0);
        SyncSnapshot {
            status: sync::status(&self.store).ok(),
            conflicts: conflicts::list(&self.store).unwrap_or_default(),
            offset_minutes,
        }
    }

    /// Run a job; a sync reports its progress through `progress` as it goes (at most a few
    /// times a second for the object counts), then the result is returned.
    pub fn run_with(&mut self, job_id: u64, job: Job, progress: &mut dyn FnMut(Action)) -> Action {
        match job {
            Job::SyncState => Action::SyncState(Box::new(self.snapshot())),
            Job::Index => {
                self.catch_up_index();
                Action::Indexed {
                    index: self.index.clone(),
                }
            }
            Job::Sync => {
                let mut last: Option<std::time::Instant> = None;
                let mut report = |e: &sync::Event| {
                    let counting = match e {
                        sync::Event::Fetch {
                            received_objects,
                            total_objects,
                            ..
                        } => received_objects < total_objects,
                        sync::Event::Push { current, total, .. } => current < total,
                        _ => false,
                    };
                    if counting
                        && last.is_some_and(|t| t.elapsed() < std::time::Duration::from_millis(80))
                    {
                        return;
                    }
                    last = Some(std::time::Instant::now());
                    progress(Action::SyncProgress {
                        job: job_id,
                        event: e.clone(),
                    });
                };
                let head = self.store.head_commit();
                // the clone's housekeeping waits for an idle moment, where it can stop for the
                // user (`thread::when_idle`)
                let opts = SyncOptions {
                    tidy_clone: false,
                    ..SyncOptions::default()
                };
                let outcome = sync::sync(&self.store, &opts, &mut report).map_err(failure);
                // only the files the sync changed are read again, and only their records'
                // search rows built: a full load and index took seconds at 100,000 records
                let changed = match (&outcome, head) {
                    (Ok(_), Some(h)) => self.store.changed_since(h),
                    _ => None,
                };
                self.reload(changed.as_deref());
                self.catch_up_index();
                Action::Synced {
                    job: job_id,
                    outcome,
                    agenda: self.current(),
                    unshared: self.store.unshared().ok().flatten(),
                    snapshot: Box::new(self.snapshot()),
                }
            }
            Job::Resolve {
                record,
                field,
                take,
            } => {
                let outcome = conflicts::resolve(&self.store, &record, &field, take)
                    .map(|r| ResolvedOutcome {
                        field: r.field,
                        remaining: r.remaining,
                        completed: r.completed,
                    })
                    .map_err(|e| e.to_string());
                self.agenda = std::sync::Arc::new(self.store.load());
                Action::Resolved {
                    job: job_id,
                    outcome,
                    agenda: self.loaded(),
                    unshared: self.store.unshared().ok().flatten(),
                    snapshot: Box::new(self.snapshot()),
                }
            }
            Job::Start => {
                let t0 = std::time::Instant::now();
                let (loaded, from_snapshot) = self.start();
                let t1 = t0.elapsed();
                let unshared = self.store.unshared().ok().flatten();
                if std::env::var_os("OVERLEG_TIMING").is_some() {
                    eprintln!(
                        "start: agenda and index {t1:?}, unshared {:?}",
                        t0.elapsed()
                    );
                }
                if !from_snapshot {
                    return Action::Loaded {
                        agenda: loaded,
                        unshared,
                    };
                }
                progress(Action::Loaded {
                    agenda: loaded,
                    unshared,
                });
                // what a workbench that quit while it kept snapshots left half written
                if let Some(dir) = self.store.snapshot_dir() {
                    crate::store::snapshot::sweep_unfinished(&dir);
                }
                // A snapshot cannot see a file rewritten in place by another program: check
                // every file now, behind the first screen, and show what changed.
                // After saves since the snapshots, every file is either as the record cache
                // has it or as a save left it: then the agenda shown is the files' (and the
                // snapshots and their journal stay for the next start).
                let (saved, key) = self.replayed.take().unwrap_or_default();
                if self.store.unchanged_besides(&saved) {
                    if let Some(key) = key {
                        self.keeping = crate::catalog::keep_for_next_start(
                            &self.store,
                            key,
                            saved,
                            self.agenda.clone(),
                            self.index.clone(),
                        );
                    }
                    return Action::Loaded {
                        agenda: self.current(),
                        unshared,
                    };
                }
                let (agenda, changed) = self.store.load_reporting();
                if changed {
                    self.agenda = std::sync::Arc::new(agenda);
                }
                Action::Loaded {
                    agenda: if changed {
                        self.loaded()
                    } else {
                        self.current()
                    },
                    unshared,
                }
            }
            Job::Reload => {
                self.agenda = std::sync::Arc::new(self.store.load());
                Action::Loaded {
                    agenda: self.loaded(),
                    unshared: self.store.unshared().ok().flatten(),
                }
            }
            Job::History { id, path } => match self.store.history(&path, 5000) {
                Ok(entries) => Action::HistoryLoaded { id, entries },
                Err(e) => Action::Failed {
                    job: job_id,
                    message: e.to_string(),
                },
            },
            Job::Save(op) => {
                let undoable = !matches!(op, Op::Undo { .. });
                let result = match op {
                    // A field edit reads its record from disk and checks what it refers to
                    // against the files, so the agenda in memory serves (a full load at
                    // 100,000 records costs a second); what it cannot confirm is retried
                    // after one.
                    Op::Set { id, fields } => {
                        let checked =
                            crate::catalog::Checked::new(self.agenda.as_ref(), self.store.root());
                        match ops::set_fields(&self.store, &checked, &id, &fields) {
                            Err(StoreError::NotFound(_) | StoreError::Rejected(_)) => {
                                self.agenda = std::sync::Arc::new(self.store.load());
                                ops::set_fields(&self.store, self.agenda.as_ref(), &id, &fields)
                            }
                            other => other,
                        }
                        .map(|saved| (saved, None))
                    }
                    op => {
                        // Always from the files as they are now: another program may have
                        // changed them.
                        self.agenda = std::sync::Arc::new(self.store.load());
                        self.save(op)
                    }
                };
                // after a save only the files it wrote are read again; after a failure all
                // (another program may have changed what made it fail)
                self.reload(
                    result
                        .as_ref()
                        .ok()
                        .map(|(saved, _)| saved.paths.as_slice()),
                );
                // The search index follows in its own job (`Job::Index`): the saved result is
                // on screen before it is rebuilt.
                let loaded = match &result {
                    Ok(_) => self.current(),
                    Err(_) => self.loaded(),
                };
                let unshared = self.store.unshared().ok().flatten();
                match result {
                    Ok((saved, created)) => Action::Saved {
                        job: job_id,
                        summary: saved.summary,
                        commit: saved.commit,
                        agenda: loaded,
                        unshared,
                        created,
                        undoable,
                    },
                    Err(e) => Action::Failed {
                        job: job_id,
                        message: e.to_string(),
                    },
                }
            }
        }
    }

    /// The clone's housekeeping (`store::housekeeping::tidy`), given up as soon as `stop`
    /// says so (`None` then, and when nothing was due).
    pub fn tidy(&mut self, stop: &mut dyn FnMut() -> bool) -> Option<Tidy> {
        match self.store.tidy(&mut |_| {}, stop) {
            Ok(t) if t == Default::default() => None,
            Ok(t) => Some(Ok(t)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => None,
            Err(e) => Some(Err(e.to_string())),
        }
    }

    /// Bring the search index up to the agenda: only the changed records' rows are built
    /// again when those are known (a full build takes seconds of both cores at 1,000,000
    /// records).
    fn catch_up_index(&mut self) {
        let index = match std::mem::replace(&mut self.indexed, Indexed::Current) {
            Indexed::Current => None,
            Indexed::Behind(ids) => {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                Some(crate::search::Flat::patched(
                    &self.index,
                    &self.agenda,
                    &ids,
                ))
            }
            Indexed::Stale => Some(crate::search::Flat::of(&self.agenda)),
        };
        if let Some(i) = index {
            self.index = std::sync::Arc::new(i);
        }
    }

    /// The agenda after the files at `paths` changed (a save, a sync), reading only those
    /// when it can (`None`: read everything); the index is then behind by their records, or
    /// stale after a full load (which also sees what other programs changed).
    fn reload(&mut self, paths: Option<&[String]>) {
        let before = self.agenda.clone();
        let (agenda, patched) = match paths {
            Some(paths) => self.store.reload_changed(&self.agenda, paths),
            None => (self.store.load(), false),
        };
        self.agenda = std::sync::Arc::new(agenda);
        let was = std::mem::replace(&mut self.indexed, Indexed::Stale);
        if let (true, Some(paths)) = (patched, paths) {
            let ids = changed_ids(&before, &self.agenda, paths);
            self.indexed = match was {
                Indexed::Current => Indexed::Behind(ids),
                Indexed::Behind(mut v) => {
                    v.extend(ids);
                    Indexed::Behind(v)
                }
                Indexed::Stale => Indexed::Stale,
            };
        }
    }

    /// The agenda with a search index built for it, remembered for the saves that follow.
    fn loaded(&mut self) -> super::state::Loaded {
        self.index = std::sync::Arc::new(crate::search::Flat::of(&self.agenda));
        self.indexed = Indexed::Current;
        self.current()
    }

    /// The agenda and the newest index as they are, with the kept lists of that agenda.
    fn current(&self) -> super::state::Loaded {
        super::state::Loaded {
            agenda: self.agenda.clone(),
            index: self.index.clone(),
            lists: self
                .list_keys
                .as_ref()
                .map(|k| std::sync::Arc::new(super::lists::Prepared::of(&self.agenda, k.clone()))),
        }
    }
}

/// The ids of the records a save of `paths` may have created, edited or removed.
fn changed_ids(before: &Agenda, after: &Agenda, paths: &[String]) -> Vec<String> {
    let mut ids = before.ids_at(paths);
    ids.extend(after.ids_at(paths));
    ids
}

/// Sort a sync error so the workbench can say it plainly.
fn failure(e: SyncError) -> SyncFailure {
    match e {
        SyncError::Unreachable { url, detail } => SyncFailure::Unreachable { url, detail },
        SyncError::Auth { url, detail } => SyncFailure::Auth { url, detail },
        SyncError::Dirty(files) => SyncFailure::Dirty(files),
        SyncError::Markers(files) => {
            SyncFailure::Markers(files.into_iter().map(|(f, l)| format!("{f}:{l}")).collect())
        }
        SyncError::NoRemote(r) => SyncFailure::NoRemote(r),
        SyncError::Busy(n) => SyncFailure::Busy(n),
        other => SyncFailure::Other(other.to_string()),
    }
}
