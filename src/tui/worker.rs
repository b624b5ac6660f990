//! The worker: the only place the workbench touches git. It owns its own `Store` and agenda,
//! runs one job at a time off the UI thread, and reports back as actions.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

use toml_edit::DocumentMut;

use crate::model::edit::{self, convert};
use crate::model::parse::path_for;
use crate::model::schema;
use crate::model::{Agenda, Kind, ids};
use crate::ops;
use crate::store::write::{Change, Saved};
use crate::store::{Result, Store, StoreError};

use super::action::{Action, Job, Op, ResolvedOutcome, SyncFailure, SyncSnapshot};
use crate::sync::{self, SyncError, SyncOptions, conflicts};

fn rejected(m: impl Into<String>) -> StoreError {
    StoreError::Rejected(m.into())
}

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
                let outcome =
                    sync::sync(&self.store, &SyncOptions::default(), &mut report).map_err(failure);
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

    /// The agenda and its search index for the first screen, decoded side by side; whether
    /// they came from snapshots.
    fn start(&mut self) -> (super::state::Loaded, bool) {
        // the check behind the first screen compares every file (`Store::unchanged_besides`)
        let catalog = crate::catalog::Catalog::open(&self.store).names_checked_behind();
        let t0 = std::time::Instant::now();
        let (agenda, index) = std::thread::scope(|scope| {
            let index = scope.spawn(|| {
                // a damaged snapshot is rebuilt like a stale one
                let i = catalog
                    .derived_fresh_or_behind::<crate::search::Flat>(crate::catalog::SEARCH_INDEX)
                    .filter(|(i, _)| i.valid());
                if std::env::var_os("OVERLEG_TIMING").is_some() {
                    eprintln!("start: index {:?}", t0.elapsed());
                }
                i
            });
            let a = catalog.agenda();
            if std::env::var_os("OVERLEG_TIMING").is_some() {
                eprintln!("start: agenda {:?}", t0.elapsed());
            }
            (a, index.join().ok().flatten())
        });
        let from_snapshot = catalog.from_snapshot();
        let index = match index {
            Some((fresh, None)) => Some(fresh),
            // after saves since the snapshots: their index, patched for the saved records (at
            // 1,000,000 records a full build takes seconds of every core)
            Some((mut old, Some(base))) if catalog.replayed_from() == Some(&base) => {
                catalog.behind_by().map(|ids| {
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    use crate::model::Kind;
                    let lines_as_before = catalog.behind_only_in(&[
                        Kind::Action,
                        Kind::Body,
                        Kind::Organisation,
                        Kind::Person,
                    ]);
                    let in_place = old.patch_in_place(&agenda, &ids, lines_as_before);
                    if std::env::var_os("OVERLEG_TIMING").is_some() {
                        eprintln!(
                            "start: index patched {} for {} records",
                            if in_place { "in place" } else { "as a copy" },
                            ids.len()
                        );
                    }
                    if in_place {
                        old
                    } else {
                        crate::search::Flat::patched(&old, &agenda, &ids)
                    }
                })
            }
            _ => None,
        };
        let index = std::sync::Arc::new(match index {
            Some(i) => i,
            None => {
                if std::env::var_os("OVERLEG_TIMING").is_some() {
                    eprintln!("start: index built");
                }
                catalog.derived(crate::catalog::SEARCH_INDEX, crate::search::Flat::of)
            }
        });
        self.replayed = match (catalog.saved_since(), catalog.besides_cache()) {
            (Some(saved), _) => Some((saved.clone(), Some(catalog.key().clone()))),
            (None, Some(besides)) => Some((besides.clone(), None)),
            (None, None) => None,
        };
        self.agenda = agenda;
        self.index = index.clone();
        self.indexed = Indexed::Current;
        (
            super::state::Loaded {
                agenda: self.agenda.clone(),
                index,
                // the first screen needs only a few of the lists: computing all of them
                // here would hold it back (the next agenda comes with them)
                lists: None,
            },
            from_snapshot,
        )
    }

    fn save(&self, op: Op) -> Result<(Saved, Option<String>)> {
        let (s, a) = (&self.store, &self.agenda);
        let pairs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
        Ok(match op {
            Op::Set { id, fields } => (ops::set_fields(s, a.as_ref(), &id, &pairs(&fields))?, None),
            Op::Create { kind, fields } => {
                let (id, saved) = ops::create(s, a, kind, &fields)?;
                (saved, Some(id))
            }
            Op::Delete { id } => (ops::delete(s, a, &id)?, None),
            Op::AddEntry { id, list, fields } => {
                let f: Vec<(&str, String)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect();
                (ops::add_entry(s, a, &id, &list, f)?.1, None)
            }
            Op::AddNotesEntry {
                meeting,
                list,
                fields,
            } => match a.notes_of(&meeting) {
                Some(n) => {
                    let f: Vec<(&str, String)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect();
                    (ops::add_entry(s, a, &n.id.clone(), &list, f)?.1, None)
                }
                None => self.new_notes(&meeting, &list, &fields)?,
            },
            Op::Multi { sets, what } => (self.multi(&sets, &what)?, None),
            Op::Prepare { previous, fields } => {
                let (saved, id) = super::prepare::prepare(s, a, &previous, &fields)?;
                (saved, Some(id))
            }
            Op::Undo { commit } => (s.revert_own(&commit)?, None),
        })
    }

    /// Several records changed in one commit.
    fn multi(&self, sets: &[(String, Vec<(String, String)>)], what: &str) -> Result<Saved> {
        let a = &self.agenda;
        let mut targets = Vec::new();
        for (id, fields) in sets {
            let (kind, id) = a
                .resolve(id)
                .ok_or_else(|| StoreError::NotFound(id.clone()))?;
            let path = a.path_of(&id).unwrap_or_else(|| path_for(kind, &id));
            targets.push((kind, path, a.reference(&id), fields.clone()));
        }
        let refs: Vec<String> = targets.iter().map(|t| t.2.clone()).collect();
        let summary = format!("{} {what}", refs.join(", "));
        self.store.transact(|r| {
            let mut changes = Vec::new();
            for (kind, path, _, fields) in &targets {
                let old = r
                    .read(path)?
                    .ok_or_else(|| StoreError::NotFound(path.clone()))?;
                let mut doc: DocumentMut =
                    old.parse().map_err(|e| rejected(format!("{path}: {e}")))?;
                for (f, v) in fields {
                    let fp = edit::FieldPath::parse(f).map_err(rejected)?;
                    edit::set_field(&mut doc, *kind, &fp, v).map_err(rejected)?;
                }
                let new = doc.to_string();
                ops::validate_text(*kind, path, &new)?;
                if new != old {
                    changes.push(Change {
                        path: path.clone(),
                        text: Some(new),
                    });
                }
            }
            if changes.is_empty() {
                return Err(rejected(
                    "nothing changed: the records already have these values",
                ));
            }
            Ok((changes, summary.clone()))
        })
    }

    /// The first entry of a meeting's notes: the notes record is made with it, in one commit.
    fn new_notes(
        &self,
        meeting: &str,
        list: &str,
        fields: &[(String, String)],
    ) -> Result<(Saved, Option<String>)> {
        let a = &self.agenda;
        if a.meeting(meeting).is_none() {
            return Err(StoreError::NotFound(meeting.to_string()));
        }
        let id = format!("n-{}", meeting.trim_start_matches("m-"));
        let id = if a.kind_of(&id).is_some() {
            ids::mint(Kind::Notes)
        } else {
            id
        };
        let base = [
            ("meeting", meeting.to_string()),
            ("type", "besluitenlijst".into()),
            ("status", "concept".into()),
        ];
        let mut doc = edit::new_document(Kind::Notes, &id, &base).map_err(rejected)?;
        let key = schema::entry_key(list);
        let mut values = Vec::new();
        if key == "id" {
            let prefix = list.chars().next().unwrap_or('x').to_string();
            values.push(("id", toml_edit::Value::from(ids::mint_entry(&prefix))));
        }
        for (k, v) in fields {
            let ty = schema::list_field(Kind::Notes, list, k)
                .map(|f| f.ty)
                .ok_or_else(|| rejected(format!("{list} has no field `{k}`")))?;
            if let Some(val) = convert(ty, v).map_err(|e| rejected(format!("{k}: {e}")))? {
                values.push((k.as_str(), val));
            }
        }
        edit::push_entry(&mut doc, list, values);
        let text = doc.to_string();
        let path = path_for(Kind::Notes, &id);
        ops::validate_text(Kind::Notes, &path, &text)?;
        let summary = format!(
            "nieuw verslag {}/verslag: {list} toegevoegd",
            a.reference(meeting)
        );
        let saved = self.store.transact(|r| {
            if r.read(&path)?.is_some() {
                return Err(rejected(format!("{path} exists already")));
            }
            Ok((
                vec![Change {
                    path: path.clone(),
                    text: Some(text.clone()),
                }],
                summary.clone(),
            ))
        })?;
        Ok((saved, Some(id)))
    }
}

/// Sort a sync error so the workbench can say it plainly.
/// The ids of the records a save of `paths` may have created, edited or removed.
fn changed_ids(before: &Agenda, after: &Agenda, paths: &[String]) -> Vec<String> {
    let mut ids = before.ids_at(paths);
    ids.extend(after.ids_at(paths));
    ids
}

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

/// Start the worker thread on the repository at `root`; jobs go in, actions come out.
pub fn spawn(
    root: PathBuf,
    jobs: Receiver<(u64, Job, super::lists::ListKeys)>,
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
        // a clone may have many loose objects from before (the CLI with packing off, older
        // versions): looked at once the start is done, as after a save
        let mut tidy_due = true;
        let mut next = jobs.recv().ok();
        while let Some((id, job, keys)) = next.take() {
            runner.list_keys = Some(keys);
            let (saves, syncs) = match &job {
                Job::Save(_) | Job::Resolve { .. } | Job::Start => (true, false),
                Job::Sync => (false, true),
                _ => (false, false),
            };
            let result = runner.run_with(id, job, &mut |a| {
                let _ = out.send(a);
            });
            if out.send(result).is_err() {
                break;
            }
            // a sync packs what is due itself
            tidy_due = (tidy_due || saves) && !syncs;
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

type Queued = (u64, Job, super::lists::ListKeys);

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
