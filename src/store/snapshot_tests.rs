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
