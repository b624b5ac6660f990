//! Writing a new pack into `objects/pack` the way git does: under a temporary name, the
//! entries hashed as they are written, made durable, its index written, then both put in
//! place (pack first, index last: a reader uses a pack only once its index is there). On any
//! failure before that the temporary files are removed and nothing else was touched.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use super::pack_index::{ID, create_new, write_idx};

pub(super) const PACK_HEADER: usize = 12;

/// A pack being written.
pub(super) struct PackWriter {
    dir: PathBuf,
    tmp_pack: PathBuf,
    tmp_idx: PathBuf,
    out: BufWriter<File>,
    hash: Sha1,
    /// Offset of the next entry.
    at: u64,
    /// (id, checksum, offset) of each entry written.
    entries: Vec<([u8; ID], u32, u64)>,
    count: u32,
    /// Files to remove if the pack is not put in place.
    temp: Vec<PathBuf>,
}

impl Drop for PackWriter {
    fn drop(&mut self) {
        for p in &self.temp {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Remove the temporary files of pack writers that never finished (the process was killed
/// or the machine went down): `tmp_overleg_*` not written to for an hour. A writer at work
/// writes its pack all the time and its index within seconds of the last entry.
pub(super) fn sweep_abandoned(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let hour = std::time::Duration::from_secs(3600);
    for e in rd.flatten() {
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
        if stale && e.file_name().to_string_lossy().starts_with("tmp_overleg_") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

impl PackWriter {
    /// Start a pack of `count` entries in the pack folder `dir`.
    pub(super) fn create(dir: &Path, count: u32) -> io::Result<PackWriter> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tag = format!("{}-{nanos}", std::process::id());
        let tmp_pack = dir.join(format!("tmp_overleg_{tag}.pack"));
        let tmp_idx = dir.join(format!("tmp_overleg_{tag}.idx"));
        let out = BufWriter::with_capacity(1 << 20, create_new(&tmp_pack)?);
        let mut w = PackWriter {
            dir: dir.to_path_buf(),
            temp: vec![tmp_pack.clone(), tmp_idx.clone()],
            tmp_pack,
            tmp_idx,
            out,
            hash: Sha1::new(),
            at: 0,
            entries: Vec::with_capacity(count as usize),
            count,
        };
        w.write(b"PACK")?;
        w.write(&2u32.to_be_bytes())?;
        w.write(&count.to_be_bytes())?;
        Ok(w)
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.hash.update(bytes);
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// Where the next entry goes.
    pub(super) fn at(&self) -> u64 {
        self.at
    }

    /// Write one whole entry (header and data) of object `id`, whose CRC-32 is `crc`.
    pub(super) fn entry(&mut self, id: [u8; ID], crc: u32, bytes: &[u8]) -> io::Result<u64> {
        let here = self.at;
        self.write(bytes)?;
        self.entries.push((id, crc, here));
        Ok(here)
    }

    /// Entries written so far.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Finish the pack and put it in place. Returns its file name and size.
    pub(super) fn finish(mut self) -> io::Result<(String, u64)> {
        if self.entries.len() != self.count as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: {} entries written for a pack of {}",
                    self.dir.display(),
                    self.entries.len(),
                    self.count
                ),
            ));
        }
        let checksum: [u8; ID] = std::mem::take(&mut self.hash).finalize().into();
        self.out.write_all(&checksum)?;
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        let size = self.at + ID as u64;
        self.entries.sort_by_key(|e| e.0);
        write_idx(&self.tmp_idx, &self.entries, &checksum)?;
        let name: String = checksum.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("pack-{name}");
        let final_pack = self.dir.join(format!("{name}.pack"));
        let final_idx = self.dir.join(format!("{name}.idx"));
        // a pack is named by the checksum of its bytes: one of this name is this one, put in
        // place by another process writing the same pack
        if !final_idx.exists() {
            // read-only, as git leaves its packs
            for f in [&self.tmp_pack, &self.tmp_idx] {
                std::fs::set_permissions(f, std::os::unix::fs::PermissionsExt::from_mode(0o444))?;
            }
            std::fs::rename(&self.tmp_pack, &final_pack)?;
            self.temp[0] = final_pack;
            std::fs::rename(&self.tmp_idx, &final_idx)?;
            self.temp.clear();
        }
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok((format!("{name}.pack"), size))
    }
}

/// CRC-32 of a pack entry, as its index holds it.
pub(super) fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// A delta's distance back to its base, in git's offset encoding.
pub(super) fn write_offset(out: &mut Vec<u8>, mut ofs: u64) {
    let mut buf = [0u8; 10];
    let mut pos = buf.len() - 1;
    buf[pos] = (ofs & 0x7f) as u8;
    ofs >>= 7;
    while ofs != 0 {
        ofs -= 1;
        pos -= 1;
        buf[pos] = 0x80 | (ofs & 0x7f) as u8;
        ofs >>= 7;
    }
    out.extend_from_slice(&buf[pos..]);
}
