//! Snapshots in parts: what is written is what is read, on any number of threads, and a
//! damaged file is refused rather than misread.

use super::*;
use crate::model::Agenda;
use crate::model::agenda::{Part, seen};

fn key() -> Key {
    Key { stamps: Vec::new() }
}

#[test]
fn an_agenda_in_parts_reads_back_the_same_on_any_number_of_threads() {
    let agenda = crate::store::bundled::agenda();
    assert!(agenda.actions.len() > 10 && agenda.items.len() > 10);
    let dir = tempfile::tempdir().expect("temp dir");
    // small chunks: every list in several parts
    let parts = agenda.parts_of(3);
    assert!(parts.len() > 20, "{} parts", parts.len());
    write_parts(dir.path(), "agenda", &key(), agenda.len(), &parts);
    let section = read(dir.path(), "agenda").expect("written");
    assert!(section.is_fresh(&key()));
    for threads in [1, 2, 5] {
        let decoded = section.decode_parts::<Part>(threads).expect("decodes");
        assert_eq!(decoded.len(), parts.len());
        let back = Agenda::from_parts(decoded);
        assert_eq!(seen(&back), seen(&agenda), "{threads} threads");
    }
}

#[test]
fn a_damaged_part_table_or_a_cut_file_is_refused() {
    let agenda = crate::store::bundled::agenda();
    let dir = tempfile::tempdir().expect("temp dir");
    write_parts(
        dir.path(),
        "agenda",
        &key(),
        agenda.len(),
        &agenda.parts_of(4),
    );
    let path = dir.path().join("agenda.snap");
    let good = std::fs::read(&path).expect("read");
    let section = read(dir.path(), "agenda").expect("written");
    let table_at = usize::try_from(section.payload_at).expect("offset") + 4;
    drop(section);

    // one part said to be a byte longer, the next a byte shorter: the lengths still add up,
    // but the parts no longer start where they should
    let mut shifted = good.clone();
    for (at, delta) in [(table_at, 1i64), (table_at + 8, -1)] {
        let len = u64::from_le_bytes(shifted[at..at + 8].try_into().expect("8 bytes"));
        let len = len.checked_add_signed(delta).expect("length");
        shifted[at..at + 8].copy_from_slice(&len.to_le_bytes());
    }
    std::fs::write(&path, &shifted).expect("write");
    let section = read(dir.path(), "agenda").expect("header intact");
    assert!(section.decode_parts::<Part>(2).is_none());

    // a length that runs past the end of the file
    let mut long = good.clone();
    long[table_at..table_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&path, &long).expect("write");
    let section = read(dir.path(), "agenda").expect("header intact");
    assert!(section.decode_parts::<Part>(2).is_none());

    // the file cut short
    std::fs::write(&path, &good[..good.len() - 10]).expect("write");
    let section = read(dir.path(), "agenda").expect("header intact");
    assert!(section.decode_parts::<Part>(2).is_none());

    // and the good file still reads
    std::fs::write(&path, &good).expect("write");
    let section = read(dir.path(), "agenda").expect("header intact");
    assert!(section.decode_parts::<Part>(2).is_some());
}

#[test]
fn snapshots_written_together_are_put_in_place_together_or_not_at_all() {
    let agenda = crate::store::bundled::agenda();
    let dir = tempfile::tempdir().expect("temp dir");
    let names = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("dir")
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        v.sort();
        v
    };
    let mut together = Together::default();
    together.write(dir.path(), "lijst", &key(), 3, &vec![1u32, 2, 3]);
    together.write_parts(
        dir.path(),
        "agenda",
        &key(),
        agenda.len(),
        &agenda.parts_of(4),
    );
    // written, not yet in place: a process ended now leaves the snapshots as they were
    assert!(read(dir.path(), "lijst").is_none() && read(dir.path(), "agenda").is_none());
    together.put_in_place();
    assert_eq!(names(dir.path()), ["agenda.snap", "lijst.snap"]);
    let back = read(dir.path(), "lijst").and_then(|s| s.decode::<Vec<u32>>());
    assert_eq!(back, Some(vec![1, 2, 3]));
    assert!(
        read(dir.path(), "agenda")
            .and_then(|s| s.decode_parts::<Part>(2))
            .is_some()
    );

    // one that cannot be written: none is put in place, and nothing is left behind
    let other = tempfile::tempdir().expect("temp dir");
    let mut together = Together::default();
    together.write(other.path(), "lijst", &key(), 3, &vec![4u32]);
    together.write(other.path(), "geen-map/index", &key(), 3, &vec![5u32]);
    together.put_in_place();
    assert!(names(other.path()).is_empty());

    // dropped before it was put in place: its files are removed
    let mut together = Together::default();
    together.write(other.path(), "lijst", &key(), 3, &vec![4u32]);
    drop(together);
    assert!(names(other.path()).is_empty());
}

#[test]
fn unfinished_files_of_writers_no_longer_running_are_swept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let put = |name: &str| std::fs::write(dir.path().join(name), b"half").expect("write");
    // no process has this number (above the kernel's limit of 2^22)
    put(".agenda.snap.tmp4000000000");
    let mine = format!(".agenda.snap.tmp{}", std::process::id());
    put(&mine);
    put("agenda.snap");
    sweep_unfinished(dir.path());
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    left.sort();
    assert_eq!(left, [mine, "agenda.snap".to_string()]);
}
