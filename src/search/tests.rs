//! The search against an oracle: the straightforward scan it replaced (every entry, every
//! key), on fixed cases and on random typing.

use std::sync::Arc;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use proptest::prelude::*;

use super::*;
use crate::model::{Date, Kind};

fn entry(kind: Kind, line: &str) -> Entry {
    let mut e = Entry::new(kind, "x", line);
    e.more = vec![(
        Field::Description,
        "Over de coördinatie van de inzet".into(),
    )];
    e.status = "open".into();
    e.depts = vec!["EZK/DE".into()];
    e.body = "beraad".into();
    e.due = Date::new(2021, 3, 31);
    e.finish()
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

#[test]
fn entries_survive_bincode() {
    let e = entry(Kind::Action, "2021-01-A5 Financiën op orde");
    let bytes = bincode::serialize(&vec![e.clone()]).expect("serialize");
    let back: Vec<Entry> = bincode::deserialize(&bytes).expect("deserialize");
    // the filter values as given are not kept (their folded forms in `keys` are)
    let mut kept = e.clone();
    kept.status.clear();
    kept.depts.clear();
    kept.body.clear();
    assert_eq!(format!("{:?}", back[0]), format!("{kept:?}"));
    assert_eq!(run(&back, "financien status:open").0.len(), 1);
}

#[test]
fn total_counts_past_the_shown_hits() {
    let es: Vec<Entry> = (0..MAX_HITS + 50)
        .map(|n| entry(Kind::Action, &format!("2021-01-A{n} Stukken")))
        .collect();
    let r = search(&es, "stukken");
    assert_eq!(r.hits.len(), MAX_HITS);
    assert_eq!(r.total, MAX_HITS + 50);
}

/// The scan as it was before the index kept folded filter values and masks, and before
/// candidates and threads: every entry, sorted in full. The oracle for the tests below.
fn reference(entries: &[Entry], query: &str) -> (Vec<Hit>, usize) {
    let q = parse_query(query);
    let matcher = SkimMatcherV2::default();
    let code = |d: &str| fold(d.split('/').next().unwrap_or(d));
    let passes = |e: &Entry, f: &query::Filter| {
        use query::Filter::*;
        match f {
            Kind(k) => e.kind == *k,
            Status(s) => fold(&e.status).starts_with(s.as_str()),
            Dept(d) => e.depts.iter().any(|x| code(x) == *d || fold(x) == *d),
            Body(b) => fold(&e.body).starts_with(b.as_str()),
            DueBefore(d) => e.due.is_some_and(|x| x < *d),
            DueAfter(d) => e.due.is_some_and(|x| x > *d),
            DateBefore(d) => e.date.is_some_and(|x| x < *d),
            DateAfter(d) => e.date.is_some_and(|x| x > *d),
        }
    };
    let words: Vec<&str> = q.text.split_whitespace().collect();
    let mut hits = Vec::new();
    for (entry, e) in entries.iter().enumerate() {
        if !q.filters.iter().all(|f| passes(e, f)) {
            continue;
        }
        let hit = |score, via| Hit {
            entry,
            score,
            indices: Vec::new(),
            via,
        };
        if q.text.is_empty() {
            hits.push(hit(0, None));
        } else if let Some(score) = matcher.fuzzy_match(&e.folded, &q.text) {
            hits.push(hit(score + 1000, None));
        } else if q.text.chars().count() >= 3
            && let Some((label, _)) = e
                .more
                .iter()
                .find(|(_, t)| words.iter().all(|w| t.contains(w)))
        {
            hits.push(hit(0, Some(label.as_str())));
        }
    }
    let total = hits.len();
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.entry.cmp(&b.entry)));
    hits.truncate(MAX_HITS);
    if !q.text.is_empty() {
        for h in hits.iter_mut().filter(|h| h.via.is_none()) {
            if let Some((_, indices)) = matcher.fuzzy_indices(&entries[h.entry].folded, &q.text) {
                h.indices = indices;
            }
        }
    }
    (hits, total)
}

const WORDS: &[&str] = &[
    "financiën",
    "financiering",
    "Stukken",
    "beraad",
    "coördinatie",
    "inzet",
    "FIN",
    "EZK",
    "data",
    "digitale",
    "Kamerbrief",
    "fin-ok",
    "zee",
    "a",
];

/// Entries with lines and prose from a small vocabulary, so that queries hit many of them.
pub(super) fn entries(n: usize, seed: u64) -> Vec<Entry> {
    let mut rng = crate::synthetic::Rng::new(seed);
    let kinds = [
        Kind::Action,
        Kind::Item,
        Kind::Meeting,
        Kind::Notes,
        Kind::Person,
    ];
    let statuses = [
        "open",
        "gereed",
        "geblokkeerd",
        "opgeschort",
        "lopend",
        "",
        "Open",
    ];
    let depts = ["EZK/DE", "BZK", "FIN/BFB", "ezk"];
    (0..n)
        .map(|i| {
            let mut words = |k: usize| {
                (0..1 + rng.below(k))
                    .map(|_| *rng.pick(WORDS))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let line = format!("{i} {}", words(5));
            let (desc, note) = (words(8), words(3));
            let mut e = Entry::new(kinds[i % kinds.len()], &format!("id-{i}"), &line);
            e.more = vec![(Field::Description, desc), (Field::StatusNote, note)];
            e.status = statuses[rng.below(statuses.len())].into();
            e.depts = vec![depts[rng.below(depts.len())].into()];
            e.body = ["beraad", "do-ezk", ""][rng.below(3)].into();
            e.due = Date::new(2021, 1 + rng.below(12) as u8, 1);
            e.date = Date::new(2020, 1 + rng.below(12) as u8, 1);
            e.finish()
        })
        .collect()
}

#[test]
fn fresh_search_equals_the_reference_also_on_every_core() {
    // Large enough for the threaded scan.
    let es = entries(20_000, 7);
    for q in [
        "fin",
        "f",
        "status:open fi",
        "dept:ezk inzet",
        "",
        "zee a",
        "type:item da",
    ] {
        let r = search(&es, q);
        let (hits, total) = reference(&es, q);
        assert_eq!(r.total, total, "{q:?}");
        assert_eq!(r.hits, hits, "{q:?}");
    }
}

/// One edit of the search box.
#[derive(Clone, Debug)]
enum Edit {
    Type(char),
    Backspace,
    Paste(&'static str),
    Clear,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => proptest::sample::select(
            "finacezkdtuo ràë:".chars().collect::<Vec<_>>()
        ).prop_map(Edit::Type),
        3 => Just(Edit::Backspace),
        2 => proptest::sample::select(vec![
            "status:open ", "status:o", "status:g", "dept:EZK ", "dept:bzk ", "type:action ",
            "type:item ", "due<2021-06 ", "due>2021-03 ", "body:ber ", "body:d", "date>2020-03 ",
            "date<2020-09 ", "status:", "financ", " inzet",
        ]).prop_map(Edit::Paste),
        1 => Just(Edit::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Typing (with backspaces, pasted filters and clears) through one `Searcher` gives what
    /// the reference scan gives for every intermediate query.
    #[test]
    fn incremental_equals_fresh(seed in 0u64..1000, edits in proptest::collection::vec(edit(), 1..40)) {
        let es = entries(400, seed);
        let flat = Arc::new(Flat::from_entries(&es));
        let mut searcher = Searcher::new();
        let mut query = String::new();
        for e in edits {
            match e {
                Edit::Type(c) => query.push(c),
                Edit::Backspace => {
                    query.pop();
                }
                Edit::Paste(s) => query.push_str(s),
                Edit::Clear => query.clear(),
            }
            let got = searcher.search(&flat, &query, &|| false);
            let (hits, total) = reference(&es, &query);
            let got = got.expect("not cancelled");
            prop_assert_eq!(got.total, total, "{:?}", query);
            prop_assert_eq!(&got.hits, &hits, "{:?}", query);
            prop_assert_eq!(got.problems, parse_query(&query).problems);
        }
    }
}

#[test]
fn a_new_index_forgets_the_old_one() {
    let mut s = Searcher::new();
    let (a, b) = (entries(50, 1), entries(50, 2));
    let (fa, fb) = (
        Arc::new(Flat::from_entries(&a)),
        Arc::new(Flat::from_entries(&b)),
    );
    for q in ["f", "fi", "fin"] {
        assert_eq!(s.search(&fa, q, &|| false), Some(search(&a, q)));
    }
    assert_eq!(s.search(&fb, "fina", &|| false), Some(search(&b, "fina")));
}

#[test]
fn a_cancelled_scan_leaves_the_searcher_usable() {
    let es = entries(20_000, 3);
    let flat = Arc::new(Flat::from_entries(&es));
    let mut s = Searcher::new();
    assert_eq!(s.search(&flat, "fin", &|| true), None);
    assert_eq!(s.search(&flat, "fin", &|| false), Some(search(&es, "fin")));
}

#[test]
fn editing_a_filter_value_in_place() {
    // Widening and narrowing values of each filter, as typing and backspacing over them does.
    let es = entries(400, 11);
    let flat = Arc::new(Flat::from_entries(&es));
    let mut s = Searcher::new();
    for seq in [
        &[
            "due<2021-1",
            "due<2021-12",
            "due<2021-1",
            "due<2021-10",
            "due<2021-1",
        ][..],
        &["due>2021-1", "due>2021-12", "due>2021-1", "due>2021-10"],
        &["date<2020-1", "date<2020-12", "date<2020-1", "date<2020-10"],
        &["date>2020-1", "date>2020-12", "date>2020-1", "date>2020-10"],
        &[
            "status:gere",
            "status:ge",
            "status:g",
            "status:geb",
            "status:o",
            "status:ope",
        ],
        &["body:b", "body:be", "body:b", "body:d", "body:do-"],
        &["dept:ez", "dept:ezk", "dept:ez", "dept:fin", "dept:fin/bfb"],
        &[
            "type:action f",
            "type:actio f",
            "type:item f",
            "type:item fi",
        ],
    ] {
        for q in seq {
            let (hits, total) = reference(&es, q);
            let got = s.search(&flat, q, &|| false).expect("not cancelled");
            assert_eq!((got.hits, got.total), (hits, total), "{q:?} in {seq:?}");
        }
    }
}

#[test]
fn typing_and_backspacing_on_every_core() {
    // Large enough for threaded scans, whose parts each start inside the earlier hits; the
    // prose threshold (three chars) is crossed both ways, and backspaces return to queries
    // left behind by it.
    let es = entries(20_000, 13);
    let flat = Arc::new(Flat::from_entries(&es));
    let mut s = Searcher::new();
    let word = "financ";
    for prefix in ["", "status:o ", "dept:ezk "] {
        let typed = (0..=word.len()).map(|n| format!("{prefix}{}", &word[..n]));
        let back = (0..word.len())
            .rev()
            .map(|n| format!("{prefix}{}", &word[..n]));
        let again =
            ["fi", "fin", "fi", "fin", "fina", "f", "fz", "fin"].map(|q| format!("{prefix}{q}"));
        for q in typed.chain(back).chain(again) {
            let (hits, total) = reference(&es, &q);
            let got = s.search(&flat, &q, &|| false).expect("not cancelled");
            assert_eq!((got.hits, got.total), (hits, total), "{q:?}");
        }
    }
}
