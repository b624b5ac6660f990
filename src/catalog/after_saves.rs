//! What the catalog does after overleg's own saves (`store::journal`): a derived value
//! brought up to date from its older snapshot and the saved files, the check that no other
//! program changed a folder in the moment of a save, and the snapshots a start that replayed
//! saves keeps for the next.

use std::sync::Arc;

use serde::{Serialize, de::DeserializeOwned};

use super::{AGENDA, Catalog, JOURNAL_READ_MAX, SEARCH_INDEX, SavedFiles};
use crate::model::{Agenda, Kind};
use crate::store::Store;
use crate::store::snapshot::{self, Key, Section};

/// The files that differ from the record cache, kept with a snapshot of the agenda
/// ([`keep_for_next_start`]).
const BESIDES: &str = "besides";

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
pub(super) fn same_names(
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
            // all three or none: an agenda kept without its list of saved files would fail
            // the next check (a full load then), and one without its index would have the
            // next start build the index anew
            let saved: Vec<_> = saved.into_iter().collect();
            let mut together = snapshot::Together::default();
            together.write(&dir, BESIDES, &key, agenda.len(), &saved);
            together.write_parts(&dir, AGENDA, &key, agenda.len(), &agenda.parts());
            together.write(&dir, SEARCH_INDEX, &key, agenda.len(), &*index);
            together.put_in_place();
        })
        .ok()
}

impl Catalog<'_> {
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
    pub(super) fn besides_at(&self, key: &Key) -> Option<SavedFiles> {
        self.section(BESIDES)
            .filter(|s| s.settled() && s.key() == key)
            .and_then(|s| s.decode::<Vec<(String, Option<crate::store::cache::Stamp>)>>())
            .map(|v| v.into_iter().collect())
    }

    /// The ids of the records overleg's own saves changed since the snapshots were built,
    /// when the agenda was brought up to date from them (see
    /// [`Catalog::derived_fresh_or_behind`]).
    pub fn behind_by(&self) -> Option<&[String]> {
        self.replayed.get().map(|r| r.ids.as_slice())
    }

    /// Whether the saves the agenda was brought up to date by (see [`Catalog::behind_by`])
    /// wrote only records of `kinds`.
    pub fn behind_only_in(&self, kinds: &[Kind]) -> bool {
        self.replayed.get().is_some_and(|r| {
            r.paths.iter().all(|p| {
                p.rsplit_once('/')
                    .is_some_and(|(folder, _)| kinds.iter().any(|k| k.folder() == folder))
            })
        })
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
        self.saves_since(&s, JOURNAL_READ_MAX)?;
        s.decode().map(|v| (v, Some(s.key().clone())))
    }

    /// The files overleg's saves wrote (each with its stamp after the save) to bring the
    /// folders from the state `section` was built from to now, when they alone did, the
    /// snapshot was provably built from that state, and they are at most `max`.
    pub(super) fn saves_since(
        &self,
        section: &Section,
        max: usize,
    ) -> Option<Vec<(String, Option<crate::store::cache::Stamp>)>> {
        let dir = self.dir.as_ref()?;
        if !section.settled() {
            return None;
        }
        let files = crate::store::journal::since(dir, section.key(), &self.key)?;
        (files.len() <= max).then_some(files)
    }

    /// The state of the agenda's snapshot, when the journal brought it up to date.
    pub fn replayed_from(&self) -> Option<&Key> {
        self.replayed.get().map(|r| &r.base)
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
        (self.built(name, build), Source::Built)
    }

    fn patched<T, S, R, P>(&self, name: &str, read_saves: R, patch: P) -> Option<T>
    where
        T: Serialize + DeserializeOwned + Send,
        R: FnOnce(&[String], &[&str]) -> Option<S>,
        P: FnOnce(T, S) -> Option<T>,
    {
        let dir = self.dir.as_ref()?;
        let section = self.section(name)?;
        let files = self.saves_since(&section, PATCH_MAX)?;
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
}
