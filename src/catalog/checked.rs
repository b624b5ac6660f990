//! A reference table checked against the files for every answer an edit relies on.

use crate::model::{Kind, Lookup};

/// A reference table that may be behind the work tree (records added, removed or changed
/// since it was built), answering only what the files confirm: a record exists when its file
/// does, and a human reference counts only for an action whose file carries it (other
/// references are derived from several records and cannot be confirmed from one file).
/// What it cannot confirm it does not know, and the caller falls back to a full load.
pub struct Checked<'a, L: Lookup> {
    table: &'a L,
    root: &'a std::path::Path,
}

impl<'a, L: Lookup> Checked<'a, L> {
    pub fn new(table: &'a L, root: &'a std::path::Path) -> Self {
        Checked { table, root }
    }

    fn exists(&self, id: &str) -> bool {
        self.table.path_of(id).is_some_and(|p| {
            crate::store::check_no_links(self.root, &p).is_ok() && self.root.join(p).is_file()
        })
    }

    fn action_carries(&self, id: &str, reference: &str) -> bool {
        let Some(path) = self.table.path_of(id) else {
            return false;
        };
        let Ok(text) = std::fs::read_to_string(self.root.join(path)) else {
            return false;
        };
        text.parse::<toml::Table>().ok().is_some_and(|t| {
            t.get("id").and_then(|v| v.as_str()) == Some(id)
                && t.get("ref")
                    .and_then(|v| v.as_str())
                    .is_some_and(|r| r.eq_ignore_ascii_case(reference.trim()))
        })
    }
}

impl<L: Lookup> Lookup for Checked<'_, L> {
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        let (kind, id) = self.table.resolve(id_or_ref)?;
        if !self.exists(&id) {
            return None;
        }
        if self.table.kind_of(id_or_ref.trim()).is_some() {
            return Some((kind, id));
        }
        (kind == Kind::Action && self.action_carries(&id, id_or_ref)).then_some((kind, id))
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        self.table.kind_of(id).filter(|_| self.exists(id))
    }
    fn path_of(&self, id: &str) -> Option<String> {
        self.table.path_of(id)
    }
    fn reference(&self, id: &str) -> String {
        self.table.reference(id)
    }
    fn has_org_code(&self, code: &str) -> bool {
        self.table.has_org_code(code)
    }
}
