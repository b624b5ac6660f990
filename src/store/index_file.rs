//! Updating git's index (`.git/index`) for the few files a save wrote. libgit2 reads, checks
//! and rewrites the whole index for that, hashing it twice: a tenth of a second at 100,000
//! records, more than the rest of a save. Here the entries are copied as bytes and only the
//! changed ones are written anew, with one checksum at the end.
//!
//! Only what is certainly understood is touched: index versions 2 and 3, entries at stage 0
//! for the changed paths, and known extensions. The cache of trees (`TREE`) and the offset
//! tables (`EOIE`, `IEOT`) and fsmonitor data (`FSMN`) describe the old entries and are left
//! out (all are optional: git rebuilds what it needs); anything else that cannot be kept as it
//! is makes [`update`] decline, and the caller lets libgit2 do it.

use std::io::Write;
use std::path::Path;

use sha1::{Digest, Sha1};

/// One changed file: its path as git knows it, and its new blob and file status (`None`:
/// removed).
pub struct Change<'a> {
    pub path: &'a str,
    pub new: Option<(git2::Oid, std::fs::Metadata)>,
    /// The new entry's mode: executable or not; `None` keeps the old entry's (a save
    /// changes content, not modes).
    pub executable: Option<bool>,
}

/// Why the index was not updated here.
#[derive(Debug)]
pub enum Declined {
    /// A form this updater does not handle (left to libgit2).
    Unsupported(&'static str),
    Io(std::io::Error),
}

impl From<std::io::Error> for Declined {
    fn from(e: std::io::Error) -> Declined {
        Declined::Io(e)
    }
}

const HEADER: usize = 12;
const CHECKSUM: usize = 20;

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// An entry as found: where its bytes are, and its path.
pub(super) struct Found<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) path: &'a [u8],
    pub(super) stage: u16,
}

impl Found<'_> {
    /// A 32-bit field of the entry's stat data (byte offset in the entry).
    pub(super) fn field(&self, at: usize) -> u32 {
        be32(self.bytes, at).unwrap_or(0)
    }

    pub(super) fn oid(&self) -> Option<git2::Oid> {
        git2::Oid::from_bytes(self.bytes.get(40..60)?).ok()
    }

    /// Assume-valid, skip-worktree or intent-to-add: entries whose file git does not compare.
    pub(super) fn special(&self) -> bool {
        let flags = u16::from_be_bytes([self.bytes[60], self.bytes[61]]);
        let extended = flags & 0x4000 != 0
            && self
                .bytes
                .get(62..64)
                .is_some_and(|x| u16::from_be_bytes([x[0], x[1]]) & 0x6000 != 0);
        flags & 0x8000 != 0 || extended
    }
}

/// An index file taken apart: version, entries, and the extensions that are kept.
pub(super) type Parsed<'a> = (u32, Vec<Found<'a>>, Vec<&'a [u8]>);

/// The entries and the extensions of an index file.
pub(super) fn parse(data: &[u8]) -> Result<Parsed<'_>, Declined> {
    let bad = || Declined::Unsupported("an index file of an unexpected shape");
    if data.len() < HEADER + CHECKSUM || &data[..4] != b"DIRC" {
        return Err(bad());
    }
    let version = be32(data, 4).ok_or_else(bad)?;
    if version != 2 && version != 3 {
        return Err(Declined::Unsupported("index version 4"));
    }
    let count = be32(data, 8).ok_or_else(bad)? as usize;
    let end = data.len() - CHECKSUM;
    let mut at = HEADER;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let flags = u16::from_be_bytes(
            data.get(at + 60..at + 62)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?,
        );
        let extended = flags & 0x4000 != 0;
        if extended && version < 3 {
            return Err(bad());
        }
        let name_at = at + 62 + if extended { 2 } else { 0 };
        let len = usize::from(flags & 0x0fff);
        let len = if len < 0x0fff {
            len
        } else {
            data.get(name_at..end)
                .ok_or_else(bad)?
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(bad)?
        };
        let size = (name_at - at + len + 8) & !7;
        let bytes = data.get(at..at + size).ok_or_else(bad)?;
        entries.push(Found {
            bytes,
            path: &data[name_at..name_at + len],
            stage: (flags >> 12) & 3,
        });
        at += size;
    }
    let mut extensions = Vec::new();
    while at < end {
        let sig = data.get(at..at + 4).ok_or_else(bad)?;
        let size = be32(data, at + 4).ok_or_else(bad)? as usize;
        let ext = data.get(at..at + 8 + size).ok_or_else(bad)?;
        match sig {
            b"TREE" | b"EOIE" | b"IEOT" | b"FSMN" => {}
            b"REUC" | b"UNTR" => extensions.push(ext),
            _ => {
                return Err(Declined::Unsupported(
                    "an index extension this updater does not know",
                ));
            }
        }
        at += 8 + size;
    }
    if at != end {
        return Err(bad());
    }
    Ok((version, entries, extensions))
}

/// The on-disk form of a new stage-0 entry for `path`.
fn entry(path: &str, oid: git2::Oid, meta: &std::fs::Metadata, executable: bool) -> Vec<u8> {
    use std::os::unix::fs::MetadataExt;
    let mut out = Vec::with_capacity(64 + path.len() + 8);
    let t32 = |v: i64| (v as u64 & 0xffff_ffff) as u32;
    for v in [
        t32(meta.ctime()),
        t32(meta.ctime_nsec()),
        t32(meta.mtime()),
        t32(meta.mtime_nsec()),
        (meta.dev() & 0xffff_ffff) as u32,
        (meta.ino() & 0xffff_ffff) as u32,
        if executable { 0o100755 } else { 0o100644 },
        meta.uid(),
        meta.gid(),
        (meta.len() & 0xffff_ffff) as u32,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(oid.as_bytes());
    let flags = path.len().min(0x0fff) as u16;
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(path.as_bytes());
    let size = (62 + path.len() + 8) & !7;
    out.resize(size, 0);
    out
}

/// Write the index with `changes` applied, under git's `index.lock`.
pub fn update(git_dir: &Path, changes: &[Change<'_>]) -> Result<(), Declined> {
    let index = git_dir.join("index");
    let lock = git_dir.join("index.lock");
    let t0 = std::time::Instant::now();
    let data = std::fs::read(&index)?;
    let t_read = t0.elapsed();
    let (version, entries, extensions) = parse(&data)?;
    let t_parse = t0.elapsed();
    let mut sorted: Vec<&Change<'_>> = changes.iter().collect();
    sorted.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    sorted.dedup_by(|a, b| a.path == b.path);
    let changed = |p: &[u8]| {
        sorted
            .binary_search_by(|c| c.path.as_bytes().cmp(p))
            .is_ok()
    };
    if entries.iter().any(|e| e.stage != 0 && changed(e.path)) {
        return Err(Declined::Unsupported("a changed file is in conflict"));
    }
    let mut out = Vec::with_capacity(data.len() + changes.len() * 128);
    out.extend_from_slice(b"DIRC");
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&[0; 4]);
    let mut count: u32 = 0;
    let mut next = sorted.iter().peekable();
    let emit_change =
        |c: &Change<'_>, old: Option<&Found<'_>>, out: &mut Vec<u8>, count: &mut u32| {
            if let Some((oid, meta)) = &c.new {
                let executable = c
                    .executable
                    .unwrap_or_else(|| old.is_some_and(|o| be32(o.bytes, 24) == Some(0o100755)));
                out.extend_from_slice(&entry(c.path, *oid, meta, executable));
                *count += 1;
            }
        };
    for e in &entries {
        // changes sorting before this entry are new files
        while let Some(c) = next.peek() {
            match c.path.as_bytes().cmp(e.path) {
                std::cmp::Ordering::Less => {
                    emit_change(c, None, &mut out, &mut count);
                    next.next();
                }
                std::cmp::Ordering::Equal => break,
                std::cmp::Ordering::Greater => break,
            }
        }
        match next.peek() {
            Some(c) if c.path.as_bytes() == e.path => {
                emit_change(c, Some(e), &mut out, &mut count);
                next.next();
            }
            _ => {
                out.extend_from_slice(e.bytes);
                count += 1;
            }
        }
    }
    for c in next {
        emit_change(c, None, &mut out, &mut count);
    }
    out[8..12].copy_from_slice(&count.to_be_bytes());
    for ext in extensions {
        out.extend_from_slice(ext);
    }
    let t_built = t0.elapsed();
    let sum = Sha1::digest(&out);
    out.extend_from_slice(&sum);
    let t_sum = t0.elapsed();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)?;
    let written = f.write_all(&out).and_then(|()| f.flush());
    drop(f);
    if let Err(e) = written.and_then(|()| std::fs::rename(&lock, &index)) {
        let _ = std::fs::remove_file(&lock);
        return Err(e.into());
    }
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!(
            "index: read {t_read:?} parsed {t_parse:?} built {t_built:?} sum {t_sum:?} written {:?}",
            t0.elapsed()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_git::git;
    use super::*;

    /// A repository made by git itself (so its index has git's extensions), the same twice.
    fn repo(dir: &Path) {
        std::fs::create_dir_all(dir.join("actions")).expect("dir");
        std::fs::create_dir_all(dir.join("items")).expect("dir");
        for i in 0..60 {
            std::fs::write(
                dir.join(format!("actions/a-{i:03}.toml")),
                format!("id = \"a-{i}\"\n"),
            )
            .expect("w");
        }
        for i in 0..10 {
            std::fs::write(
                dir.join(format!("items/i-{i:03}.toml")),
                format!("id = \"i-{i}\"\n"),
            )
            .expect("w");
        }
        std::fs::write(dir.join("overleg.toml"), "name = \"t\"\n").expect("w");
        git(dir, &["init", "-q"]);
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-qm", "start"]);
        // git writes the cache of trees with a status refresh too
        git(dir, &["status", "--porcelain"]);
    }

    fn entries(dir: &Path) -> Vec<(String, git2::Oid, u32, u32, u16)> {
        let index = git2::Index::open(&dir.join(".git/index")).expect("index");
        index
            .iter()
            .map(|e| {
                (
                    String::from_utf8_lossy(&e.path).into_owned(),
                    e.id,
                    e.mode,
                    e.file_size,
                    e.flags,
                )
            })
            .collect()
    }

    /// For many sets of changes (changed, new and removed files, sorting before, between and
    /// after the others, in new folders), the index written here has exactly the entries
    /// libgit2 writes, and git reads it back as clean.
    #[test]
    fn the_same_entries_as_libgit2_and_clean_for_git() {
        let mut seed: u64 = 7;
        let mut rnd = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for case in 0..12 {
            let tmp = tempfile::tempdir().expect("tmp");
            let (ours, theirs) = (tmp.path().join("ours"), tmp.path().join("theirs"));
            repo(&ours);
            repo(&theirs);
            let mut changes: Vec<(String, Option<String>)> = Vec::new();
            for _ in 0..(1 + rnd(6)) {
                let path = match rnd(6) {
                    0 => format!("actions/a-{:03}.toml", rnd(60)),
                    1 => format!("actions/a-{:03}x.toml", rnd(80)),
                    2 => format!("aa/new-{}.toml", rnd(5)),
                    3 => format!("zz/new-{}.toml", rnd(5)),
                    4 => format!("items/i-{:03}.toml", rnd(12)),
                    _ => "overleg.toml".to_string(),
                };
                let exists = ours.join(&path).exists();
                let text = if exists && rnd(3) == 0 {
                    None
                } else {
                    Some(format!("id = \"{case}-{path}\"\n"))
                };
                if changes.iter().any(|(p, _)| *p == path) || (!exists && text.is_none()) {
                    continue;
                }
                changes.push((path, text));
            }
            for dir in [&ours, &theirs] {
                for (p, t) in &changes {
                    match t {
                        Some(t) => {
                            if let Some(parent) = dir.join(p).parent() {
                                std::fs::create_dir_all(parent).expect("dir");
                            }
                            std::fs::write(dir.join(p), t).expect("w");
                        }
                        None => std::fs::remove_file(dir.join(p)).expect("rm"),
                    }
                }
            }
            let repo = git2::Repository::open(&ours).expect("open");
            let blobs: Vec<Option<(git2::Oid, std::fs::Metadata)>> = changes
                .iter()
                .map(|(p, t)| {
                    t.as_ref().map(|t| {
                        (
                            repo.blob(t.as_bytes()).expect("blob"),
                            std::fs::symlink_metadata(ours.join(p)).expect("meta"),
                        )
                    })
                })
                .collect();
            let updates: Vec<Change<'_>> = changes
                .iter()
                .zip(blobs)
                .map(|((p, _), new)| Change {
                    path: p,
                    new,
                    executable: None,
                })
                .collect();
            update(&ours.join(".git"), &updates).expect("update");
            let other = git2::Repository::open(&theirs).expect("open");
            let mut index = other.index().expect("index");
            for (p, t) in &changes {
                match t {
                    Some(_) => index.add_path(Path::new(p)).expect("add"),
                    None => index.remove_path(Path::new(p)).expect("remove"),
                }
            }
            index.write().expect("write");
            assert_eq!(entries(&ours), entries(&theirs), "case {case}: {changes:?}");
            // git reads it (checksum, order) and finds the work tree as staged
            assert_eq!(
                git(&ours, &["status", "--porcelain"]),
                git(&theirs, &["status", "--porcelain"]),
                "case {case}"
            );
            assert!(
                git(&ours, &["diff", "--name-only"]).is_empty(),
                "case {case}"
            );
        }
    }

    #[test]
    fn declines_what_it_does_not_know() {
        let tmp = tempfile::tempdir().expect("tmp");
        repo(tmp.path());
        git(tmp.path(), &["update-index", "--index-version", "4"]);
        let before = std::fs::read(tmp.path().join(".git/index")).expect("read");
        let r = update(
            &tmp.path().join(".git"),
            &[Change {
                path: "overleg.toml",
                new: None,
                executable: None,
            }],
        );
        assert!(matches!(r, Err(Declined::Unsupported(_))), "{r:?}");
        assert_eq!(
            std::fs::read(tmp.path().join(".git/index")).expect("read"),
            before
        );
        // a lock held by someone else is respected
        git(tmp.path(), &["update-index", "--index-version", "2"]);
        std::fs::write(tmp.path().join(".git/index.lock"), b"").expect("lock");
        let r = update(
            &tmp.path().join(".git"),
            &[Change {
                path: "overleg.toml",
                new: None,
                executable: None,
            }],
        );
        assert!(matches!(r, Err(Declined::Io(_))), "{r:?}");
        assert!(tmp.path().join(".git/index.lock").exists());
    }
}
