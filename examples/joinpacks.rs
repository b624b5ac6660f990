//! Packs a clone's loose objects and joins its small packs as a sync would, whatever their
//! number, and times both: `cargo run --release --example joinpacks -- DIR`.
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("a clone");
    // as the binary runs libgit2 (src/main.rs)
    git2::opts::strict_hash_verification(false);
    let repo = git2::Repository::open(&dir).expect("a repository");
    let t = Instant::now();
    match overleg::store::loose::pack_all(&repo).map(Some) {
        Ok(Some(p)) => println!(
            "packed {} loose objects ({} trees as deltas): {} bytes loose, {} bytes packed, {:?}",
            p.objects,
            p.deltas,
            p.loose_bytes,
            p.pack_bytes,
            t.elapsed()
        ),
        Ok(None) => println!("no loose objects ({:?})", t.elapsed()),
        Err(e) => println!("packing failed: {e}"),
    }
    let t = Instant::now();
    match overleg::store::packs::plan(repo.path(), 1).and_then(|p| p.map_or(Ok(None), |p| p.run()))
    {
        Ok(Some(j)) => println!(
            "joined {} packs: {} objects ({} left out as repeated, {} deltas rebased), {} bytes, {:?}",
            j.packs,
            j.objects,
            j.repeated,
            j.rebased,
            j.bytes,
            t.elapsed()
        ),
        Ok(None) => println!("nothing to join ({:?})", t.elapsed()),
        Err(e) => println!("joining failed: {e}"),
    }
}
