//! Loading every record file of the work tree. A bad file is reported with file, line and
//! reason and left alone; the rest loads.

use std::path::Path;

use crate::model::agenda::LoadedFile;
use crate::model::parse::parse_record;
use crate::model::{Agenda, Kind, Problem};

use super::Store;

/// Reads every record of one folder. Symlinks are never followed (they could point outside
/// the repository), odd names are reported.
fn load_folder(root: &Path, kind: Kind, files: &mut Vec<LoadedFile>, problems: &mut Vec<Problem>) {
    let dir = root.join(kind.folder());
    if let Err(e) = super::check_no_links(root, kind.folder()) {
        problems.push(Problem::error(
            kind.folder(),
            1,
            1,
            "",
            format!("not loaded: {e}"),
        ));
        return;
    }
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = match e.file_name().into_string() {
            Ok(n) => n,
            Err(raw) => {
                let shown = crate::text::line(&raw.to_string_lossy());
                problems.push(Problem::error(
                    &format!("{}/{}", kind.folder(), shown),
                    1,
                    1,
                    "",
                    "file name is not valid UTF-8; rename it",
                ));
                continue;
            }
        };
        let rel = format!("{}/{}", kind.folder(), name);
        let shown = crate::text::line(&rel);
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() || name.starts_with('.') {
            continue;
        }
        if !name.ends_with(".toml") {
            problems.push(Problem::warning(
                &shown,
                1,
                1,
                "",
                "not a .toml file; ignored",
            ));
            continue;
        }
        if ft.is_symlink() {
            problems.push(Problem::error(
                &shown,
                1,
                1,
                "",
                "is a symbolic link; records must be plain files, not loaded",
            ));
            continue;
        }
        if name.chars().any(crate::text::is_hostile) || name.contains("..") {
            problems.push(Problem::error(
                &shown,
                1,
                1,
                "",
                "file name contains control, direction or invisible characters, or `..`; rename it",
            ));
            continue;
        }
        let bytes = match std::fs::read(e.path()) {
            Ok(b) => b,
            Err(err) => {
                problems.push(Problem::error(
                    &shown,
                    1,
                    1,
                    "",
                    format!("cannot be read: {err}"),
                ));
                continue;
            }
        };
        let parsed = parse_record(kind, &rel, &bytes);
        problems.extend(parsed.problems);
        if let Some(record) = parsed.record {
            let text = String::from_utf8(bytes).unwrap_or_default();
            files.push(LoadedFile {
                path: rel,
                text,
                record,
            });
        }
    }
}

impl Store {
    /// Every record of the work tree, with every problem found.
    pub fn load(&self) -> Agenda {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for kind in Kind::ALL {
            load_folder(&self.root, kind, &mut files, &mut problems);
        }
        Agenda::build(files, problems)
    }

    /// The current text of a record file (relative path).
    pub fn read_text(&self, rel: &str) -> super::Result<String> {
        super::check_no_links(&self.root, rel)?;
        let p = self.root.join(rel);
        std::fs::read_to_string(&p).map_err(|e| super::StoreError::io(p, e))
    }
}
