//! Incremental search for the search box. Typing mostly makes a query narrower: one more
//! letter, or one more filter. Such a query can only hit what the previous one hit, so it is
//! scored against those hits instead of every record, skipping what that scan showed to be
//! useless (see [`score::Prior`]). A backspace returns to a query seen a moment ago, whose
//! results are still known.

use std::sync::Arc;

use super::flat::Flat;
use super::query::{Query, parse_query};
use super::score::Prior;
use super::{Hit, Results, score};

/// How many narrowing steps are remembered: enough for a long query typed letter by letter,
/// bounded because each step keeps its list of hit entries (up to five bytes per record).
const DEPTH: usize = 48;
/// How many queries left behind by typing on are remembered besides (as `fi` once `fin` is
/// typed: `fin` searches prose, so it is not answered from `fi`'s hits), for a backspace.
const RECENT: usize = 4;

/// One remembered query: every entry it hit (ascending), what a narrower query may skip for
/// each, and its shown hits.
struct Step {
    query: Query,
    matched: Vec<u32>,
    how: Vec<u8>,
    hits: Vec<Hit>,
}

impl Step {
    fn prior(&self) -> Prior<'_> {
        Prior {
            ids: &self.matched,
            how: &self.how,
        }
    }

    fn results(&self, problems: Vec<String>) -> Results {
        Results {
            hits: self.hits.clone(),
            total: self.matched.len(),
            problems,
        }
    }
}

/// Remembers a chain of queries, each narrowing the one before, over one set of entries.
#[derive(Default)]
pub struct Searcher {
    entries: Option<Arc<Flat>>,
    steps: Vec<Step>,
    /// Steps left behind that the chain no longer holds, newest last.
    recent: Vec<Step>,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher")
            .field("entries", &self.entries.as_ref().map(|e| e.len()))
            .field("steps", &self.steps.len())
            .field("recent", &self.recent.len())
            .finish()
    }
}

/// Every line `q` can match is a line hit of `wider`: `q`'s filters imply `wider`'s and its
/// text extends `wider`'s (whatever either does with prose).
fn lines_within(q: &Query, wider: &Query) -> bool {
    !wider.text.is_empty() && q.narrows_lines(wider)
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
        entries: &Arc<Flat>,
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
            self.recent.clear();
        }
        let q = parse_query(query);
        // Back to the last step this query narrows (or equals). A step left behind because
        // the query went another way (not just shorter) may be asked for again soon.
        while let Some(s) = self.steps.pop_if(|s| !q.narrows(&s.query)) {
            if !s.query.narrows(&q) {
                self.remember(s);
            }
        }
        if let Some(s) = self.steps.last()
            && s.query.same_as(&q)
        {
            return Some(s.results(q.problems));
        }
        if let Some(at) = self.recent.iter().rposition(|s| s.query.same_as(&q)) {
            // it narrows the chain's last step as `q` does: it continues the chain
            let s = self.recent.remove(at);
            let r = s.results(q.problems.clone());
            self.push(s);
            return Some(r);
        }
        let candidates = self.steps.last().map(Step::prior);
        let lines = self
            .recent
            .iter()
            .rev()
            .chain(self.steps.iter().rev())
            .find(|s| lines_within(&q, &s.query))
            .map(Step::prior);
        // the best hits of the queries this one comes from are likely among its best too
        let seeds: Vec<u32> = self
            .steps
            .last()
            .into_iter()
            .chain(self.recent.last())
            .flat_map(|s| s.hits.iter().map(|h| h.entry as u32))
            .collect();
        let scan = score::scan(entries.as_ref(), &q, candidates, lines, &seeds, cancelled)?;
        let results = Results {
            hits: scan.top.clone(),
            total: scan.matched.len(),
            problems: q.problems.clone(),
        };
        self.push(Step {
            query: q,
            matched: scan.matched,
            how: scan.how,
            hits: scan.top,
        });
        Some(results)
    }

    fn push(&mut self, s: Step) {
        if self.steps.len() == DEPTH {
            self.steps.remove(0);
        }
        self.steps.push(s);
    }

    fn remember(&mut self, s: Step) {
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push(s);
    }
}
