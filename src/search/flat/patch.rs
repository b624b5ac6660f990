//! The workbench's index after a save, from the index before it: the same records as
//! [`Flat::of`] gives for the new agenda, with only the changed records built again and every
//! other row copied over (see [`crate::search::patched`] for which entries a change touches).
//! At 1,000,000 records a full build folds the prose of every record, several seconds of
//! both cores after every save; copying the rows costs a fraction of that.

use rustc_hash::FxHashSet;

use super::super::patch::{Finder, build_nth, line_is, records};
use super::{Builder, Flat};
use crate::model::{Agenda, Kind};

impl Builder {
    /// A builder whose filter values are `old`'s, so that a row copied from `old` keeps its
    /// value positions.
    fn seeded(old: &Flat) -> Builder {
        let mut b = Builder::with_values(old.values.clone());
        // room for as much as before: growing by doubling would copy the buffers again
        let f = &mut b.flat;
        for (t, o) in [
            (&mut f.ids, &old.ids),
            (&mut f.lines, &old.lines),
            (&mut f.folded, &old.folded),
            (&mut f.more, &old.more),
        ] {
            t.text.reserve(o.text.len() + o.text.len() / 64);
            t.ends.reserve(o.ends.len() + 64);
        }
        let n = old.len() + 64;
        f.kinds.reserve(n);
        f.masks.reserve(n);
        f.status.reserve(n);
        f.body.reserve(n);
        f.due.reserve(n);
        f.date.reserve(n);
        f.more_first.reserve(n);
        f.dept_first.reserve(n);
        f.depts.reserve(old.depts.len() + 64);
        f.fields.reserve(old.fields.len() + 64);
        b
    }

    /// Rows `from..to` of `old` as they are (values as seeded from `old`), each buffer in
    /// one copy: most of a patched index is long runs of rows kept as they were.
    fn copy_run(&mut self, old: &Flat, from: usize, to: usize) {
        let f = &mut self.flat;
        f.kinds
            .extend_from_slice(old.kinds.get(from..to).unwrap_or_default());
        f.ids.extend_from(&old.ids, from, to);
        f.lines.extend_from(&old.lines, from, to);
        f.folded.extend_from(&old.folded, from, to);
        f.masks
            .extend_from_slice(old.masks.get(from..to).unwrap_or_default());
        let (m0, m1) = extend_firsts(&mut f.more_first, &old.more_first, from, to);
        f.more.extend_from(&old.more, m0, m1);
        f.fields
            .extend_from_slice(old.fields.get(m0..m1).unwrap_or_default());
        f.status
            .extend_from_slice(old.status.get(from..to).unwrap_or_default());
        f.body
            .extend_from_slice(old.body.get(from..to).unwrap_or_default());
        let (d0, d1) = extend_firsts(&mut f.dept_first, &old.dept_first, from, to);
        f.depts
            .extend_from_slice(old.depts.get(d0..d1).unwrap_or_default());
        f.due
            .extend_from_slice(old.due.get(from..to).unwrap_or_default());
        f.date
            .extend_from_slice(old.date.get(from..to).unwrap_or_default());
    }
}

/// The starts of rows `from..to` of `old_first` (a list of where each row's entries begin,
/// one longer than the rows) appended to `first`, moved to follow its last entry; the range
/// of entries of `old` those rows hold.
fn extend_firsts(
    first: &mut Vec<u32>,
    old_first: &[u32],
    from: usize,
    to: usize,
) -> (usize, usize) {
    let at = |k: usize| old_first.get(k).map_or(0, |x| *x as usize);
    let (start, end) = (at(from), at(to));
    let base = first.last().copied().unwrap_or(0);
    first.extend(
        old_first
            .get(from + 1..to + 1)
            .unwrap_or_default()
            .iter()
            .map(|e| e.saturating_sub(start as u32) + base),
    );
    (start, end)
}

impl Flat {
    /// The index of `agenda` given `old`, the index of the agenda before a change of exactly
    /// the records `changed` (ids of records created, edited or removed; more is harmless).
    pub fn patched(old: &Flat, agenda: &Agenda, changed: &[&str]) -> Flat {
        let changed: FxHashSet<&str> = changed.iter().copied().collect();
        let dirty = |id: &str| changed.contains(id);
        let row = |n: usize| -> Option<(Kind, &str)> {
            (n < old.len()).then(|| (crate::search::record::Records::kind(old, n), old.ids.get(n)))
        };
        let mut finder = Finder::new(old.len());
        let mut b = Builder::seeded(old);
        // the old rows kept since the last one built: copied together
        let mut run: Option<std::ops::Range<usize>> = None;
        for (n, (kind, id, meeting, title)) in records(agenda).enumerate() {
            let kept = finder
                .take_if(row, kind, id, !dirty(id) && !dirty(meeting))
                .filter(|&o| {
                    title.is_none_or(|t| line_is(old.lines.get(o), agenda.reference_of(id), t))
                });
            match (kept, &mut run) {
                (Some(o), Some(r)) if r.end == o => r.end = o + 1,
                (Some(o), _) => {
                    if let Some(r) = run.replace(o..o + 1) {
                        b.copy_run(old, r.start, r.end);
                    }
                }
                (None, _) => {
                    if let Some(r) = run.take() {
                        b.copy_run(old, r.start, r.end);
                    }
                    if let Some(e) = build_nth(agenda, n) {
                        b.push(&e);
                    }
                }
            }
        }
        if let Some(r) = run {
            b.copy_run(old, r.start, r.end);
        }
        b.finish()
    }
}
