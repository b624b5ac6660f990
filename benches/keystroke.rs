//! In-process figures of the performance issue: loading the agenda (first start, and warm
//! from the record cache), building the search index, and search keystrokes over every record
//! (fuzzy + filters), on synthetic repositories. `SIZES="1000 100000" cargo bench --bench
//! keystroke`; `VERBOSE=1` prints every keystroke.
//!
//! Two keystroke lines per size: `run` scores every record for every key, as `overleg search`
//! does; the workbench line types through one incremental `Searcher`, as the search box does
//! (a key that narrows the query scores only the previous hits; a backspace returns to a query
//! whose results are remembered).
//!
//! 1,000,000 records: `target/bench/repo-1000000` is used when it exists. Otherwise the index
//! is made in memory from 10 copies of the 100,000-record index with distinct ids (said so in
//! the output): no repository of that size is generated here.

use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use overleg::search::{self, Entry, Flat, Searcher};
use overleg::store::Store;

fn pct(v: &mut [Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// median, p95 and max of a series, as one string.
fn stats(v: &[Duration]) -> String {
    let mut v = v.to_vec();
    format!(
        "median {:>8.2?} p95 {:>8.2?} max {:>8.2?}",
        pct(&mut v, 0.5),
        pct(&mut v, 0.95),
        pct(&mut v, 1.0)
    )
}

const TYPED: &str = "financiering";
const PREFIXES: [&str; 3] = ["", "status:open ", "status:open dept:EZK "];

fn verbose() -> bool {
    std::env::var_os("VERBOSE").is_some()
}

/// Every keystroke through `search::run`, from scratch (the line the issue was measured with).
fn keystrokes_run(entries: &[Entry]) -> Vec<Duration> {
    let mut keys = Vec::new();
    for q in PREFIXES {
        for i in 1..=TYPED.len() {
            let query = format!("{q}{}", &TYPED[..i]);
            let t = Instant::now();
            let (hits, _) = search::run(entries, &query);
            keys.push(t.elapsed());
            if verbose() {
                println!(
                    "  run {:>9.2?}  {:>6} hits  {query:?}",
                    t.elapsed(),
                    hits.len()
                );
            }
            std::hint::black_box(hits);
        }
    }
    keys
}

/// The search box: per prefix, a fresh searcher gets the prefix pasted, then `financiering`
/// typed char by char, then backspaced away again. Returns (typed keys incl. the paste,
/// backspaces).
fn keystrokes_workbench(entries: &Arc<Flat>) -> (Vec<Duration>, Vec<Duration>) {
    let (mut typed, mut back) = (Vec::new(), Vec::new());
    for prefix in PREFIXES {
        let mut searcher = Searcher::new();
        let mut queries: Vec<(String, bool)> = vec![(prefix.to_string(), false)];
        for i in 1..=TYPED.len() {
            queries.push((format!("{prefix}{}", &TYPED[..i]), false));
        }
        for i in (0..TYPED.len()).rev() {
            queries.push((format!("{prefix}{}", &TYPED[..i]), true));
        }
        for (query, backspace) in queries {
            let t = Instant::now();
            let r = searcher.search(entries, &query, &|| false);
            let d = t.elapsed();
            if backspace { &mut back } else { &mut typed }.push(d);
            if verbose() {
                let total = r.as_ref().map_or(0, |r| r.total);
                println!("  box {d:>9.2?}  {total:>7} hits  {query:?}");
            }
            std::hint::black_box(r);
        }
    }
    (typed, back)
}

fn report(n: usize, entries: &[Entry], head: String) {
    let run = keystrokes_run(entries);
    let flat = Arc::new(Flat::from_entries(entries));
    let (typed, back) = keystrokes_workbench(&flat);
    println!(
        "{n:>9} records: {head}  keystroke median {:>7.2?} p95 {:>7.2?} ({} keystrokes, {} entries)",
        pct(&mut run.clone(), 0.5),
        pct(&mut run.clone(), 0.95),
        run.len(),
        entries.len()
    );
    let all: Vec<Duration> = typed.iter().chain(&back).copied().collect();
    println!(
        "{:>9}   search box (incremental): all {} ({} keys); typed {}; backspace {}",
        "",
        stats(&all),
        all.len(),
        stats(&typed),
        stats(&back)
    );
}

/// 10 copies of the 100,000-record index, ids made distinct: for the 1,000,000 target when
/// no repository of that size exists.
fn copies_of_100k() -> Vec<Entry> {
    let store = Store::open(&common::repo(100_000)).expect("open");
    let base = search::index(&store.load());
    let mut out = Vec::with_capacity(base.len() * 10);
    for copy in 0..10 {
        out.extend(base.iter().map(|e| {
            let mut e = e.clone();
            e.id = format!("{}~{copy}", e.id);
            e
        }));
    }
    out
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    for n in common::sizes() {
        if n == 1_000_000 && !common::dir(n).join(".git").exists() {
            let entries = copies_of_100k();
            let head = "in memory: 10 copies of the 100,000 index (no repository), index not timed"
                .to_string();
            report(n, &entries, head);
            continue;
        }
        let dir = common::repo(n);
        let store = Store::open(&dir).expect("open");
        // The bench repositories may be shared with other checkouts: the record cache is
        // removed (to time a first start) only when asked for with COLD=1.
        if std::env::var_os("COLD").is_some() {
            let _ = std::fs::remove_file(dir.join(".git/overleg-cache/records.bin"));
        }
        let t = Instant::now();
        let agenda = store.load();
        let cold = t.elapsed();
        let mut warm: Vec<Duration> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let a = store.load();
                let d = t.elapsed();
                drop(a);
                d
            })
            .collect();
        let mut index: Vec<Duration> = Vec::new();
        let mut entries = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            entries = search::index(&agenda);
            index.push(t.elapsed());
        }
        let head = format!(
            "load {} {:>8.1?}  warm median {:>8.1?}  index median {:>8.1?}",
            if std::env::var_os("COLD").is_some() {
                "first"
            } else {
                "(cache as found)"
            },
            cold,
            pct(&mut warm, 0.5),
            pct(&mut index, 0.5),
        );
        report(n, &entries, head);
    }
}
