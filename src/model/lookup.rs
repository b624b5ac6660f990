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

/// Every record's kind, path and reference, without the records: two sorted string tables
/// (ids, lowercase references) searched by bisection, so that reading it from a snapshot is
/// a few large copies rather than 300,000 small allocations and hash insertions.
#[derive(Serialize, Deserialize, Default, Clone, Debug)]
pub struct RefTable {
    ids: Strings,
    /// per id: its kind (index into `Kind::ALL`)
    kinds: Vec<u8>,
    /// per id: its human reference as written, or empty
    shown: Strings,
    /// lowercase references, sorted
    refs: Strings,
    /// per reference: the index of its id
    ref_id: Vec<u32>,
    /// Paths that are not `folder/id.toml`.
    odd_paths: HashMap<String, String>,
    org_codes: Vec<String>,
}

/// Many strings in one buffer.
#[derive(Serialize, Deserialize, Default, Clone, Debug)]
struct Strings {
    text: String,
    /// end of each string in `text`
    ends: Vec<u32>,
}

impl Strings {
    fn from<'a>(items: impl Iterator<Item = &'a str>) -> Strings {
        let mut s = Strings::default();
        for i in items {
            s.text.push_str(i);
            s.ends.push(u32::try_from(s.text.len()).unwrap_or(u32::MAX));
        }
        s
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..self.ends[i] as usize).unwrap_or("")
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The position of `key` in these (sorted) strings.
    fn find(&self, key: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

impl RefTable {
    /// Built from (id, kind, path if not the usual one, reference) and (lowercase reference,
    /// id) pairs.
    pub(super) fn build(
        mut records: Vec<(&str, Kind, Option<&str>, Option<&str>)>,
        mut refs: Vec<(String, &str)>,
        org_codes: Vec<String>,
    ) -> RefTable {
        records.sort_unstable_by(|a, b| a.0.cmp(b.0));
        records.dedup_by(|a, b| a.0 == b.0);
        refs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        refs.dedup_by(|a, b| a.0 == b.0);
        let ids = Strings::from(records.iter().map(|r| r.0));
        let ref_id = refs
            .iter()
            .map(|(_, id)| ids.find(id).map_or(u32::MAX, |i| i as u32))
            .collect();
        RefTable {
            kinds: records
                .iter()
                .map(|r| Kind::ALL.iter().position(|k| *k == r.1).unwrap_or(0) as u8)
                .collect(),
            shown: Strings::from(records.iter().map(|r| r.3.unwrap_or(""))),
            odd_paths: records
                .iter()
                .filter_map(|r| r.2.map(|p| (r.0.to_string(), p.to_string())))
                .collect(),
            refs: Strings::from(refs.iter().map(|r| r.0.as_str())),
            ref_id,
            ids,
            org_codes,
        }
    }

    fn kind_at(&self, i: usize) -> Kind {
        Kind::ALL[usize::from(self.kinds[i]).min(Kind::ALL.len() - 1)]
    }

    /// Whether `q` is a human reference rather than an id.
    pub fn is_reference(&self, q: &str) -> bool {
        self.ids.find(q.trim()).is_none()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
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
    use crate::model::agenda::LoadedFile;
    use crate::model::parse::parse_record;

    fn bundled() -> Agenda {
        let mut files = Vec::new();
        for (path, bytes) in crate::store::bundled::FILES {
            let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
            let Some(kind) = Kind::from_folder(folder) else {
                continue;
            };
            if let Some(record) = parse_record(kind, path, bytes).record {
                files.push(LoadedFile {
                    path: path.to_string(),
                    text: String::new(),
                    record,
                });
            }
        }
        Agenda::build(files, Vec::new())
    }

    /// The table answers every question exactly as the agenda it was made from, for every
    /// id and every reference (in three spellings) and for names that are neither.
    #[test]
    fn the_table_answers_as_the_agenda_does() {
        let a = bundled();
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
            assert_eq!(t.path_of(id).as_deref(), Agenda::path_of(&a, id));
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
