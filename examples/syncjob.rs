//! Time the workbench's sync job (sync, then the agenda and search index brought up to date)
//! on a prepared clone: `cargo run --release --example syncjob -- DIR`.
use std::time::Instant;

use overleg::store::Store;
use overleg::tui::action::{Action, Job};
use overleg::tui::worker::Runner;

fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let store = Store::open(std::path::Path::new(&dir)).expect("open");
    let mut runner = Runner::unloaded(store);
    let t = Instant::now();
    let _ = runner.run_with(0, Job::Start, &mut |_| {});
    println!("start {:?}", t.elapsed());
    let t = Instant::now();
    let a = runner.run_with(1, Job::Sync, &mut |_| {});
    let ok = matches!(&a, Action::Synced { outcome: Ok(_), .. });
    println!("sync job {:?} ok {ok}", t.elapsed());
}
