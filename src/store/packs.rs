//! Keeping a clone's packs few. Every fetch leaves one more pack, and libgit2 looks for an
//! object it lacks (which every write of a new object does first) in each pack in turn: a
//! department that syncs twenty times a day would have thousands of packs within a year, and
//! every save and sync would slow down with them. git itself repacks when a clone passes 50
//! packs (`gc --auto`); overleg cannot count on git being installed, and libgit2 has no repack.
//!
//! So the small packs are joined into one, the way `git repack --geometric=2` chooses them:
//! after a join, each pack is at least twice the size of all smaller ones together, so a
//! clone keeps a handful of packs and each byte is copied a few times in its life. Joining
//! copies the packs' entries unchanged (no object is inflated, deltified or compressed
//! again): an entry's delta base by offset lies at the same distance in the joined pack, and
//! the new index is computed from the old indexes. Each entry's bytes are checked against the
//! checksum its index holds while they are copied.
//!
//! Nothing is lost on any failure: the joined pack and its index are written under temporary
//! names and put in place (pack first, index last, as git does) before any old pack is
//! removed, and an old pack's index is removed before its pack, so a reader always finds every
//! object. Packs that git gave a meaning beyond their objects are left alone: `.keep`,
//! `.promisor`, cruft packs (`.mtimes`) and packs with a bitmap; a clone with a
//! multi-pack-index is left alone entirely.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::pack_index::{ID, Idx, be32, invalid, read_idx};
use super::pack_writer::{PACK_HEADER, PackWriter, crc32, write_offset};

/// A clone with more packs than this (of those that may be joined) has its small ones joined,
/// unless git's `gc.autoPackLimit` says otherwise (git's default is 50; overleg joins sooner
/// because joining copies bytes and costs little).
pub const PACK_LIMIT: usize = 16;

/// How many packs a repository may have before the small ones are joined: git's
/// `gc.autoPackLimit` when set, `None` when it is 0 (automatic packing turned off).
pub fn pack_limit(cfg: &git2::Config) -> Option<usize> {
    super::housekeeping::auto_limit(cfg, "gc.autoPackLimit", PACK_LIMIT)
}

/// What a join did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// Packs that were joined (and removed).
    pub packs: usize,
    pub objects: usize,
    /// Copies of objects already in the joined pack, left out.
    pub repeated: usize,
    /// Deltas on a left-out copy, which now name their base by id.
    pub rebased: usize,
    pub bytes: u64,
    /// The joined pack's file name.
    pub name: String,
}

/// One pack in `objects/pack`, by its name without extension.
#[derive(Debug, Clone)]
struct Pack {
    stem: PathBuf,
    size: u64,
}

/// Join the small packs of the repository at `git_dir` when it has more than [`PACK_LIMIT`].
/// `Ok(None)`: nothing to do (or the repository's packs are of a kind left alone).
pub fn join_if_many(git_dir: &Path) -> io::Result<Option<Joined>> {
    match plan(git_dir, PACK_LIMIT)? {
        Some(p) => p.run(),
        None => Ok(None),
    }
}

/// Packs chosen to be joined, so a caller can say what is about to happen.
#[derive(Debug)]
pub struct Plan {
    dir: PathBuf,
    packs: Vec<Pack>,
}

impl Plan {
    /// How many packs are to be joined.
    pub fn packs(&self) -> usize {
        self.packs.len()
    }

    /// Their size together, in bytes.
    pub fn bytes(&self) -> u64 {
        self.packs.iter().map(|p| p.size).sum()
    }

    /// Join them. `Ok(None)` when one went away meanwhile (another process joined them).
    pub fn run(self) -> io::Result<Option<Joined>> {
        self.run_unless(&mut || false)
    }

    /// [`Plan::run`], given up (nothing put in place, every pack kept;
    /// `ErrorKind::Interrupted`) as soon as `stop` says so: it is asked every thousand
    /// entries.
    pub fn run_unless(self, stop: &mut dyn FnMut() -> bool) -> io::Result<Option<Joined>> {
        join(&self.dir, &self.packs, stop)
    }
}

/// The packs to join in the repository at `git_dir`, if it has more than `limit`.
pub fn plan(git_dir: &Path, limit: usize) -> io::Result<Option<Plan>> {
    let dir = git_dir.join("objects").join("pack");
    let Some(packs) = joinable(&dir)? else {
        return Ok(None);
    };
    if packs.len() <= limit {
        return Ok(None);
    }
    let chosen = geometric(packs);
    if chosen.len() < 2 {
        return Ok(None);
    }
    Ok(Some(Plan { dir, packs: chosen }))
}

/// The packs that may be joined, `None` when the folder has a multi-pack-index.
fn joinable(dir: &Path) -> io::Result<Option<Vec<Pack>>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(Vec::new())),
        Err(e) => return Err(e),
    };
    let mut packs = Vec::new();
    for entry in rd {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("multi-pack-index") {
            return Ok(None);
        }
        let Some(stem) = name.strip_suffix(".pack") else {
            continue;
        };
        if !stem.starts_with("pack-") {
            continue;
        }
        let stem = dir.join(stem);
        let has = |ext: &str| stem.with_extension(ext).exists();
        if !has("idx") || has("keep") || has("promisor") || has("mtimes") || has("bitmap") {
            continue;
        }
        let size = entry.metadata()?.len();
        packs.push(Pack { stem, size });
    }
    Ok(Some(packs))
}

/// The smallest packs that, joined, leave every remaining pack at least twice the size of all
/// smaller ones together.
fn geometric(mut packs: Vec<Pack>) -> Vec<Pack> {
    packs.sort_by_key(|p| p.size);
    let sizes: Vec<u64> = packs.iter().map(|p| p.size).collect();
    let split = geometric_split(&sizes);
    packs.truncate(split);
    packs
}

/// How many of the smallest `sizes` (sorted ascending) to join: all up to the last one that is
/// less than twice the sum of those below it.
fn geometric_split(sizes: &[u64]) -> usize {
    let mut split = 0;
    let mut below: u64 = 0;
    for (i, &s) in sizes.iter().enumerate() {
        if s < below.saturating_mul(2) {
            split = i + 1;
        }
        below = below.saturating_add(s);
    }
    split
}

/// Join `packs` into one. `Ok(None)` when one of them went away meanwhile: another process
/// (a department's overleg, or git) is joining them, and every object is still there.
fn join(dir: &Path, packs: &[Pack], stop: &mut dyn FnMut() -> bool) -> io::Result<Option<Joined>> {
    let gone = |e: &io::Error| e.kind() == io::ErrorKind::NotFound;
    let mut idxs: Vec<Idx> = Vec::with_capacity(packs.len());
    for p in packs {
        match read_idx(&p.stem.with_extension("idx")) {
            Ok(idx) => idxs.push(idx),
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    let total: usize = idxs.iter().map(|i| i.ids.len()).sum();
    // each object once: a later copy of one is left out (per pack, by index position)
    let mut ids = rustc_hash::FxHashSet::default();
    ids.reserve(total);
    let repeated: Vec<Vec<bool>> = idxs
        .iter()
        .map(|i| i.ids.iter().map(|id| !ids.insert(*id)).collect())
        .collect();
    let unique = ids.len();
    drop(ids);
    let count = u32::try_from(unique).map_err(|_| invalid(dir, "too many objects to join"))?;
    let mut w = PackWriter::create(dir, count)?;
    let mut to = Joining {
        w: &mut w,
        rebased: 0,
        stop,
    };
    for ((pack, idx), repeated) in packs.iter().zip(&idxs).zip(&repeated) {
        match copy_entries(&pack.stem.with_extension("pack"), idx, repeated, &mut to) {
            Ok(()) => {}
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    let rebased = to.rebased;
    let objects = w.len();
    let (name, bytes) = w.finish()?;
    // the joined pack serves every object now: the old ones go, index first
    for p in packs {
        for ext in ["idx", "pack", "rev"] {
            match std::fs::remove_file(p.stem.with_extension(ext)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(Some(Joined {
        packs: packs.len(),
        objects,
        repeated: total - unique,
        rebased,
        bytes,
        name,
    }))
}

/// Where the joined pack is being written.
struct Joining<'a> {
    w: &'a mut PackWriter,
    rebased: usize,
    stop: &'a mut dyn FnMut() -> bool,
}

const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

/// Copy a pack's entries to the joined pack, each checked against its checksum in the index.
/// An object the joined pack already holds (`repeated`, by index position) is left out (git
/// refuses a pack that holds one object twice), and a delta on it by offset becomes a delta
/// on it by id. Other entries keep their bytes; a delta by offset gets the distance to its
/// base in the joined pack.
fn copy_entries(path: &Path, idx: &Idx, repeated: &[bool], to: &mut Joining<'_>) -> io::Result<()> {
    let file = File::open(path)?;
    // SAFETY: a pack is never written after it is put in place (git and libgit2 write new
    // packs under other names), so the mapping does not change under us.
    let data = unsafe { memmap2::Mmap::map(&file)? };
    let bad = |what: &str| invalid(path, what);
    if data.len() < PACK_HEADER + ID
        || &data[..4] != b"PACK"
        || !matches!(be32(&data, 4), 2 | 3)
        || be32(&data, 8) as usize != idx.ids.len()
    {
        return Err(bad("not a pack of the objects its index lists"));
    }
    let end = data.len() - ID;
    if data[end..] != idx.pack_checksum {
        return Err(bad("pack checksum does not match its index"));
    }
    // entries in pack order; each ends where the next begins
    let mut order: Vec<usize> = (0..idx.offsets.len()).collect();
    order.sort_by_key(|&i| idx.offsets[i]);
    let old_at: Vec<u64> = order.iter().map(|&i| idx.offsets[i]).collect();
    // where each entry went in the joined pack (`None`: left out, its object is elsewhere)
    let mut new_at: Vec<Option<u64>> = Vec::with_capacity(order.len());
    let mut entry = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if k % 1024 == 0 && (to.stop)() {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "joining the packs was stopped",
            ));
        }
        let start = old_at[k] as usize;
        let stop = old_at.get(k + 1).map_or(end, |&o| o as usize);
        if start < PACK_HEADER || stop > end || start >= stop {
            return Err(bad("entry outside the pack"));
        }
        let bytes = &data[start..stop];
        if crc32(bytes) != idx.crcs[i] {
            return Err(bad("an entry's checksum does not match its index"));
        }
        if repeated[i] {
            new_at.push(None);
            continue;
        }
        let here = to.w.at();
        new_at.push(Some(here));
        let head = size_header_len(bytes).ok_or_else(|| bad("entry header cut short"))?;
        if (bytes[0] >> 4) & 7 != OFS_DELTA {
            to.w.entry(idx.ids[i], idx.crcs[i], bytes)?;
        } else {
            let (distance, used) =
                read_offset(&bytes[head..]).ok_or_else(|| bad("delta offset cut short"))?;
            let base_old = old_at[k]
                .checked_sub(distance)
                .ok_or_else(|| bad("delta base before the pack"))?;
            let b = old_at
                .binary_search(&base_old)
                .map_err(|_| bad("delta base is not an entry"))?;
            let rest = &bytes[head + used..];
            entry.clear();
            match new_at.get(b).copied().flatten() {
                Some(base_new) => {
                    entry.extend_from_slice(&bytes[..head]);
                    write_offset(&mut entry, here - base_new);
                }
                None => {
                    to.rebased += 1;
                    entry.push((bytes[0] & 0x8f) | (REF_DELTA << 4));
                    entry.extend_from_slice(&bytes[1..head]);
                    entry.extend_from_slice(&idx.ids[order[b]]);
                }
            }
            entry.extend_from_slice(rest);
            let crc = if entry.as_slice() == bytes {
                idx.crcs[i]
            } else {
                crc32(&entry)
            };
            to.w.entry(idx.ids[i], crc, &entry)?;
        }
    }
    Ok(())
}

/// Length of an entry's type-and-size header.
pub(super) fn size_header_len(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| b & 0x80 == 0).map(|p| p + 1)
}

/// A delta's distance back to its base (git's offset encoding) and the bytes it took.
pub(super) fn read_offset(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut c = *bytes.first()?;
    let mut ofs = u64::from(c & 0x7f);
    let mut used = 1;
    while c & 0x80 != 0 {
        c = *bytes.get(used)?;
        used += 1;
        ofs = ofs.checked_add(1)?.checked_mul(128)? | u64::from(c & 0x7f);
    }
    Some((ofs, used))
}

#[cfg(test)]
#[path = "packs_tests.rs"]
mod tests;
