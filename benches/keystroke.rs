//! In-process figures of the performance issue: loading the agenda (first start, and warm
//! from the record cache) and a search keystroke over every record (fuzzy + filters), on
//! synthetic repositories. `SIZES="1000 100000" cargo bench --bench keystroke`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use overleg::search;
use overleg::store::Store;

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn repo(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench/repo-{n}"));
    if !dir.join(".git").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench dir");
        overleg::synthetic::generate(&dir, n, 1).expect("generate");
        overleg::store::setup::commit_generated(&dir, "EZK", 20).expect("commit");
    }
    dir
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let sizes: Vec<usize> = std::env::var("SIZES")
        .unwrap_or_else(|_| "1000 100000".into())
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    for n in sizes {
        let dir = repo(n);
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
        let t = Instant::now();
        let entries = search::index(&agenda);
        let index = t.elapsed();
        let typed = "financiering";
        let mut keys = Vec::new();
        for q in ["", "status:open ", "status:open dept:EZK "] {
            for i in 1..=typed.len() {
                let query = format!("{q}{}", &typed[..i]);
                let t = Instant::now();
                let (hits, _) = search::run(&entries, &query);
                keys.push(t.elapsed());
                if std::env::var_os("VERBOSE").is_some() {
                    println!(
                        "  {:>9.2?}  {:>6} hits  {query:?}",
                        keys[keys.len() - 1],
                        hits.len()
                    );
                }
                std::hint::black_box(hits);
            }
        }
        println!(
            "{n:>9} records: load first {:>8.1?}  warm median {:>8.1?}  index {:>8.1?}  keystroke median {:>7.2?} p95 {:>7.2?} ({} keystrokes, {} entries)",
            cold,
            pct(&mut warm, 0.5),
            index,
            pct(&mut keys.clone(), 0.5),
            pct(&mut keys, 0.95),
            keys.len(),
            entries.len()
        );
    }
}
