//! The workbench's search index: every record's searchable text in a few long buffers and
//! its numbers in arrays, instead of an [`Entry`] per record with its strings each in a heap
//! allocation of their own. A keystroke at 1,000,000 records scores several hundred thousand
//! candidates; spread over the heap, each costs a few cache misses, which was most of the
//! time. Here the candidates are read in ascending order from dense arrays and buffers, which
//! the prefetcher streams, and the folded lines (all a line-only key reads) are kept apart
//! from the longer prose. It also holds a fraction of the memory and allocations, which is
//! what a start decoding it from a snapshot pays for.

use serde::{Deserialize, Serialize};

mod in_place;
mod patch;
mod roomy;

#[cfg(test)]
pub(super) use in_place::MAX_ROWS as MAX_ROWS_IN_PLACE;

use super::compact::{FIELDS, pack, unpack};
use super::index::{Entry, Field, build, kind_code, par_map};
use super::query::Query;
use super::record::Records;
use crate::model::{Agenda, Date, Kind};

/// Strings in one buffer, string `k` at `ends[k - 1]..ends[k]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Texts {
    #[serde(with = "roomy")]
    text: String,
    ends: Vec<u64>,
}

impl Texts {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u64);
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Strings `from..to` of `other` appended, in one copy of their text.
    fn extend_from(&mut self, other: &Texts, from: usize, to: usize) {
        let end_of = |k: usize| other.ends.get(k).copied().unwrap_or(0);
        let (start, end) = (
            if from == 0 { 0 } else { end_of(from - 1) },
            if to == 0 { 0 } else { end_of(to - 1) },
        );
        let base = self.text.len() as u64;
        let span = usize::try_from(start).unwrap_or(usize::MAX)..usize::try_from(end).unwrap_or(0);
        self.text.push_str(other.text.get(span).unwrap_or_default());
        if let Some(ends) = other.ends.get(from..to) {
            self.ends
                .extend(ends.iter().map(|e| e.saturating_sub(start) + base));
        }
    }

    /// String `k`; "" past the end (never reached in a [`Flat::valid`] index).
    fn get(&self, k: usize) -> &str {
        let at = |k: usize| {
            self.ends
                .get(k)
                .map_or(usize::MAX, |e| usize::try_from(*e).unwrap_or(usize::MAX))
        };
        let start = if k == 0 { 0 } else { at(k - 1) };
        self.text.get(start..at(k)).unwrap_or_default()
    }

    /// Ends ascending, on char boundaries, the last at the end of the text.
    fn valid(&self) -> bool {
        let mut last = 0;
        self.ends.iter().all(|&e| {
            let ok = e >= last
                && usize::try_from(e).is_ok_and(|e| self.text.is_char_boundary(e))
                && e <= self.text.len() as u64;
            last = e;
            ok
        }) && last == self.text.len() as u64
    }
}

/// The search index of every record, in the order of [`super::index`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flat {
    /// Per record: [`kind_code::ORDER`] position.
    kinds: Vec<u8>,
    ids: Texts,
    /// What the result list shows.
    lines: Texts,
    /// The lines folded, which the fuzzy match runs on.
    folded: Texts,
    /// Line mask and union of the prose masks, per record.
    masks: Vec<(u64, u64)>,
    /// Longer texts, folded: record `i`'s are `more_first[i]..more_first[i + 1]`, each with
    /// its [`FIELDS`] position in `fields`.
    more: Texts,
    fields: Vec<u8>,
    more_first: Vec<u32>,
    /// The distinct folded filter values; records hold their positions.
    values: Vec<String>,
    status: Vec<u32>,
    body: Vec<u32>,
    /// Department keys: record `i`'s are `depts[dept_first[i]..dept_first[i + 1]]`.
    dept_first: Vec<u32>,
    depts: Vec<u32>,
    /// [`pack`]ed dates.
    due: Vec<u32>,
    date: Vec<u32>,
}

/// What the result list shows of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row<'a> {
    pub kind: Kind,
    pub id: &'a str,
    pub line: &'a str,
}

/// Builds a [`Flat`] entry by entry, each filter value stored once.
struct Builder {
    flat: Flat,
    value_of: rustc_hash::FxHashMap<String, u32>,
}

impl Default for Builder {
    /// Empty, with the first records' prose and department lists starting at 0.
    fn default() -> Builder {
        let mut flat = Flat::default();
        flat.more_first.push(0);
        flat.dept_first.push(0);
        Builder {
            flat,
            value_of: rustc_hash::FxHashMap::default(),
        }
    }
}

impl Builder {
    fn value(&mut self, v: &str) -> u32 {
        if let Some(&n) = self.value_of.get(v) {
            return n;
        }
        let n = self.flat.values.len() as u32;
        self.flat.values.push(v.to_string());
        self.value_of.insert(v.to_string(), n);
        n
    }

    fn push(&mut self, e: &Entry) {
        let status = self.value(&e.keys.status);
        let body = self.value(&e.keys.body);
        let depts: Vec<u32> = e.keys.depts.iter().map(|d| self.value(d)).collect();
        let f = &mut self.flat;
        let kind = kind_code::ORDER.iter().position(|k| *k == e.kind);
        f.kinds.push(kind.unwrap_or(0) as u8);
        f.ids.push(&e.id);
        f.lines.push(&e.line);
        f.folded.push(&e.folded);
        f.masks.push((e.keys.line_mask, e.keys.more_mask));
        for (field, t) in &e.more {
            f.more.push(t);
            f.fields
                .push(FIELDS.iter().position(|x| x == field).unwrap_or(0) as u8);
        }
        f.more_first.push(f.more.len() as u32);
        f.status.push(status);
        f.body.push(body);
        f.depts.extend(depts);
        f.dept_first.push(f.depts.len() as u32);
        f.due.push(pack(e.due));
        f.date.push(pack(e.date));
    }

    fn finish(self) -> Flat {
        self.flat
    }
}

/// How many records are built into entries at a time before they are laid out: the entries
/// of 1,000,000 records at once would take twice the memory of the finished index.
const BATCH: usize = 32_768;

impl Flat {
    /// The index of `entries`, in their order.
    pub fn from_entries(entries: &[Entry]) -> Flat {
        let mut b = Builder::default();
        entries.iter().for_each(|e| b.push(e));
        b.finish()
    }

    /// The index of every record of `a`: the same as `from_entries(&index(a))`, without
    /// holding every entry at once.
    pub fn of(a: &Agenda) -> Flat {
        fn add<T: Sync>(b: &mut Builder, items: &[T], f: impl Fn(&T) -> Entry + Sync) {
            for part in items.chunks(BATCH) {
                par_map(part, &f).iter().for_each(|e| b.push(e));
            }
        }
        let mut b = Builder::default();
        add(&mut b, &a.meetings, |m| build::meeting(a, m));
        add(&mut b, &a.items, |i| build::item(a, i));
        add(&mut b, &a.notes, |n| build::notes(a, n));
        add(&mut b, &a.actions, |x| build::action(a, x));
        add(&mut b, &a.bodies, |x| build::body(x));
        add(&mut b, &a.organisations, |x| build::organisation(x));
        add(&mut b, &a.people, |x| build::person(x));
        b.finish()
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Record `i` as the result list shows it.
    pub fn get(&self, i: usize) -> Option<Row<'_>> {
        (i < self.len()).then(|| Row {
            kind: Records::kind(self, i),
            id: self.ids.get(i),
            line: self.lines.get(i),
        })
    }

    /// The folded status of record `i` ("" past the end).
    pub fn status_of(&self, i: usize) -> &str {
        if i < self.len() {
            Records::status(self, i)
        } else {
            ""
        }
    }

    /// [`super::search`] over this index.
    pub fn search(&self, query: &str) -> super::Results {
        super::search_in(self, query)
    }

    /// Whether every array has the length and every number the range the layout needs (an
    /// index decoded from a damaged snapshot does not; one built here always does).
    pub fn valid(&self) -> bool {
        let n = self.len();
        let values = self.values.len();
        let steps = |v: &[u32], end: usize| {
            v.first() == Some(&0)
                && v.windows(2).all(|w| w[0] <= w[1])
                && v.last().is_some_and(|l| *l as usize == end)
        };
        [self.ids.len(), self.lines.len(), self.folded.len()] == [n; 3]
            && [self.masks.len(), self.status.len(), self.body.len()] == [n; 3]
            && [self.due.len(), self.date.len()] == [n; 2]
            && [self.more_first.len(), self.dept_first.len()] == [n + 1; 2]
            && self.fields.len() == self.more.len()
            && steps(&self.more_first, self.more.len())
            && steps(&self.dept_first, self.depts.len())
            && [&self.ids, &self.lines, &self.folded, &self.more]
                .iter()
                .all(|t| t.valid())
            && self
                .kinds
                .iter()
                .all(|k| usize::from(*k) < kind_code::ORDER.len())
            && self.fields.iter().all(|f| usize::from(*f) < FIELDS.len())
            && [&self.status, &self.body, &self.depts]
                .iter()
                .all(|v| v.iter().all(|x| (*x as usize) < values))
            && self
                .due
                .iter()
                .chain(&self.date)
                .all(|d| unpack(*d).is_some())
    }

    fn value(&self, v: Option<&u32>) -> &str {
        v.and_then(|v| self.values.get(*v as usize))
            .map_or("", String::as_str)
    }
}

impl Records for Flat {
    fn len(&self) -> usize {
        self.kinds.len()
    }
    fn kind(&self, i: usize) -> Kind {
        self.kinds
            .get(i)
            .and_then(|k| kind_code::ORDER.get(usize::from(*k)))
            .copied()
            .unwrap_or(Kind::Meeting)
    }
    fn folded(&self, i: usize) -> &str {
        self.folded.get(i)
    }
    fn masks(&self, i: usize) -> (u64, u64) {
        self.masks.get(i).copied().unwrap_or_default()
    }
    fn more(&self, i: usize, k: usize) -> Option<(Field, &[u8])> {
        let t = *self.more_first.get(i)? as usize + k;
        if t >= *self.more_first.get(i + 1)? as usize {
            return None;
        }
        let field = FIELDS.get(usize::from(*self.fields.get(t)?))?;
        Some((*field, self.more.get(t).as_bytes()))
    }
    fn status(&self, i: usize) -> &str {
        self.value(self.status.get(i))
    }
    fn body(&self, i: usize) -> &str {
        self.value(self.body.get(i))
    }
    fn dept(&self, i: usize, k: usize) -> Option<&str> {
        let d = *self.dept_first.get(i)? as usize + k;
        (d < *self.dept_first.get(i + 1)? as usize).then(|| self.value(self.depts.get(d)))
    }
    fn due(&self, i: usize) -> Option<Date> {
        self.due.get(i).and_then(|d| unpack(*d)).flatten()
    }
    fn date(&self, i: usize) -> Option<Date> {
        self.date.get(i).and_then(|d| unpack(*d)).flatten()
    }
    /// One substring search through the prose of the whole run rather than one per text:
    /// most texts are short, and starting a search costs more than reading them. Searched for
    /// the longest word (likely the rarest); a text it occurs in is checked for the others.
    fn prose_in(&self, a: usize, b: usize, q: &Query) -> Option<Vec<(u32, u32)>> {
        let longest = (0..q.finders.len()).max_by_key(|&w| q.finders[w].needle().len())?;
        let finder = &q.finders[longest];
        let len = finder.needle().len();
        let (t0, t1) = (
            *self.more_first.get(a)? as usize,
            *self.more_first.get(b)? as usize,
        );
        let end = |t: usize| {
            self.more
                .ends
                .get(t)
                .map_or(usize::MAX, |e| usize::try_from(*e).unwrap_or(usize::MAX))
        };
        let start = |t: usize| if t == 0 { 0 } else { end(t - 1) };
        let bytes = self.more.text.as_bytes();
        let stop = start(t1);
        let (mut out, mut t, mut rec) = (Vec::new(), t0, a);
        let mut pos = start(t0);
        while pos < stop
            && let Some(p) = bytes.get(pos..stop).and_then(|h| finder.find(h))
        {
            let p = pos + p;
            while end(t) <= p {
                t += 1;
            }
            // one hit per text is all it takes; an occurrence across two texts is none, and
            // the search goes on from the next text (which the occurrence may overlap)
            pos = end(t);
            if p + len > end(t) {
                continue;
            }
            let text = self.more.get(t).as_bytes();
            let others = q.finders.iter().enumerate();
            if others
                .filter(|(w, _)| *w != longest)
                .all(|(_, f)| f.find(text).is_some())
            {
                while self
                    .more_first
                    .get(rec + 1)
                    .is_some_and(|&n| n as usize <= t)
                {
                    rec += 1;
                }
                let k = t - *self.more_first.get(rec)? as usize;
                out.push((rec as u32, k as u32));
            }
        }
        Some(out)
    }
}
