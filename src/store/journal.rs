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
const VERSION: u32 = 1;
/// Saves remembered; a reader further behind loads in full (and leaves fresh snapshots).
const KEEP: usize = 200;

#[derive(Serialize, Deserialize)]
struct Journal {
    version: u32,
    program: String,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    before: Key,
    after: Key,
    /// Files written or removed, relative to the agenda's folder, each with its stamp once
    /// the save was done (`None`: removed).
    files: Vec<(String, Option<Stamp>)>,
}

fn read(dir: &Path) -> Option<Journal> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let j: Journal = super::cache::bounded(bytes.len() as u64)
        .deserialize(&bytes)
        .ok()?;
    (j.version == VERSION && j.program == env!("CARGO_PKG_VERSION")).then_some(j)
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
    let mut j = read(dir).unwrap_or(Journal {
        version: VERSION,
        program: env!("CARGO_PKG_VERSION").to_string(),
        entries: Vec::new(),
    });
    j.entries.push(Entry {
        before,
        after,
        files,
    });
    if j.entries.len() > KEEP {
        let extra = j.entries.len() - KEEP;
        j.entries.drain(..extra);
    }
    let Ok(bytes) = bincode::serialize(&j) else {
        return;
    };
    let _ = std::fs::create_dir_all(dir);
    let tmp = dir.join(format!(".{FILE}.tmp{}", std::process::id()));
    super::cache::write_atomic_with(&dir.join(FILE), &tmp, |f| {
        std::io::Write::write_all(f, &bytes)
    });
}

/// The files overleg's saves wrote to bring the folders from state `from` to state `to`, in
/// order (a file may appear more than once), each with its stamp after that save; `None`
/// when saves alone do not lead there.
pub fn since(dir: &Path, from: &Key, to: &Key) -> Option<Vec<(String, Option<Stamp>)>> {
    let j = read(dir)?;
    let mut at = from;
    let mut files = Vec::new();
    for e in &j.entries {
        if e.before == *at {
            files.extend(e.files.iter().cloned());
            at = &e.after;
        }
    }
    (at == to).then_some(files)
}

/// Whether every file in `changed` (with its stamp now) is as the newest save that wrote it
/// left it, and every file in `removed` was removed by a save: what a full load found
/// changed since the record cache is then overleg's own work.
pub fn explains(dir: &Path, changed: &[(&str, Stamp)], removed: &[&str]) -> bool {
    let Some(j) = read(dir) else {
        return changed.is_empty() && removed.is_empty();
    };
    let mut newest: rustc_hash::FxHashMap<&str, Option<Stamp>> = Default::default();
    for e in &j.entries {
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
        for n in 0..(KEEP as u64 + 10) {
            record(
                dir.path(),
                key(n),
                key(n + 1),
                vec![format!("actions/{n}.toml")],
            );
        }
        let last = KEEP as u64 + 10;
        assert_eq!(since(dir.path(), &key(0), &key(last)), None);
        let from = last - KEEP as u64;
        assert_eq!(
            since(dir.path(), &key(from), &key(last)).map(|p| p.len()),
            Some(KEEP)
        );
    }
}
