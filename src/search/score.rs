//! Scoring: which entries a query hits and how well, over all entries or a candidate subset,
//! in chunks on every core for large sets. Only the best [`MAX_HITS`] are sorted and get
//! match positions; the rest are only counted (and kept as candidates for the next key).

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use std::collections::BinaryHeap;

use super::bound::Bound;
use super::prose::prose_field;
use super::prose::{Bulk, DENSE, prose_at};
use super::query::Query;
use super::record::Records;
use super::{Hit, MAX_HITS};

/// Below this many entries to score, one thread: spawning costs more than it saves.
const PARALLEL_FROM: usize = 16_000;
/// How often (in entries) a scan looks whether it has been superseded.
const CANCEL_EVERY: usize = 2_048;

/// A scored hit before positions are added: (score, entry, matched on the line).
type Scored = (i64, u32, bool);

/// The hits of one scan: every hit entry (ascending), and the best ones in display order.
pub(crate) struct Scan {
    pub matched: Vec<u32>,
    /// Per hit, what a narrower query may skip (see [`Prior`]).
    pub how: Vec<u8>,
    pub top: Vec<Hit>,
}

/// Every char of `needle` occurs in `hay` in order, comparing ASCII letters without case:
/// exactly the condition under which the skim matcher finds a match at all, checked without
/// its setup and allocations. Byte-wise for an ASCII needle (an ASCII byte in UTF-8 is always a
/// whole char, and never part of another one), char-wise otherwise.
fn is_subsequence(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        // each needle byte at its first place after the one before (SIMD search, in case)
        let mut rest = hay.as_bytes();
        for &w in needle.as_bytes() {
            let (lower, upper) = (w.to_ascii_lowercase(), w.to_ascii_uppercase());
            let at = if lower == upper {
                memchr::memchr(w, rest)
            } else {
                memchr::memchr2(lower, upper, rest)
            };
            match at {
                Some(p) => rest = rest.get(p + 1..).unwrap_or_default(),
                None => return false,
            }
        }
        return true;
    }
    let mut want = needle.chars().peekable();
    for c in hay.chars() {
        match want.peek() {
            None => return true,
            Some(w) if w.eq_ignore_ascii_case(&c) => {
                want.next();
            }
            Some(_) => {}
        }
    }
    want.peek().is_none()
}

/// Display order: best score first, then agenda order.
fn order(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

/// Keep the best `MAX_HITS` of `v`, sorted: a selection, then a sort of only those.
fn best(mut v: Vec<Scored>) -> Vec<Scored> {
    if v.len() > MAX_HITS {
        v.select_nth_unstable_by(MAX_HITS - 1, order);
        v.truncate(MAX_HITS);
    }
    v.sort_unstable_by(order);
    v
}

/// The best `MAX_HITS` hits seen so far, worst on top of the heap.
struct Top(BinaryHeap<Worst>);

/// A hit ordered so that the worst (lowest score, then latest entry) is the greatest.
#[derive(PartialEq, Eq)]
struct Worst(Scored);

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        order(&self.0, &other.0)
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Top {
    fn full(&self) -> bool {
        self.0.len() == MAX_HITS
    }
    /// Could a hit with this score (and an entry after every one kept) still get in?
    fn admits(&self, score: i64) -> bool {
        !self.full() || self.0.peek().is_some_and(|w| score > w.0.0)
    }
    fn push(&mut self, s: Scored) {
        if !self.full() {
            self.0.push(Worst(s));
        } else if let Some(mut w) = self.0.peek_mut()
            && order(&s, &w.0).is_lt()
        {
            *w = Worst(s);
        }
    }
}

/// What the scan of a wider query learnt about each of its hits, so that a narrower query
/// skips work the wider one has shown to be useless: its hit entries (ascending) and per hit
/// a byte: [`LINE`] when the line may match (it did, or was not looked at), plus the first
/// longer field that may hold every word (the wider query's words are each part of one of
/// the narrower query's, so an earlier field, lacking one of them, lacks one of these too).
#[derive(Clone, Copy)]
pub(crate) struct Prior<'a> {
    pub ids: &'a [u32],
    pub how: &'a [u8],
}

/// The line of this hit may match.
pub(crate) const LINE: u8 = 0x80;

impl<'a> Prior<'a> {
    /// From the first entry not below `first` on.
    fn from(self, first: u32) -> Prior<'a> {
        let at = self.ids.partition_point(|x| *x < first);
        Prior {
            ids: self.ids.get(at..).unwrap_or_default(),
            how: self.how.get(at..).unwrap_or_default(),
        }
    }
}

/// Every hit among the entries of `part` and the best of them (see [`scan_ids`]).
fn scan_part<R: Records + ?Sized>(
    entries: &R,
    part: Part<'_>,
    lines: Option<Prior<'_>>,
    floor: i64,
    q: &Query,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Found> {
    match part {
        Part::Range(a, b) => {
            let lines = lines.map(|p| p.from(a));
            let bulk = Some(Bulk::new(b));
            scan_ids(
                entries,
                (a..b).map(|i| (i, LINE)),
                lines,
                bulk,
                floor,
                q,
                cancelled,
            )
        }
        Part::List(p) => {
            let first = p.ids.first().copied().unwrap_or(0);
            let lines = lines.map(|l| l.from(first));
            let ids = p.ids.iter().copied().zip(p.how.iter().copied());
            // Sparse candidates are searched one by one: the prose between them is not read.
            let end = p.ids.last().map_or(0, |l| l + 1);
            let dense = p.ids.len() as u64 * DENSE >= u64::from(end - first);
            let bulk = dense.then(|| Bulk::new(end));
            scan_ids(entries, ids, lines, bulk, floor, q, cancelled)
        }
    }
}

/// Hit entries (ascending) with their [`Prior`] bytes, and the best hits.
type Found = (Vec<u32>, Vec<u8>, Vec<Scored>);

/// Every hit among `ids` (ascending, each with what a wider query learnt about it) and the
/// best of them. A line that matches is a hit whatever its score; it is scored only when its
/// bound says it could be among the best. `lines`, when given, holds every entry whose line
/// may match (those of a wider text, found with other prose rules).
fn scan_ids<R: Records + ?Sized>(
    entries: &R,
    ids: impl Iterator<Item = (u32, u8)>,
    lines: Option<Prior<'_>>,
    mut bulk: Option<Bulk>,
    floor: i64,
    q: &Query,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Found> {
    let matcher = SkimMatcherV2::default();
    let bound = Bound::new(&q.text);
    let (mut matched, mut how) = (Vec::new(), Vec::new());
    let mut top = Top(BinaryHeap::with_capacity(MAX_HITS + 1));
    let mut at = 0;
    for (n, (i, prior)) in ids.enumerate() {
        if n % CANCEL_EVERY == 0 && n > 0 && cancelled() {
            return None;
        }
        let e = i as usize;
        if e >= entries.len() || !q.filters.iter().all(|f| f.passes(entries, e)) {
            continue;
        }
        let line_may = prior & LINE != 0
            && lines.is_none_or(|l| {
                while l.ids.get(at).is_some_and(|x| *x < i) {
                    at += 1;
                }
                l.ids.get(at) == Some(&i) && l.how.get(at).is_some_and(|h| h & LINE != 0)
            });
        if q.text.is_empty() {
            matched.push(i);
            how.push(LINE);
            top.push((0, i, false));
        } else if line_may
            && q.text_mask & !entries.masks(e).0 == 0
            && is_subsequence(entries.folded(e), &q.text)
        {
            // A match for certain (see `is_subsequence`); its score only if it could count.
            let folded = entries.folded(e);
            matched.push(i);
            how.push(LINE);
            // the ceiling first: once the top is full of the best scores a line of this
            // pattern can get, it settles most lines with one lookup
            let could = |most: i64| most + 1000 >= floor && top.admits(most + 1000);
            let worth = bound
                .as_ref()
                .is_none_or(|b| could(b.ceiling(folded)) && could(b.of(folded)));
            if worth && let Some(score) = matcher.fuzzy_match(folded, &q.text) {
                top.push((score + 1000, i, true));
            }
        } else if let Some(k) = prose_at(entries, i, q, usize::from(prior & !LINE), &mut bulk) {
            matched.push(i);
            how.push(u8::try_from(k).unwrap_or(127).min(127));
            top.push((0, i, false));
        }
    }
    let top = best(top.0.into_iter().map(|w| w.0).collect());
    Some((matched, how, top))
}

/// A run of entry numbers: a range of all entries, or earlier hits.
#[derive(Clone, Copy)]
enum Part<'a> {
    Range(u32, u32),
    List(Prior<'a>),
}

impl Part<'_> {
    fn len(&self) -> usize {
        match self {
            Part::Range(a, b) => (b - a) as usize,
            Part::List(l) => l.ids.len(),
        }
    }
    fn split(self, parts: usize) -> Vec<Self> {
        let size = self.len().div_ceil(parts).max(1);
        match self {
            Part::Range(a, b) => (a..b)
                .step_by(size)
                .map(|s| Part::Range(s, (s + size as u32).min(b)))
                .collect(),
            Part::List(l) => l
                .ids
                .chunks(size)
                .zip(l.how.chunks(size))
                .map(|(ids, how)| Part::List(Prior { ids, how }))
                .collect(),
        }
    }
}

/// A score the [`MAX_HITS`]th best line hit of `q` reaches for certain: the `MAX_HITS`th best
/// of `seeds` (entries to score in full first, as the best hits of the query before), or
/// the lowest score when fewer of them hit. A line whose bound stays below it is counted
/// without being scored; without a floor the top only fills up as the scan goes, and until
/// it holds good hits most lines have to be scored.
fn floor<R: Records + ?Sized>(entries: &R, q: &Query, seeds: &[u32]) -> i64 {
    if q.text.is_empty() || seeds.len() < MAX_HITS {
        return i64::MIN;
    }
    let mut seeds = seeds.to_vec();
    // an entry counted twice would raise the floor past a hit
    seeds.sort_unstable();
    seeds.dedup();
    let matcher = SkimMatcherV2::default();
    let mut scores: Vec<i64> = seeds
        .iter()
        .map(|&i| i as usize)
        .filter(|&e| e < entries.len() && q.filters.iter().all(|f| f.passes(entries, e)))
        .filter_map(|e| matcher.fuzzy_match(entries.folded(e), &q.text))
        .collect();
    if scores.len() < MAX_HITS {
        return i64::MIN;
    }
    scores.select_nth_unstable_by(MAX_HITS - 1, |a, b| b.cmp(a));
    scores[MAX_HITS - 1] + 1000
}

/// Score `q` over `candidates` (the hits of a query that `q` narrows) or, when `None`, every
/// entry; `lines`: the hits of a query whose text `q`'s extends, under filters `q`'s imply
/// (its line hits are the only lines that can match). Returns `None` if `cancelled`
/// answered true along the way.
pub(crate) fn scan<R: Records + ?Sized>(
    entries: &R,
    q: &Query,
    candidates: Option<Prior<'_>>,
    lines: Option<Prior<'_>>,
    seeds: &[u32],
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Scan> {
    let floor = floor(entries, q, seeds);
    let all = Part::Range(0, u32::try_from(entries.len()).unwrap_or(u32::MAX));
    let ids = candidates.map_or(all, Part::List);
    let threads = if ids.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let (matched, how, top) = if threads == 1 {
        scan_part(entries, ids, lines, floor, q, cancelled)?
    } else {
        let parts = std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .split(threads)
                .into_iter()
                .map(|p| scope.spawn(move || scan_part(entries, p, lines, floor, q, cancelled)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect::<Option<Vec<_>>>()
        })?;
        let total = parts.iter().map(|p| p.0.len()).sum();
        let (mut matched, mut how) = (Vec::with_capacity(total), Vec::with_capacity(total));
        let mut top = Vec::new();
        // Parts come back in order, so the matched ids stay ascending.
        for (m, h, t) in parts {
            matched.extend(m);
            how.extend(h);
            top.extend(t);
        }
        (matched, how, best(top))
    };
    Some(Scan {
        matched,
        how,
        top: positions(entries, q, top),
    })
}

/// The hits as shown: matched char positions for line matches, the field for prose matches.
fn positions<R: Records + ?Sized>(entries: &R, q: &Query, top: Vec<Scored>) -> Vec<Hit> {
    let matcher = SkimMatcherV2::default();
    top.into_iter()
        .map(|(score, i, on_line)| {
            let e = i as usize;
            let mut hit = Hit {
                entry: i as usize,
                score,
                indices: Vec::new(),
                via: None,
            };
            if on_line {
                if let Some((_, indices)) = matcher.fuzzy_indices(entries.folded(e), &q.text) {
                    hit.indices = indices;
                }
            } else if !q.text.is_empty() {
                hit.via = prose_field(entries, e, q).map(super::Field::as_str);
            }
            hit
        })
        .collect()
}
