//! git's pack index (version 2), read and written: the ids of a pack's objects in order, with
//! each entry's checksum and offset in the pack. The joining of packs (`packs`) computes a new
//! index from the old ones without reading the objects.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use sha1::{Digest, Sha1};

const IDX_MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
/// Bytes of an object id (SHA-1).
pub(super) const ID: usize = 20;

/// A pack's index (version 2): ids in order, with each entry's checksum and offset.
pub(super) struct Idx {
    pub(super) ids: Vec<[u8; ID]>,
    pub(super) crcs: Vec<u32>,
    pub(super) offsets: Vec<u64>,
    pub(super) pack_checksum: [u8; ID],
}

pub(super) fn invalid(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {what}", path.display()),
    )
}

pub(super) fn be32(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_be_bytes(w)
}

pub(super) fn read_idx(path: &Path) -> io::Result<Idx> {
    let data = std::fs::read(path)?;
    let bad = |what: &str| invalid(path, what);
    if data.len() < 8 + 256 * 4 + 2 * ID || data[..4] != IDX_MAGIC || be32(&data, 4) != 2 {
        return Err(bad("not a version 2 pack index"));
    }
    let n = be32(&data, 8 + 255 * 4) as usize;
    let ids_at = 8 + 256 * 4;
    let crcs_at = ids_at + n * ID;
    let offs_at = crcs_at + n * 4;
    let large_at = offs_at + n * 4;
    if data.len() < large_at + 2 * ID {
        return Err(bad("index shorter than its object count"));
    }
    let large_count = (data.len() - large_at - 2 * ID) / 8;
    let mut ids = Vec::with_capacity(n);
    let mut crcs = Vec::with_capacity(n);
    let mut offsets = Vec::with_capacity(n);
    for i in 0..n {
        let mut id = [0u8; ID];
        id.copy_from_slice(&data[ids_at + i * ID..ids_at + (i + 1) * ID]);
        ids.push(id);
        crcs.push(be32(&data, crcs_at + i * 4));
        let off = be32(&data, offs_at + i * 4);
        offsets.push(if off & 0x8000_0000 == 0 {
            u64::from(off)
        } else {
            let k = (off & 0x7fff_ffff) as usize;
            if k >= large_count {
                return Err(bad("large offset out of range"));
            }
            let at = large_at + k * 8;
            let mut w = [0u8; 8];
            w.copy_from_slice(&data[at..at + 8]);
            u64::from_be_bytes(w)
        });
    }
    let mut pack_checksum = [0u8; ID];
    let end = data.len() - 2 * ID;
    pack_checksum.copy_from_slice(&data[end..end + ID]);
    if Sha1::digest(&data[..data.len() - ID])[..] != data[data.len() - ID..] {
        return Err(bad("index checksum does not match"));
    }
    Ok(Idx {
        ids,
        crcs,
        offsets,
        pack_checksum,
    })
}

/// Write a version 2 index of `entries` (sorted by id) for the pack with `pack_checksum`.
pub(super) fn write_idx(
    path: &Path,
    entries: &[([u8; ID], u32, u64)],
    pack_checksum: &[u8; ID],
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(8 + 256 * 4 + entries.len() * (ID + 8) + 2 * ID);
    buf.extend_from_slice(&IDX_MAGIC);
    buf.extend_from_slice(&2u32.to_be_bytes());
    let mut fanout = [0u32; 256];
    for (id, _, _) in entries {
        fanout[usize::from(id[0])] += 1;
    }
    let mut running = 0u32;
    for f in fanout {
        running += f;
        buf.extend_from_slice(&running.to_be_bytes());
    }
    for (id, _, _) in entries {
        buf.extend_from_slice(id);
    }
    for (_, crc, _) in entries {
        buf.extend_from_slice(&crc.to_be_bytes());
    }
    let mut large: Vec<u64> = Vec::new();
    for &(_, _, off) in entries {
        let word = if off < 0x8000_0000 {
            off as u32
        } else {
            large.push(off);
            0x8000_0000 | (large.len() as u32 - 1)
        };
        buf.extend_from_slice(&word.to_be_bytes());
    }
    for off in large {
        buf.extend_from_slice(&off.to_be_bytes());
    }
    buf.extend_from_slice(pack_checksum);
    let sum = Sha1::digest(&buf);
    buf.extend_from_slice(&sum);
    let mut f = create_new(path)?;
    f.write_all(&buf)?;
    f.sync_all()
}

/// A file that must not exist yet.
pub(super) fn create_new(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}
