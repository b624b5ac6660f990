//! What scoring reads of a record, as a trait over a whole collection: the built index
//! (`[Entry]`, the workbench) and the compact snapshot view ([`super::compact::Compact`], the
//! command line) are scored by the same code, so both give the same hits in the same order.

use super::index::{Entry, Field};
use super::query::Query;
use crate::model::{Date, Kind};

/// Records numbered `0..len()`. Accessors are only called with a number below `len()`.
pub(crate) trait Records: Sync {
    fn len(&self) -> usize;
    fn kind(&self, i: usize) -> Kind;
    /// The line, folded (so without ASCII upper case): what the fuzzy match runs on.
    fn folded(&self, i: usize) -> &str;
    /// [`super::fold::mask`] of the folded line, and the union of the prose masks.
    fn masks(&self, i: usize) -> (u64, u64);
    /// The `k`th longer text (folded), `None` past the last.
    fn more(&self, i: usize, k: usize) -> Option<(Field, &[u8])>;
    /// Folded filter values.
    fn status(&self, i: usize) -> &str;
    fn body(&self, i: usize) -> &str;
    /// The `k`th department key (code or whole reference, folded), `None` past the last.
    fn dept(&self, i: usize, k: usize) -> Option<&str>;
    fn due(&self, i: usize) -> Option<Date>;
    fn date(&self, i: usize) -> Option<Date>;
    /// Every (record, text position) among records `a..b` whose longer text holds every word
    /// of `q`, ascending; `None` when the layout has no faster way than record by record.
    fn prose_in(&self, _a: usize, _b: usize, _q: &Query) -> Option<Vec<(u32, u32)>> {
        None
    }
}

impl Records for [Entry] {
    fn len(&self) -> usize {
        <[Entry]>::len(self)
    }
    fn kind(&self, i: usize) -> Kind {
        self[i].kind
    }
    fn folded(&self, i: usize) -> &str {
        &self[i].folded
    }
    fn masks(&self, i: usize) -> (u64, u64) {
        (self[i].keys.line_mask, self[i].keys.more_mask)
    }
    fn more(&self, i: usize, k: usize) -> Option<(Field, &[u8])> {
        self[i].more.get(k).map(|(f, t)| (*f, t.as_bytes()))
    }
    fn status(&self, i: usize) -> &str {
        &self[i].keys.status
    }
    fn body(&self, i: usize) -> &str {
        &self[i].keys.body
    }
    fn dept(&self, i: usize, k: usize) -> Option<&str> {
        self[i].keys.depts.get(k).map(|d| &**d)
    }
    fn due(&self, i: usize) -> Option<Date> {
        self[i].due
    }
    fn date(&self, i: usize) -> Option<Date> {
        self[i].date
    }
}
