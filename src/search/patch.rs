//! The search index after a save of a few records, from the index before it: exactly what
//! [`super::index`] gives for the new agenda, at a fraction of its cost (it folds and masks
//! the prose of every record; this only of the records that changed).
//!
//! An entry is a function of its record, of its meeting (items, notes and actions take the
//! meeting's body, date or title) and, for meetings, items and notes, of the reference in its
//! line, which the agenda derives from other records (numbered meetings on the same day, a
//! label taken twice). So an entry is rebuilt when its record or its meeting is among the
//! changed ids, or its line is no longer the one the agenda gives; every other entry is moved
//! over as it was.

use rustc_hash::{FxHashMap, FxHashSet};

use super::index::{Entry, build};
use crate::model::{Agenda, Kind};

/// Where each record's old entry is, for records taken one by one in the order the agenda
/// holds them: at the position after the last one taken (saves keep the order of the
/// others), else found by id.
pub(super) struct Finder {
    taken: Vec<bool>,
    next: usize,
    /// Positions by id hash, made the first time a record is not where expected (a record
    /// added or removed before it), and the ids found twice there (rebuilt, as which entry
    /// belongs to which of their files is unknown).
    at: Option<(FxHashMap<u64, usize>, FxHashSet<String>)>,
}

fn hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    id.hash(&mut h);
    h.finish()
}

impl Finder {
    pub(super) fn new(len: usize) -> Finder {
        Finder {
            taken: vec![false; len],
            next: 0,
            at: None,
        }
    }

    /// Like [`Finder::take`] when `keep`; else (the record changed and is built anew) only
    /// passes its old entry when that is where expected, so that the next record's is too
    /// (else every id would be mapped: a tenth of a second at 1,000,000 records), and is
    /// `None`.
    pub(super) fn take_if<'a>(
        &mut self,
        row: impl Fn(usize) -> Option<(Kind, &'a str)>,
        kind: Kind,
        id: &str,
        keep: bool,
    ) -> Option<usize> {
        if keep {
            return self.take(row, kind, id);
        }
        let here = row(self.next).is_some_and(|(k, i)| k == kind && i == id);
        if let Some(taken) = self.taken.get_mut(self.next)
            && !*taken
            && here
        {
            *taken = true;
            self.next += 1;
        }
        None
    }

    /// The position of the old entry of `id`, if it is of `kind` and not taken already;
    /// `row(n)` is the kind and id of old entry `n`.
    pub(super) fn take<'a>(
        &mut self,
        row: impl Fn(usize) -> Option<(Kind, &'a str)>,
        kind: Kind,
        id: &str,
    ) -> Option<usize> {
        let fits = |taken: &[bool], n: usize| {
            taken.get(n) == Some(&false) && row(n).is_some_and(|(k, i)| k == kind && i == id)
        };
        let n = if fits(&self.taken, self.next) {
            self.next
        } else {
            let len = self.taken.len();
            let (at, twice) = self.at.get_or_insert_with(|| {
                let mut at = FxHashMap::default();
                at.reserve(len);
                let mut twice = FxHashSet::default();
                for n in 0..len {
                    let Some((_, id)) = row(n) else { continue };
                    // a hash collision only loses a position (that record is rebuilt)
                    if let Some(b) = at.insert(hash(id), n)
                        && row(b).is_some_and(|(_, b)| b == id)
                    {
                        twice.insert(id.to_string());
                    }
                }
                (at, twice)
            });
            let n = *at.get(&hash(id))?;
            if twice.contains(id) || !fits(&self.taken, n) {
                return None;
            }
            n
        };
        self.next = n + 1;
        *self.taken.get_mut(n)? = true;
        Some(n)
    }
}

/// The old entries, taken one by one in the order the agenda holds their records.
struct Old {
    entries: Vec<Entry>,
    finder: Finder,
}

impl Old {
    /// The entry `id` had, if it is of `kind` and not taken already, and `keep` (see
    /// [`Finder::take_if`]).
    fn take(&mut self, kind: Kind, id: &str, keep: bool) -> Option<Entry> {
        let entries = &self.entries;
        let n = self.finder.take_if(
            |n| entries.get(n).map(|e| (e.kind, e.id.as_str())),
            kind,
            id,
            keep,
        )?;
        let e = self.entries.get_mut(n)?;
        Some(std::mem::replace(e, Entry::new(kind, "", "")))
    }
}

/// Whether `text::line` leaves `s` as it is.
pub(super) fn plain(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().all(|b| b >= 0x20 && b != 0x7f)
    } else {
        !s.chars().any(crate::text::is_hostile)
    }
}

/// Whether `line` is the line of a record with this reference and title (as
/// `build::line_of` and `Entry::new` make it), mostly without building that line.
pub(super) fn line_is(line: &str, reference: &str, title: &str) -> bool {
    if plain(reference) && plain(title) {
        line.len() == reference.len() + 1 + title.len()
            && line.starts_with(reference)
            && line.ends_with(title)
            && line.as_bytes().get(reference.len()) == Some(&b' ')
    } else {
        line == crate::text::line(&format!("{reference} {title}"))
    }
}

/// The index of `agenda` given `old`, the index of the agenda before a change of exactly the
/// records `changed` (ids of records created, edited or removed; more is harmless). `old`'s
/// entries are moved into the result, not copied: pass the index by value (for one behind an
/// `Arc`, `Arc::try_unwrap` it once nothing else holds it, or clone it).
pub fn patched(old: Vec<Entry>, agenda: &Agenda, changed: &[&str]) -> Vec<Entry> {
    let changed: FxHashSet<&str> = changed.iter().copied().collect();
    let dirty = |id: &str| changed.contains(id);
    match in_place(old, agenda, &dirty) {
        Ok(done) => done,
        Err(old) => moved(old, agenda, &dirty),
    }
}

/// The records of `agenda` in index order: kind, id, meeting (for the entry's dependence on
/// it) and, for meetings, items and notes, the title their line shows.
pub(super) fn records(a: &Agenda) -> impl Iterator<Item = (Kind, &str, &str, Option<&str>)> {
    let none = "";
    let m = a
        .meetings
        .iter()
        .map(move |m| (Kind::Meeting, m.id.as_str(), none, Some(m.title.as_str())));
    let i = a.items.iter().map(|i| {
        (
            Kind::Item,
            i.id.as_str(),
            i.meeting.as_str(),
            Some(i.title.as_str()),
        )
    });
    let n = a.notes.iter().map(|n| {
        (
            Kind::Notes,
            n.id.as_str(),
            n.meeting.as_str(),
            Some(build::notes_title(a, n)),
        )
    });
    let x = a
        .actions
        .iter()
        .map(|x| (Kind::Action, x.id.as_str(), x.meeting.as_str(), None));
    let b = a
        .bodies
        .iter()
        .map(move |b| (Kind::Body, b.id.as_str(), none, None));
    let o = a
        .organisations
        .iter()
        .map(move |o| (Kind::Organisation, o.id.as_str(), none, None));
    let p = a
        .people
        .iter()
        .map(move |p| (Kind::Person, p.id.as_str(), none, None));
    m.chain(i).chain(n).chain(x).chain(b).chain(o).chain(p)
}

/// The entry of the `n`th record of `a` in index order, built anew.
pub(super) fn build_nth(a: &Agenda, n: usize) -> Option<Entry> {
    let mut n = n;
    macro_rules! part {
        ($v:expr, $f:expr) => {
            match $v.get(n) {
                Some(r) => return Some($f(r)),
                None => n -= $v.len(),
            }
        };
    }
    part!(a.meetings, |m| build::meeting(a, m));
    part!(a.items, |i| build::item(a, i));
    part!(a.notes, |x| build::notes(a, x));
    part!(a.actions, |x| build::action(a, x));
    part!(a.bodies, build::body);
    part!(a.organisations, build::organisation);
    part!(a.people, build::person);
    let _ = n;
    None
}

/// The common case: every record where its entry was (records edited, none added or
/// removed). Only the entries that change are rebuilt, where they are; `Err` with `old` as
/// it was when the records do not line up.
fn in_place(
    mut old: Vec<Entry>,
    agenda: &Agenda,
    dirty: &dyn Fn(&str) -> bool,
) -> Result<Vec<Entry>, Vec<Entry>> {
    let lined_up = old.len() == agenda.len()
        && records(agenda)
            .zip(&old)
            .all(|((kind, id, ..), e)| e.kind == kind && e.id == id);
    if !lined_up {
        return Err(old);
    }
    for (n, (_, id, meeting, title)) in records(agenda).enumerate() {
        let Some(e) = old.get_mut(n) else {
            break;
        };
        let keep = !dirty(id)
            && !dirty(meeting)
            && title.is_none_or(|t| line_is(&e.line, agenda.reference_of(id), t));
        if !keep && let Some(fresh) = build_nth(agenda, n) {
            *e = fresh;
        }
    }
    Ok(old)
}

/// Any change: each record's entry found by id (where expected, else by a map), moved over.
fn moved(old: Vec<Entry>, agenda: &Agenda, dirty: &dyn Fn(&str) -> bool) -> Vec<Entry> {
    let mut old = Old {
        finder: Finder::new(old.len()),
        entries: old,
    };
    let mut out = Vec::with_capacity(agenda.len());
    for m in &agenda.meetings {
        let kept = old.take(Kind::Meeting, &m.id, !dirty(&m.id));
        let kept = kept.filter(|e| line_is(&e.line, agenda.reference_of(&m.id), &m.title));
        out.push(kept.unwrap_or_else(|| build::meeting(agenda, m)));
    }
    for i in &agenda.items {
        let kept = old.take(Kind::Item, &i.id, !dirty(&i.id) && !dirty(&i.meeting));
        let kept = kept.filter(|e| line_is(&e.line, agenda.reference_of(&i.id), &i.title));
        out.push(kept.unwrap_or_else(|| build::item(agenda, i)));
    }
    for n in &agenda.notes {
        let kept = old.take(Kind::Notes, &n.id, !dirty(&n.id) && !dirty(&n.meeting));
        let title = build::notes_title(agenda, n);
        let kept = kept.filter(|e| line_is(&e.line, agenda.reference_of(&n.id), title));
        out.push(kept.unwrap_or_else(|| build::notes(agenda, n)));
    }
    for x in &agenda.actions {
        let kept = old.take(Kind::Action, &x.id, !dirty(&x.id) && !dirty(&x.meeting));
        out.push(kept.unwrap_or_else(|| build::action(agenda, x)));
    }
    for b in &agenda.bodies {
        let kept = old.take(Kind::Body, &b.id, !dirty(&b.id));
        out.push(kept.unwrap_or_else(|| build::body(b)));
    }
    for o in &agenda.organisations {
        let kept = old.take(Kind::Organisation, &o.id, !dirty(&o.id));
        out.push(kept.unwrap_or_else(|| build::organisation(o)));
    }
    for p in &agenda.people {
        let kept = old.take(Kind::Person, &p.id, !dirty(&p.id));
        out.push(kept.unwrap_or_else(|| build::person(p)));
    }
    out
}
