//! The agenda and what commands derive from it (listing rows, the search index, the reference
//! table), each taken from its snapshot when that is provably fresh, else built from a full
//! load and saved for the next command. Small repositories never use snapshots: a full load
//! is quick there and sees every change (see `store::snapshot` for why).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Serialize, de::DeserializeOwned};

use crate::model::{Agenda, Lookup, RefTable};
use crate::store::Store;
use crate::store::snapshot::{self, Key, Section};

mod after_saves;
mod checked;

use after_saves::same_names;
pub use after_saves::{Source, keep_for_next_start, record_files_in};
pub use checked::Checked;

pub const AGENDA: &str = "agenda";
pub const REFS: &str = "refs";
pub const SEARCH: &str = "search";
/// The workbench's search index (`search::Flat`).
pub const SEARCH_INDEX: &str = "search-index";
/// The search index in the flat layout `overleg search` reads in place (`search::compact`).
pub const SEARCH_FLAT: &str = "search-flat";

/// Files read again from the journal at most; further behind, a full load is as quick.
const JOURNAL_READ_MAX: usize = 20_000;
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
    /// Whether the caller compares every file with the record cache and the saves after
    /// the first answer (see [`Catalog::names_checked_behind`]).
    names_checked_behind: bool,
}

/// Files (relative to the agenda's folder) with their stamps after the save that last wrote
/// them (`None`: removed).
pub type SavedFiles = rustc_hash::FxHashMap<String, Option<crate::store::cache::Stamp>>;

struct Replayed {
    /// The state the snapshot was built from.
    base: Key,
    /// The records the saves since changed.
    ids: Vec<String>,
    /// The files they wrote.
    paths: Vec<String>,
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
            names_checked_behind: false,
        }
    }

    /// This catalog for a caller that checks every file's name and stamp against the record
    /// cache and the saves right after taking the agenda (the workbench, behind its first
    /// screen), and takes a full load when any differs. An agenda replayed from the journal
    /// then skips comparing the saved folders' names with its records first, which guards
    /// against a file another program created or removed in the same clock tick as a save
    /// (it lists every file of the folder: 30-40 ms of a start at 100,000 records); that
    /// check finds such a file too, as it finds a file rewritten in place.
    pub fn names_checked_behind(mut self) -> Self {
        self.names_checked_behind = true;
        self
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
        if let Some(dir) = self.dir_to_write(name, records) {
            snapshot::write_raw(dir, name, &self.key, records, payload);
        }
    }

    /// Where to write the snapshot `name` of `records` records, when it is worth writing:
    /// only once the folders have settled, as a snapshot of folders changed within two
    /// seconds can never be proven fresh nor brought up to date by the journal, and would
    /// replace an older one that can (the next start right after a save would build it
    /// again, and again). The reference table is the exception: it guides edits also when
    /// not current (see [`Refs::lookup`]).
    fn dir_to_write(&self, name: &str, records: usize) -> Option<&PathBuf> {
        let dir = self.dir.as_ref()?;
        (records >= snapshot::fast_from() && (name == REFS || self.key.settled_now()))
            .then_some(dir)
    }

    fn fresh<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.section(name)
            .filter(|s| s.is_fresh(&self.key))
            .and_then(|s| s.decode())
    }

    fn save<T: Serialize>(&self, name: &str, agenda: &Agenda, value: &T) {
        if let Some(dir) = self.dir_to_write(name, agenda.len()) {
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
                if save && let Some(dir) = self.dir_to_write(AGENDA, a.len()) {
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
        let files = self.saves_since(&section, JOURNAL_READ_MAX)?;
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
        if !self.names_checked_behind
            && !same_names(self.store.root(), &self.key, section.key(), &agenda)
        {
            return None;
        }
        let mut ids = before.ids_at(&paths);
        ids.extend(agenda.ids_at(&paths));
        let _ = self.replayed.set(Replayed {
            base: section.key().clone(),
            ids,
            paths,
            saved,
        });
        Some(agenda)
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
        self.built(name, build)
    }

    /// A value derived from the agenda, built and saved (its snapshot is not fresh).
    fn built<T, F>(&self, name: &str, build: F) -> T
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(&Agenda) -> T,
    {
        let agenda = self.agenda_saving(false);
        let v = build(&agenda);
        self.save(name, &agenda, &v);
        v
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
