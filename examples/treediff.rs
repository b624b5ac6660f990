//! Times the tree comparisons of a sync on a clone: `cargo run --release --example treediff -- DIR`
//! (HEAD against its upstream's merge base, and the upstream against it), and the check of the
//! work tree.
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // as the binary sets them
    git2::opts::strict_object_creation(false);
    git2::opts::strict_hash_verification(false);
    // SAFETY: before any repository is opened, on the only thread
    let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 64 << 20) };
    let dir = std::env::args().nth(1).expect("a clone");
    let repo = git2::Repository::open(&dir).expect("repository");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    let up = repo
        .revparse_single("@{upstream}")
        .expect("upstream")
        .peel_to_commit()
        .expect("commit");
    let base = repo.merge_base(head.id(), up.id()).expect("base");
    let base_tree = repo
        .find_commit(base)
        .expect("base")
        .tree()
        .expect("tree")
        .id();
    for round in 0..5 {
        let t = Instant::now();
        let mut trees = overleg::store::tree_patch::Trees::new(&repo).expect("trees");
        let a = trees.diff_files(Some(base_tree), head.tree().expect("tree").id());
        let b = trees.diff_files(Some(base_tree), up.tree().expect("tree").id());
        let d1 = t.elapsed();
        let t = Instant::now();
        let st = overleg::store::worktree_status::uncommitted(&repo, "", &|_| true);
        let d2 = t.elapsed();
        println!(
            "round {round}: two diffs {d1:?} ({} and {} files), status {d2:?} ({} paths)",
            a.map_or(0, |v| v.len()),
            b.map_or(0, |v| v.len()),
            st.map_or(0, |v| v.len())
        );
    }
}
