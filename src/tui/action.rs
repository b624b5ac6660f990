//! Everything that can happen to the workbench (`Action`), and everything `update` asks the
//! outside world to do (`Effect`). Worker results come back as actions, so the whole flow can
//! be replayed and tested without a terminal.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::model::{Agenda, Kind};
use crate::store::history::HistoryEntry;

/// Input and results, in the order they happen.
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// The agenda as read from disk (at start and after `Reload`).
    Loaded {
        agenda: Box<Agenda>,
        unshared: Option<usize>,
    },
    /// A change became a commit; the agenda is re-read from disk.
    Saved {
        job: u64,
        summary: String,
        commit: String,
        agenda: Box<Agenda>,
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
    /// `$EDITOR` returned; `None` when it failed or the text was left unchanged.
    EditorDone {
        target: EditTarget,
        text: Option<String>,
        error: Option<String>,
    },
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
    Reload,
    History { id: String, path: String },
    Save(Op),
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
