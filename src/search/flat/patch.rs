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
        let mut b = Builder::default();
        for v in &old.values {
            b.value(v);
        }
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

    /// Row `n` of `old` as it is (values as seeded from `old`).
    fn copy(&mut self, old: &Flat, n: usize) {
        let f = &mut self.flat;
        let at = |v: &[u32], k: usize| v.get(k).map_or(0, |x| *x as usize);
        f.kinds.push(old.kinds.get(n).copied().unwrap_or(0));
        f.ids.push(old.ids.get(n));
        f.lines.push(old.lines.get(n));
        f.folded.push(old.folded.get(n));
        f.masks.push(old.masks.get(n).copied().unwrap_or_default());
        for t in at(&old.more_first, n)..at(&old.more_first, n + 1) {
            f.more.push(old.more.get(t));
            f.fields.push(old.fields.get(t).copied().unwrap_or(0));
        }
        f.more_first.push(f.more.len() as u32);
        f.status.push(old.status.get(n).copied().unwrap_or(0));
        f.body.push(old.body.get(n).copied().unwrap_or(0));
        let depts = at(&old.dept_first, n)..at(&old.dept_first, n + 1);
        f.depts
            .extend_from_slice(old.depts.get(depts).unwrap_or_default());
        f.dept_first.push(f.depts.len() as u32);
        f.due.push(old.due.get(n).copied().unwrap_or(0));
        f.date.push(old.date.get(n).copied().unwrap_or(0));
    }
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
        for (n, (kind, id, meeting, title)) in records(agenda).enumerate() {
            let kept = (!dirty(id) && !dirty(meeting))
                .then(|| finder.take(row, kind, id))
                .flatten()
                .filter(|&o| {
                    title.is_none_or(|t| line_is(old.lines.get(o), &agenda.reference(id), t))
                });
            match kept {
                Some(o) => b.copy(old, o),
                None => {
                    if let Some(e) = build_nth(agenda, n) {
                        b.push(&e);
                    }
                }
            }
        }
        b.finish()
    }
}
