//! Loading every record file of the work tree. A bad file is reported with file, line and
//! reason and left alone; the rest loads. Unchanged files come from the cache.

use std::path::Path;

use crate::model::agenda::LoadedFile;
use crate::model::parse::parse_record;
use crate::model::{Agenda, Kind, Problem};

use super::Store;
use super::cache::{self, CacheFile, Entry, Stamp};

struct Scan {
    files: Vec<LoadedFile>,
    problems: Vec<Problem>,
    /// What the next cache holds of every file, kept only when the cache must be
    /// rewritten: its stamp, its problems and which of `files` has its record.
    fresh: Vec<Fresh>,
}

struct Fresh {
    rel: String,
    stamp: Stamp,
    problems: Vec<Problem>,
    file: Option<usize>,
}

/// A record file found in a folder, not yet read.
struct Found {
    kind: Kind,
    rel: String,
    path: std::path::PathBuf,
    stamp: Stamp,
}

/// Lists the record files of one folder. Symlinks are never followed (they could point
/// outside the repository), odd names are reported.
fn list_folder(root: &Path, kind: Kind, found: &mut Vec<Found>, problems: &mut Vec<Problem>) {
    let dir = root.join(kind.folder());
    if let Err(e) = super::check_no_links(root, kind.folder()) {
        problems.push(Problem::error(
            kind.folder(),
            1,
            1,
            "",
            format!("not loaded: {e}"),
        ));
        return;
    }
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_cached_key(|e| e.file_name());
    let metas = metadata_of(&entries);
    for (e, meta) in entries.into_iter().zip(metas) {
        let name = match e.file_name().into_string() {
            Ok(n) => n,
            Err(raw) => {
                let shown = crate::text::line(&raw.to_string_lossy());
                problems.push(Problem::error(
                    &format!("{}/{}", kind.folder(), shown),
                    1,
                    1,
                    "",
                    "file name is not valid UTF-8; rename it",
                ));
                continue;
            }
        };
        let rel = format!("{}/{}", kind.folder(), name);
        let Some(meta) = meta else { continue };
        let ft = meta.file_type();
        if ft.is_dir() || name.starts_with('.') {
            continue;
        }
        if !name.ends_with(".toml") {
            problems.push(Problem::warning(
                &crate::text::line(&rel),
                1,
                1,
                "",
                "not a .toml file; ignored",
            ));
            continue;
        }
        if ft.is_symlink() {
            problems.push(Problem::error(
                &crate::text::line(&rel),
                1,
                1,
                "",
                "is a symbolic link; records must be plain files, not loaded",
            ));
            continue;
        }
        if name.chars().any(crate::text::is_hostile) || name.contains("..") {
            problems.push(Problem::error(
                &crate::text::line(&rel),
                1,
                1,
                "",
                "file name contains control, direction or invisible characters, or `..`; rename it",
            ));
            continue;
        }
        found.push(Found {
            kind,
            rel,
            path: e.path(),
            stamp: Stamp::of(&meta),
        });
    }
}

/// The (not followed) metadata of every entry, on all cores for large folders: at 100,000
/// records these system calls are a large part of a start.
fn metadata_of(entries: &[std::fs::DirEntry]) -> Vec<Option<std::fs::Metadata>> {
    let threads = if entries.len() < 4_000 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    map_in_parallel(entries, threads, |e| e.metadata().ok())
        .into_iter()
        .flatten()
        .collect()
}

/// `f` of every item, in order, on up to `threads` threads, each taking a run of them (so
/// the results come in runs: flattened, they are in the items' order). A panic in one goes
/// on in the caller's thread (never a result silently left out).
fn map_in_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<Vec<R>> {
    if threads <= 1 || items.len() < 2 {
        return vec![items.iter().map(f).collect()];
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Threads that read and parse the files the record cache does not have: more than the
/// cores, as on a cold page cache each waits on the disk (a first load at 1,000,000 records
/// read at 12 MB/s on one thread).
fn reading_threads(files: usize) -> usize {
    if files < 4_000 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| (n.get() * 4).min(16))
    }
}

/// One found file read and parsed, or why it cannot be read (boxed: a million of these are
/// held at once, and a record is large).
fn read_entry(f: &Found) -> Result<Box<Entry>, Box<Problem>> {
    let bytes = std::fs::read(&f.path).map_err(|err| {
        Box::new(Problem::error(
            &crate::text::line(&f.rel),
            1,
            1,
            "",
            format!("cannot be read: {err}"),
        ))
    })?;
    let parsed = parse_record(f.kind, &f.rel, &bytes);
    Ok(Box::new(Entry {
        stamp: f.stamp,
        record: parsed.record,
        problems: parsed.problems,
    }))
}

/// Every found file, taken from the record cache when it has it as it is, else read and
/// parsed (side by side). Their texts are not kept: the agenda reads the few it needs to
/// locate a problem again (at 1,000,000 records they would be half a gigabyte).
fn load_all(found: Vec<Found>, old: &mut CacheFile, rewrite: bool, scan: &mut Scan) {
    let to_read: Vec<&Found> = found
        .iter()
        .filter(|f| !old.is_fresh(&f.rel, f.stamp))
        .collect();
    let mut read = map_in_parallel(&to_read, reading_threads(to_read.len()), |f| read_entry(f))
        .into_iter()
        .flatten();
    for f in found {
        // (what `is_fresh` left out above is what `take_fresh` finds here)
        let taken = old.take_fresh(&f.rel, f.stamp);
        let entry = match taken.map(Ok).or_else(|| read.next().map(|r| r.map(|e| *e))) {
            Some(Ok(entry)) => entry,
            Some(Err(problem)) => {
                scan.problems.push(*problem);
                continue;
            }
            None => continue,
        };
        add_one(f, entry, rewrite, scan);
    }
}

/// One file's entry added to what the scan found.
fn add_one(f: Found, entry: Entry, rewrite: bool, scan: &mut Scan) {
    let file = entry.record.map(|record| {
        scan.files.push(LoadedFile {
            path: f.rel.clone(),
            text: String::new(),
            record,
        });
        scan.files.len() - 1
    });
    if rewrite {
        scan.problems.extend(entry.problems.iter().cloned());
        scan.fresh.push(Fresh {
            rel: f.rel,
            stamp: f.stamp,
            problems: entry.problems,
            file,
        });
    } else {
        scan.problems.extend(entry.problems);
    }
}

impl Store {
    /// Every record of the work tree, with every problem found.
    pub fn load(&self) -> Agenda {
        self.load_reporting().0
    }

    /// Like [`Store::load`], and whether any record file changed since the last load (new,
    /// changed or gone): snapshots built before such a change are removed, since a change
    /// made in place does not show in the folders they are keyed by.
    pub fn load_reporting(&self) -> (Agenda, bool) {
        let timing = std::env::var_os("OVERLEG_TIMING").is_some();
        let t0 = std::time::Instant::now();
        let cache_path = self.repo().ok().map(|r| cache::path_in(r.path()));
        let mut old = cache_path.as_deref().map(cache::read).unwrap_or_default();
        if timing {
            eprintln!(
                "load: cache read {:?} ({} entries)",
                t0.elapsed(),
                old.entries.len()
            );
        }
        let mut problems = Vec::new();
        let mut found = Vec::new();
        for kind in Kind::ALL {
            list_folder(&self.root, kind, &mut found, &mut problems);
        }
        // Rewrite the cache when any file is new, changed or gone.
        let rewrite = cache_path.is_some()
            && (found.len() != old.entries.len()
                || found.iter().any(|f| !old.is_fresh(&f.rel, f.stamp)));
        if timing {
            eprintln!("load: listed {:?} (rewrite: {rewrite})", t0.elapsed());
        }
        // a cache from before stamps were kept beside it: add them (see `unchanged_since_cache`)
        if let Some(p) = &cache_path
            && !rewrite
            && cache::read_stamps(p).is_none()
        {
            let files = found.iter().map(|f| (f.rel.clone(), f.stamp)).collect();
            cache::write_stamps(p, old.written_ns, files);
        }
        // what a full load finds changed since the record cache, when it does
        let unexplained = rewrite && {
            let on_disk: rustc_hash::FxHashSet<&str> =
                found.iter().map(|f| f.rel.as_str()).collect();
            let changed: Vec<(&str, Stamp)> = found
                .iter()
                .filter(|f| !old.is_fresh(&f.rel, f.stamp))
                .map(|f| (f.rel.as_str(), f.stamp))
                .collect();
            let removed: Vec<&str> = old
                .entries
                .keys()
                .map(String::as_str)
                .filter(|rel| !on_disk.contains(rel))
                .collect();
            cache_path
                .as_deref()
                .and_then(Path::parent)
                .is_none_or(|dir| !super::journal::explains(dir, &changed, &removed))
        };
        let mut scan = Scan {
            files: Vec::with_capacity(found.len()),
            problems,
            fresh: Vec::new(),
        };
        load_all(found, &mut old, rewrite, &mut scan);
        // Its records are taken, but its table is as large as ever (at 1,000,000 records
        // close to a gigabyte): not to be held while the agenda is built.
        drop(old);
        if timing {
            eprintln!("load: read {:?}", t0.elapsed());
        }
        if let Some(p) = cache_path
            && rewrite
        {
            let entries: Vec<(&str, cache::EntryRef)> = scan
                .fresh
                .iter()
                .map(|f| {
                    let entry = cache::EntryRef {
                        stamp: f.stamp,
                        record: f.file.and_then(|i| scan.files.get(i)).map(|l| &l.record),
                        problems: &f.problems,
                    };
                    (f.rel.as_str(), entry)
                })
                .collect();
            cache::write(&p, &entries);
            // A file rewritten in place by another program leaves its folder's state alone,
            // so a snapshot keyed by that state could pass for fresh: remove them all. Files
            // as overleg's own saves and syncs left them need not: each of those changed its
            // folder's state (`store::journal`), so the snapshots from before are stale by
            // their key already and used only through the journal, which reads those files.
            if unexplained && let Some(dir) = p.parent() {
                super::snapshot::clear(dir);
            }
        }
        let root = self.root.clone();
        let source = move |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
        let agenda = Agenda::build_with(scan.files, scan.problems, &source);
        if timing {
            eprintln!("load: built {:?}", t0.elapsed());
        }
        (agenda, rewrite)
    }

    /// Whether every record file is provably as the record cache has it (same names, sizes,
    /// times and inodes), by listing and `stat` alone: a quarter of a second at 100,000
    /// records, without reading any record. `false` when unsure.
    pub fn unchanged_since_cache(&self) -> bool {
        self.unchanged_besides(&Default::default())
    }

    /// Like [`Store::unchanged_since_cache`], for the files overleg's saves wrote since: each
    /// of those as the save left it (same stamp; `None`: still gone).
    pub fn unchanged_besides(&self, saved: &rustc_hash::FxHashMap<String, Option<Stamp>>) -> bool {
        let Some(cache_path) = self.repo().ok().map(|r| cache::path_in(r.path())) else {
            return false;
        };
        let Some(stamps) = cache::read_stamps(&cache_path) else {
            return false;
        };
        let (mut count, mut saved_here) = (0, 0);
        for kind in Kind::ALL {
            if super::check_no_links(&self.root, kind.folder()).is_err() {
                return false;
            }
            let Ok(rd) = std::fs::read_dir(self.root.join(kind.folder())) else {
                continue;
            };
            // folder by folder, so that only one folder's entries are held at a time
            let entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
            let metas = metadata_of(&entries);
            for (e, meta) in entries.iter().zip(metas) {
                let (Ok(name), Some(meta)) = (e.file_name().into_string(), meta) else {
                    continue;
                };
                // what `list_folder` loads; the rest is reported by full loads, not counted
                if !name.ends_with(".toml") || name.starts_with('.') || !meta.file_type().is_file()
                {
                    continue;
                }
                let rel = format!("{}/{name}", kind.folder());
                let stamp = Stamp::of(&meta);
                match saved.get(&rel) {
                    Some(after) if *after == Some(stamp) => saved_here += 1,
                    Some(_) => return false,
                    None if stamps.is_fresh(&rel, stamp) => count += 1,
                    None => return false,
                }
            }
        }
        let saved_in_cache = saved.keys().filter(|rel| stamps.contains(rel)).count();
        count + saved_in_cache == stamps.len()
            && saved_here == saved.values().filter(|s| s.is_some()).count()
    }

    /// `agenda` after the record files at `paths` changed, reading only those (a save
    /// reports the files it wrote), and `true`; a full load and `false` when that cannot be
    /// done (a full load also sees what other programs changed).
    pub fn reload_changed(&self, agenda: &Agenda, paths: &[String]) -> (Agenda, bool) {
        let mut changed = Vec::new();
        for rel in paths {
            let kind = rel
                .rsplit_once('/')
                .filter(|(_, name)| name.ends_with(".toml"))
                .and_then(|(folder, _)| Kind::from_folder(folder));
            let Some(kind) = kind else {
                return (self.load(), false);
            };
            if super::check_no_links(&self.root, rel).is_err() {
                return (self.load(), false);
            }
            match std::fs::read(self.root.join(rel)) {
                Ok(bytes) => {
                    let parsed = parse_record(kind, rel, &bytes);
                    let text = String::from_utf8(bytes).unwrap_or_default();
                    let file = parsed.record.map(|record| LoadedFile {
                        path: rel.clone(),
                        text,
                        record,
                    });
                    changed.push((rel.clone(), file, parsed.problems));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    changed.push((rel.clone(), None, Vec::new()));
                }
                Err(_) => return (self.load(), false),
            }
        }
        let root = self.root.clone();
        let source = move |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
        match agenda.with_changed(changed, &source) {
            Some(a) => (a, true),
            None => (self.load(), false),
        }
    }

    /// The record in the file at `rel` (relative to the agenda's folder) as a full load would
    /// take it; `None` when it is gone, unreadable, reached through a link or has any problem
    /// of its own (a caller then needs the full load, which reports it).
    pub fn read_clean_record(&self, rel: &str) -> Option<crate::model::Record> {
        let kind = rel
            .rsplit_once('/')
            .filter(|(_, name)| name.ends_with(".toml"))
            .and_then(|(folder, _)| Kind::from_folder(folder))?;
        super::check_no_links(&self.root, rel).ok()?;
        let bytes = std::fs::read(self.root.join(rel)).ok()?;
        let parsed = parse_record(kind, rel, &bytes);
        if parsed.problems.is_empty() {
            parsed.record
        } else {
            None
        }
    }

    /// The commit the branch is at, if any.
    pub fn head_commit(&self) -> Option<git2::Oid> {
        let repo = self.repo().ok()?;
        let head = repo.head().ok()?.peel_to_commit().ok()?;
        Some(head.id())
    }

    /// The files (relative to the agenda's folder) that differ between commit `from` and the
    /// branch now: what a sync, pull or merge changed in a clean work tree. `None` when that
    /// cannot be told from the stored trees.
    pub fn changed_since(&self, from: git2::Oid) -> Option<Vec<String>> {
        let repo = self.repo().ok()?;
        let to = repo.head().ok()?.peel_to_commit().ok()?.tree_id();
        let from = repo.find_commit(from).ok()?.tree_id();
        let mut trees = super::tree_patch::Trees::new(&repo)?;
        let diff = trees.diff_files(Some(from), to)?;
        // files outside the agenda's folder are not the agenda's
        Some(
            diff.iter()
                .filter_map(|d| self.relative(&d.path))
                .map(str::to_string)
                .collect(),
        )
    }

    /// The current text of a record file (relative path).
    pub fn read_text(&self, rel: &str) -> super::Result<String> {
        super::check_no_links(&self.root, rel)?;
        let p = self.root.join(rel);
        std::fs::read_to_string(&p).map_err(|e| super::StoreError::io(p, e))
    }
}
