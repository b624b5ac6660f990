//! The bundled example repository (`agenda/` in the source tree), embedded at build time.

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The bundled example, parsed in memory (for tests of what is built from an agenda).
#[cfg(test)]
pub fn agenda() -> crate::model::Agenda {
    use crate::model::agenda::LoadedFile;
    use crate::model::parse::parse_record;
    let mut files = Vec::new();
    for (path, bytes) in FILES {
        let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
        let Some(kind) = crate::model::Kind::from_folder(folder) else {
            continue;
        };
        if let Some(record) = parse_record(kind, path, bytes).record {
            files.push(LoadedFile {
                path: path.to_string(),
                text: String::from_utf8_lossy(bytes).into(),
                record,
            });
        }
    }
    crate::model::Agenda::build(files, Vec::new())
}
