//! A per-clone cache of parsed records (`.git/overleg-cache/records.bin`), so that a start
//! re-parses only the files that changed since the last one. A file is taken from the cache
//! only when its size, modification time and inode are exactly as cached and it was not
//! modified within the cache's own clock tick (git's "racy" rule). Derived data only: deleting
//! the cache costs one slow start, never a record.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{Problem, Record};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub inode: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            inode: meta.ino(),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub stamp: Stamp,
    pub record: Option<Record>,
    pub problems: Vec<Problem>,
}

#[derive(Serialize, Deserialize, Default)]
pub struct CacheFile {
    pub version: u32,
    /// When the cache was written (ns since the epoch): files modified within two seconds
    /// before it are re-read next time.
    pub written_ns: i128,
    pub entries: HashMap<String, Entry>,
}

pub fn path_in(git_dir: &Path) -> PathBuf {
    git_dir.join("overleg-cache").join("records.bin")
}

/// The stamps of the cached files alone, beside the cache: enough to tell whether anything
/// changed without reading (and holding) every cached record. Names sorted in one buffer, so
/// that 1,000,000 of them are three allocations, not a million.
#[derive(Serialize, Deserialize, Default)]
pub struct Stamps {
    pub version: u32,
    pub written_ns: i128,
    names: crate::model::string_table::StringTable,
    stamps: Vec<Stamp>,
}

/// The stamps file's own format version (the cache's `VERSION` covers the cache).
const STAMPS_VERSION: u32 = 2;

fn stamps_path(cache: &Path) -> PathBuf {
    cache.with_file_name("stamps.bin")
}

pub fn read_stamps(cache: &Path) -> Option<Stamps> {
    let bytes = std::fs::read(stamps_path(cache)).ok()?;
    bincode::deserialize::<Stamps>(&bytes)
        .ok()
        .filter(|s| s.version == STAMPS_VERSION && s.names.len() == s.stamps.len())
}

impl Stamps {
    fn new(written_ns: i128, mut files: Vec<(String, Stamp)>) -> Stamps {
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut s = Stamps {
            version: STAMPS_VERSION,
            written_ns,
            ..Stamps::default()
        };
        for (name, stamp) in files {
            s.names.push(&name);
            s.stamps.push(stamp);
        }
        s
    }

    pub fn len(&self) -> usize {
        self.stamps.len()
    }

    /// Whether `rel` has a stamp here.
    pub fn contains(&self, rel: &str) -> bool {
        self.names.find(rel).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.stamps.is_empty()
    }

    /// Whether `rel` is provably as it was (same rule as [`CacheFile::is_fresh`]).
    pub fn is_fresh(&self, rel: &str, stamp: Stamp) -> bool {
        self.names
            .find(rel)
            .and_then(|i| self.stamps.get(i))
            .is_some_and(|s| *s == stamp && s.mtime_ns < self.written_ns - 2_000_000_000)
    }
}

pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// The cache, or an empty one when it is missing, from another version or unreadable.
/// Decoded straight from the file: at 1,000,000 records the file is over 400 MB, which a
/// first start would otherwise hold beside what it decodes to.
pub fn read(path: &Path) -> CacheFile {
    use bincode::Options;
    let Ok(file) = std::fs::File::open(path) else {
        return CacheFile::default();
    };
    let options = bounded(file.metadata().map_or(0, |m| m.len()));
    let reader = std::io::BufReader::with_capacity(1 << 18, file);
    match options.deserialize_from::<_, CacheFile>(reader) {
        Ok(c) if c.version == VERSION => c,
        _ => CacheFile::default(),
    }
}

impl CacheFile {
    /// Whether the cached entry for `rel` provably matches the file on disk.
    pub fn is_fresh(&self, rel: &str, stamp: Stamp) -> bool {
        self.entries.get(rel).is_some_and(|e| {
            let racy = e.stamp.mtime_ns >= self.written_ns - 2_000_000_000;
            e.stamp == stamp && !racy
        })
    }

    /// The cached entry for `rel` if the file on disk is provably the same.
    pub fn take_fresh(&mut self, rel: &str, stamp: Stamp) -> Option<Entry> {
        if !self.is_fresh(rel, stamp) {
            return None;
        }
        self.entries.remove(rel)
    }
}

/// Write the cache atomically; failures are ignored (the cache is an optimisation).
/// One file's entry as [`write`] takes it, borrowed from what a load keeps (at 1,000,000
/// records a copy of every record for the cache alone would be a gigabyte); encoded as an
/// [`Entry`].
#[derive(Serialize)]
pub struct EntryRef<'a> {
    pub stamp: Stamp,
    pub record: Option<&'a Record>,
    pub problems: &'a [Problem],
}

/// [`CacheFile`] with borrowed entries, encoded the same.
#[derive(Serialize)]
struct CacheFileRef<'a> {
    version: u32,
    written_ns: i128,
    #[serde(serialize_with = "as_map")]
    entries: &'a [(&'a str, EntryRef<'a>)],
}

fn as_map<S: serde::Serializer>(
    entries: &&[(&str, EntryRef<'_>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(entries.iter().map(|(k, v)| (k, v)))
}

/// Write the cache of `entries` (each file's path relative to the agenda, once).
pub fn write(path: &Path, entries: &[(&str, EntryRef<'_>)]) {
    let written_ns = now_ns();
    let stamps: Vec<(String, Stamp)> = entries
        .iter()
        .map(|(k, e)| (k.to_string(), e.stamp))
        .collect();
    let file = CacheFileRef {
        version: VERSION,
        written_ns,
        entries,
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // the stamps first: stamps newer than the cache only cost a needless full load
    write_stamps(path, written_ns, stamps);
    write_atomic_with(path, &temp_of(path), |w| {
        bincode::serialize_into(w, &file).map_err(std::io::Error::other)
    });
}

/// Write the stamps alone, for a cache written at `written_ns`.
pub fn write_stamps(path: &Path, written_ns: i128, files: Vec<(String, Stamp)>) {
    let stamps = Stamps::new(written_ns, files);
    if let Ok(bytes) = bincode::serialize(&stamps) {
        write_atomic(&stamps_path(path), &bytes);
    }
}

/// The decoding options of `bincode::deserialize`, and no length in a damaged file may ask
/// for more memory than the `limit` bytes it has.
pub(super) fn bounded(limit: u64) -> impl bincode::Options {
    use bincode::Options;
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .with_limit(limit)
}

fn write_atomic(path: &Path, bytes: &[u8]) {
    write_atomic_with(path, &temp_of(path), |w| {
        std::io::Write::write_all(w, bytes)
    });
}

fn temp_of(path: &Path) -> PathBuf {
    path.with_extension(format!("tmp{}", std::process::id()))
}

/// Write through `fill` into the new file `tmp`, then put it in place of `path`; encoded
/// straight into the file, so that a large cache or snapshot is never held twice.
pub(super) fn write_atomic_with(
    path: &Path,
    tmp: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) {
    if write_aside_with(tmp, fill).is_ok() {
        put_in_place(tmp, path);
    }
}

/// The finished file `tmp` renamed to `path`; removed when that fails.
pub(super) fn put_in_place(tmp: &Path, path: &Path) {
    if std::fs::rename(tmp, path).is_err() {
        let _ = std::fs::remove_file(tmp);
    }
}

/// Write through `fill` into the new file `tmp` (removed again when that fails), to be put
/// in place by a rename.
pub(super) fn write_aside_with(
    tmp: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let res = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(tmp)?);
        fill(&mut w)?;
        std::io::Write::flush(&mut w)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    res
}
