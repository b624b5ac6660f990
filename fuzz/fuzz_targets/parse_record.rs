//! The record parser on arbitrary bytes, for every kind: never a panic, and whatever it
//! accepts goes through the cross-record checks of `Agenda::build` without a panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overleg::model::agenda::LoadedFile;
use overleg::model::parse::{parse_record, path_for};
use overleg::model::{Agenda, Kind};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(sel) % Kind::ALL.len()];
    let path = path_for(kind, "x-fuzz");
    let parsed = parse_record(kind, &path, bytes);
    for p in &parsed.problems {
        let _ = p.to_string();
    }
    if let Some(record) = parsed.record {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let agenda = Agenda::build(vec![LoadedFile { path, text, record }], parsed.problems);
        for p in &agenda.problems {
            let _ = p.to_string();
        }
    }
});
