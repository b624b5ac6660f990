//! What overleg's own saves (and syncs) changed since the snapshots were built. A save changes a record
//! folder, which makes every snapshot stale (`store::snapshot` proves freshness by the
//! folders' modification times); without this the command after each save loaded every file
//! again (1.6 s at 100,000 records, tens of seconds at 1,000,000). Each save notes the folders'
//! state just before it wrote its files, just after, and the files it wrote; a reader whose
//! snapshot was built from the first state and who finds the folders in the last one reads
//! only those files again.
//!
//! A change by another program in the moment a save writes its files would be counted as the
//! save's own (the folders' times cannot tell them apart). The reader therefore also compares
//! the names in each folder that changed with the records it ends up with, which finds any
//! file created, removed or renamed by someone else; a file replaced under the same name in
//! that moment is left, like a file rewritten in place, to the full check (`overleg check`,
//! the workbench's check behind its first screen).

use std::path::Path;

use bincode::Options;
use serde::{Deserialize, Serialize};

use super::cache::Stamp;
use super::snapshot::Key;

const FILE: &str = "journal.bin";
/// 2: one record appended per save (1 rewrote the whole journal: 10 MB at 100,000 records
/// after syncs of 2,000 files, read and written again by every save).
const VERSION: u32 = 2;
/// Saves remembered; a reader further behind loads in full (and leaves fresh snapshots).
const KEEP: usize = 200;
/// Records allowed before the journal is cut back to the newest [`KEEP`].
const CUT_AT: usize = KEEP + KEEP / 2;

/// The file: a header record, then one record per save, each `u64` length (little-endian)
/// first. A record cut short (a save stopped while appending) ends the journal; the next
/// save cuts it off before appending its own.
#[derive(Serialize, Deserialize)]
struct Header {
    version: u32,
    program: String,
}

/// The folders' states of one save, decoded without its (long) list of files.
#[derive(Serialize, Deserialize)]
struct States {
    before: Key,
    after: Key,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    before: Key,
    after: Key,
    /// Files written or removed, relative to the agenda's folder, each with its stamp once
    /// the save was done (`None`: removed).
    files: Files,
}

type Files = Vec<(String, Option<Stamp>)>;

fn header() -> Header {
    Header {
        version: VERSION,
        program: env!("CARGO_PKG_VERSION").to_string(),
    }
}

impl Header {
    /// Written in this format by this program (another's journal is started anew).
    fn is_ours(&self) -> bool {
        self.version == VERSION && self.program == env!("CARGO_PKG_VERSION")
    }
}

fn framed(value: &impl Serialize) -> Option<Vec<u8>> {
    let body = bincode::serialize(value).ok()?;
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

/// The whole records after the header, as slices of `bytes`; `None` when the header is not
/// this program's.
fn records(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut at = 0;
    let mut next = || -> Option<&[u8]> {
        let len = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
        let end = (at + 8).checked_add(usize::try_from(len).ok()?)?;
        let body = bytes.get(at + 8..end)?;
        at = end;
        Some(body)
    };
    decode::<Header>(next()?)?
        .is_ours()
        .then(|| std::iter::from_fn(next).collect())
}

fn decode<'a, T: Deserialize<'a>>(record: &'a [u8]) -> Option<T> {
    super::cache::bounded(record.len() as u64)
        .deserialize(record)
        .ok()
}

fn read(dir: &Path) -> Option<Vec<u8>> {
    std::fs::read(dir.join(FILE)).ok()
}

/// Note a save into the agenda at `root`: the folders were in state `before` when it started
/// writing the files at `paths` and in `after` once they were all in place. Failures are
/// ignored: a reader then loads in full.
pub fn record(dir: &Path, root: &Path, before: Key, after: Key, paths: Vec<String>) {
    // noted also when the folders' state did not change (two saves in one clock tick): the
    // files are what counts
    let files = paths
        .into_iter()
        .map(|p| {
            let stamp = std::fs::symlink_metadata(root.join(&p))
                .ok()
                .map(|m| Stamp::of(&m));
            (p, stamp)
        })
        .collect();
    let Some(entry) = framed(&Entry {
        before,
        after,
        files,
    }) else {
        return;
    };
    let _ = std::fs::create_dir_all(dir);
    if append(dir, &entry).is_none() {
        // no journal of this program's, or one to cut back: written anew
        rewrite(dir, &entry);
    }
}

/// `entry` appended to a journal of this program's with room for it; `None` when there is
/// none, or it is due to be cut back.
fn append(dir: &Path, entry: &[u8]) -> Option<()> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join(FILE))
        .ok()?;
    let size = f.metadata().ok()?.len();
    // the header, then each record's length only: where the whole records end
    let mut head = vec![0u8; usize::try_from(size.min(4096)).ok()?];
    f.read_exact(&mut head).ok()?;
    let header_len = u64::from_le_bytes(head.get(..8)?.try_into().ok()?);
    let body = head.get(8..8 + usize::try_from(header_len).ok()?)?;
    if !decode::<Header>(body)?.is_ours() {
        return None;
    }
    let (mut end, mut count) = (8 + header_len, 0usize);
    loop {
        let mut len = [0u8; 8];
        if end + 8 > size {
            break;
        }
        f.seek(SeekFrom::Start(end)).ok()?;
        f.read_exact(&mut len).ok()?;
        let next = (end + 8).checked_add(u64::from_le_bytes(len))?;
        if next > size {
            break;
        }
        end = next;
        count += 1;
    }
    if count + 1 > CUT_AT {
        return None;
    }
    // a record cut short by a save that stopped is cut off
    if end < size {
        f.set_len(end).ok()?;
    }
    f.seek(SeekFrom::Start(end)).ok()?;
    f.write_all(entry).ok()
}

/// The journal written anew: this program's header, the newest records of a journal of this
/// program's (up to [`KEEP`] with `entry`), then `entry`.
fn rewrite(dir: &Path, entry: &[u8]) {
    let old = read(dir).unwrap_or_default();
    let kept: Vec<Vec<u8>> = match records(&old) {
        Some(r) => r.into_iter().map(<[u8]>::to_vec).collect(),
        None => first_version(&old).unwrap_or_default(),
    };
    let kept = &kept[kept.len().saturating_sub(KEEP - 1)..];
    let Some(head) = framed(&header()) else {
        return;
    };
    let tmp = dir.join(format!(".{FILE}.tmp{}", std::process::id()));
    super::cache::write_atomic_with(&dir.join(FILE), &tmp, |f| {
        use std::io::Write;
        f.write_all(&head)?;
        for r in kept {
            f.write_all(&(r.len() as u64).to_le_bytes())?;
            f.write_all(r)?;
        }
        f.write_all(entry)
    });
}

/// The saves of a journal in the first format (one value, rewritten by every save) of this
/// program's, as records: carried over, so that the snapshots the saves lead on from stay of
/// use after the change of format.
fn first_version(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    #[derive(Deserialize)]
    struct Journal {
        version: u32,
        program: String,
        entries: Vec<Entry>,
    }
    let j: Journal = super::cache::bounded(bytes.len() as u64)
        .deserialize(bytes)
        .ok()?;
    if j.version != 1 || j.program != env!("CARGO_PKG_VERSION") {
        return None;
    }
    j.entries
        .iter()
        .map(|e| bincode::serialize(e).ok())
        .collect()
}

/// The files overleg's saves wrote to bring the folders from state `from` to state `to`, in
/// order (a file may appear more than once), each with its stamp after that save; `None`
/// when saves alone do not lead there.
pub fn since(dir: &Path, from: &Key, to: &Key) -> Option<Files> {
    let bytes = read(dir)?;
    let mut at = from.clone();
    let mut files = Vec::new();
    for r in records(&bytes)? {
        // the states first: the files only of the saves on the way
        let s: States = decode(r)?;
        if s.before == at {
            files.extend(decode::<Entry>(r)?.files);
            at = s.after;
        }
    }
    (at == *to).then_some(files)
}

/// Whether every file in `changed` (with its stamp now) is as the newest save that wrote it
/// left it, and every file in `removed` was removed by a save: what a full load found
/// changed since the record cache is then overleg's own work.
pub fn explains(dir: &Path, changed: &[(&str, Stamp)], removed: &[&str]) -> bool {
    let entries: Option<Vec<Entry>> =
        read(dir).and_then(|bytes| records(&bytes)?.into_iter().map(decode::<Entry>).collect());
    let Some(entries) = entries else {
        return changed.is_empty() && removed.is_empty();
    };
    let mut newest: rustc_hash::FxHashMap<&str, Option<Stamp>> = Default::default();
    for e in &entries {
        for (path, stamp) in &e.files {
            newest.insert(path.as_str(), *stamp);
        }
    }
    changed
        .iter()
        .all(|(path, stamp)| newest.get(path) == Some(&Some(*stamp)))
        && removed.iter().all(|path| newest.get(path) == Some(&None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> Key {
        Key::for_tests(n)
    }

    fn record(dir: &Path, before: Key, after: Key, paths: Vec<String>) {
        super::record(dir, dir, before, after, paths);
    }

    /// The files of three saves, one each: a, b and c.
    fn abc() -> Vec<String> {
        ["a", "b", "c"]
            .map(|n| format!("actions/{n}.toml"))
            .to_vec()
    }

    fn since(dir: &Path, from: &Key, to: &Key) -> Option<Vec<String>> {
        super::since(dir, from, to).map(|f| f.into_iter().map(|(p, _)| p).collect())
    }

    #[test]
    fn a_chain_of_saves_leads_from_the_snapshot_to_now() {
        let dir = tempfile::tempdir().expect("tmp");
        record(dir.path(), key(1), key(2), vec!["actions/a.toml".into()]);
        record(dir.path(), key(2), key(3), vec!["items/b.toml".into()]);
        assert_eq!(
            since(dir.path(), &key(1), &key(3)),
            Some(vec![
                "actions/a.toml".to_string(),
                "items/b.toml".to_string()
            ])
        );
        assert_eq!(
            since(dir.path(), &key(2), &key(3)),
            Some(vec!["items/b.toml".to_string()])
        );
        // a state no save left (another program changed a folder), or one before the journal
        assert_eq!(since(dir.path(), &key(1), &key(4)), None);
        assert_eq!(since(dir.path(), &key(0), &key(3)), None);
    }

    #[test]
    fn a_save_that_left_the_folders_state_as_it_was_still_counts() {
        let dir = tempfile::tempdir().expect("tmp");
        record(dir.path(), key(1), key(2), vec!["actions/a.toml".into()]);
        record(dir.path(), key(2), key(2), vec!["actions/b.toml".into()]);
        assert_eq!(
            since(dir.path(), &key(1), &key(2)),
            Some(vec![
                "actions/a.toml".to_string(),
                "actions/b.toml".to_string()
            ])
        );
    }

    #[test]
    fn a_change_between_saves_breaks_the_chain() {
        let dir = tempfile::tempdir().expect("tmp");
        record(dir.path(), key(1), key(2), vec!["actions/a.toml".into()]);
        // the next save started from a state the first one did not leave
        record(dir.path(), key(5), key(6), vec!["actions/b.toml".into()]);
        assert_eq!(since(dir.path(), &key(1), &key(6)), None);
        assert_eq!(
            since(dir.path(), &key(5), &key(6)),
            Some(vec!["actions/b.toml".to_string()])
        );
    }

    #[test]
    fn what_the_newest_saves_left_is_explained_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("actions")).expect("folder");
        let file = |name: &str, text: &str| {
            std::fs::write(dir.path().join("actions").join(name), text).expect("write");
            format!("actions/{name}")
        };
        let stamp =
            |rel: &str| Stamp::of(&std::fs::symlink_metadata(dir.path().join(rel)).expect("stat"));
        let a = file("a.toml", "een");
        record(dir.path(), key(1), key(2), vec![a.clone()]);
        let saved = stamp(&a);
        assert!(explains(dir.path(), &[(&a, saved)], &[]));
        // written again by a later save: only the newest counts
        std::fs::remove_file(dir.path().join(&a)).expect("remove");
        let a = file("a.toml", "twee, langer");
        record(dir.path(), key(2), key(3), vec![a.clone()]);
        assert!(explains(dir.path(), &[(&a, stamp(&a))], &[]));
        assert!(!explains(dir.path(), &[(&a, saved)], &[]));
        // removed by a save, and a file no save wrote
        record(dir.path(), key(3), key(4), vec!["actions/b.toml".into()]);
        assert!(explains(dir.path(), &[], &["actions/b.toml"]));
        assert!(!explains(dir.path(), &[], &["actions/a.toml"]));
        let c = file("c.toml", "van een ander programma");
        assert!(!explains(dir.path(), &[(&c, stamp(&c))], &[]));
    }

    #[test]
    fn only_the_newest_saves_are_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let last = CUT_AT as u64 + 10;
        for n in 0..last {
            record(
                dir.path(),
                key(n),
                key(n + 1),
                vec![format!("actions/{n}.toml")],
            );
        }
        assert_eq!(since(dir.path(), &key(0), &key(last)), None);
        let from = last - KEEP as u64;
        assert_eq!(
            since(dir.path(), &key(from), &key(last)).map(|p| p.len()),
            Some(KEEP)
        );
        let bytes = std::fs::read(dir.path().join(FILE)).expect("journal");
        let kept = records(&bytes).expect("records").len();
        assert!((KEEP..=CUT_AT).contains(&kept), "{kept} records");
    }

    /// A save that stopped while appending leaves a record cut short: the saves before it
    /// still count, and the next save cuts it off rather than writing behind it.
    #[test]
    fn a_record_cut_short_is_cut_off_by_the_next_save() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("tmp");
        record(dir.path(), key(1), key(2), vec!["actions/a.toml".into()]);
        record(dir.path(), key(2), key(3), vec!["actions/b.toml".into()]);
        let whole = std::fs::read(dir.path().join(FILE)).expect("journal");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(FILE))
            .expect("open");
        f.write_all(&500u64.to_le_bytes()).expect("write");
        f.write_all(b"half a record").expect("write");
        drop(f);
        assert_eq!(
            since(dir.path(), &key(1), &key(3)).map(|p| p.len()),
            Some(2)
        );
        record(dir.path(), key(3), key(4), vec!["actions/c.toml".into()]);
        assert_eq!(since(dir.path(), &key(1), &key(4)), Some(abc()));
        let now = std::fs::read(dir.path().join(FILE)).expect("journal");
        assert_eq!(
            &now[..whole.len()],
            &whole[..],
            "the whole records are kept as they were"
        );
    }

    /// The saves of a journal in the first format are carried over by the first save after
    /// the change of format.
    #[test]
    fn the_saves_of_the_first_format_are_carried_over() {
        let dir = tempfile::tempdir().expect("tmp");
        let entries = vec![
            Entry {
                before: key(1),
                after: key(2),
                files: vec![("actions/a.toml".to_string(), None)],
            },
            Entry {
                before: key(2),
                after: key(3),
                files: vec![("actions/b.toml".to_string(), None)],
            },
        ];
        let first = bincode::serialize(&(1u32, env!("CARGO_PKG_VERSION").to_string(), entries))
            .expect("v1");
        std::fs::write(dir.path().join(FILE), first).expect("write");
        record(dir.path(), key(3), key(4), vec!["actions/c.toml".into()]);
        assert_eq!(since(dir.path(), &key(1), &key(4)), Some(abc()));
    }

    /// A journal of another version of overleg (or not a journal at all) answers nothing and
    /// is replaced by the next save.
    #[test]
    fn a_journal_of_another_version_is_started_anew() {
        let dir = tempfile::tempdir().expect("tmp");
        let first_version = bincode::serialize(&(1u32, "0.0.1".to_string(), 0u64)).expect("v1");
        let older_header = framed(&Header {
            version: 1,
            program: env!("CARGO_PKG_VERSION").to_string(),
        })
        .expect("header");
        for (n, other) in [first_version, older_header].into_iter().enumerate() {
            std::fs::write(dir.path().join(FILE), other).expect("write");
            assert_eq!(since(dir.path(), &key(1), &key(1)), None);
            let (from, to) = (key(10 * n as u64), key(10 * n as u64 + 1));
            record(
                dir.path(),
                from.clone(),
                to.clone(),
                vec!["actions/a.toml".into()],
            );
            assert_eq!(
                since(dir.path(), &from, &to),
                Some(vec!["actions/a.toml".to_string()])
            );
        }
    }
}
