//! Packing a clone's loose objects. Every save writes its objects loose, as `git commit` does,
//! and at 100,000 records that includes a new tree of the record folder: about 2.4 MB, 1.3 MB
//! on disk, per save. git packs them in `gc --auto` (with its delta search, which libgit2's
//! pack builder would take minutes over for hundreds of such trees); overleg cannot count on
//! git being there.
//!
//! So once a clone has many loose objects, they are written into one pack. A tree is stored
//! as a delta on another loose tree of about the same size (in practice the same folder at
//! an earlier save): found by the entries the two share, which needs no search, and checked
//! by applying it before it is written. Every object is read through libgit2 and checked
//! against its id first. The loose files are removed only once the pack and its index are
//! in place, so an object is always there to be read.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use super::pack_index::ID;
use super::pack_writer::{PackWriter, crc32, write_offset};

/// Trees smaller than this are stored whole.
const DELTA_MIN: usize = 4096;

/// Trees stored whole that a later tree may be a delta on.
const MAX_BASES: usize = 4;

/// What packing the loose objects did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub objects: usize,
    /// Trees stored as deltas.
    pub deltas: usize,
    /// Size of the loose files removed, and of the pack.
    pub loose_bytes: u64,
    pub pack_bytes: u64,
}

/// The loose objects of the repository: id, file, file size.
fn list(objects: &Path) -> io::Result<Vec<(Oid, PathBuf, u64)>> {
    let mut out = Vec::new();
    for fan in 0..=255u8 {
        let dir = objects.join(format!("{fan:02x}"));
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for e in rd {
            let e = e?;
            let name = e.file_name();
            if !super::housekeeping::is_object_name(&name) {
                continue;
            }
            let hex = format!("{fan:02x}{}", name.to_string_lossy());
            let Ok(id) = Oid::from_str(&hex) else {
                continue;
            };
            out.push((id, e.path(), e.metadata()?.len()));
        }
    }
    Ok(out)
}

/// Pack the loose objects of `repo` when there are more than `limit`.
pub fn pack_if_many(repo: &Repository, limit: usize) -> io::Result<Option<Packed>> {
    if super::housekeeping::estimate(repo.path()) <= limit {
        return Ok(None);
    }
    pack_all(repo).map(Some)
}

fn git_error(e: git2::Error) -> io::Error {
    io::Error::other(format!("reading a loose object: {}", e.message()))
}

/// Pack every loose object of `repo` and remove the loose files.
pub fn pack_all(repo: &Repository) -> io::Result<Packed> {
    pack_all_unless(repo, &mut || false)
}

/// [`pack_all`], given up (nothing written, nothing removed; `ErrorKind::Interrupted`) as
/// soon as `stop` says so: it is asked before each object. The workbench packs while the
/// user is idle and stops when they do something.
pub fn pack_all_unless(repo: &Repository, stop: &mut dyn FnMut() -> bool) -> io::Result<Packed> {
    let objects = repo.path().join("objects");
    let loose = list(&objects)?;
    let odb = repo.odb().map_err(git_error)?;
    // trees by size, so that versions of one folder come together
    let mut order: Vec<(ObjectType, usize, usize)> = Vec::with_capacity(loose.len());
    for (i, (id, _, _)) in loose.iter().enumerate() {
        let (size, kind) = odb.read_header(*id).map_err(git_error)?;
        order.push((kind, size, i));
    }
    order.sort_by_key(|&(kind, size, _)| (kind == ObjectType::Tree, size));
    let count = u32::try_from(loose.len())
        .map_err(|_| io::Error::other("too many loose objects to pack at once"))?;
    let dir = objects.join("pack");
    std::fs::create_dir_all(&dir)?;
    let mut w = PackWriter::create(&dir, count)?;
    // the last few trees stored whole, newest last: two folders of about the same size
    // each find their own
    let mut bases: Vec<Base> = Vec::new();
    let mut deltas = 0;
    let mut entry = Vec::new();
    for &(kind, size, i) in &order {
        if stop() {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "packing the loose objects was stopped",
            ));
        }
        let id = loose[i].0;
        let obj = odb.read(id).map_err(git_error)?;
        let data = obj.data();
        if object_id(obj.kind(), data)? != *id.as_bytes() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: the loose object does not match its id",
                    loose[i].1.display()
                ),
            ));
        }
        let here = w.at();
        entry.clear();
        let delta = if kind == ObjectType::Tree {
            bases
                .iter()
                .rev()
                .filter(|b| size <= b.data.len() + b.data.len() / 20)
                .find_map(|b| tree_delta(b, data).map(|d| (b.at, d)))
        } else {
            None
        };
        match delta {
            Some((base_at, d)) => {
                deltas += 1;
                header(&mut entry, 6, d.len());
                write_offset(&mut entry, here - base_at);
                deflate(&mut entry, &d)?;
            }
            None => {
                header(&mut entry, type_code(kind)?, data.len());
                deflate(&mut entry, data)?;
                if kind == ObjectType::Tree && data.len() >= DELTA_MIN {
                    if bases.len() == MAX_BASES {
                        bases.remove(0);
                    }
                    bases.extend(Base::new(data.to_vec(), here));
                }
            }
        }
        let crc = crc32(&entry);
        let mut raw = [0u8; ID];
        raw.copy_from_slice(id.as_bytes());
        w.entry(raw, crc, &entry)?;
    }
    let (_, pack_bytes) = w.finish()?;
    // every object is in the pack now: the loose files go
    let mut loose_bytes = 0;
    for (_, path, size) in &loose {
        match std::fs::remove_file(path) {
            Ok(()) => loose_bytes += size,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Packed {
        objects: loose.len(),
        deltas,
        loose_bytes,
        pack_bytes,
    })
}

/// The id git gives an object of `kind` with these bytes. (libgit2's own hash checks for
/// collision attacks, which made it a fifth of the packing of a 24 MB tree; these objects
/// were written here.)
fn object_id(kind: ObjectType, data: &[u8]) -> io::Result<[u8; ID]> {
    use sha1::{Digest, Sha1};
    let name = match kind {
        ObjectType::Commit => "commit",
        ObjectType::Tree => "tree",
        ObjectType::Blob => "blob",
        ObjectType::Tag => "tag",
        _ => return Err(io::Error::other("a loose object of an unknown type")),
    };
    let mut h = Sha1::new();
    h.update(format!("{name} {}\0", data.len()).as_bytes());
    h.update(data);
    Ok(h.finalize().into())
}

fn type_code(kind: ObjectType) -> io::Result<u8> {
    match kind {
        ObjectType::Commit => Ok(1),
        ObjectType::Tree => Ok(2),
        ObjectType::Blob => Ok(3),
        ObjectType::Tag => Ok(4),
        _ => Err(io::Error::other("a loose object of an unknown type")),
    }
}

/// A pack entry's type and size.
fn header(out: &mut Vec<u8>, code: u8, size: usize) {
    let mut size = size as u64;
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size != 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
}

fn deflate(out: &mut Vec<u8>, data: &[u8]) -> io::Result<()> {
    let mut z = flate2::write::ZlibEncoder::new(out, flate2::Compression::fast());
    z.write_all(data)?;
    z.finish()?;
    Ok(())
}

/// A tree stored whole, with where its entries are.
struct Base {
    data: Vec<u8>,
    /// Its entry's offset in the pack.
    at: u64,
    /// Each entry's byte range, in the tree's order.
    entries: Vec<(usize, usize)>,
}

impl Base {
    fn new(data: Vec<u8>, at: u64) -> Option<Base> {
        let entries = entries(&data)?;
        Some(Base { data, at, entries })
    }
}

/// A tree entry's name, and whether it names a folder.
fn entry_name(e: &[u8]) -> (&[u8], bool) {
    let sp = e.iter().position(|c| *c == b' ').unwrap_or(0);
    let nul = e.iter().position(|c| *c == 0).unwrap_or(e.len());
    (&e[(sp + 1).min(nul)..nul], e.starts_with(b"40000 "))
}

/// How git orders two tree entries: by name, a folder's name as if it ended in `/`.
fn tree_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    // an entry: mode, space, name, NUL, id; a folder's mode is `40000`
    let ((an, at), (bn, bt)) = (entry_name(a), entry_name(b));
    let n = an.len().min(bn.len());
    an[..n].cmp(&bn[..n]).then_with(|| {
        let next = |name: &[u8], folder: bool| name.get(n).copied().or(folder.then_some(b'/'));
        next(an, at).cmp(&next(bn, bt))
    })
}

/// A tree's entries as byte ranges: mode, space, name, NUL, 20-byte id.
fn entries(tree: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < tree.len() {
        let nul = tree[at..].iter().position(|b| *b == 0)?;
        let end = at + nul + 1 + ID;
        if end > tree.len() {
            return None;
        }
        out.push((at, end));
        at = end;
    }
    Some(out)
}

/// `target` as a git delta on `base`: runs of entries the two share become copies, the rest
/// is inserted. `None` when it would not be much smaller than the tree itself, or does not
/// rebuild `target` exactly.
fn tree_delta(base: &Base, target: &[u8]) -> Option<Vec<u8>> {
    let mut d = Vec::new();
    size_varint(&mut d, base.data.len());
    size_varint(&mut d, target.len());
    let mut insert: Vec<u8> = Vec::new();
    let mut copy: Option<(usize, usize)> = None;
    // Both trees are in git's order, so the entries they share are found walking the two
    // side by side (a hash of the base's 465,000 entries at 1,000,000 records cost most of
    // the packing). Should a tree not be in order, less is found and more inserted: the
    // delta is only larger, and it is checked below either way.
    let mut j = 0;
    let base_entry = |j: usize| base.entries.get(j).map(|&(s, e)| (s, &base.data[s..e]));
    for (s, e) in entries(target)? {
        let bytes = &target[s..e];
        while base_entry(j).is_some_and(|(_, b)| tree_order(b, bytes).is_lt()) {
            j += 1;
        }
        let found = base_entry(j).filter(|(_, b)| *b == bytes).map(|(at, _)| at);
        if found.is_some() {
            j += 1;
        }
        match found {
            Some(at) => {
                flush_insert(&mut d, &mut insert);
                copy = match copy {
                    Some((from, len)) if from + len == at => Some((from, len + bytes.len())),
                    Some(run) => {
                        copy_op(&mut d, run);
                        Some((at, bytes.len()))
                    }
                    None => Some((at, bytes.len())),
                };
            }
            None => {
                if let Some(run) = copy.take() {
                    copy_op(&mut d, run);
                }
                insert.extend_from_slice(bytes);
            }
        }
    }
    if let Some(run) = copy {
        copy_op(&mut d, run);
    }
    flush_insert(&mut d, &mut insert);
    (d.len() < target.len() / 2 && apply(&base.data, &d).as_deref() == Some(target)).then_some(d)
}

fn size_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn flush_insert(d: &mut Vec<u8>, insert: &mut Vec<u8>) {
    for chunk in insert.chunks(0x7f) {
        d.push(chunk.len() as u8);
        d.extend_from_slice(chunk);
    }
    insert.clear();
}

/// Copy instructions for a run of the base, at most 64 KiB each (as git writes them).
fn copy_op(d: &mut Vec<u8>, (mut from, mut len): (usize, usize)) {
    while len > 0 {
        let n = len.min(0x10000);
        let mut op = 0x80u8;
        let at = d.len();
        d.push(0);
        for k in 0..4 {
            let b = ((from >> (8 * k)) & 0xff) as u8;
            if b != 0 {
                op |= 1 << k;
                d.push(b);
            }
        }
        // a size of 0x10000 is written as no size bytes
        let size = if n == 0x10000 { 0 } else { n };
        for k in 0..3 {
            let b = ((size >> (8 * k)) & 0xff) as u8;
            if b != 0 {
                op |= 0x10 << k;
                d.push(b);
            }
        }
        d[at] = op;
        from += n;
        len -= n;
    }
}

/// `base` with git delta `d` applied; `None` if the delta is malformed.
fn apply(base: &[u8], d: &[u8]) -> Option<Vec<u8>> {
    fn varint(d: &[u8], at: &mut usize) -> Option<usize> {
        let (mut n, mut shift) = (0usize, 0);
        loop {
            let b = *d.get(*at)?;
            *at += 1;
            n |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
    }
    let mut at = 0;
    if varint(d, &mut at)? != base.len() {
        return None;
    }
    let size = varint(d, &mut at)?;
    let mut out = Vec::with_capacity(size);
    while at < d.len() {
        let op = d[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, count: usize| -> Option<usize> {
                let mut v = 0usize;
                for k in 0..count {
                    if bits & (1 << k) != 0 {
                        v |= usize::from(*d.get(at)?) << (8 * k);
                        at += 1;
                    }
                }
                Some(v)
            };
            let from = field(op & 0x0f, 4)?;
            let n = match field((op >> 4) & 0x07, 3)? {
                0 => 0x10000,
                n => n,
            };
            out.extend_from_slice(base.get(from..from.checked_add(n)?)?);
        } else if op != 0 {
            let n = usize::from(op);
            out.extend_from_slice(d.get(at..at + n)?);
            at += n;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
#[path = "loose_tests.rs"]
mod tests;
