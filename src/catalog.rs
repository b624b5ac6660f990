//! The agenda and what commands derive from it (listing rows, the search index, the reference
//! table), each taken from its snapshot when that is provably fresh, else built from a full
//! load and saved for the next command. Small repositories never use snapshots: a full load
//! is quick there and sees every change (see `store::snapshot` for why).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Serialize, de::DeserializeOwned};

use crate::model::{Agenda, Kind, Lookup, RefTable};
use crate::store::Store;
use crate::store::snapshot::{self, Key, Section};

pub const AGENDA: &str = "agenda";
pub const REFS: &str = "refs";
pub const SEARCH: &str = "search";
/// The files that differ from the record cache, kept with a snapshot of the agenda
/// ([`keep_for_next_start`]).
const BESIDES: &str = "besides";
/// The workbench's search index (`search::Flat`).
pub const SEARCH_INDEX: &str = "search-index";
/// The search index in the flat layout `overleg search` reads in place (`search::compact`).
pub const SEARCH_FLAT: &str = "search-flat";

/// Keep the snapshots of `agenda` and its search `index`, both of the folders in state
/// `key`, for the next start, on a thread of their own (at 1,000,000 records this writes
/// hundreds of megabytes): after a start that brought older snapshots up to date through the
/// journal and a check that found every file as the record cache has it or as `saved` says
/// an overleg save left it, so that the next start reads them as they are rather than
/// replaying the same saves again (and more each time, until the journal runs out and a
/// start loads every file). `saved` is kept beside them: the next check expects those files
/// so, as the record cache is not written again. Nothing is written while the folders have
/// not settled (such a snapshot could never be proven fresh) or no longer are in `key`.
pub fn keep_for_next_start(
    store: &Store,
    key: Key,
    saved: SavedFiles,
    agenda: Arc<Agenda>,
    index: Arc<crate::search::Flat>,
) -> Option<std::thread::JoinHandle<()>> {
    let dir = store.snapshot_dir()?;
    if agenda.len() < snapshot::fast_from() || !key.settled_now() || store.folder_key() != key {
        return None;
    }
    std::thread::Builder::new()
        .name("overleg-snapshots".into())
        .spawn(move || {
            snapshot::sweep_unfinished(&dir);
            // first: an agenda kept without it would fail the next check (a full load then)
            let saved: Vec<_> = saved.into_iter().collect();
            snapshot::write(&dir, BESIDES, &key, agenda.len(), &saved);
            snapshot::write_parts(&dir, AGENDA, &key, agenda.len(), &agenda.parts());
            snapshot::write(&dir, SEARCH_INDEX, &key, agenda.len(), &*index);
        })
        .ok()
}

/// Files read again from the journal at most; further behind, a full load is as quick.
const JOURNAL_READ_MAX: usize = 20_000;
/// Files a derived value is patched for at most ([`Catalog::derived_patching`]).
const PATCH_MAX: usize = 2_000;

/// Files the saves since a patched snapshot wrote before it is written again.
const REWRITE_AFTER: usize = 100;

/// Where a derived value came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Source {
    /// Its snapshot, fresh.
    Snapshot,
    /// Its snapshot brought up to date with the files overleg's own saves wrote since.
    Patched,
    /// The agenda.
    Built,
}

/// Whether every record folder that changed between `before` and `now` holds exactly the files
/// of `agenda`'s records of its kind: a file created, removed or renamed by another program
/// while a save wrote its own would show here (see `store::journal`). The agenda's own folder
/// and `registry` changing (folders added or replaced) is not checked: `false`.
fn same_names(
    root: &std::path::Path,
    now: &crate::store::snapshot::Key,
    before: &crate::store::snapshot::Key,
    agenda: &Agenda,
) -> bool {
    now.changed_from(before).into_iter().all(|folder| {
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.folder() == folder) else {
            return false;
        };
        let Some(on_disk) = record_files_in(root, folder) else {
            return false;
        };
        let mut known: Vec<String> = agenda
            .ids_of(kind)
            .filter_map(|id| agenda.path_of(id))
            .collect();
        known.extend(agenda.problem_files_in(folder));
        known.sort_unstable();
        known.dedup();
        on_disk == known
    })
}

/// The record files in `folder` of the agenda at `root`, as paths relative to it, sorted;
/// `None` when the folder cannot be read or holds a name that is not text.
pub fn record_files_in(root: &std::path::Path, folder: &str) -> Option<Vec<String>> {
    let mut on_disk: Vec<String> = Vec::new();
    for e in std::fs::read_dir(root.join(folder)).ok()?.flatten() {
        let name = e.file_name();
        let name = name.to_str()?;
        if name.ends_with(".toml") && !name.starts_with('.') {
            on_disk.push(format!("{folder}/{name}"));
        }
    }
    on_disk.sort_unstable();
    Some(on_disk)
}

pub struct Catalog<'s> {
    store: &'s Store,
    /// Where snapshots live; `None` for a plain folder.
    dir: Option<PathBuf>,
    /// The folders as they were before anything was read.
    key: Key,
    agenda: OnceLock<Arc<Agenda>>,
    /// Whether the agenda came from its snapshot.
    from_snapshot: AtomicBool,
    /// When the agenda came from an older snapshot and the journal of saves since.
    replayed: OnceLock<Replayed>,
    /// When it came from a fresh snapshot: see [`Catalog::besides_cache`].
    besides: OnceLock<SavedFiles>,
}

/// Files (relative to the agenda's folder) with their stamps after the save that last wrote
/// them (`None`: removed).
pub type SavedFiles = rustc_hash::FxHashMap<String, Option<crate::store::cache::Stamp>>;

struct Replayed {
    /// The state the snapshot was built from.
    base: Key,
    /// The records the saves since changed.
    ids: Vec<String>,
    saved: SavedFiles,
}

/// A reference table and whether it is provably current.
pub struct Refs {
    pub table: RefTable,
    pub fresh: bool,
}

impl<'s> Catalog<'s> {
    pub fn open(store: &'s Store) -> Catalog<'s> {
        Catalog {
            store,
            dir: store.snapshot_dir(),
            key: store.folder_key(),
            agenda: OnceLock::new(),
            from_snapshot: AtomicBool::new(false),
            replayed: OnceLock::new(),
            besides: OnceLock::new(),
        }
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// The folders' state when this catalog was opened, which every answer is of.
    pub fn key(&self) -> &Key {
        &self.key
    }

    fn section(&self, name: &str) -> Option<Section> {
        let s = snapshot::read(self.dir.as_ref()?, name)?;
        (s.records() >= snapshot::fast_from()).then_some(s)
    }

    /// Whether the agenda was taken from its snapshot (and so may miss a file rewritten in
    /// place by another program: see `store::snapshot`).
    pub fn from_snapshot(&self) -> bool {
        self.from_snapshot.load(Ordering::Relaxed)
    }

    /// A derived value, only when its snapshot is fresh.
    pub fn fresh_derived<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.fresh(name)
    }

    /// A snapshot's payload as written by [`Catalog::save_raw`], only when fresh.
    pub fn fresh_raw(&self, name: &str) -> Option<crate::store::snapshot::Payload> {
        self.section(name)
            .filter(|s| s.is_fresh(&self.key))
            .and_then(|s| s.raw())
    }

    /// Keep `payload`, derived from `records` records as they were when this catalog was
    /// opened, for the next command.
    pub fn save_raw(&self, name: &str, records: usize, payload: &[u8]) {
        if let Some(dir) = &self.dir
            && records >= snapshot::fast_from()
        {
            snapshot::write_raw(dir, name, &self.key, records, payload);
        }
    }

    fn fresh<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.section(name)
            .filter(|s| s.is_fresh(&self.key))
            .and_then(|s| s.decode())
    }

    fn save<T: Serialize>(&self, name: &str, agenda: &Agenda, value: &T) {
        if let Some(dir) = &self.dir
            && agenda.len() >= snapshot::fast_from()
        {
            snapshot::write(dir, name, &self.key, agenda.len(), value);
        }
    }

    /// Every record (kept for further questions in this process).
    pub fn agenda(&self) -> Arc<Agenda> {
        self.agenda_saving(true)
    }

    /// Like [`Catalog::agenda`]; `save` whether a full load should leave an agenda snapshot
    /// (not worth its cost when only a derived value was asked for).
    fn agenda_saving(&self, save: bool) -> Arc<Agenda> {
        if let Some(a) = self.agenda.get() {
            return a.clone();
        }
        let agenda = match self.fresh_agenda() {
            Some(a) => {
                self.from_snapshot.store(true, Ordering::Relaxed);
                a
            }
            None => {
                let a = self.store.load();
                if save
                    && let Some(dir) = &self.dir
                    && a.len() >= snapshot::fast_from()
                {
                    snapshot::write_parts(dir, AGENDA, &self.key, a.len(), &a.parts());
                }
                self.save(REFS, &a, &a.ref_table());
                a
            }
        };
        self.agenda.get_or_init(|| Arc::new(agenda)).clone()
    }

    /// The agenda from its snapshot when fresh, its parts decoded on every core; or when only
    /// overleg's own saves changed the folders since, the snapshot with the files they wrote
    /// read again (`store::journal`).
    fn fresh_agenda(&self) -> Option<Agenda> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let section = self.section(AGENDA)?;
        if section.is_fresh(&self.key) {
            let parts = section.decode_parts::<crate::model::agenda::Part>(threads)?;
            let _ = self
                .besides
                .set(self.besides_at(&self.key).unwrap_or_default());
            return Some(Agenda::from_parts(parts));
        }
        let dir = self.dir.as_ref()?;
        if !section.settled() {
            return None;
        }
        let files = crate::store::journal::since(dir, section.key(), &self.key)?;
        if files.len() > JOURNAL_READ_MAX {
            return None;
        }
        // each file as the last save that wrote it left it
        let mut saved: SavedFiles = files.into_iter().collect();
        let mut paths: Vec<String> = saved.keys().cloned().collect();
        paths.sort();
        // and the files the snapshot already had other than the record cache has them
        for (path, stamp) in self.besides_at(section.key()).unwrap_or_default() {
            saved.entry(path).or_insert(stamp);
        }
        let parts = section.decode_parts::<crate::model::agenda::Part>(threads)?;
        let before = Agenda::from_parts(parts);
        let (agenda, patched) = self.store.reload_changed(&before, &paths);
        if !patched {
            // it loaded every file instead: that is what the folders hold now
            return Some(agenda);
        }
        if !same_names(self.store.root(), &self.key, section.key(), &agenda) {
            return None;
        }
        let mut ids = before.ids_at(&paths);
        ids.extend(agenda.ids_at(&paths));
        let _ = self.replayed.set(Replayed {
            base: section.key().clone(),
            ids,
            saved,
        });
        Some(agenda)
    }

    /// The files overleg's saves wrote since the snapshots were built, with their stamps as
    /// each save left them, when the agenda was brought up to date from them (with the files
    /// of [`Catalog::besides_cache`]).
    pub fn saved_since(&self) -> Option<&SavedFiles> {
        self.replayed.get().map(|r| &r.saved)
    }

    /// When the agenda came from a snapshot: the files that differ from the record cache,
    /// each as an overleg save left it (`None`: removed), which the check of every file
    /// expects besides the cache's (see [`keep_for_next_start`]).
    pub fn besides_cache(&self) -> Option<&SavedFiles> {
        self.replayed
            .get()
            .map(|r| &r.saved)
            .or_else(|| self.besides.get())
    }

    /// The files a snapshot kept at state `key` had other than the record cache has them.
    fn besides_at(&self, key: &Key) -> Option<SavedFiles> {
        self.section(BESIDES)
            .filter(|s| s.settled() && s.key() == key)
            .and_then(|s| s.decode::<Vec<(String, Option<crate::store::cache::Stamp>)>>())
            .map(|v| v.into_iter().collect())
    }

    /// The ids of the records overleg's own saves changed since the snapshots were built,
    /// when the agenda was brought up to date from them (see [`Catalog::derived_behind`]).
    pub fn behind_by(&self) -> Option<&[String]> {
        self.replayed.get().map(|r| r.ids.as_slice())
    }

    /// A derived value from its snapshot, with the state it was built from when that is not
    /// now (`None`: fresh): only when overleg's own saves alone lead from that state to now,
    /// for a caller that brings it up to date once the agenda tells what they changed
    /// ([`Catalog::behind_by`], when [`Catalog::replayed_from`] is that state). Read beside
    /// the agenda, before it is known whether the agenda can be brought up to date too.
    pub fn derived_fresh_or_behind<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Option<(T, Option<Key>)> {
        let s = self.section(name)?;
        if s.is_fresh(&self.key) {
            return s.decode().map(|v| (v, None));
        }
        let dir = self.dir.as_ref()?;
        if !s.settled() {
            return None;
        }
        let files = crate::store::journal::since(dir, s.key(), &self.key)?;
        if files.len() > JOURNAL_READ_MAX {
            return None;
        }
        s.decode().map(|v| (v, Some(s.key().clone())))
    }

    /// The state of the agenda's snapshot, when the journal brought it up to date.
    pub fn replayed_from(&self) -> Option<&Key> {
        self.replayed.get().map(|r| &r.base)
    }

    /// A value derived from the agenda: from its snapshot when fresh, else built and saved.
    pub fn derived<T, F>(&self, name: &str, build: F) -> T
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(&Agenda) -> T,
    {
        if let Some(v) = self.fresh(name) {
            return v;
        }
        let agenda = self.agenda_saving(false);
        let v = build(&agenda);
        self.save(name, &agenda, &v);
        v
    }

    /// Like [`Catalog::derived`], but when overleg's own saves are all that changed the
    /// folders since the snapshot was built, first tries to bring the snapshot's value up to
    /// date: `read_saves` gets the files those saves wrote (sorted, each once) and the
    /// folders that changed, and reads what it needs of them while the snapshot is decoded;
    /// `patch` then gets the value as the snapshot has it and what `read_saves` found. Either
    /// answers `None` when the value cannot be told without the agenda. A patched value is
    /// kept for the next command once the saves since the snapshot are many and the folders
    /// have settled.
    pub fn derived_patching<T, S, F, R, P>(
        &self,
        name: &str,
        build: F,
        read_saves: R,
        patch: P,
    ) -> (T, Source)
    where
        T: Serialize + DeserializeOwned + Send,
        F: FnOnce(&Agenda) -> T,
        R: FnOnce(&[String], &[&str]) -> Option<S>,
        P: FnOnce(T, S) -> Option<T>,
    {
        if let Some(v) = self.fresh(name) {
            return (v, Source::Snapshot);
        }
        if let Some(v) = self.patched(name, read_saves, patch) {
            return (v, Source::Patched);
        }
        (self.derived(name, build), Source::Built)
    }

    fn patched<T, S, R, P>(&self, name: &str, read_saves: R, patch: P) -> Option<T>
    where
        T: Serialize + DeserializeOwned + Send,
        R: FnOnce(&[String], &[&str]) -> Option<S>,
        P: FnOnce(T, S) -> Option<T>,
    {
        let dir = self.dir.as_ref()?;
        let section = self.section(name).filter(Section::settled)?;
        let files = crate::store::journal::since(dir, section.key(), &self.key)?;
        if files.len() > PATCH_MAX {
            return None;
        }
        let written = files.len();
        let mut paths: Vec<String> = files.into_iter().map(|(p, _)| p).collect();
        paths.sort_unstable();
        paths.dedup();
        let folders = self.key.changed_from(section.key());
        // both mostly wait on memory and the file system: side by side
        let (value, saves) = std::thread::scope(|scope| {
            let decoding = scope.spawn(|| section.decode::<T>());
            let saves = read_saves(&paths, &folders);
            (decoding.join().ok().flatten(), saves)
        });
        let value = patch(value?, saves?)?;
        // Patching costs about what decoding a fresh snapshot does, and writing one costs
        // more (over a tenth of a second for the follow-ups' rows at 100,000 records): kept only
        // once the chain of saves grows long.
        if written >= REWRITE_AFTER && self.key.settled_now() {
            snapshot::write(dir, name, &self.key, section.records(), &value);
        }
        Some(value)
    }

    /// The reference table, also when it is not provably current (the caller checks what it
    /// relies on); built by a full load when there is none.
    pub fn refs(&self) -> Refs {
        if let Some(s) = self.section(REFS)
            && let Some(table) = s.decode::<RefTable>()
        {
            return Refs {
                fresh: s.is_fresh(&self.key),
                table,
            };
        }
        Refs {
            table: self.agenda().ref_table(),
            fresh: true,
        }
    }
}

impl Refs {
    /// A lookup that is safe to act on: the table itself when current, else the table checked
    /// against the files for every answer an edit relies on (see [`Checked`]).
    pub fn lookup<'a>(&'a self, store: &'a Store) -> Box<dyn Lookup + 'a> {
        if self.fresh {
            Box::new(&self.table)
        } else {
            Box::new(Checked::new(&self.table, store.root()))
        }
    }
}

/// A reference table that may be behind the work tree (records added, removed or changed
/// since it was built), answering only what the files confirm: a record exists when its file
/// does, and a human reference counts only for an action whose file carries it (other
/// references are derived from several records and cannot be confirmed from one file).
/// What it cannot confirm it does not know, and the caller falls back to a full load.
pub struct Checked<'a, L: Lookup> {
    table: &'a L,
    root: &'a std::path::Path,
}

impl<'a, L: Lookup> Checked<'a, L> {
    pub fn new(table: &'a L, root: &'a std::path::Path) -> Self {
        Checked { table, root }
    }

    fn exists(&self, id: &str) -> bool {
        self.table.path_of(id).is_some_and(|p| {
            crate::store::check_no_links(self.root, &p).is_ok() && self.root.join(p).is_file()
        })
    }

    fn action_carries(&self, id: &str, reference: &str) -> bool {
        let Some(path) = self.table.path_of(id) else {
            return false;
        };
        let Ok(text) = std::fs::read_to_string(self.root.join(path)) else {
            return false;
        };
        text.parse::<toml::Table>().ok().is_some_and(|t| {
            t.get("id").and_then(|v| v.as_str()) == Some(id)
                && t.get("ref")
                    .and_then(|v| v.as_str())
                    .is_some_and(|r| r.eq_ignore_ascii_case(reference.trim()))
        })
    }
}

impl<L: Lookup> Lookup for Checked<'_, L> {
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        let (kind, id) = self.table.resolve(id_or_ref)?;
        if !self.exists(&id) {
            return None;
        }
        if self.table.kind_of(id_or_ref.trim()).is_some() {
            return Some((kind, id));
        }
        (kind == Kind::Action && self.action_carries(&id, id_or_ref)).then_some((kind, id))
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        self.table.kind_of(id).filter(|_| self.exists(id))
    }
    fn path_of(&self, id: &str) -> Option<String> {
        self.table.path_of(id)
    }
    fn reference(&self, id: &str) -> String {
        self.table.reference(id)
    }
    fn has_org_code(&self, code: &str) -> bool {
        self.table.has_org_code(code)
    }
}
