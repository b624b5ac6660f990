//! Taking in a pack a server sent, as `git index-pack --fix-thin` does: every entry checked
//! and named by the hash of its object, deltas resolved against bases in the pack or, for a
//! thin pack, in this repository, and the pack stored with an index and with the outside
//! bases added whole, so that it stands on its own as every pack on disk must.
//!
//! libgit2's indexer does the same, but adds each outside base with a pass over the whole
//! pack file: a fetch of 1,000 changed records (each sent as a delta on the version here)
//! took 90 ms in it, most of a sync's own time after the server's. Here the bases are added
//! in one pass as the pack is written.
//!
//! The bytes come from a server, so nothing in them is trusted: lengths are checked before
//! they are used, an object's size is bounded before it is allocated, objects are hashed with
//! collision detection (as git does), the pack's checksum is verified, and any of these
//! failing is an error that leaves nothing behind.

use std::collections::HashMap;
use std::io;
use std::rc::Rc;

use git2::{Oid, Repository};
use sha1_checked::Digest;

use super::loose::{Deflater, header, type_code};
use super::pack_index::ID;
use super::pack_writer::{PACK_HEADER, PackWriter, crc32};
use super::packs::read_offset;
use super::tree_delta::apply;

/// The largest object taken in (inflated); a larger one is left to libgit2's fetch.
const MOST_OBJECT: usize = 1 << 30;

/// What a received pack held.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Entries in the pack as sent.
    pub objects: usize,
    /// Of them, deltas.
    pub deltas: usize,
    /// Bases from this repository added to complete a thin pack.
    pub completed: usize,
}

#[derive(Clone, Copy)]
enum Base {
    Whole,
    /// A delta on the entry with this index.
    Offset(usize),
    /// A delta on the object with this id, in the pack or (thin pack) here.
    Id([u8; ID]),
}

struct Entry {
    at: usize,
    /// Where the compressed data starts.
    data: usize,
    end: usize,
    code: u8,
    size: usize,
    base: Base,
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the server's pack {}", what.into()),
    )
}

/// Store the pack `pack` (as received, checksum included) in `repo`.
pub fn store(repo: &Repository, pack: &[u8]) -> io::Result<Received> {
    let (entries, count) = read_entries(pack)?;
    let mut received = Received {
        objects: entries.len(),
        deltas: entries
            .iter()
            .filter(|e| !matches!(e.base, Base::Whole))
            .count(),
        completed: 0,
    };
    if count == 0 {
        return Ok(received);
    }
    let (ids, added) = resolve(repo, pack, &entries)?;
    received.completed = added.len();
    let dir = repo.path().join("objects").join("pack");
    let total = u32::try_from(entries.len() + added.len()).map_err(|_| bad("is too large"))?;
    let mut w = PackWriter::create(&dir, total)?;
    for (e, id) in entries.iter().zip(&ids) {
        let bytes = &pack[e.at..e.end];
        w.entry(*id, crc32(bytes), bytes)?;
    }
    for (id, bytes) in &added {
        w.entry(*id, crc32(bytes), bytes)?;
    }
    w.finish()?;
    Ok(received)
}

/// The entries of `pack`, after checking its header, its checksum and that its entries fill it.
fn read_entries(pack: &[u8]) -> io::Result<(Vec<Entry>, u32)> {
    if pack.len() < PACK_HEADER + ID || &pack[..4] != b"PACK" {
        return Err(bad("is not a pack"));
    }
    let version = u32::from_be_bytes([pack[4], pack[5], pack[6], pack[7]]);
    if version != 2 && version != 3 {
        return Err(bad(format!(
            "is of version {version}, which this does not read"
        )));
    }
    let count = u32::from_be_bytes([pack[8], pack[9], pack[10], pack[11]]);
    let body = pack.len() - ID;
    let sum = sha1::Sha1::digest(&pack[..body]);
    if sum.as_slice() != &pack[body..] {
        return Err(bad("arrived damaged (its checksum does not match)"));
    }
    // every entry takes at least two bytes: no count can ask for more room than that
    if count as usize > body / 2 {
        return Err(bad("claims more objects than it holds"));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(count as usize);
    let mut by_offset: HashMap<usize, usize> = HashMap::with_capacity(count as usize);
    let mut z = flate2::Decompress::new(true);
    let mut at = PACK_HEADER;
    for i in 0..count as usize {
        let (code, size, mut data) = entry_header(&pack[..body], at)?;
        let base = match code {
            1..=4 => Base::Whole,
            6 => {
                let (back, used) = read_offset(&pack[data..body])
                    .ok_or_else(|| bad(format!("has a damaged delta at offset {at}")))?;
                data += used;
                let base_at = usize::try_from(back)
                    .ok()
                    .and_then(|b| at.checked_sub(b))
                    .and_then(|b| by_offset.get(&b))
                    .ok_or_else(|| bad(format!("has a delta at offset {at} without its base")))?;
                Base::Offset(*base_at)
            }
            7 => {
                let id = pack
                    .get(data..data + ID)
                    .ok_or_else(|| bad("ends inside an entry"))?;
                data += ID;
                Base::Id(id.try_into().map_err(|_| bad("ends inside an entry"))?)
            }
            _ => return Err(bad(format!("has an entry of unknown type {code} at {at}"))),
        };
        let used = inflate(&mut z, &pack[data..body], size, None)?;
        by_offset.insert(at, i);
        entries.push(Entry {
            at,
            data,
            end: data + used,
            code,
            size,
            base,
        });
        at = data + used;
    }
    if at != body {
        return Err(bad("has bytes after its last object"));
    }
    Ok((entries, count))
}

/// An entry's type and size, and where what follows them starts.
fn entry_header(pack: &[u8], at: usize) -> io::Result<(u8, usize, usize)> {
    let mut p = at;
    let mut c = *pack.get(p).ok_or_else(|| bad("ends inside an entry"))?;
    p += 1;
    let code = (c >> 4) & 0x07;
    let mut size = usize::from(c & 0x0f);
    let mut shift = 4;
    while c & 0x80 != 0 {
        c = *pack.get(p).ok_or_else(|| bad("ends inside an entry"))?;
        p += 1;
        if shift > 56 {
            return Err(bad(format!("has an entry of impossible size at {at}")));
        }
        size |= usize::from(c & 0x7f) << shift;
        shift += 7;
    }
    if size > MOST_OBJECT {
        return Err(bad(format!(
            "has an object of {size} bytes, too large to take in"
        )));
    }
    Ok((code, size, p))
}

/// Inflate the zlib stream at the start of `input`, which must make exactly `size` bytes
/// (into `out` when given). Returns the length of the stream.
fn inflate(
    z: &mut flate2::Decompress,
    input: &[u8],
    size: usize,
    mut out: Option<&mut Vec<u8>>,
) -> io::Result<usize> {
    z.reset(true);
    let mut scratch = [0u8; 8192];
    let mut made = 0usize;
    loop {
        let (before_in, before_out) = (z.total_in(), z.total_out());
        let done = usize::try_from(before_in).map_err(io::Error::other)?;
        let status = match out.as_deref_mut() {
            Some(v) => {
                v.reserve((size + 1).saturating_sub(v.len()).max(1));
                z.decompress_vec(&input[done..], v, flate2::FlushDecompress::None)
            }
            None => z.decompress(&input[done..], &mut scratch, flate2::FlushDecompress::None),
        }
        .map_err(|e| bad(format!("has a damaged object: {e}")))?;
        made += usize::try_from(z.total_out() - before_out).map_err(io::Error::other)?;
        if made > size {
            return Err(bad("has an object longer than its header says"));
        }
        match status {
            flate2::Status::StreamEnd if made == size => {
                return usize::try_from(z.total_in()).map_err(io::Error::other);
            }
            flate2::Status::StreamEnd => {
                return Err(bad("has an object shorter than its header says"));
            }
            _ if z.total_in() == before_in && z.total_out() == before_out => {
                return Err(bad("ends inside an object"));
            }
            _ => {}
        }
    }
}

/// An object's bytes from its entry (inflated; a delta's instructions for a delta).
fn data(z: &mut flate2::Decompress, pack: &[u8], e: &Entry) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(e.size + 1);
    inflate(z, &pack[e.data..e.end], e.size, Some(&mut out))?;
    Ok(out)
}

/// The id git gives an object, its hash checked for the marks of a collision attack.
fn object_id(code: u8, data: &[u8]) -> io::Result<[u8; ID]> {
    let name = match code {
        1 => "commit",
        2 => "tree",
        3 => "blob",
        _ => "tag",
    };
    let mut h = sha1_checked::Sha1::new();
    h.update(format!("{name} {}\0", data.len()).as_bytes());
    h.update(data);
    let r = h.try_finalize();
    if r.has_collision() {
        return Err(bad(
            "has an object made to collide with another (a SHA-1 attack)",
        ));
    }
    let mut id = [0u8; ID];
    id.copy_from_slice(r.hash());
    Ok(id)
}

/// A tree taken in is kept for the merge that follows the fetch on this thread (see
/// `tree_patch::SharedTrees`): the new version of a record folder's tree is megabytes, and
/// reading it back from the pack would inflate its base and apply the delta again.
fn kept(code: u8, id: [u8; ID], object: &Rc<[u8]>) {
    if code == 2
        && let Ok(oid) = Oid::from_bytes(&id)
    {
        super::tree_patch::share(oid, object);
    }
}

/// Resolving the deltas of a pack. Each base's deltas are resolved as soon as the base is:
/// only the bases of the deltas still to do are held (a chain's length of them), not every
/// object of the pack.
struct Resolver<'a> {
    pack: &'a [u8],
    entries: &'a [Entry],
    z: flate2::Decompress,
    ids: Vec<Option<[u8; ID]>>,
    /// Deltas by the entry they are on, and by the id of the object they are on.
    on_entry: HashMap<usize, Vec<usize>>,
    on_id: HashMap<[u8; ID], Vec<usize>>,
    /// Deltas whose base is known: (entry, type of the object, the base's bytes).
    todo: Vec<(usize, u8, Rc<[u8]>)>,
}

impl Resolver<'_> {
    /// Entry `i` is object `id` of type `code`: resolve every delta that rests on it.
    fn resolved(
        &mut self,
        i: Option<usize>,
        id: [u8; ID],
        code: u8,
        object: Rc<[u8]>,
    ) -> io::Result<()> {
        self.queue(i, id, code, &object);
        drop(object);
        while let Some((k, code, base)) = self.todo.pop() {
            let e = &self.entries[k];
            let delta = data(&mut self.z, self.pack, e)?;
            let object = apply(&base, &delta)
                .ok_or_else(|| bad(format!("has a damaged delta at offset {}", e.at)))?;
            drop(base);
            let id = object_id(code, &object)?;
            self.ids[k] = Some(id);
            let object: Rc<[u8]> = object.into();
            kept(code, id, &object);
            self.queue(Some(k), id, code, &object);
        }
        Ok(())
    }

    fn queue(&mut self, i: Option<usize>, id: [u8; ID], code: u8, object: &Rc<[u8]>) {
        let on_entry = i.and_then(|i| self.on_entry.remove(&i));
        let kids = on_entry.into_iter().chain(self.on_id.remove(&id)).flatten();
        self.todo.extend(kids.map(|k| (k, code, Rc::clone(object))));
    }
}

/// The ids of all entries (in their order), and the bases from this repository a thin pack
/// needs, as whole entries (id, bytes).
#[allow(clippy::type_complexity)]
fn resolve(
    repo: &Repository,
    pack: &[u8],
    entries: &[Entry],
) -> io::Result<(Vec<[u8; ID]>, Vec<([u8; ID], Vec<u8>)>)> {
    let mut r = Resolver {
        pack,
        entries,
        z: flate2::Decompress::new(true),
        ids: vec![None; entries.len()],
        on_entry: HashMap::new(),
        on_id: HashMap::new(),
        todo: Vec::new(),
    };
    for (i, e) in entries.iter().enumerate() {
        match e.base {
            Base::Whole => {}
            Base::Offset(b) => r.on_entry.entry(b).or_default().push(i),
            Base::Id(id) => r.on_id.entry(id).or_default().push(i),
        }
    }
    for (i, e) in entries.iter().enumerate() {
        if !matches!(e.base, Base::Whole) {
            continue;
        }
        let object: Rc<[u8]> = data(&mut r.z, pack, e)?.into();
        let id = object_id(e.code, &object)?;
        r.ids[i] = Some(id);
        kept(e.code, id, &object);
        if r.on_entry.contains_key(&i) || r.on_id.contains_key(&id) {
            r.resolved(Some(i), id, e.code, object)?;
        }
    }
    // what is left are deltas on objects outside the pack: this repository's (a thin pack);
    // one such base may be a delta on another, so this goes round until no more resolve
    let odb = repo.odb().map_err(io::Error::other)?;
    let mut added = Vec::new();
    let mut deflater = Deflater::new();
    loop {
        let before = added.len();
        let outside: Vec<[u8; ID]> = r.on_id.keys().copied().collect();
        for id in outside {
            if !r.on_id.contains_key(&id) {
                continue; // resolved meanwhile, in the pack
            }
            let found = Oid::from_bytes(&id).ok().and_then(|oid| odb.read(oid).ok());
            let Some(object) = found else {
                continue;
            };
            let code = type_code(object.kind())?;
            let mut entry = Vec::with_capacity(object.len() / 2 + 16);
            header(&mut entry, code, object.len());
            deflater.deflate(&mut entry, object.data())?;
            added.push((id, entry));
            let object: Rc<[u8]> = object.data().into();
            kept(code, id, &object);
            r.resolved(None, id, code, object)?;
        }
        if r.on_id.is_empty() || added.len() == before {
            break;
        }
    }
    if let Some(missing) = r.on_id.keys().next() {
        let hex: String = missing.iter().map(|b| format!("{b:02x}")).collect();
        return Err(bad(format!(
            "has a delta on object {hex}, which is neither in it nor here"
        )));
    }
    let ids = r
        .ids
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("has deltas whose bases never resolve"))?;
    Ok((ids, added))
}

#[cfg(test)]
#[path = "received_pack_tests.rs"]
mod tests;
