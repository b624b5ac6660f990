//! The search thread: scores the search box's query off the UI thread, so typing never waits
//! on scoring. It always works on the newest query: requests that queued up behind it are
//! skipped, and a scan under way stops as soon as a newer request has been sent. Results come
//! back as `Action::Searched`, tagged with the request's generation, and `update` shows only
//! those of the newest.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::action::Action;
use crate::search::{Flat, Searcher};

/// One query to search, over one index.
pub struct Request {
    pub generation: u64,
    pub query: String,
    pub index: Arc<Flat>,
}

/// The UI's end: sends requests and says which generation is the newest.
#[derive(Clone)]
pub struct Link {
    tx: Sender<Request>,
    newest: Arc<AtomicU64>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("newest", &self.newest.load(Ordering::Relaxed))
            .finish()
    }
}

impl Link {
    /// Ask for a search; false when the search thread is gone.
    pub fn send(&self, r: Request) -> bool {
        // Set before sending: a scan still busy with an older request stops at its next check.
        self.newest.store(r.generation, Ordering::Release);
        self.tx.send(r).is_ok()
    }
}

/// A link and the receiving end of its requests (the thread's, or a test's).
pub fn channel_pair() -> (Link, Receiver<Request>, Arc<AtomicU64>) {
    let (tx, rx) = channel();
    let newest = Arc::new(AtomicU64::new(0));
    (
        Link {
            tx,
            newest: newest.clone(),
        },
        rx,
        newest,
    )
}

/// Answer requests until the link is dropped or the UI stops listening.
pub fn serve(requests: Receiver<Request>, newest: Arc<AtomicU64>, out: Sender<Action>) {
    let mut searcher = Searcher::new();
    while let Ok(mut r) = requests.recv() {
        // Only the newest of what is waiting matters.
        while let Ok(newer) = requests.try_recv() {
            r = newer;
        }
        let generation = r.generation;
        let superseded = || newest.load(Ordering::Acquire) != generation;
        // `None`: a newer request arrived during the scan; it is next in the queue.
        if let Some(results) = searcher.search(&r.index, &r.query, &superseded)
            && out
                .send(Action::Searched {
                    generation,
                    results,
                })
                .is_err()
        {
            return;
        }
    }
}

/// Start the search thread; its results arrive on `out`. `None` when no thread could be
/// started: the workbench then searches on its own thread, as in tests.
pub fn spawn(out: Sender<Action>) -> Option<(Link, std::thread::JoinHandle<()>)> {
    let (link, rx, newest) = channel_pair();
    let handle = std::thread::Builder::new()
        .name("overleg-search".into())
        .spawn(move || serve(rx, newest, out))
        .ok()?;
    Some((link, handle))
}
