//! `overleg search` from its flat snapshot (read in place) against a search without any
//! snapshot, through the real binary on the bundled example with `OVERLEG_FAST_FROM=0` (so
//! the example counts as large): the same output, also after a save, and a damaged snapshot
//! is ignored.

mod common;

use std::path::Path;

use common::*;

const QUERIES: &[&str] = &[
    "financien",
    "status:open a",
    "type:action dept:ezk",
    "overleg",
    "zzzz",
    "due<2030-01",
    "zeewering",
];

/// Every query's output, table and JSON, with snapshots used from 0 records on or never.
fn answers(env: &Env, dir: &Path, fast: bool) -> Vec<String> {
    let from = if fast { "0" } else { "100000000" };
    let mut out = Vec::new();
    for q in QUERIES {
        for json in [false, true] {
            let mut c = env.overleg(dir);
            c.env("OVERLEG_FAST_FROM", from).arg("search");
            if json {
                c.arg("--json");
            }
            out.push(run_ok(c.args(q.split(' '))));
        }
    }
    out
}

/// Whether a search scores the flat snapshot (its timing line says so).
fn reads_flat(env: &Env, dir: &Path) -> bool {
    let out = env
        .overleg(dir)
        .env("OVERLEG_FAST_FROM", "0")
        .env("OVERLEG_TIMING", "1")
        .args(["search", "overleg"])
        .output()
        .expect("run");
    stderr(&out).contains("search: scored")
}

fn flat_snapshot(dir: &Path) -> std::path::PathBuf {
    dir.join(".git/overleg-cache/search-flat.snap")
}

#[test]
fn the_flat_snapshot_answers_as_a_full_search_does() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    settle(&ezk);
    let full = answers(&env, &ezk, false);
    assert!(!full.iter().any(|o| o.contains("Zeewering")));
    assert!(!flat_snapshot(&ezk).exists());
    // the first search builds the index and leaves the flat snapshot; the next ones read it
    assert_eq!(answers(&env, &ezk, true), full);
    assert!(flat_snapshot(&ezk).exists());
    assert_eq!(answers(&env, &ezk, true), full);
    assert!(
        reads_flat(&env, &ezk),
        "the flat snapshot is fresh and used"
    );

    // a save makes it stale: the answers follow the files
    let first = json(&run_ok(
        env.overleg(&ezk).args(["list", "actions", "--json"]),
    ));
    let a = first[0]["id"].as_str().expect("an action").to_string();
    run_ok(
        env.overleg(&ezk)
            .args(["set", &a, "title=Zeewering herzien"]),
    );
    settle(&ezk);
    let full = answers(&env, &ezk, false);
    assert!(
        full.iter().any(|o| o.contains("Zeewering herzien")),
        "{full:?}"
    );
    assert_eq!(answers(&env, &ezk, true), full);
    assert_eq!(answers(&env, &ezk, true), full);
}

#[test]
fn a_damaged_flat_snapshot_is_ignored() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    settle(&ezk);
    let full = answers(&env, &ezk, false);
    answers(&env, &ezk, true);
    let snap = flat_snapshot(&ezk);
    let bytes = std::fs::read(&snap).expect("snapshot");
    // cut short; then every text byte made invalid UTF-8 (the snapshot header is kept)
    let mut cut = bytes.clone();
    cut.truncate(bytes.len() - 7);
    let mut garbled = bytes.clone();
    let n = garbled.len();
    for b in &mut garbled[n - 2000..] {
        *b = 0xff;
    }
    for damaged in [cut, garbled] {
        std::fs::write(&snap, &damaged).expect("damage");
        assert_eq!(answers(&env, &ezk, true), full);
        // the search that found it damaged wrote a good one back
        assert!(reads_flat(&env, &ezk));
        assert_eq!(answers(&env, &ezk, true), full);
    }
}
