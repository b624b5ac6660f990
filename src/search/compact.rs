//! The search index in one flat byte layout, for `overleg search`: read from its snapshot and
//! scored in place, without building an owned [`Entry`] per record (decoding 100,000 of them
//! cost more than the whole search). Strings are one buffer addressed by end offsets; the
//! per-record numbers are fixed-width arrays. Every offset is checked once when the bytes are
//! opened, so no accessor can index out of bounds; text is checked to be UTF-8 only when a
//! search reads it, and text that fails marks the view damaged (the caller then falls back to
//! the full index) instead of panicking. As with any snapshot, a change that leaves valid text
//! behind cannot be seen.
//!
//! Layout (little endian): magic, then the counts `n` (records), `values` (distinct filter
//! values), `strings`, `depts`, `text` (bytes), then these arrays:
//! `first` (n+1 × u32: each record's strings are `first[i]..first[i+1]`: id, line, folded
//! line, then its longer texts), `dfirst` (n+1 × u32: its department keys), `status`, `body`
//! (n × u32, value numbers), `due`, `date` (n × u32, [`pack`]ed), `kind` (n × u8), `masks`
//! (n × 2 × u64: line, prose), `ends` (strings × u32), `fields` (strings × u8: the field of a
//! longer text), `depts` (depts × u32, value numbers), `text`. Strings `0..values` are the
//! filter values.

use std::sync::atomic::{AtomicBool, Ordering};

use super::index::{Entry, Field, kind_code};
use super::record::Records;
use crate::model::{Date, Kind};

const MAGIC: &[u8; 8] = b"OVLSRCH1";

/// Field codes: a field's position here.
pub(super) const FIELDS: [Field; 15] = [
    Field::MetaQuestion,
    Field::Venue,
    Field::Objective,
    Field::Aanleiding,
    Field::Advies,
    Field::Kernpunten,
    Field::Toelichting,
    Field::Spreekpunten,
    Field::Annotation,
    Field::Vragen,
    Field::Summary,
    Field::Decision,
    Field::Agreement,
    Field::Description,
    Field::StatusNote,
];

/// The field code of strings that are not longer texts (id, line, folded line, values).
const NO_FIELD: u8 = u8::MAX;

/// A date in 32 bits (0 for none): dates are checked again when read.
pub(super) fn pack(d: Option<Date>) -> u32 {
    d.map_or(0, |d| {
        (u32::try_from(d.year).unwrap_or(0) << 9) | (u32::from(d.month) << 5) | u32::from(d.day)
    })
}

pub(super) fn unpack(v: u32) -> Option<Option<Date>> {
    if v == 0 {
        return Some(None);
    }
    let year = i32::try_from(v >> 9).ok()?;
    Date::new(year, ((v >> 5) & 15) as u8, (v & 31) as u8).map(Some)
}

/// Strings in one buffer, by end offset.
#[derive(Default)]
struct Strings {
    ends: Vec<u32>,
    fields: Vec<u8>,
    text: Vec<u8>,
}

impl Strings {
    fn push(&mut self, s: &str, field: u8) -> Option<()> {
        self.text.extend_from_slice(s.as_bytes());
        self.ends.push(u32::try_from(self.text.len()).ok()?);
        self.fields.push(field);
        Some(())
    }
}

fn put(out: &mut Vec<u8>, v: &[u32]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

/// The flat layout of `entries`; `None` when it would not fit 32-bit offsets.
pub fn encode(entries: &[Entry]) -> Option<Vec<u8>> {
    // the filter values, each once (a dozen statuses, bodies and departments)
    let mut values: Vec<&str> = Vec::new();
    let mut value_of: rustc_hash::FxHashMap<&str, u32> = Default::default();
    for e in entries {
        let keys = [&e.keys.status, &e.keys.body].into_iter();
        for v in keys.chain(e.keys.depts.iter()) {
            if !value_of.contains_key(&**v) {
                value_of.insert(v, u32::try_from(values.len()).ok()?);
                values.push(v);
            }
        }
    }
    let value = |s: &str| value_of.get(s).copied().unwrap_or(0);
    let mut strings = Strings::default();
    for v in &values {
        strings.push(v, NO_FIELD)?;
    }
    let n = entries.len();
    let (mut first, mut dfirst) = (Vec::with_capacity(n + 1), Vec::with_capacity(n + 1));
    let (mut status, mut body, mut depts) = (Vec::with_capacity(n), Vec::with_capacity(n), vec![]);
    let (mut due, mut date) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut kinds = Vec::with_capacity(n);
    let mut masks = Vec::with_capacity(n * 16);
    for e in entries {
        first.push(u32::try_from(strings.ends.len()).ok()?);
        dfirst.push(u32::try_from(depts.len()).ok()?);
        strings.push(&e.id, NO_FIELD)?;
        strings.push(&e.line, NO_FIELD)?;
        strings.push(&e.folded, NO_FIELD)?;
        for (f, t) in &e.more {
            let code = FIELDS.iter().position(|x| x == f).unwrap_or(0);
            strings.push(t, code as u8)?;
        }
        status.push(value(&e.keys.status));
        body.push(value(&e.keys.body));
        depts.extend(e.keys.depts.iter().map(|d| value(d)));
        due.push(pack(e.due));
        date.push(pack(e.date));
        kinds.push(
            kind_code::ORDER
                .iter()
                .position(|k| *k == e.kind)
                .unwrap_or(0) as u8,
        );
        masks.extend_from_slice(&e.keys.line_mask.to_le_bytes());
        masks.extend_from_slice(&e.keys.more_mask.to_le_bytes());
    }
    first.push(u32::try_from(strings.ends.len()).ok()?);
    dfirst.push(u32::try_from(depts.len()).ok()?);
    let mut out = Vec::with_capacity(strings.text.len() + n * 64 + strings.ends.len() * 5);
    out.extend_from_slice(MAGIC);
    put(
        &mut out,
        &[
            u32::try_from(n).ok()?,
            u32::try_from(values.len()).ok()?,
            u32::try_from(strings.ends.len()).ok()?,
            u32::try_from(depts.len()).ok()?,
            u32::try_from(strings.text.len()).ok()?,
        ],
    );
    for a in [&first, &dfirst, &status, &body, &due, &date] {
        put(&mut out, a);
    }
    out.extend_from_slice(&kinds);
    out.extend_from_slice(&masks);
    put(&mut out, &strings.ends);
    out.extend_from_slice(&strings.fields);
    put(&mut out, &depts);
    out.extend_from_slice(&strings.text);
    Some(out)
}

/// A little-endian u32 array inside the bytes.
#[derive(Clone, Copy)]
struct U32s<'a>(&'a [u8]);

impl U32s<'_> {
    /// The `i`th number; 0 past the end (never reached once the layout is checked).
    fn at(self, i: usize) -> u32 {
        i.checked_mul(4)
            .and_then(|a| self.0.get(a..a + 4))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }
    fn iter(self) -> impl Iterator<Item = u32> {
        self.0
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The search index as laid out by [`encode`], read in place.
pub struct Compact<'a> {
    n: usize,
    first: U32s<'a>,
    dfirst: U32s<'a>,
    status: U32s<'a>,
    body: U32s<'a>,
    due: U32s<'a>,
    date: U32s<'a>,
    kinds: &'a [u8],
    masks: &'a [u8],
    ends: U32s<'a>,
    fields: &'a [u8],
    depts: U32s<'a>,
    text: &'a [u8],
    /// Set when a text turned out not to be UTF-8: the results cannot be trusted.
    damaged: AtomicBool,
}

/// Cut `len` bytes off the front of `rest`.
fn take<'a>(rest: &mut &'a [u8], len: usize) -> Option<&'a [u8]> {
    if rest.len() < len {
        return None;
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Some(head)
}

/// Whether `v` never decreases, stays at or above `from` and ends at `to` (is `from` = `to`
/// when empty).
fn steps(v: U32s<'_>, from: u32, to: u32) -> bool {
    let mut last = from;
    v.iter().all(|x| {
        let ok = x >= last;
        last = x;
        ok
    }) && last == to
}

impl<'a> Compact<'a> {
    /// The view of `bytes`, `None` unless they hold a complete, consistent layout.
    pub fn new(bytes: &'a [u8]) -> Option<Compact<'a>> {
        let mut rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let counts = U32s(take(&mut rest, 20)?);
        let [n, values, strings, depts, text] = [0, 1, 2, 3, 4].map(|i| counts.at(i) as usize);
        let words = |count: usize| count.checked_mul(4);
        let mut arr = |len: Option<usize>| len.and_then(|l| take(&mut rest, l));
        let v = Compact {
            n,
            first: U32s(arr(words(n.checked_add(1)?))?),
            dfirst: U32s(arr(words(n.checked_add(1)?))?),
            status: U32s(arr(words(n))?),
            body: U32s(arr(words(n))?),
            due: U32s(arr(words(n))?),
            date: U32s(arr(words(n))?),
            kinds: arr(Some(n))?,
            masks: arr(n.checked_mul(16))?,
            ends: U32s(arr(words(strings))?),
            fields: arr(Some(strings))?,
            depts: U32s(arr(words(depts))?),
            text: arr(Some(text))?,
            damaged: AtomicBool::new(false),
        };
        let fits = |x: usize| u32::try_from(x).ok();
        let ok = rest.is_empty()
            && v.first.at(0) as usize == values
            && steps(v.first, fits(values)?, fits(strings)?)
            && steps(v.dfirst, 0, fits(depts)?)
            && steps(v.ends, 0, fits(text)?)
            && (0..n).all(|i| v.check(i, values))
            && v.depts.iter().all(|d| (d as usize) < values)
            && (0..values).all(|k| std::str::from_utf8(v.string(k)).is_ok());
        ok.then_some(v)
    }

    /// Record `i`'s numbers are usable: three strings at least, longer texts with a field,
    /// known values, kind and dates.
    fn check(&self, i: usize, values: usize) -> bool {
        let (a, b) = (self.first.at(i) as usize, self.first.at(i + 1) as usize);
        b >= a + 3
            && (a + 3..b).all(|k| {
                self.fields
                    .get(k)
                    .is_some_and(|f| usize::from(*f) < FIELDS.len())
            })
            && (self.status.at(i) as usize) < values
            && (self.body.at(i) as usize) < values
            && self
                .kinds
                .get(i)
                .is_some_and(|k| usize::from(*k) < kind_code::ORDER.len())
            && unpack(self.due.at(i)).is_some()
            && unpack(self.date.at(i)).is_some()
    }

    /// String `k`'s bytes.
    fn string(&self, k: usize) -> &'a [u8] {
        let start = if k == 0 {
            0
        } else {
            self.ends.at(k - 1) as usize
        };
        self.text
            .get(start..self.ends.at(k) as usize)
            .unwrap_or_default()
    }

    /// String `k` as text; a damaged view and "" when it is not UTF-8.
    fn text_of(&self, k: usize) -> &'a str {
        std::str::from_utf8(self.string(k)).unwrap_or_else(|_| {
            self.damaged.store(true, Ordering::Relaxed);
            ""
        })
    }

    /// Whether some text used so far was not UTF-8 (then nothing read may be trusted).
    pub fn damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed)
    }

    /// [`super::search`] over this view. Check [`Compact::damaged`] after using the results.
    pub fn search(&self, query: &str) -> super::Results {
        super::search_in(self, query)
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn kind_of(&self, i: usize) -> Kind {
        Records::kind(self, i)
    }

    pub fn id(&self, i: usize) -> &'a str {
        self.text_of(self.first.at(i) as usize)
    }

    pub fn line(&self, i: usize) -> &'a str {
        self.text_of(self.first.at(i) as usize + 1)
    }

    fn value(&self, v: u32) -> &'a str {
        // checked to be UTF-8 by `new`
        std::str::from_utf8(self.string(v as usize)).unwrap_or_default()
    }
}

impl Records for Compact<'_> {
    fn len(&self) -> usize {
        self.n
    }
    fn kind(&self, i: usize) -> Kind {
        let code = self.kinds.get(i).copied().unwrap_or(0);
        kind_code::ORDER
            .get(usize::from(code))
            .copied()
            .unwrap_or(Kind::Meeting)
    }
    fn folded(&self, i: usize) -> &str {
        self.text_of(self.first.at(i) as usize + 2)
    }
    fn masks(&self, i: usize) -> (u64, u64) {
        let word = |k: usize| {
            self.masks
                .get(k..k + 8)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        (word(i * 16), word(i * 16 + 8))
    }
    fn more(&self, i: usize, k: usize) -> Option<(Field, &[u8])> {
        let s = self.first.at(i) as usize + 3 + k;
        if s >= self.first.at(i + 1) as usize {
            return None;
        }
        let field = FIELDS.get(usize::from(*self.fields.get(s)?))?;
        let text = self.string(s);
        // compared as bytes, but bytes that are not text mean a damaged file all the same
        if std::str::from_utf8(text).is_err() {
            self.damaged.store(true, Ordering::Relaxed);
        }
        Some((*field, text))
    }
    fn status(&self, i: usize) -> &str {
        self.value(self.status.at(i))
    }
    fn body(&self, i: usize) -> &str {
        self.value(self.body.at(i))
    }
    fn dept(&self, i: usize, k: usize) -> Option<&str> {
        let d = self.dfirst.at(i) as usize + k;
        (d < self.dfirst.at(i + 1) as usize).then(|| self.value(self.depts.at(d)))
    }
    fn due(&self, i: usize) -> Option<Date> {
        unpack(self.due.at(i)).flatten()
    }
    fn date(&self, i: usize) -> Option<Date> {
        unpack(self.date.at(i)).flatten()
    }
}
