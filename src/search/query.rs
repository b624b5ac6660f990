//! The query language of the search box: free words, matched fuzzily against each record's
//! line and as prose against its longer fields, plus field filters in the same box
//! (`status:open dept:EZK due<2021-04 body:beraad type:action`).

use super::fold::{fold, mask, mask_no_space};
use super::record::Records;
use crate::model::{Date, FuzzyDate, Kind};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Filter {
    Kind(Kind),
    Status(String),
    Dept(String),
    Body(String),
    DueBefore(Date),
    DueAfter(Date),
    DateBefore(Date),
    DateAfter(Date),
}

impl Filter {
    /// Whether record `i` of `r` passes.
    pub(crate) fn passes<R: Records + ?Sized>(&self, r: &R, i: usize) -> bool {
        match self {
            Filter::Kind(k) => r.kind(i) == *k,
            Filter::Status(s) => r.status(i).starts_with(s.as_str()),
            Filter::Dept(d) => (0..).map_while(|k| r.dept(i, k)).any(|x| x == d.as_str()),
            Filter::Body(b) => r.body(i).starts_with(b.as_str()),
            Filter::DueBefore(d) => r.due(i).is_some_and(|x| x < *d),
            Filter::DueAfter(d) => r.due(i).is_some_and(|x| x > *d),
            Filter::DateBefore(d) => r.date(i).is_some_and(|x| x < *d),
            Filter::DateAfter(d) => r.date(i).is_some_and(|x| x > *d),
        }
    }

    /// Every entry that passes `self` also passes `wider` (as `status:ope` after `status:o`).
    fn implies(&self, wider: &Filter) -> bool {
        use Filter::*;
        match (self, wider) {
            (Status(a), Status(b)) | (Body(a), Body(b)) => a.starts_with(b.as_str()),
            (DueBefore(a), DueBefore(b)) | (DateBefore(a), DateBefore(b)) => a <= b,
            (DueAfter(a), DueAfter(b)) | (DateAfter(a), DateAfter(b)) => a >= b,
            (a, b) => a == b,
        }
    }
}

/// A parsed query: free text and filters.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The free words, folded and joined by single spaces.
    pub(crate) text: String,
    pub(crate) filters: Vec<Filter>,
    /// Tokens that looked like filters but could not be used.
    pub problems: Vec<String>,
    /// The words of `text`, for the prose match.
    pub(crate) words: Vec<String>,
    /// A substring searcher per word, built once per query rather than once per field.
    pub(crate) finders: Vec<memchr::memmem::Finder<'static>>,
    /// Prose is searched word by word from three characters on: one or two letters occur in
    /// every text and would only bury the real results.
    pub(crate) prose: bool,
    /// Char masks of `text` (with its spaces, which the fuzzy match needs too) and of `words`.
    pub(crate) text_mask: u64,
    pub(crate) words_mask: u64,
}

impl Query {
    /// The same results as `other`, whatever the entries: same text, same filters.
    pub(crate) fn same_as(&self, other: &Query) -> bool {
        self.text == other.text
            && self.filters.len() == other.filters.len()
            && self.filters.iter().all(|f| other.filters.contains(f))
            && other.filters.iter().all(|f| self.filters.contains(f))
    }

    /// Every hit of `self` is a hit of `wider`, so `self` can be answered by scoring only
    /// `wider`'s hits. Holds when every filter of `wider` is implied by one of ours and our
    /// text only extends `wider`'s: a fuzzy (subsequence) match of the longer text contains
    /// one of its prefix, and each word of the shorter text is a prefix of a word of the
    /// longer one, so a field containing our words contains `wider`'s. The one exception is
    /// the prose threshold: a text reaching three chars starts matching prose that the
    /// shorter one did not look at, unless that one had no text at all (it kept everything).
    pub(crate) fn narrows(&self, wider: &Query) -> bool {
        self.narrows_lines(wider) && (wider.text.is_empty() || wider.prose == self.prose)
    }

    /// Every line hit of `self` is a line hit of `wider` (prose aside): `narrows` without the
    /// prose threshold.
    pub(crate) fn narrows_lines(&self, wider: &Query) -> bool {
        wider
            .filters
            .iter()
            .all(|w| self.filters.iter().any(|f| f.implies(w)))
            && self.text.starts_with(wider.text.as_str())
    }
}

/// The window a typed date stands for: `2021-04` is April 2021, `2021` the year, else a
/// Dutch phrase.
fn window(v: &str) -> Option<(Date, Date)> {
    let parts: Vec<&str> = v.split('-').collect();
    if let [y, m] = parts.as_slice()
        && let (Ok(y), Ok(m)) = (y.parse::<i32>(), m.parse::<u8>())
    {
        return Some((
            Date::new(y, m, 1)?,
            Date::new(y, m, 1).map(|_| Date::last_of_month(y, m))?,
        ));
    }
    let f = FuzzyDate::parse(v).ok()?;
    Some((f.start?, f.end?))
}

pub fn parse_query(q: &str) -> Query {
    let mut out = Query::default();
    let mut words = Vec::new();
    for tok in q.split_whitespace() {
        let op = tok.find([':', '<', '>']);
        let Some(at) = op else {
            words.push(tok);
            continue;
        };
        let (key, val) = (tok[..at].to_lowercase(), &tok[at + 1..]);
        let sep = tok[at..].chars().next().unwrap_or(':');
        if val.is_empty() {
            // Still typing the value: not a filter yet, and not text either.
            continue;
        }
        let f = match (key.as_str(), sep) {
            ("type" | "kind" | "soort", ':') => Kind::parse(val).map(Filter::Kind),
            ("status", ':') => Some(Filter::Status(fold(val))),
            ("dept" | "owner" | "trekker" | "org", ':') => Some(Filter::Dept(fold(val))),
            ("body" | "gremium", ':') => Some(Filter::Body(fold(val))),
            ("due" | "deadline", '<') => window(val).map(|w| Filter::DueBefore(w.0)),
            ("due" | "deadline", '>') => window(val).map(|w| Filter::DueAfter(w.1)),
            ("date" | "datum", '<') => window(val).map(|w| Filter::DateBefore(w.0)),
            ("date" | "datum", '>') => window(val).map(|w| Filter::DateAfter(w.1)),
            _ => {
                words.push(tok);
                continue;
            }
        };
        match f {
            Some(f) => out.filters.push(f),
            None => out.problems.push(tok.to_string()),
        }
    }
    out.text = fold(&words.join(" "));
    out.words = out.text.split_whitespace().map(str::to_string).collect();
    out.finders = out
        .words
        .iter()
        .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
        .collect();
    out.prose = out.text.chars().count() >= 3;
    out.text_mask = mask(&out.text);
    out.words_mask = mask_no_space(&out.text);
    out
}
