//! Everything that can happen to the workbench (`Action`), and everything `update` asks the
//! outside world to do (`Effect`). Worker results come back as actions, so the whole flow can
//! be replayed and tested without a terminal.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::model::Kind;
use crate::store::history::HistoryEntry;
use crate::sync::conflicts::FieldConflict;
use crate::sync::merge::Take;
use crate::sync::{Event, SyncReport, SyncStatus};

/// Input and results, in the order they happen.
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// The agenda as read from disk (at start and after `Reload`).
    Loaded {
        agenda: super::state::Loaded,
        unshared: Option<usize>,
    },
    /// A change became a commit; the agenda is re-read from disk.
    Saved {
        job: u64,
        summary: String,
        commit: String,
        agenda: super::state::Loaded,
        unshared: Option<usize>,
        /// The id of a record the change created, to select it.
        created: Option<String>,
        /// An undo is itself not undoable (it would redo).
        undoable: bool,
    },
    Failed {
        job: u64,
        message: String,
    },
    HistoryLoaded {
        id: String,
        entries: Vec<HistoryEntry>,
    },
    /// Ahead/behind, the last sync and the conflicts waiting, read without the network.
    SyncState(Box<SyncSnapshot>),
    /// A sync under way reports how far it is.
    SyncProgress {
        job: u64,
        event: Event,
    },
    /// A sync ended; the agenda is re-read from disk.
    Synced {
        job: u64,
        outcome: Result<SyncReport, SyncFailure>,
        agenda: super::state::Loaded,
        unshared: Option<usize>,
        snapshot: Box<SyncSnapshot>,
    },
    /// A conflict was resolved (or the choice refused).
    Resolved {
        job: u64,
        outcome: Result<ResolvedOutcome, String>,
        agenda: super::state::Loaded,
        unshared: Option<usize>,
        snapshot: Box<SyncSnapshot>,
    },
    /// The worker packed the clone's loose objects or joined its packs while the user was
    /// idle (a failure in `Err` or `failed`: every object stays as it was).
    Tidied(super::worker::Tidy),
    /// The search index caught up with the agenda after a save.
    Indexed {
        index: std::sync::Arc<crate::search::Flat>,
    },
    /// The search thread answered a query (see `State::rerun_search`).
    Searched {
        generation: u64,
        results: crate::search::Results,
    },
    /// `$EDITOR` returned; `None` when it failed or the text was left unchanged.
    EditorDone {
        target: EditTarget,
        text: Option<String>,
        error: Option<String>,
    },
}

/// The sync side of the repository at one moment (cheap: no network).
#[derive(Clone, Debug, Default)]
pub struct SyncSnapshot {
    /// `None` when the repository has no sync state to show (no remote, no branch).
    pub status: Option<SyncStatus>,
    pub conflicts: Vec<FieldConflict>,
    /// The local time zone (minutes east of UTC), to show times the way the clock shows them.
    pub offset_minutes: i32,
}

/// Why a sync stopped, sorted so the workbench can say it plainly in either language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncFailure {
    Unreachable { url: String, detail: String },
    Auth { url: String, detail: String },
    Dirty(Vec<String>),
    Markers(Vec<String>),
    NoRemote(String),
    Busy(u32),
    Other(String),
}

/// What resolving one conflict did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedOutcome {
    pub field: String,
    pub remaining: usize,
    /// The last one: the merge commit is made and the next sync pushes it.
    pub completed: bool,
}

/// Where text edited outside (in `$EDITOR`) goes back to.
#[derive(Clone, Debug, PartialEq)]
pub enum EditTarget {
    /// Straight into a record field, saved as one commit.
    Field { id: String, field: String },
    /// Into field `n` of the open form.
    FormField(usize),
    /// Into the open multi-line editor.
    Editor,
}

/// One change to the repository; each becomes exactly one commit.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Set {
        id: String,
        fields: Vec<(String, String)>,
    },
    /// Several records in one commit (a status change for a selection, a reorder).
    Multi {
        sets: Vec<(String, Vec<(String, String)>)>,
        what: String,
    },
    Create {
        kind: Kind,
        fields: Vec<(String, String)>,
    },
    Delete {
        id: String,
    },
    AddEntry {
        id: String,
        list: String,
        fields: Vec<(String, String)>,
    },
    /// Add an entry to the notes of a meeting, making the notes record when there is none.
    AddNotesEntry {
        meeting: String,
        list: String,
        fields: Vec<(String, String)>,
    },
    /// A new meeting with held-over items and an item listing the open follow-ups.
    Prepare {
        previous: String,
        fields: Vec<(String, String)>,
    },
    /// Restore what the given commit (our own, the newest) changed.
    Undo {
        commit: String,
    },
}

/// Background work.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// The first load: from snapshots when they are fresh, then a check of every file.
    Start,
    Reload,
    History {
        id: String,
        path: String,
    },
    Save(Op),
    /// The search index of the agenda as it is now (a save leaves it to this job).
    Index,
    /// Ahead/behind and conflicts (no network).
    SyncState,
    /// Fetch, merge, push (with retries), reporting progress.
    Sync,
    /// Choose the value of one conflicting field (`record` is the record's file path).
    Resolve {
        record: String,
        field: String,
        take: Take,
    },
}

/// What `update` asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Run on the worker; its result comes back as an action.
    Run(u64, Job),
    /// Suspend the terminal and edit `text` in `$EDITOR`.
    External {
        target: EditTarget,
        text: String,
    },
    Quit,
}
