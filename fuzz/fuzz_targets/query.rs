//! The search query language (`status:open dept:EZK due<2021-04 …` plus fuzzy text) on
//! arbitrary queries, run against the bundled example: never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use overleg::model::Agenda;
use overleg::model::agenda::LoadedFile;
use overleg::model::parse::parse_record;
use overleg::model::records::Kind;
use overleg::search::{Entry, index, parse_query, run};

fn entries() -> &'static Vec<Entry> {
    static E: OnceLock<Vec<Entry>> = OnceLock::new();
    E.get_or_init(|| {
        let mut files = Vec::new();
        for (path, bytes) in overleg::store::bundled::FILES {
            let Some((folder, _)) = path.rsplit_once('/') else {
                continue;
            };
            let Some(kind) = Kind::from_folder(folder) else {
                continue;
            };
            if let Some(record) = parse_record(kind, path, bytes).record {
                let text = String::from_utf8_lossy(bytes).into_owned();
                files.push(LoadedFile {
                    path: path.to_string(),
                    text,
                    record,
                });
            }
        }
        index(&Agenda::build(files, Vec::new()))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_query(q);
    let _ = run(entries(), q);
});
