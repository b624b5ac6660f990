//! Merging 1,000 incoming changed records into a repository of 4,000 records, where our side
//! changed the same 1,000 records in other fields (so every one goes through the record-aware
//! merge). Prints the median of several runs. `cargo bench --bench merge`

use std::time::{Duration, Instant};

use git2::{FileMode, Oid, Repository, Signature, build::TreeUpdateBuilder};
use overleg::sync::{merge, tree};

const RECORDS: usize = 4000;
const CHANGED: usize = 1000;
const RUNS: usize = 7;

fn action(i: usize, owner: &str, status: &str, extra: &str) -> String {
    format!(
        "# Actie {i}\nid = \"a-{i:06}\"\nref = \"2021-02-A{i}\"\ntitle = \"Actie nummer {i}\"\nowner = \"{owner}\" # trekker\nstatus = \"{status}\"\ndue = \"eind maart 2021\"\ndescription = \"\"\"\nRegel een van actie {i}.\nRegel twee.\nRegel drie.{extra}\n\"\"\"\n\n[[contributors_detail]]\nid = \"c-1\"\nwho = \"BZK\"\n"
    )
}

fn commit(
    repo: &Repository,
    base: Option<Oid>,
    files: &[(String, String)],
    parents: &[Oid],
) -> Oid {
    let sig = Signature::now("bench", "bench@example.invalid").expect("sig");
    let base_tree = match base {
        Some(c) => repo.find_commit(c).expect("c").tree().expect("t"),
        None => {
            let e = repo.treebuilder(None).expect("tb").write().expect("w");
            repo.find_tree(e).expect("t")
        }
    };
    let mut b = TreeUpdateBuilder::new();
    for (p, t) in files {
        let blob = repo.blob(t.as_bytes()).expect("blob");
        b.upsert(p, blob, FileMode::Blob);
    }
    let tree = repo
        .find_tree(b.create_updated(repo, &base_tree).expect("tree"))
        .expect("tree");
    let parents: Vec<git2::Commit<'_>> = parents
        .iter()
        .map(|p| repo.find_commit(*p).expect("parent"))
        .collect();
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &sig, &sig, "bench", &tree, &refs)
        .expect("commit")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init_bare(dir.path()).expect("init");
    let path = |i: usize| format!("actions/a-{i:06}.toml");
    let all: Vec<(String, String)> = (0..RECORDS)
        .map(|i| (path(i), action(i, "EZK", "open", "")))
        .collect();
    let base = commit(&repo, None, &all, &[]);
    let ours_files: Vec<(String, String)> = (0..CHANGED)
        .map(|i| (path(i), action(i, "EZK", "gereed", "")))
        .collect();
    let theirs_files: Vec<(String, String)> = (0..CHANGED)
        .map(|i| (path(i), action(i, "BZK", "open", "\nRegel vier, van BZK.")))
        .collect();
    let ours = commit(&repo, Some(base), &ours_files, &[base]);
    let theirs = commit(&repo, Some(base), &theirs_files, &[base]);
    // As after a fetch and an occasional gc: the objects are in a pack.
    repo.reference("refs/heads/ours", ours, true, "bench")
        .expect("ref");
    repo.reference("refs/heads/theirs", theirs, true, "bench")
        .expect("ref");
    let packed = std::process::Command::new("git")
        .arg("-C")
        .arg(dir.path())
        .args(["repack", "-a", "-d", "-q"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .is_ok_and(|s| s.success());
    let repo = Repository::open_bare(dir.path()).expect("reopen");
    let oc = repo.find_commit(ours).expect("ours");
    let tc = repo.find_commit(theirs).expect("theirs");

    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let m = tree::merge_commits(&repo, &oc, &tc, &[]).expect("merge");
        times.push(start.elapsed());
        assert_eq!(m.merged.len(), CHANGED);
        assert!(m.unresolved.is_empty());
    }
    println!(
        "merge_commits: {CHANGED} incoming changed records (both sides changed) into {RECORDS} records{}: median {:.1} ms over {RUNS} runs",
        if packed {
            ", objects packed"
        } else {
            ", loose objects"
        },
        median(times).as_secs_f64() * 1000.0
    );

    let (b, o, t) = (
        action(7, "EZK", "open", ""),
        action(7, "EZK", "gereed", ""),
        action(7, "BZK", "open", "\nRegel vier, van BZK."),
    );
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        for _ in 0..CHANGED {
            let m = merge::merge(Some(&b), Some(&o), Some(&t));
            assert!(m.conflicts.is_empty());
        }
        times.push(start.elapsed());
    }
    println!(
        "record merge (pure): {CHANGED} merges: median {:.1} ms over {RUNS} runs ({:.1} µs per record)",
        median(times.clone()).as_secs_f64() * 1000.0,
        median(times).as_secs_f64() * 1e6 / CHANGED as f64
    );
}
