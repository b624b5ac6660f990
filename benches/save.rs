//! The workbench's save, in process: a field edit of one record handed to the worker, until
//! the saved result (commit made, agenda up to date) is back, then the search index job that
//! follows it, on the
//! synthetic repositories of `benches/keystroke.rs`. `SIZES="1000 100000" cargo bench --bench save`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::time::{Duration, Instant};

use overleg::store::Store;
use overleg::tui::action::{Action, Job, Op};
use overleg::tui::worker::Runner;

fn main() {
    for n in common::sizes() {
        let dir = common::repo(n);
        let store = Store::open(&dir).expect("open");
        let mut runner = Runner::unloaded(store);
        let t = Instant::now();
        let _ = runner.run_with(0, Job::Start, &mut |_| {});
        let start = t.elapsed();
        let Some(target) = runner.agenda.actions.first().map(|a| a.id.clone()) else {
            continue;
        };
        let mut times: Vec<Duration> = Vec::new();
        let mut indexed: Vec<Duration> = Vec::new();
        for i in 0..5 {
            let op = Op::Set {
                id: target.clone(),
                fields: vec![(
                    "status_note".into(),
                    format!("bench {i} {:?}", Instant::now()),
                )],
            };
            let t = Instant::now();
            match runner.run(1, Job::Save(op)) {
                Action::Saved { .. } => times.push(t.elapsed()),
                Action::Failed { message, .. } => panic!("save failed: {message}"),
                _ => panic!("save gave no result"),
            }
            // what the workbench asks for next: the search index of the saved agenda
            let t = Instant::now();
            match runner.run(2, Job::Index) {
                Action::Indexed { .. } => indexed.push(t.elapsed()),
                _ => panic!("the index job gave no index"),
            }
        }
        times.sort();
        indexed.sort();
        println!(
            "{n:>9} records: start (worker, incl. check of every file) {start:>8.1?}  save median {:>8.1?}  max {:>8.1?} ({} saves); search index after it median {:>8.1?}",
            times[times.len() / 2],
            times[times.len() - 1],
            times.len(),
            indexed[indexed.len() / 2]
        );
    }
}
