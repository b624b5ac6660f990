//! Joins a clone's small packs as a sync would, and times it:
//! `cargo run --release --example joinpacks -- DIR/.git`.
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("a git folder");
    let t = Instant::now();
    match overleg::store::packs::join_if_many(std::path::Path::new(&dir)) {
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
        Err(e) => println!("failed: {e}"),
    }
}
