//! Type a query into the search box's searcher over a repository's search-index snapshot,
//! key by key, and print each key's time: `cargo run --release --example typekeys -- DIR [QUERY] [ROUNDS]`.
use std::sync::Arc;
use std::time::Instant;

use overleg::catalog::{Catalog, SEARCH_INDEX};
use overleg::search::{Flat, Searcher};
use overleg::store::Store;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("DIR");
    let typed = args.next().unwrap_or_else(|| "financiering".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let store = Store::open(std::path::Path::new(&dir)).expect("open");
    let catalog = Catalog::open(&store);
    let flat: Flat = catalog
        .fresh_derived(SEARCH_INDEX)
        .expect("a fresh search-index snapshot");
    let flat = Arc::new(flat);
    let mut all = Vec::new();
    for round in 0..rounds {
        let mut searcher = Searcher::new();
        for i in 1..=typed.len() {
            let q = &typed[..i];
            let t = Instant::now();
            let r = searcher.search(&flat, q, &|| false).expect("not cancelled");
            let d = t.elapsed();
            all.push(d);
            if round + 1 == rounds {
                println!("{:>8.1?} {:>8} {q:?}", d, r.total);
            }
        }
    }
    all.sort();
    let p = |x: f64| all[((all.len() as f64 - 1.0) * x).round() as usize];
    println!(
        "median {:.1?} p95 {:.1?} max {:.1?}",
        p(0.5),
        p(0.95),
        p(1.0)
    );
}
