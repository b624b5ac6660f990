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

pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// The cache, or an empty one when it is missing, from another version or unreadable.
pub fn read(path: &Path) -> CacheFile {
    let Ok(bytes) = std::fs::read(path) else {
        return CacheFile::default();
    };
    match bincode::deserialize::<CacheFile>(&bytes) {
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
pub fn write(path: &Path, entries: HashMap<String, Entry>) {
    let file = CacheFile {
        version: VERSION,
        written_ns: now_ns(),
        entries,
    };
    let Ok(bytes) = bincode::serialize(&file) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
