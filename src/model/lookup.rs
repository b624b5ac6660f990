//! Finding records by id or human reference without holding the records themselves: what an
//! edit of one record needs to know about the others (does this meeting exist, which record
//! is `2021-02-A3`). The full [`Agenda`] answers it, and so does a [`RefTable`], which is a
//! small fraction of its size and so quick to read from a snapshot.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::Agenda;
use super::records::Kind;
use super::string_table::StringTable;

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
        Agenda::path_of(self, id)
    }
    fn reference(&self, id: &str) -> String {
        Agenda::reference(self, id)
    }
    fn has_org_code(&self, code: &str) -> bool {
        self.organisations.iter().any(|o| o.code == code)
    }
}

/// Every record's kind, path and reference, without the records: two sorted string tables
/// (ids, lowercase references) searched by bisection, so that reading it from a snapshot is
/// a few large copies rather than 300,000 small allocations and hash insertions.
#[derive(Serialize, Deserialize, Default, Clone, Debug)]
pub struct RefTable {
    ids: StringTable,
    /// per id: its kind (index into `Kind::ALL`)
    kinds: Vec<u8>,
    /// per id: its human reference as written, or empty
    shown: StringTable,
    /// lowercase references, sorted
    refs: StringTable,
    /// per reference: the index of its id
    ref_id: Vec<u32>,
    /// Paths that are not `folder/id.toml`.
    odd_paths: HashMap<String, String>,
    org_codes: Vec<String>,
}

impl RefTable {
    /// Built from (id, kind, path if not the usual one, reference) and (lowercase reference,
    /// id) pairs.
    pub(super) fn build(
        mut records: Vec<(&str, Kind, Option<&str>, String)>,
        mut refs: Vec<(String, &str)>,
        org_codes: Vec<String>,
    ) -> RefTable {
        records.sort_unstable_by(|a, b| a.0.cmp(b.0));
        records.dedup_by(|a, b| a.0 == b.0);
        refs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        refs.dedup_by(|a, b| a.0 == b.0);
        let ids: StringTable = records.iter().map(|r| r.0).collect();
        let ref_id = refs
            .iter()
            .map(|(_, id)| ids.find(id).map_or(u32::MAX, |i| i as u32))
            .collect();
        RefTable {
            kinds: records
                .iter()
                .map(|r| Kind::ALL.iter().position(|k| *k == r.1).unwrap_or(0) as u8)
                .collect(),
            shown: records.iter().map(|r| r.3.as_str()).collect(),
            odd_paths: records
                .iter()
                .filter_map(|r| r.2.map(|p| (r.0.to_string(), p.to_string())))
                .collect(),
            refs: refs.iter().map(|r| r.0.as_str()).collect(),
            ref_id,
            ids,
            org_codes,
        }
    }

    fn kind_at(&self, i: usize) -> Kind {
        let k = self.kinds.get(i).copied().unwrap_or(0);
        Kind::ALL[usize::from(k).min(Kind::ALL.len() - 1)]
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl Lookup for RefTable {
    fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        let q = id_or_ref.trim();
        if let Some(i) = self.ids.find(q) {
            return Some((self.kind_at(i), q.to_string()));
        }
        let r = self.refs.find(&q.to_lowercase())?;
        let i = *self.ref_id.get(r)? as usize;
        (i < self.ids.len()).then(|| (self.kind_at(i), self.ids.get(i).to_string()))
    }
    fn kind_of(&self, id: &str) -> Option<Kind> {
        self.ids.find(id).map(|i| self.kind_at(i))
    }
    fn path_of(&self, id: &str) -> Option<String> {
        let kind = self.kind_of(id)?;
        Some(
            self.odd_paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("{}/{id}.toml", kind.folder())),
        )
    }
    fn reference(&self, id: &str) -> String {
        match self.ids.find(id).map(|i| self.shown.get(i)) {
            Some(r) if !r.is_empty() => r.to_string(),
            _ => id.to_string(),
        }
    }
    fn has_org_code(&self, code: &str) -> bool {
        self.org_codes.iter().any(|c| c == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table answers every question exactly as the agenda it was made from, for every
    /// id and every reference (in three spellings) and for names that are neither.
    #[test]
    fn the_table_answers_as_the_agenda_does() {
        let a = crate::store::bundled::agenda();
        let t: RefTable =
            bincode::deserialize(&bincode::serialize(&a.ref_table()).expect("ser")).expect("de");
        assert!(t.len() > 200, "{}", t.len());
        let mut asked = 0;
        for id in a.ids() {
            let r = Agenda::reference(&a, id);
            for q in [
                id.to_string(),
                r.clone(),
                r.to_uppercase(),
                format!(" {r} "),
                format!("{id}x"),
            ] {
                assert_eq!(Lookup::resolve(&t, &q), Agenda::resolve(&a, &q), "{q}");
                asked += 1;
            }
            assert_eq!(t.kind_of(id), Agenda::kind_of(&a, id));
            assert_eq!(t.path_of(id), Agenda::path_of(&a, id));
            assert_eq!(Lookup::reference(&t, id), r);
        }
        for o in &a.organisations {
            assert!(t.has_org_code(&o.code));
        }
        assert!(!t.has_org_code("NOPE"));
        assert_eq!(t.resolve(""), a.resolve(""));
        assert!(asked > 1000);
    }
}
