//! Incremental search for the search box. Typing mostly makes a query narrower: one more
//! letter, or one more filter. Such a query can only hit what the previous one hit, so it is
//! scored against those hits instead of every record. A backspace returns to a query seen a
//! moment ago, whose results are still known.

use std::sync::Arc;

use super::index::Entry;
use super::query::{Query, parse_query};
use super::{Hit, Results, score};

/// How many narrowing steps are remembered: enough for a long query typed letter by letter,
/// bounded because each step keeps its list of hit entries (up to one number per record).
const DEPTH: usize = 48;

/// One remembered query: every entry it hit (ascending), and its shown hits.
struct Step {
    query: Query,
    matched: Arc<Vec<u32>>,
    hits: Vec<Hit>,
}

/// Remembers a chain of queries, each narrowing the one before, over one set of entries.
#[derive(Default)]
pub struct Searcher {
    entries: Option<Arc<Vec<Entry>>>,
    steps: Vec<Step>,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher")
            .field("entries", &self.entries.as_ref().map(|e| e.len()))
            .field("steps", &self.steps.len())
            .finish()
    }
}

impl Searcher {
    pub fn new() -> Searcher {
        Searcher::default()
    }

    /// The results of `query` over `entries`: the same as [`super::search`] gives. `None` when
    /// `cancelled` answered true during a scan (a newer query is waiting); what was
    /// remembered stays valid.
    pub fn search(
        &mut self,
        entries: &Arc<Vec<Entry>>,
        query: &str,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Results> {
        // Another index (a reload, a save): nothing remembered applies. The Arc held here
        // keeps the old one alive, so a new one can never be taken for it by its address.
        if !self
            .entries
            .as_ref()
            .is_some_and(|e| Arc::ptr_eq(e, entries))
        {
            self.entries = Some(entries.clone());
            self.steps.clear();
        }
        let q = parse_query(query);
        // Back to the last step this query narrows (or equals).
        while self.steps.last().is_some_and(|s| !q.narrows(&s.query)) {
            self.steps.pop();
        }
        if let Some(s) = self.steps.last()
            && s.query.same_as(&q)
        {
            return Some(Results {
                hits: s.hits.clone(),
                total: s.matched.len(),
                problems: q.problems,
            });
        }
        let candidates = self.steps.last().map(|s| s.matched.clone());
        let scan = score::scan(
            entries.as_slice(),
            &q,
            candidates.as_deref().map(Vec::as_slice),
            cancelled,
        )?;
        let results = Results {
            hits: scan.top.clone(),
            total: scan.matched.len(),
            problems: q.problems.clone(),
        };
        if self.steps.len() == DEPTH {
            self.steps.remove(0);
        }
        self.steps.push(Step {
            query: q,
            matched: Arc::new(scan.matched),
            hits: scan.top,
        });
        Some(results)
    }
}
