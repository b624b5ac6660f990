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

use std::io;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use super::pack_index::ID;
use super::pack_writer::{PackWriter, crc32, write_offset};
use super::tree_delta::{Base, tree_delta};

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

/// The loose objects of the repository: id, file, file size (`None` when `stop` said so on
/// the way).
fn list(
    objects: &Path,
    stop: &mut dyn FnMut() -> bool,
) -> io::Result<Option<Vec<(Oid, PathBuf, u64)>>> {
    let mut out = Vec::new();
    for fan in 0..=255u8 {
        if fan % 16 == 15 && stop() {
            return Ok(None);
        }
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
    Ok(Some(out))
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
    let stopped = || {
        io::Error::new(
            io::ErrorKind::Interrupted,
            "packing the loose objects was stopped",
        )
    };
    let objects = repo.path().join("objects");
    let loose = list(&objects, stop)?.ok_or_else(stopped)?;
    let odb = repo.odb().map_err(git_error)?;
    // trees by size, so that versions of one folder come together (reading the headers of a
    // million loose objects from a cold disk took minutes: asked along the way too)
    let mut order: Vec<(ObjectType, usize, usize)> = Vec::with_capacity(loose.len());
    for (i, (id, _, _)) in loose.iter().enumerate() {
        if i % 256 == 255 && stop() {
            return Err(stopped());
        }
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
    let mut z = Deflater::new();
    for &(kind, size, i) in &order {
        if stop() {
            return Err(stopped());
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
                z.deflate(&mut entry, &d)?;
            }
            None => {
                header(&mut entry, type_code(kind)?, data.len());
                z.deflate(&mut entry, data)?;
                if kind == ObjectType::Tree && data.len() >= DELTA_MIN {
                    if bases.len() == MAX_BASES {
                        bases.remove(0);
                    }
                    bases.extend(Base::new(data.into(), here));
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

pub(super) fn type_code(kind: ObjectType) -> io::Result<u8> {
    match kind {
        ObjectType::Commit => Ok(1),
        ObjectType::Tree => Ok(2),
        ObjectType::Blob => Ok(3),
        ObjectType::Tag => Ok(4),
        _ => Err(io::Error::other("a loose object of an unknown type")),
    }
}

/// A pack entry's type and size.
pub(super) fn header(out: &mut Vec<u8>, code: u8, size: usize) {
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

/// One zlib stream used for object after object: a fresh one per object set up (and zeroed)
/// its hundreds of kilobytes of tables a thousand times in a push.
pub(super) struct Deflater(flate2::Compress);

impl Deflater {
    pub(super) fn new() -> Deflater {
        Deflater(flate2::Compress::new(flate2::Compression::fast(), true))
    }

    /// `data` as one zlib stream, after what `out` holds.
    pub(super) fn deflate(&mut self, out: &mut Vec<u8>, data: &[u8]) -> io::Result<()> {
        self.0.reset();
        loop {
            out.reserve(data.len() / 2 + 64);
            let done = usize::try_from(self.0.total_in()).map_err(io::Error::other)?;
            let status = self
                .0
                .compress_vec(&data[done..], out, flate2::FlushCompress::Finish)
                .map_err(io::Error::other)?;
            if status == flate2::Status::StreamEnd {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
#[path = "loose_tests.rs"]
mod tests;
