//! All records of a repository in memory, with the lookups, human references and
//! cross-record rules (duplicate ids, dangling references). Pure: built from parsed files.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::date::{Date, FuzzyDate};
use super::problem::{Problem, locate_key};
use super::records::*;

mod parts;
mod patch;
#[cfg(test)]
mod patch_tests;
mod references;

pub use parts::{Part, PartRef};

#[derive(Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Agenda {
    pub meetings: Vec<Arc<Meeting>>,
    pub items: Vec<Arc<Item>>,
    pub notes: Vec<Arc<Notes>>,
    pub actions: Vec<Arc<Action>>,
    pub bodies: Vec<Arc<Body>>,
    pub organisations: Vec<Arc<Organisation>>,
    pub people: Vec<Arc<Person>>,
    /// Every problem found while loading, file by file, then across records.
    pub problems: Vec<Problem>,
    /// The problems found file by file (a subset of `problems`), kept so that a rebuild
    /// after a change re-reads only the changed files.
    file_problems: Vec<Problem>,
    /// Whether two files held the same id (a rebuild from records would lose one of them).
    duplicates: bool,
    /// id → (kind, index into its vector)
    index: Arc<HashMap<String, (Kind, usize)>>,
    /// id → repository-relative path, for the records whose file is not `folder/id.toml`
    /// (at 1,000,000 records a path per record would be over 100 MB)
    paths: Arc<HashMap<String, String>>,
    /// human reference (lowercase) → id
    refs: Arc<HashMap<String, String>>,
    /// id → human reference
    ref_of: Arc<HashMap<String, String>>,
}

/// One loaded file: where it was and what it held. `text` may be left empty when the record
/// came from the cache; it is then read again only if a problem must be located in it.
pub struct LoadedFile {
    pub path: String,
    pub text: String,
    pub record: Record,
}

/// Where a record's file is unless it was named otherwise.
fn usual_path(kind: Kind, id: &str) -> String {
    format!("{}/{id}.toml", kind.folder())
}

/// Reads a file's text by its relative path, for locating problems in cached records.
pub type TextSource<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Agenda {
    /// Assemble the agenda from the files that could be read, and check the rules between
    /// records. `problems` are the per-file problems already found.
    pub fn build(files: Vec<LoadedFile>, problems: Vec<Problem>) -> Agenda {
        Agenda::build_with(files, problems, &|_| None)
    }

    /// Like [`Agenda::build`], reading texts left empty from `source` when needed.
    pub fn build_with(
        files: Vec<LoadedFile>,
        problems: Vec<Problem>,
        source: TextSource<'_>,
    ) -> Agenda {
        let mut a = Agenda {
            file_problems: problems.clone(),
            problems,
            ..Agenda::default()
        };
        let mut texts: HashMap<String, String> = HashMap::default();
        // Ids are unique per kind; the same id in two kinds (a body and an organisation both
        // called `rvo`) is reported, but both are loaded: a stray file in one folder must not
        // hide a record of another.
        let mut seen: rustc_hash::FxHashSet<(Kind, String)> = rustc_hash::FxHashSet::default();
        for f in files {
            let id = f.record.id().to_string();
            let kind = f.record.kind();
            let same_kind = !seen.insert((kind, id.clone()));
            if let Some(first) = a.path_of(&id) {
                a.duplicates = true;
                let text = if f.text.is_empty() {
                    source(&f.path).unwrap_or_default()
                } else {
                    f.text.clone()
                };
                let (l, c) = locate_key(&text, "id");
                let message = if same_kind {
                    format!("duplicate id `{id}`: {first} has it too; this file is not loaded")
                } else {
                    format!("id `{id}` is also used by {first}; give one of them another id")
                };
                a.problems
                    .push(Problem::error(&f.path, l, c, "id", message));
                if same_kind {
                    continue;
                }
            }
            let slot = match f.record {
                Record::Meeting(r) => (Kind::Meeting, push(&mut a.meetings, r)),
                Record::Item(r) => (Kind::Item, push(&mut a.items, r)),
                Record::Notes(r) => (Kind::Notes, push(&mut a.notes, r)),
                Record::Action(r) => (Kind::Action, push(&mut a.actions, r)),
                Record::Body(r) => (Kind::Body, push(&mut a.bodies, r)),
                Record::Organisation(r) => (Kind::Organisation, push(&mut a.organisations, r)),
                Record::Person(r) => (Kind::Person, push(&mut a.people, r)),
            };
            if a.index.contains_key(&id) {
                continue;
            }
            Arc::make_mut(&mut a.index).insert(id.clone(), slot);
            if f.path != usual_path(kind, &id) {
                Arc::make_mut(&mut a.paths).insert(id.clone(), f.path);
            }
            if !f.text.is_empty() {
                texts.insert(id, f.text);
            }
        }
        a.items
            .sort_by(|x, y| (&x.meeting, x.order, &x.label).cmp(&(&y.meeting, y.order, &y.label)));
        a.reindex();
        a.check_references(&texts, source);
        a.problems
            .sort_by(|x, y| (&x.path, x.line, x.column).cmp(&(&y.path, y.line, y.column)));
        a
    }

    fn reindex(&mut self) {
        let index = Arc::make_mut(&mut self.index);
        for (i, r) in self.items.iter().enumerate() {
            index.insert(r.id.clone(), (Kind::Item, i));
        }
        Arc::make_mut(&mut self.refs).clear();
        Arc::make_mut(&mut self.ref_of).clear();
        let mut meeting_refs: Vec<(String, String)> = Vec::new();
        let mut taken = rustc_hash::FxHashSet::default();
        for m in &self.meetings {
            let when = match m.date {
                Some(d) => d.to_string(),
                None => slug(if m.planned.is_empty() {
                    &m.id
                } else {
                    &m.planned
                }),
            };
            let base = format!("{}-{}", m.body, when);
            let mut r = base.clone();
            let mut n = 2;
            while taken.contains(&r) {
                r = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(r.clone());
            meeting_refs.push((r, m.id.clone()));
        }
        for (r, id) in meeting_refs {
            self.add_ref(&r, &id);
        }
        for i in 0..self.items.len() {
            let it = &self.items[i];
            let mref = self
                .ref_of
                .get(&it.meeting)
                .cloned()
                .unwrap_or_else(|| it.meeting.clone());
            let r = format!("{}/{}", mref, it.label);
            let id = it.id.clone();
            if !self.refs.contains_key(&r.to_lowercase()) {
                self.add_ref(&r, &id);
            }
        }
        for i in 0..self.notes.len() {
            let n = &self.notes[i];
            let mref = self
                .ref_of
                .get(&n.meeting)
                .cloned()
                .unwrap_or_else(|| n.meeting.clone());
            let (r, id) = (format!("{mref}/verslag"), n.id.clone());
            self.add_ref(&r, &id);
        }
        // an action carries its reference itself: only the way back is kept here
        let refs = Arc::make_mut(&mut self.refs);
        for a in &self.actions {
            refs.entry(a.reference.to_lowercase())
                .or_insert_with(|| a.id.clone());
        }
        for o in &self.organisations {
            refs.entry(o.code.to_lowercase())
                .or_insert_with(|| o.id.clone());
        }
    }

    fn add_ref(&mut self, r: &str, id: &str) {
        Arc::make_mut(&mut self.refs).insert(r.to_lowercase(), id.to_string());
        Arc::make_mut(&mut self.ref_of).insert(id.to_string(), r.to_string());
    }

    /// The agenda after some files changed: `changed` holds each changed path with what it
    /// holds now (`None`: gone) and the problems found in it. Every other record is taken
    /// from this agenda, so only the changed files are read; `None` when this agenda cannot
    /// be rebuilt that way (two files with one id: only a full load knows both).
    pub fn with_changed(
        &self,
        changed: Vec<(String, Option<LoadedFile>, Vec<Problem>)>,
        source: TextSource<'_>,
    ) -> Option<Agenda> {
        if self.duplicates {
            return None;
        }
        if let Some(next) = self.patched(&changed, source) {
            return Some(next);
        }
        let gone: rustc_hash::FxHashSet<&str> = changed.iter().map(|(p, ..)| p.as_str()).collect();
        let mut files = Vec::with_capacity(self.index.len() + changed.len());
        let mut keep = |id: &str, record: Record| {
            let path = self.path_of(id)?;
            if !gone.contains(path.as_str()) {
                files.push(LoadedFile {
                    path,
                    text: String::new(),
                    record,
                });
            }
            Some(())
        };
        for r in &self.meetings {
            keep(&r.id, Record::Meeting((**r).clone()))?;
        }
        for r in &self.items {
            keep(&r.id, Record::Item((**r).clone()))?;
        }
        for r in &self.notes {
            keep(&r.id, Record::Notes((**r).clone()))?;
        }
        for r in &self.actions {
            keep(&r.id, Record::Action((**r).clone()))?;
        }
        for r in &self.bodies {
            keep(&r.id, Record::Body((**r).clone()))?;
        }
        for r in &self.organisations {
            keep(&r.id, Record::Organisation((**r).clone()))?;
        }
        for r in &self.people {
            keep(&r.id, Record::Person((**r).clone()))?;
        }
        let mut problems: Vec<Problem> = self
            .file_problems
            .iter()
            .filter(|p| !gone.contains(p.path.as_str()))
            .cloned()
            .collect();
        for (_, file, found) in changed {
            files.extend(file);
            problems.extend(found);
        }
        // the order of a full load: folder by folder, file names sorted
        let rank = |path: &str| {
            path.rsplit_once('/')
                .and_then(|(folder, _)| Kind::from_folder(folder))
                .and_then(|k| Kind::ALL.iter().position(|x| *x == k))
                .unwrap_or(usize::MAX)
        };
        files.sort_by(|x, y| (rank(&x.path), &x.path).cmp(&(rank(&y.path), &y.path)));
        Some(Agenda::build_with(files, problems, source))
    }

    /// What an edit of one record needs to know about the others, without the records.
    pub fn ref_table(&self) -> super::RefTable {
        let records = self
            .index
            .iter()
            .map(|(id, (kind, _))| {
                let shown = self.reference(id);
                (
                    id.as_str(),
                    *kind,
                    self.paths.get(id).map(String::as_str),
                    if shown == *id { String::new() } else { shown },
                )
            })
            .collect();
        let refs = self
            .refs
            .iter()
            .map(|(r, id)| (r.clone(), id.as_str()))
            .collect();
        let codes = self.organisations.iter().map(|o| o.code.clone()).collect();
        super::RefTable::build(records, refs, codes)
    }

    /// The id of every loaded record.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// The ids of the loaded records of one kind.
    pub fn ids_of(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.index
            .iter()
            .filter(move |(_, (k, _))| *k == kind)
            .map(|(id, _)| id.as_str())
    }

    /// Files under `folder/` that were read and found wanting, with or without a record.
    pub fn problem_files_in<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = String> + 'a {
        self.file_problems
            .iter()
            .filter(move |p| {
                p.path
                    .strip_prefix(folder)
                    .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'))
            })
            .map(|p| p.path.clone())
    }

    /// How many records were loaded.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    // ---- lookups ----

    pub fn kind_of(&self, id: &str) -> Option<Kind> {
        self.index.get(id).map(|(k, _)| *k)
    }

    /// The repository-relative path of a record's file.
    pub fn path_of(&self, id: &str) -> Option<String> {
        if let Some(p) = self.paths.get(id) {
            return Some(p.clone());
        }
        self.index.get(id).map(|(kind, _)| usual_path(*kind, id))
    }

    /// The ids of the records whose files are at these repository-relative paths, and of
    /// the records that would be there by their usual name (a superset: for telling what a
    /// save of these files may have changed).
    pub fn ids_at(&self, paths: &[String]) -> Vec<String> {
        let at: rustc_hash::FxHashSet<&str> = paths.iter().map(String::as_str).collect();
        let mut ids: Vec<String> = paths
            .iter()
            .filter_map(|p| p.rsplit('/').next()?.strip_suffix(".toml"))
            .map(str::to_string)
            .collect();
        ids.extend(
            self.paths
                .iter()
                .filter(|(_, p)| at.contains(p.as_str()))
                .map(|(id, _)| id.clone()),
        );
        ids
    }

    /// The human reference of a record (`2021-02-A3`, `beraad-2021-02-08/4`), else its id.
    pub fn reference(&self, id: &str) -> String {
        self.reference_of(id).to_string()
    }

    /// [`Agenda::reference`], borrowed (for a scan of every record).
    pub fn reference_of<'a>(&'a self, id: &'a str) -> &'a str {
        if let Some(r) = self.ref_of.get(id) {
            return r;
        }
        if let Some((Kind::Action, i)) = self.index.get(id)
            && let Some(a) = self.actions.get(*i)
            && self
                .refs
                .get(&a.reference.to_lowercase())
                .is_some_and(|x| x == id)
        {
            return &a.reference;
        }
        id
    }

    /// Find a record by id or human reference (case-insensitive).
    pub fn resolve(&self, id_or_ref: &str) -> Option<(Kind, String)> {
        let q = id_or_ref.trim();
        if let Some((k, _)) = self.index.get(q) {
            return Some((*k, q.to_string()));
        }
        let id = self.refs.get(&q.to_lowercase())?;
        self.index.get(id).map(|(k, _)| (*k, id.clone()))
    }

    pub fn record(&self, id: &str) -> Option<Record> {
        let (k, i) = self.index.get(id)?;
        Some(match k {
            Kind::Meeting => Record::Meeting((*self.meetings[*i]).clone()),
            Kind::Item => Record::Item((*self.items[*i]).clone()),
            Kind::Notes => Record::Notes((*self.notes[*i]).clone()),
            Kind::Action => Record::Action((*self.actions[*i]).clone()),
            Kind::Body => Record::Body((*self.bodies[*i]).clone()),
            Kind::Organisation => Record::Organisation((*self.organisations[*i]).clone()),
            Kind::Person => Record::Person((*self.people[*i]).clone()),
        })
    }

    /// Where the record `id` of `kind` is in its kind's list.
    pub fn position(&self, id: &str, kind: Kind) -> Option<usize> {
        match self.index.get(id) {
            Some((k, i)) if *k == kind => Some(*i),
            _ => None,
        }
    }

    fn get<'a, T>(&self, v: &'a [Arc<T>], id: &str, kind: Kind) -> Option<&'a T> {
        match self.index.get(id) {
            Some((k, i)) if *k == kind => v.get(*i).map(|r| &**r),
            _ => None,
        }
    }

    pub fn meeting(&self, id: &str) -> Option<&Meeting> {
        self.get(&self.meetings, id, Kind::Meeting)
    }
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.get(&self.items, id, Kind::Item)
    }
    pub fn action(&self, id: &str) -> Option<&Action> {
        self.get(&self.actions, id, Kind::Action)
    }
    pub fn body(&self, id: &str) -> Option<&Body> {
        self.get(&self.bodies, id, Kind::Body)
    }
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.get(&self.people, id, Kind::Person)
    }
    pub fn notes_of(&self, meeting: &str) -> Option<&Notes> {
        self.notes
            .iter()
            .find(|n| n.meeting == meeting)
            .map(|n| &**n)
    }

    /// Every meeting's items (by the meeting id they name), each in agenda order: one pass,
    /// for callers that ask for many meetings (`items_of` scans every item per call).
    pub fn items_by_meeting(&self) -> HashMap<&str, Vec<&Item>> {
        let mut out: HashMap<&str, Vec<&Item>> = HashMap::default();
        for i in &self.items {
            out.entry(i.meeting.as_str()).or_default().push(i);
        }
        out
    }

    /// Items of a meeting in agenda order.
    pub fn items_of(&self, meeting: &str) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| i.meeting == meeting)
            .map(|i| &**i)
            .collect()
    }

    pub fn actions_of_meeting(&self, meeting: &str) -> Vec<&Action> {
        self.actions
            .iter()
            .filter(|a| a.meeting == meeting)
            .map(|a| &**a)
            .collect()
    }

    /// Display name for a `who` reference: a person's name, else the text as written.
    pub fn who(&self, r: &str) -> String {
        match self.person(r) {
            Some(p) if p.role.is_empty() => p.name.clone(),
            Some(p) => format!("{} ({})", p.name, p.role),
            None => r.to_string(),
        }
    }

    /// Meetings sorted by date (undated ones by their planning window), earliest first.
    pub fn meetings_by_date(&self) -> Vec<&Meeting> {
        let mut v: Vec<&Meeting> = self.meetings.iter().map(|m| &**m).collect();
        // each key once (`sort_by_key` would form both keys of every comparison)
        v.sort_by_cached_key(|m| (meeting_when(m), m.id.clone()));
        v
    }
}

fn push<T>(v: &mut Vec<Arc<T>>, r: T) -> usize {
    v.push(Arc::new(r));
    v.len() - 1
}

/// Lowercase, spaces to `-`, only `[a-z0-9-]`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// When a meeting takes (or took) place: its date, else the start of its planning window.
pub fn meeting_when(m: &Meeting) -> Option<Date> {
    m.date
        .or_else(|| FuzzyDate::parse(&m.planned).ok().and_then(|f| f.start))
}

/// The due window of an action.
pub fn due_of(a: &Action) -> Option<FuzzyDate> {
    if a.due.trim().is_empty() {
        None
    } else {
        FuzzyDate::parse(&a.due).ok()
    }
}

/// Overdue: still to do, and the end of its window lies before `today`.
pub fn is_overdue(a: &Action, today: Date) -> bool {
    a.status.is_active() && due_of(a).and_then(|d| d.end).is_some_and(|end| end < today)
}

/// Everything a reader of the agenda can see, in a comparable form (for tests).
#[cfg(test)]
pub(crate) fn seen(a: &Agenda) -> (String, Vec<Problem>, Vec<String>) {
    let records = serde_json::to_string(&(
        &a.meetings,
        &a.items,
        &a.notes,
        &a.actions,
        &a.bodies,
        &a.organisations,
        &a.people,
    ))
    .unwrap_or_default();
    let mut lookups: Vec<String> = a
        .ids()
        .map(|id| {
            let r = a.reference(id);
            format!(
                "{id} {:?} {:?} {r} {:?}",
                a.kind_of(id),
                a.path_of(id),
                a.resolve(&r)
            )
        })
        .collect();
    lookups.sort();
    (records, a.problems.clone(), lookups)
}
