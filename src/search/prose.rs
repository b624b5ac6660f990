//! Prose: which longer text of a record holds every word of the query. Record by record for
//! a few candidates; for a dense run of them, the whole run's prose at once when the layout
//! can (see [`Records::prose_in`]), as most texts are too short to be worth a search each.

use super::query::Query;
use super::record::Records;

/// The first longer field of record `i` containing every word, for a hit found in prose.
pub(crate) fn prose_field<R: Records + ?Sized>(r: &R, i: usize, q: &Query) -> Option<super::Field> {
    prose_from(r, i, q, 0).map(|(_, f)| f)
}

/// [`prose_field`] looking from the `from`th field on (the earlier ones known not to hold
/// every word), with the field's position.
pub(super) fn prose_from<R: Records + ?Sized>(
    r: &R,
    i: usize,
    q: &Query,
    from: usize,
) -> Option<(usize, super::Field)> {
    if !q.prose || q.words_mask & !r.masks(i).1 != 0 {
        return None;
    }
    (from..)
        .map_while(|k| r.more(i, k).map(|m| (k, m)))
        .find(|(_, (_, t))| q.finders.iter().all(|f| f.find(t).is_some()))
        .map(|(k, (f, _))| (k, f))
}

/// Candidates at least this dense (one in `DENSE` records) have their prose searched as a
/// whole, block by block (see [`Records::prose_in`]).
pub(super) const DENSE: u64 = 8;
/// Records per block of prose searched at once: its hits are few enough to hold, and a scan
/// looks whether it has been superseded in between.
const BLOCK: u32 = 8_192;

/// The prose hits of the block of records the scan is in, for a layout that finds them all
/// at once.
pub(super) struct Bulk {
    /// Where the candidates end.
    end: u32,
    /// The block `from..to`, its hits (record, text position) and the next one to look at.
    from: u32,
    to: u32,
    hits: Vec<(u32, u32)>,
    at: usize,
}

impl Bulk {
    pub(super) fn new(end: u32) -> Bulk {
        Bulk {
            end,
            from: 0,
            to: 0,
            hits: Vec::new(),
            at: 0,
        }
    }

    /// The first text of record `i` from position `from` on holding every word: `Some(None)`
    /// when there is none, `None` when the layout cannot tell this way.
    fn first<R: Records + ?Sized>(
        &mut self,
        r: &R,
        i: u32,
        q: &Query,
        from: u32,
    ) -> Option<Option<usize>> {
        if i < self.from || i >= self.to {
            let to = i.saturating_add(BLOCK).min(self.end).max(i + 1);
            self.hits = r.prose_in(i as usize, to as usize, q)?;
            (self.from, self.to, self.at) = (i, to, 0);
        }
        while self.hits.get(self.at).is_some_and(|h| *h < (i, from)) {
            self.at += 1;
        }
        let hit = self.hits.get(self.at).filter(|h| h.0 == i);
        Some(hit.map(|h| h.1 as usize))
    }
}

/// [`prose_from`] for record `i`, by way of `bulk` when there is one that can.
pub(super) fn prose_at<R: Records + ?Sized>(
    r: &R,
    i: u32,
    q: &Query,
    from: usize,
    bulk: &mut Option<Bulk>,
) -> Option<usize> {
    let e = i as usize;
    if !q.prose || q.words_mask & !r.masks(e).1 != 0 {
        return None;
    }
    if let Some(b) = bulk {
        match b.first(r, i, q, from as u32) {
            Some(k) => return k,
            // no bulk search in this layout: record by record from now on
            None => *bulk = None,
        }
    }
    prose_from(r, e, q, from).map(|(k, _)| k)
}
