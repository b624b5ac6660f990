//! What the in-process benchmarks share: the sizes asked for and the synthetic repositories.

use std::path::PathBuf;

/// `SIZES="1000 100000"` (the default).
pub fn sizes() -> Vec<usize> {
    std::env::var("SIZES")
        .unwrap_or_else(|_| "1000 100000".into())
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

pub fn dir(n: usize) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench/repo-{n}"))
}

/// The synthetic repository of `n` records, generated the first time.
pub fn repo(n: usize) -> PathBuf {
    let dir = dir(n);
    if !dir.join(".git").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench dir");
        overleg::synthetic::generate(&dir, n, 1).expect("generate");
        overleg::store::setup::commit_generated(&dir, "EZK", 20).expect("commit");
    }
    dir
}
