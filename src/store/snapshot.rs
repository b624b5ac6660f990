//! Snapshots: derived data (the built agenda, listing rows, the search index, the reference
//! table) saved per clone in `.git/overleg-cache/*.snap`, so that a large repository answers
//! without reading 100,000 files.
//!
//! Proving a snapshot fresh file by file would cost a `stat` per record (about 250 ms at
//! 100,000 records on our machines, more than the whole answer may take). Instead a snapshot
//! is keyed by the record folders themselves: a folder's modification time and inode change
//! whenever a file in it is created, removed or renamed, which covers overleg's own saves
//! (atomic renames), git checkouts, merges and pulls, and editors that save by replacing the
//! file. A file rewritten in place by another program does not change its folder: that is
//! noticed by the next full scan (`overleg check`, the workbench's check after its start),
//! which is why snapshots are used only from a size up (`OVERLEG_FAST_FROM`, 20,000 records by
//! default); below it every command scans every file, which is quick at that size.
//!
//! overleg's own saves and syncs are noted in a journal beside the snapshots
//! (`store::journal`), so that the command after one reads only the files it wrote instead of
//! every file. A sync's checkout writes files over in place and then marks their folders
//! changed ([`Store::mark_folders_changed`]).
//!
//! Like git's "racy" rule, a folder modified within two seconds before the snapshot was
//! written does not count as proven unchanged: a second change within the same clock tick
//! could leave the same time behind. Derived data only: deleting these files costs one slow
//! start, never a record.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::Store;
use super::cache::{Stamp, now_ns};
use crate::model::Kind;

const MAGIC: &[u8; 8] = b"OVLSNAP1";
/// Raise with every change to a type stored in a snapshot (the agenda, the records, listing
/// rows, search entries, the reference table): bincode is not self-describing, so old bytes
/// could decode into wrong values rather than fail.
const VERSION: u32 = 10;

/// Payloads from this size on are decoded straight from the file rather than read first.
const STREAM_FROM: u64 = 64 << 20;

/// The default record count from which snapshots are used.
pub const FAST_FROM: usize = 20_000;

/// The state of the agenda's folders that a snapshot was built from.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
pub struct Key {
    stamps: Vec<(String, Option<Stamp>)>,
}

impl Key {
    /// The folders (as named in the key: `""` for the agenda's own) whose state differs.
    pub fn changed_from<'a>(&'a self, before: &Key) -> Vec<&'a str> {
        self.stamps
            .iter()
            .filter(|(name, stamp)| !before.stamps.iter().any(|(n, s)| n == name && s == stamp))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Whether no folder changed within two seconds before `written_ns` (see
    /// [`Section::settled`]).
    fn settled_at(&self, written_ns: i128) -> bool {
        let racy_after = written_ns - 2_000_000_000;
        self.stamps
            .iter()
            .all(|(_, s)| s.is_none_or(|s| s.mtime_ns < racy_after))
    }

    /// Whether a snapshot of this state written now would be settled: one that is not can
    /// never be proven fresh, nor be the start of a journal's chain of saves.
    pub fn settled_now(&self) -> bool {
        self.settled_at(now_ns())
    }

    #[cfg(test)]
    pub fn for_tests(n: u64) -> Key {
        Key {
            stamps: vec![(
                "actions".into(),
                Some(Stamp {
                    size: 0,
                    mtime_ns: i128::from(n),
                    inode: 1,
                }),
            )],
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    version: u32,
    /// The overleg that wrote it: another release never reads it.
    program: String,
    written_ns: i128,
    key: Key,
    /// Records in the agenda this was built from.
    records: u64,
}

/// The record count from which snapshots are used (`OVERLEG_FAST_FROM`, 0 = always).
pub fn fast_from() -> usize {
    std::env::var("OVERLEG_FAST_FROM")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(FAST_FROM)
}

/// A snapshot file read from disk, payload not yet decoded.
pub struct Section {
    header: Header,
    /// The file, read from `payload_at` on only when decoded: decoding straight from the file
    /// holds no copy of it (half a gigabyte at 1,000,000 records).
    file: std::fs::File,
    payload_at: u64,
    len: u64,
}

impl Section {
    /// Whether the folders are provably as they were when this was built.
    pub fn is_fresh(&self, now: &Key) -> bool {
        self.header.key == *now && self.settled()
    }

    /// Whether this was provably built from the folders in the state of its key: no folder
    /// changed within two seconds before it was written (a second change in the same clock
    /// tick could have left the same time behind).
    pub fn settled(&self) -> bool {
        self.header.version == VERSION
            && self.header.program == env!("CARGO_PKG_VERSION")
            && self.header.key.settled_at(self.header.written_ns)
    }

    /// The folders' state this was built from.
    pub fn key(&self) -> &Key {
        &self.header.key
    }

    pub fn records(&self) -> usize {
        usize::try_from(self.header.records).unwrap_or(usize::MAX)
    }

    pub fn decode<T: DeserializeOwned>(&self) -> Option<T> {
        use bincode::Options;
        use std::io::{Seek, SeekFrom};
        let mut f = &self.file;
        f.seek(SeekFrom::Start(self.payload_at)).ok()?;
        let size = self.len.saturating_sub(self.payload_at);
        let options = super::cache::bounded(size);
        if size < STREAM_FROM {
            // small enough to hold: decoding from memory is a third faster
            return options.deserialize(&self.raw()?).ok();
        }
        let reader = std::io::BufReader::with_capacity(1 << 18, f);
        options.deserialize_from(reader).ok()
    }
}

impl Section {
    /// The number of parts of a snapshot written by [`write_parts`], and where each starts and
    /// ends in the file; `None` when the table does not describe the file.
    fn part_table(&self) -> Option<Vec<(u64, u64)>> {
        use std::os::unix::fs::FileExt;
        let mut count = [0u8; 4];
        self.file.read_exact_at(&mut count, self.payload_at).ok()?;
        let count = u64::from(u32::from_le_bytes(count));
        let table_at = self.payload_at + 4;
        let mut at = table_at.checked_add(count.checked_mul(8)?)?;
        if at > self.len {
            return None;
        }
        let mut table = vec![0u8; usize::try_from(count * 8).ok()?];
        self.file.read_exact_at(&mut table, table_at).ok()?;
        let mut parts = Vec::with_capacity(table.len() / 8);
        for len in table.chunks_exact(8) {
            let len = u64::from_le_bytes(len.try_into().ok()?);
            let end = at.checked_add(len).filter(|&e| e <= self.len)?;
            parts.push((at, end));
            at = end;
        }
        (at == self.len).then_some(parts)
    }

    /// Every part of a snapshot written by [`write_parts`], decoded side by side on up to
    /// `threads` threads; `None` when any part is damaged.
    pub fn decode_parts<T: DeserializeOwned + Send>(&self, threads: usize) -> Option<Vec<T>> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let table = self.part_table()?;
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(at, end)) = table.get(i) else {
                    return done;
                };
                done.push((i, self.decode_range::<T>(at, end)));
            }
        };
        let mut done = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads.max(1)).map(|_| scope.spawn(work)).collect();
            let mut done = work();
            for h in helpers {
                done.extend(h.join().ok()?);
            }
            Some(done)
        })?;
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, part)| part).collect()
    }

    /// One value encoded from `at` to `end` in the file, read through a buffer of its own (a
    /// mapped file would count its pages as the process's memory).
    fn decode_range<T: DeserializeOwned>(&self, at: u64, end: u64) -> Option<T> {
        use bincode::Options;
        let options = super::cache::bounded(end - at);
        let bytes = RangeReader {
            file: &self.file,
            at,
            end,
        };
        let mut reader = std::io::BufReader::with_capacity(1 << 18, bytes);
        let value = options.deserialize_from(&mut reader).ok()?;
        // a part that does not end where the table says is not what was written
        let used_up = reader.buffer().is_empty() && reader.get_ref().at == end;
        used_up.then_some(value)
    }

    /// The payload, undecoded (for [`Section::decode`], and for a layout written by
    /// [`write_raw`] and read in place). Mapped, not read: the page cache's own pages, with no
    /// zeroed buffer to fill and no copy. Snapshots are only ever replaced by a rename, never
    /// rewritten in place, so the mapped file does not change while it is read.
    pub fn raw(&self) -> Option<Payload> {
        let start = usize::try_from(self.payload_at).ok()?;
        // SAFETY: see above. Only a program that rewrote a snapshot in place while it is read
        // could change the bytes (or end the process, if it cut the file short); nothing but
        // overleg writes in `.git/overleg-cache`. A file cut short before the map is caught by
        // the length check.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .populate()
                .map(&self.file)
                .ok()?
        };
        if map.len() as u64 != self.len || start > map.len() {
            return None;
        }
        Some(Payload { map, start })
    }
}

/// A byte range of a file, read by position so that several threads can read one file.
struct RangeReader<'f> {
    file: &'f std::fs::File,
    at: u64,
    end: u64,
}

impl std::io::Read for RangeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let left = usize::try_from(self.end - self.at).unwrap_or(usize::MAX);
        let n = buf.len().min(left);
        let read = self.file.read_at(&mut buf[..n], self.at)?;
        self.at += read as u64;
        Ok(read)
    }
}

/// A snapshot's payload, mapped from its file.
pub struct Payload {
    map: memmap2::Mmap,
    start: usize,
}

impl std::ops::Deref for Payload {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.map.get(self.start..).unwrap_or_default()
    }
}

impl Store {
    /// Where snapshots live, `None` for a folder that is not a git work tree.
    pub fn snapshot_dir(&self) -> Option<PathBuf> {
        self.snapshot_dir_of(&self.repo().ok()?)
    }

    /// [`Store::snapshot_dir`], for a repository already open.
    pub(super) fn snapshot_dir_of(&self, repo: &git2::Repository) -> Option<PathBuf> {
        self.workdir.as_ref()?;
        Some(repo.path().join("overleg-cache"))
    }

    /// Mark the record folders of `paths` (relative to the agenda's folder; `None`: every
    /// record folder) as changed now. For files written over in place (a sync's checkout does
    /// that, for speed), which leaves their folders' times alone: snapshots keyed by those
    /// times would otherwise be taken as current. Where a folder cannot be marked, the
    /// snapshots are removed instead.
    pub fn mark_folders_changed(&self, paths: Option<&[String]>) {
        let mut folders: Vec<&str> = match paths {
            Some(paths) => paths
                .iter()
                .filter_map(|p| p.rsplit_once('/').map(|(folder, _)| folder))
                .filter(|f| Kind::ALL.iter().any(|k| k.folder() == *f))
                .collect(),
            None => Kind::ALL.iter().map(|k| k.folder()).collect(),
        };
        folders.sort_unstable();
        folders.dedup();
        let now = std::time::SystemTime::now();
        let marked = folders.iter().all(|f| {
            std::fs::File::open(self.root.join(f))
                .and_then(|d| d.set_modified(now))
                .is_ok()
        });
        if !marked && let Some(dir) = self.snapshot_dir() {
            clear(&dir);
        }
    }

    /// The folders' state now. Taken before a scan, so a change during the scan makes the
    /// snapshot built from it stale rather than wrong.
    pub fn folder_key(&self) -> Key {
        let mut names: Vec<&str> = vec!["", "registry", super::setup::SETTINGS_FILE];
        names.extend(Kind::ALL.iter().map(|k| k.folder()));
        let stamps = names
            .into_iter()
            .map(|n| {
                let p = if n.is_empty() {
                    self.root.clone()
                } else {
                    self.root.join(n)
                };
                let stamp = std::fs::symlink_metadata(&p).ok().map(|m| Stamp::of(&m));
                (n.to_string(), stamp)
            })
            .collect();
        Key { stamps }
    }
}

fn file_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.snap"))
}

/// Read a snapshot, fresh or not; `None` when missing, damaged or from another version.
pub fn read(dir: &Path, name: &str) -> Option<Section> {
    use std::io::Read;
    let mut file = std::fs::File::open(file_of(dir, name)).ok()?;
    let size = file.metadata().ok()?.len();
    let mut head = [0u8; 12];
    file.read_exact(&mut head).ok()?;
    let rest = head.strip_prefix(MAGIC.as_slice())?;
    let len = u32::from_le_bytes(rest.try_into().ok()?);
    if u64::from(len) > size.min(1 << 20) {
        return None;
    }
    let mut bytes = vec![0u8; len as usize];
    file.read_exact(&mut bytes).ok()?;
    let header: Header = bincode::deserialize(&bytes).ok()?;
    if header.version != VERSION || header.program != env!("CARGO_PKG_VERSION") {
        return None;
    }
    Some(Section {
        header,
        payload_at: 12 + u64::from(len),
        len: size,
        file,
    })
}

/// Write a snapshot atomically. Failures are ignored: a snapshot is an optimisation. The
/// value is encoded straight into the file: at 1,000,000 records an encoded agenda is
/// hundreds of megabytes, which a first start would otherwise hold twice.
pub fn write<T: Serialize>(dir: &Path, name: &str, key: &Key, records: usize, value: &T) {
    write_value(dir, name, key, records, value, None);
}

fn write_value<T: Serialize>(
    dir: &Path,
    name: &str,
    key: &Key,
    records: usize,
    value: &T,
    later: Option<&mut Together>,
) {
    write_with(dir, name, key, records as u64, later, |f| {
        bincode::serialize_into(f, value).map_err(std::io::Error::other)
    });
}

/// Write a snapshot whose payload is `payload` as is (read back by [`Section::raw`]).
pub fn write_raw(dir: &Path, name: &str, key: &Key, records: usize, payload: &[u8]) {
    write_with(dir, name, key, records as u64, None, |f| {
        f.write_all(payload)
    });
}

/// Write a snapshot of parts that are decoded independently ([`Section::decode_parts`]). The
/// payload is the number of parts, the length of each, and the parts.
pub fn write_parts<T: Serialize>(dir: &Path, name: &str, key: &Key, records: usize, parts: &[T]) {
    write_parts_of(dir, name, key, records, parts, None);
}

/// Snapshots written one after the other but put in place together, so that a process
/// ended while it writes them (a workbench quit while it keeps snapshots behind its
/// screens: seconds at 1,000,000 records) leaves all of them as they were or none: renaming
/// them takes microseconds. An agenda kept without its index would have the next start
/// build the index anew (two seconds of both cores at 1,000,000 records).
#[derive(Default)]
pub struct Together {
    /// Each written file and where it goes.
    written: Vec<(PathBuf, PathBuf)>,
    failed: bool,
}

impl Together {
    /// Like [`write`], put in place by [`Together::put_in_place`].
    pub fn write<T: Serialize>(
        &mut self,
        dir: &Path,
        name: &str,
        key: &Key,
        records: usize,
        value: &T,
    ) {
        write_value(dir, name, key, records, value, Some(self));
    }

    /// Like [`write_parts`], put in place by [`Together::put_in_place`].
    pub fn write_parts<T: Serialize>(
        &mut self,
        dir: &Path,
        name: &str,
        key: &Key,
        records: usize,
        parts: &[T],
    ) {
        write_parts_of(dir, name, key, records, parts, Some(self));
    }

    /// Every snapshot written in place, in the order written; none when any could not be
    /// written.
    pub fn put_in_place(mut self) {
        let written = std::mem::take(&mut self.written);
        if self.failed {
            for (tmp, _) in written {
                let _ = std::fs::remove_file(tmp);
            }
            return;
        }
        for (tmp, path) in written {
            super::cache::put_in_place(&tmp, &path);
        }
    }
}

impl Drop for Together {
    /// Written and never put in place: removed.
    fn drop(&mut self) {
        for (tmp, _) in self.written.drain(..) {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

fn write_parts_of<T: Serialize>(
    dir: &Path,
    name: &str,
    key: &Key,
    records: usize,
    parts: &[T],
    later: Option<&mut Together>,
) {
    use std::io::{Seek, SeekFrom};
    let Ok(count) = u32::try_from(parts.len()) else {
        if let Some(t) = later {
            t.failed = true;
        }
        return;
    };
    write_with(dir, name, key, records as u64, later, |f| {
        f.write_all(&count.to_le_bytes())?;
        let table_at = f.stream_position()?;
        f.write_all(&vec![0u8; parts.len() * 8])?;
        let mut lens = Vec::with_capacity(parts.len() * 8);
        for part in parts {
            let mut counted = Counted {
                inner: &mut *f,
                n: 0,
            };
            bincode::serialize_into(&mut counted, part).map_err(std::io::Error::other)?;
            lens.extend_from_slice(&counted.n.to_le_bytes());
        }
        f.seek(SeekFrom::Start(table_at))?;
        f.write_all(&lens)?;
        f.seek(SeekFrom::End(0))?;
        Ok(())
    });
}

/// A writer that counts what passes through it.
struct Counted<W> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Write the snapshot `name`: put in place at once, or with the others of `later`.
fn write_with(
    dir: &Path,
    name: &str,
    key: &Key,
    records: u64,
    later: Option<&mut Together>,
    payload: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) {
    let header = Header {
        version: VERSION,
        program: env!("CARGO_PKG_VERSION").to_string(),
        written_ns: now_ns(),
        key: key.clone(),
        records,
    };
    let head = bincode::serialize(&header)
        .ok()
        .and_then(|h| u32::try_from(h.len()).ok().map(|len| (h, len)));
    let _ = std::fs::create_dir_all(dir);
    let tmp = dir.join(format!(".{name}.snap.tmp{}", std::process::id()));
    let written = head.is_some_and(|(head, len)| {
        super::cache::write_aside_with(&tmp, |f| {
            f.write_all(MAGIC)?;
            f.write_all(&len.to_le_bytes())?;
            f.write_all(&head)?;
            payload(f)
        })
        .is_ok()
    });
    match later {
        Some(t) if written => t.written.push((tmp, file_of(dir, name))),
        Some(t) => t.failed = true,
        None if written => super::cache::put_in_place(&tmp, &file_of(dir, name)),
        None => {}
    }
}

/// Remove what writers that never finished left (a workbench that quit while it wrote a
/// snapshot behind its screens): temporary files of processes no longer running, or older
/// than an hour.
pub fn sweep_unfinished(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Some((_, pid)) = name
            .split_once(".snap.tmp")
            .filter(|_| name.starts_with('.'))
        else {
            continue;
        };
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if old || writer_gone(pid) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether the process `pid` (the end of a temporary file's name) is no longer running:
/// its file will never be finished (at 1,000,000 records an agenda and an index left by a
/// workbench that quit while keeping them are over 700 MB). Only where `/proc` shows the
/// running processes; else an hour's wait tells.
fn writer_gone(pid: &str) -> bool {
    let proc = Path::new("/proc");
    pid.parse::<u32>().is_ok() && proc.join("self").exists() && !proc.join(pid).exists()
}

/// Remove every snapshot (after a change whose effect on them is unknown).
pub fn clear(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().ends_with(".snap") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
