//! Search over every record: fuzzy text (skim) with accents folded char by char, so the
//! matched positions still point into the original text, plus field filters in the same box
//! (`status:open dept:EZK due<2021-04 body:beraad type:action`). Pure: agenda and query in.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use unicode_normalization::UnicodeNormalization;

use crate::model::agenda::{due_of, meeting_when};
use crate::model::{Agenda, Date, FuzzyDate, Kind};

/// One searchable record.
#[derive(Clone, Debug)]
pub struct Entry {
    pub kind: Kind,
    pub id: String,
    /// What the result list shows and the fuzzy match runs on: reference and title.
    pub line: String,
    /// Longer texts searched as a whole (field label, text).
    pub more: Vec<(&'static str, String)>,
    pub status: String,
    pub depts: Vec<String>,
    pub body: String,
    /// The due window end (actions) or the date (meetings), for `due<` / `date>`.
    pub due: Option<Date>,
    pub date: Option<Date>,
}

/// One character folded: first char of its canonical decomposition, lowercased. 1:1, so the
/// indices the matcher returns are indices into the original string's chars.
pub fn fold_char(c: char) -> char {
    let base = c.nfd().next().unwrap_or(c);
    base.to_lowercase().next().unwrap_or(base)
}

pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// Build the index of every record.
pub fn index(a: &Agenda) -> Vec<Entry> {
    let body_of_meeting = |m: &str| a.meeting(m).map(|m| m.body.clone()).unwrap_or_default();
    let mut out = Vec::new();
    let mk = |kind, id: &str, line: String| Entry {
        kind,
        id: id.to_string(),
        line: crate::text::line(&line),
        more: Vec::new(),
        status: String::new(),
        depts: Vec::new(),
        body: String::new(),
        due: None,
        date: None,
    };
    for m in &a.meetings {
        let mut e = mk(
            Kind::Meeting,
            &m.id,
            format!("{} {}", a.reference(&m.id), m.title),
        );
        e.status = m.status.as_str().into();
        e.depts = vec![m.secretariat.clone()];
        e.body = m.body.clone();
        e.date = meeting_when(m);
        e.more = vec![
            ("meta_question", m.meta_question.clone()),
            ("venue", m.venue.clone()),
        ];
        out.push(e);
    }
    for i in &a.items {
        let mut e = mk(
            Kind::Item,
            &i.id,
            format!("{} {}", a.reference(&i.id), i.title),
        );
        e.status = i.status.map(|s| s.as_str().to_string()).unwrap_or_default();
        e.depts = vec![i.lead.clone()];
        e.body = body_of_meeting(&i.meeting);
        e.date = a.meeting(&i.meeting).and_then(meeting_when);
        e.more = vec![("objective", i.objective.clone())];
        for (name, text) in i.annotation.sections() {
            e.more.push((name, text.to_string()));
        }
        e.more.push(("vragen", i.annotation.vragen.join("\n")));
        out.push(e);
    }
    for n in &a.notes {
        let title = a
            .meeting(&n.meeting)
            .map(|m| m.title.clone())
            .unwrap_or_default();
        let mut e = mk(
            Kind::Notes,
            &n.id,
            format!("{} {}", a.reference(&n.id), title),
        );
        e.status = n.status.map(|s| s.as_str().to_string()).unwrap_or_default();
        e.body = body_of_meeting(&n.meeting);
        e.date = a.meeting(&n.meeting).and_then(meeting_when);
        for s in &n.summaries {
            e.more.push(("summary", s.text.clone()));
        }
        for d in &n.decisions {
            e.more.push(("decision", d.text.clone()));
        }
        for g in &n.agreements {
            e.more.push(("agreement", g.text.clone()));
        }
        out.push(e);
    }
    for x in &a.actions {
        let mut e = mk(Kind::Action, &x.id, format!("{} {}", x.reference, x.title));
        e.status = x.status.as_str().into();
        e.depts = std::iter::once(x.owner.clone())
            .chain(x.contributors.iter().cloned())
            .collect();
        e.body = if x.meeting.is_empty() {
            x.report_back.clone()
        } else {
            body_of_meeting(&x.meeting)
        };
        e.due = due_of(x).and_then(|d| d.end);
        e.more = vec![
            ("description", x.description.clone()),
            ("status_note", x.status_note.clone()),
        ];
        out.push(e);
    }
    for b in &a.bodies {
        out.push(mk(Kind::Body, &b.id, format!("{} {}", b.id, b.name)));
    }
    for o in &a.organisations {
        let mut e = mk(Kind::Organisation, &o.id, format!("{} {}", o.code, o.name));
        e.depts = vec![o.code.clone()];
        out.push(e);
    }
    for p in &a.people {
        let mut e = mk(Kind::Person, &p.id, format!("{} ({})", p.name, p.role));
        e.depts = vec![p.organisation.clone()];
        out.push(e);
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
enum Filter {
    Kind(Kind),
    Status(String),
    Dept(String),
    Body(String),
    DueBefore(Date),
    DueAfter(Date),
    DateBefore(Date),
    DateAfter(Date),
}

/// A parsed query: free text and filters.
#[derive(Clone, Debug, Default)]
pub struct Query {
    text: String,
    filters: Vec<Filter>,
    /// Tokens that looked like filters but could not be used.
    pub problems: Vec<String>,
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
    out
}

fn passes(e: &Entry, f: &Filter) -> bool {
    let code = |d: &str| fold(d.split('/').next().unwrap_or(d));
    match f {
        Filter::Kind(k) => e.kind == *k,
        Filter::Status(s) => fold(&e.status).starts_with(s.as_str()),
        Filter::Dept(d) => e.depts.iter().any(|x| code(x) == *d || fold(x) == *d),
        Filter::Body(b) => fold(&e.body).starts_with(b.as_str()),
        Filter::DueBefore(d) => e.due.is_some_and(|x| x < *d),
        Filter::DueAfter(d) => e.due.is_some_and(|x| x > *d),
        Filter::DateBefore(d) => e.date.is_some_and(|x| x < *d),
        Filter::DateAfter(d) => e.date.is_some_and(|x| x > *d),
    }
}

/// One result: which entry, how well, which chars of its line matched, and which longer
/// field matched when the line did not.
#[derive(Clone, Debug)]
pub struct Hit {
    pub entry: usize,
    pub score: i64,
    pub indices: Vec<usize>,
    pub via: Option<&'static str>,
}

pub const MAX_HITS: usize = 300;

pub fn run(entries: &[Entry], query: &str) -> (Vec<Hit>, Vec<String>) {
    let q = parse_query(query);
    let matcher = SkimMatcherV2::default();
    let mut hits = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !q.filters.iter().all(|f| passes(e, f)) {
            continue;
        }
        if q.text.is_empty() {
            hits.push(Hit {
                entry: i,
                score: 0,
                indices: Vec::new(),
                via: None,
            });
            continue;
        }
        if let Some((score, indices)) = matcher.fuzzy_indices(&fold(&e.line), &q.text) {
            hits.push(Hit {
                entry: i,
                score: score + 1000,
                indices,
                via: None,
            });
            continue;
        }
        // Long texts: every word must occur (fuzzy over pages of prose matches anything).
        let words: Vec<&str> = q.text.split_whitespace().collect();
        if let Some((label, _)) = e.more.iter().find(|(_, t)| {
            let f = fold(t);
            words.iter().all(|w| f.contains(w))
        }) {
            hits.push(Hit {
                entry: i,
                score: 0,
                indices: Vec::new(),
                via: Some(label),
            });
        }
    }
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.entry.cmp(&b.entry)));
    hits.truncate(MAX_HITS);
    (hits, q.problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, line: &str) -> Entry {
        Entry {
            kind,
            id: "x".into(),
            line: line.into(),
            more: vec![("description", "Over de coördinatie van de inzet".into())],
            status: "open".into(),
            depts: vec!["EZK/DE".into()],
            body: "beraad".into(),
            due: Date::new(2021, 3, 31),
            date: None,
        }
    }

    #[test]
    fn accents_fold_and_highlight_the_right_chars() {
        let es = vec![entry(Kind::Action, "2021-01-A5 Financiën op orde")];
        let (hits, _) = run(&es, "financien");
        assert_eq!(hits.len(), 1);
        let chars: Vec<char> = es[0].line.chars().collect();
        let matched: String = hits[0].indices.iter().map(|i| chars[*i]).collect();
        assert_eq!(matched, "Financiën");
    }

    #[test]
    fn filters_combine_with_text() {
        let es = vec![
            entry(Kind::Action, "2021-01-A5 Stukken sturen"),
            entry(Kind::Item, "x/1 Stukken"),
        ];
        assert_eq!(run(&es, "type:action stukken").0.len(), 1);
        assert_eq!(
            run(
                &es,
                "type:action status:open dept:ezk body:beraad due<2021-04"
            )
            .0
            .len(),
            1
        );
        assert_eq!(run(&es, "type:action due<2021-03").0.len(), 0);
        assert_eq!(run(&es, "type:action due>2021-02").0.len(), 1);
        assert_eq!(run(&es, "dept:bzk").0.len(), 0);
        let (hits, _) = run(&es, "coordinatie inzet");
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].via, Some("description"));
        assert_eq!(
            run(&es, "type:").0.len(),
            2,
            "a filter still being typed filters nothing"
        );
    }
}
