//! The workbench's index after saves, patched where it lies: the common case of a start
//! right after a save (records edited, none added or removed). [`Flat::patched`] builds a
//! whole new index, at 1,000,000 records three hundred megabytes written into freshly
//! allocated memory (most of that start, on a machine slow to hand out memory) and held
//! beside the old one; here only the rows that change are written, and the rest of each
//! buffer moves up or down by the difference in length.

use rustc_hash::FxHashSet;

use super::super::patch::{build_nth, line_is, records};
use super::{Builder, Flat, Texts};
use crate::model::Agenda;
use crate::search::record::Records;

/// Rows rebuilt at most: each moves the rest of every buffer once.
pub(in crate::search) const MAX_ROWS: usize = 32;

impl Builder {
    /// A builder whose filter values are `values`, so that its rows can go into an index
    /// with those values (or rows of such an index can go into it).
    pub(super) fn with_values(values: Vec<String>) -> Builder {
        let value_of = values
            .iter()
            .enumerate()
            .map(|(n, v)| (v.clone(), n as u32))
            .collect();
        let mut b = Builder {
            value_of,
            ..Builder::default()
        };
        b.flat.values = values;
        b
    }
}

impl Texts {
    /// Strings `from..to` replaced by strings `ofrom..oto` of `other`; `false` (and nothing
    /// changed) when a range is not in the texts.
    fn splice(
        &mut self,
        (from, to): (usize, usize),
        other: &Texts,
        (ofrom, oto): (usize, usize),
    ) -> bool {
        let start_of = |t: &Texts, k: usize| match k {
            0 => Some(0),
            k => t.ends.get(k - 1).and_then(|e| usize::try_from(*e).ok()),
        };
        let (Some(start), Some(end), Some(ostart), Some(oend)) = (
            start_of(self, from),
            start_of(self, to),
            start_of(other, ofrom),
            start_of(other, oto),
        ) else {
            return false;
        };
        let (Some(with), Some(new_ends)) =
            (other.text.get(ostart..oend), other.ends.get(ofrom..oto))
        else {
            return false;
        };
        if from > to || to > self.ends.len() || self.text.get(start..end).is_none() {
            return false;
        }
        self.text.replace_range(start..end, with);
        let base = start as u64;
        let new_ends: Vec<u64> = new_ends.iter().map(|e| e - ostart as u64 + base).collect();
        let after = from + new_ends.len();
        self.ends.splice(from..to, new_ends);
        let (grown, shrunk) = (with.len() as u64, (end - start) as u64);
        if grown != shrunk {
            for e in self.ends.get_mut(after..).unwrap_or_default() {
                *e = *e + grown - shrunk;
            }
        }
        true
    }
}

/// Entries `first[n]..first[n + 1]` of `entries` replaced by `new_first[j]..new_first[j + 1]`
/// of `new_entries`, and the starts of the rows after `n` moved by the difference.
fn splice_entries<T: Copy>(
    (entries, first): (&mut Vec<T>, &mut [u32]),
    (new_entries, new_first): (&[T], &[u32]),
    n: usize,
    j: usize,
) -> Option<(usize, usize)> {
    let at = |f: &[u32], k: usize| f.get(k).map(|x| *x as usize);
    let (from, to) = (at(first, n)?, at(first, n + 1)?);
    let (nfrom, nto) = (at(new_first, j)?, at(new_first, j + 1)?);
    let with = new_entries.get(nfrom..nto)?;
    if from > to || to > entries.len() {
        return None;
    }
    entries.splice(from..to, with.iter().copied());
    if with.len() != to - from {
        for f in first.get_mut(n + 1..).unwrap_or_default() {
            *f = *f + with.len() as u32 - (to - from) as u32;
        }
    }
    Some((from, to))
}

impl Flat {
    /// This index brought, where it lies, to what [`Flat::of`] gives for `agenda`, after a
    /// change of exactly the records `changed` (ids; more is harmless), when every record
    /// still has its row (records edited, none added, removed or moved) and few rows change;
    /// else `false`, with this index as it was (or, should a row not be where it was found,
    /// emptied). `lines_as_before`: no meeting, item or notes
    /// record changed, so no reference another record's line shows has (see
    /// `search::patch`), and those lines need no comparing.
    pub fn patch_in_place(
        &mut self,
        agenda: &Agenda,
        changed: &[&str],
        lines_as_before: bool,
    ) -> bool {
        let changed: FxHashSet<&str> = changed.iter().copied().collect();
        let dirty = |id: &str| changed.contains(id);
        if self.len() != agenda.len() {
            return false;
        }
        let mut rows = Vec::new();
        for (n, (kind, id, meeting, title)) in records(agenda).enumerate() {
            if Records::kind(self, n) != kind || self.ids.get(n) != id {
                return false;
            }
            let rebuild = dirty(id)
                || dirty(meeting)
                || (!lines_as_before
                    && title
                        .is_some_and(|t| !line_is(self.lines.get(n), agenda.reference_of(id), t)));
            if rebuild {
                rows.push(n);
                if rows.len() > MAX_ROWS {
                    return false;
                }
            }
        }
        let entries: Option<Vec<_>> = rows.iter().map(|&n| build_nth(agenda, n)).collect();
        let Some(entries) = entries else {
            return false;
        };
        let mut b = Builder::with_values(std::mem::take(&mut self.values));
        entries.iter().for_each(|e| b.push(e));
        let mut new = b.finish();
        self.values = std::mem::take(&mut new.values);
        // from the last row to the first, so that the rows still to come keep their places
        for (j, &n) in rows.iter().enumerate().rev() {
            if !self.replace_row(n, &new, j) {
                // (never, in a valid index: each row was found above) half patched: left
                // empty, so that a patch of it builds every row
                *self = Flat::default();
                return false;
            }
        }
        true
    }

    /// Row `n` replaced by row `j` of `new`, whose filter values are this index's.
    fn replace_row(&mut self, n: usize, new: &Flat, j: usize) -> bool {
        macro_rules! set {
            ($($f:ident),*) => {$(
                match (self.$f.get_mut(n), new.$f.get(j)) {
                    (Some(x), Some(y)) => *x = *y,
                    _ => return false,
                }
            )*};
        }
        set!(kinds, masks, status, body, due, date);
        let one = (n, n + 1);
        let theirs = (j, j + 1);
        if !(self.ids.splice(one, &new.ids, theirs)
            && self.lines.splice(one, &new.lines, theirs)
            && self.folded.splice(one, &new.folded, theirs))
        {
            return false;
        }
        let Some(more) = splice_entries(
            (&mut self.fields, &mut self.more_first),
            (&new.fields, &new.more_first),
            n,
            j,
        ) else {
            return false;
        };
        let new_more = (
            new.more_first.get(j).map_or(0, |x| *x as usize),
            new.more_first.get(j + 1).map_or(0, |x| *x as usize),
        );
        self.more.splice(more, &new.more, new_more)
            && splice_entries(
                (&mut self.depts, &mut self.dept_first),
                (&new.depts, &new.dept_first),
                n,
                j,
            )
            .is_some()
    }
}
