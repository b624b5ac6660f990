//! Search over every record: fuzzy text (skim) with accents folded char by char, so the
//! matched positions still point into the original text, plus field filters in the same box
//! (`status:open dept:EZK due<2021-04 body:beraad type:action`). Pure: entries and a query
//! in, hits out; no git, no terminal. Used by `overleg search` ([`run`]) and the workbench
//! ([`Searcher`], which answers a query that only narrows the previous one from that one's
//! hits instead of from every record).

mod bound;
pub mod compact;
mod flat;
mod fold;
mod index;
mod patch;
mod prose;
mod query;
mod record;
mod score;
mod searcher;

#[cfg(test)]
mod compact_tests;
#[cfg(test)]
mod flat_tests;
#[cfg(test)]
mod patch_tests;
#[cfg(test)]
mod tests;

pub use flat::{Flat, Row};
pub use fold::{fold, fold_char};
pub use index::{Entry, Field, index};
pub use patch::patched;
pub use query::{Query, parse_query};
pub use searcher::Searcher;

/// One result: which entry, how well, which chars of its line matched, and which longer
/// field matched when the line did not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub entry: usize,
    pub score: i64,
    pub indices: Vec<usize>,
    pub via: Option<&'static str>,
}

/// At most this many hits are sorted and shown; the rest are counted.
pub const MAX_HITS: usize = 300;

/// What a query found: the best hits in display order (best score first, then agenda
/// order), how many hits there are in all, and the tokens that looked like filters but could
/// not be used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub total: usize,
    pub problems: Vec<String>,
}

/// One query over all entries, from scratch: the best [`MAX_HITS`] hits and the problems.
pub fn run(entries: &[Entry], query: &str) -> (Vec<Hit>, Vec<String>) {
    let r = search(entries, query);
    (r.hits, r.problems)
}

/// [`run`] with the total number of hits.
pub fn search(entries: &[Entry], query: &str) -> Results {
    search_in(entries, query)
}

/// [`search`] over any form of the index.
fn search_in<R: record::Records + ?Sized>(entries: &R, query: &str) -> Results {
    let q = parse_query(query);
    // Without a way to cancel, the scan always finishes.
    let scan = score::scan(entries, &q, None, None, &[], &|| false);
    let (hits, total) = scan.map_or((Vec::new(), 0), |s| (s.top, s.matched.len()));
    Results {
        hits,
        total,
        problems: q.problems,
    }
}
