//! Finding records by id or human reference without holding the records themselves: what an
//! edit of one record needs to know about the others (does this meeting exist, which record
//! is `2021-02-A3`). The full [`Agenda`] answers it, and so does a [`RefTable`], which is a
//! small fraction of its size and so quick to read from a snapshot.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::Agenda;
use super::records::Kind;

pub trait Lookup {
    /// A record by id or human reference (case-insensitive).
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)>;
    fn kind_of(&self, id: &str) -> Option<Kind>;
    /// The repository-relative path of a record's file.
    fn path_of(&self, id: &str) -> Option<String>;
    /// The human reference of a record, else its id.
    fn reference(&self, id: &str) -> String;
    /// Whether an organisation has this code (`EZK`).
    fn has_org_code(&self, code: &str) -> bool;
}

impl<T: Lookup + ?Sized> Lookup for &T {
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        (**self).resolve(id_or_ref)
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        (**self).kind_of(id)
    }
    fn path_of(&self, id: &str) -> Option<String> {
        (**self).path_of(id)
    }
    fn reference(&self, id: &str) -> String {
        (**self).reference(id)
    }
    fn has_org_code(&self, code: &str) -> bool {
        (**self).has_org_code(code)
    }
}

impl Lookup for Agenda {
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        Agenda::resolve(self, id_or_ref)
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        Agenda::kind_of(self, id)
    }
    fn path_of(&self, id: &str) -> Option<String> {
        Agenda::path_of(self, id).map(str::to_string)
    }
    fn reference(&self, id: &str) -> String {
        Agenda::reference(self, id)
    }
    fn has_org_code(&self, code: &str) -> bool {
        self.organisations.iter().any(|o| o.code == code)
    }
}

/// Every record's kind, path and reference, without the records.
#[derive(Serialize, Deserialize, Default, Clone, Debug)]
pub struct RefTable {
    pub(super) kinds: HashMap<String, Kind>,
    /// Paths that are not `folder/id.toml`.
    pub(super) odd_paths: HashMap<String, String>,
    /// human reference (lowercase) → id
    pub(super) refs: HashMap<String, String>,
    /// id → human reference
    pub(super) ref_of: HashMap<String, String>,
    pub(super) org_codes: Vec<String>,
}

impl Lookup for RefTable {
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        let q = id_or_ref.trim();
        if let Some(k) = self.kinds.get(q) {
            return Some((*k, q.to_string()));
        }
        let id = self.refs.get(&q.to_lowercase())?;
        self.kinds.get(id).map(|k| (*k, id.clone()))
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        self.kinds.get(id).copied()
    }
    fn path_of(&self, id: &str) -> Option<String> {
        let kind = self.kinds.get(id)?;
        Some(
            self.odd_paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("{}/{id}.toml", kind.folder())),
        )
    }
    fn reference(&self, id: &str) -> String {
        self.ref_of
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
    fn has_org_code(&self, code: &str) -> bool {
        self.org_codes.iter().any(|c| c == code)
    }
}

impl RefTable {
    /// Whether `q` is a human reference rather than an id.
    pub fn is_reference(&self, q: &str) -> bool {
        !self.kinds.contains_key(q.trim())
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}
