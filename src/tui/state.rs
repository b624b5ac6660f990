//! Everything the workbench knows at one moment: the agenda, the stack of screens with their
//! selections, the overlays (forms, pickers, confirmations), filters and the status line.
//! Plain data: `update` changes it, the views read it.

use std::collections::{BTreeSet, HashMap};

use crate::model::{Agenda, Date};
use crate::store::history::HistoryEntry;

use super::action::{Op, SyncSnapshot};
use super::forms::Form;
use super::i18n::Lang;
use super::keys::{Ctx, Keymap};
use super::theme::Theme;
use super::widgets::{Editor, Picker};
use crate::search::{self, Flat, Hit};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Actions,
    Meetings,
    /// The agenda of a meeting (id).
    Agenda(String),
    /// One agenda item (id).
    Item(String),
    /// The notes of a meeting (meeting id).
    Notes(String),
    /// The history of a record (id).
    History(String),
    Search,
    /// Any other record, shown field by field (id).
    Detail(String),
    /// The conflicts of a sync, waiting for a choice.
    Conflicts,
}

impl Screen {
    pub fn ctx(&self) -> Ctx {
        match self {
            Screen::Overview => Ctx::Overview,
            Screen::Actions => Ctx::Actions,
            Screen::Meetings => Ctx::Meetings,
            Screen::Agenda(_) => Ctx::Agenda,
            Screen::Item(_) => Ctx::Item,
            Screen::Notes(_) => Ctx::Notes,
            Screen::History(_) => Ctx::History,
            Screen::Search => Ctx::Search,
            Screen::Detail(_) => Ctx::Detail,
            Screen::Conflicts => Ctx::Conflicts,
        }
    }
}

/// A screen on the stack with its own selection per pane, so Esc returns to where you were.
#[derive(Clone, Debug)]
pub struct View {
    pub screen: Screen,
    pub pane: usize,
    pub sel: [usize; 2],
    pub offset: [usize; 2],
    /// Scroll of a text pane.
    pub scroll: u16,
}

impl View {
    pub fn new(screen: Screen) -> View {
        View {
            screen,
            pane: 0,
            sel: [0; 2],
            offset: [0; 2],
            scroll: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// open, lopend, geblokkeerd
    Active,
    All,
    One(crate::model::enums::ActionStatus),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionFilter {
    pub status: StatusFilter,
    pub mine: bool,
    pub overdue: bool,
    pub body: Option<String>,
}

impl Default for ActionFilter {
    fn default() -> Self {
        ActionFilter {
            status: StatusFilter::Active,
            mine: false,
            overdue: false,
            body: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Error,
}

/// The dialogs drawn over the screens, innermost last.
pub enum Overlay {
    Help,
    Palette(Picker),
    Confirm { text: String, op: Op },
    Picker(Picker),
    Form(Box<Form>),
    Editor(Box<Editor>),
}

#[derive(Debug, Default)]
pub struct SearchState {
    pub query: String,
    /// The best hits of the query last answered, in display order.
    pub hits: Vec<Hit>,
    /// The index those hits number into: after a reload the new index is in `State::index`
    /// at once, while the hits for it are still on their way.
    pub index: std::sync::Arc<Flat>,
    /// How many hits that query has in all (more than are shown when past the limit).
    pub total: usize,
    pub problems: Vec<String>,
    /// Counts the queries asked for; only the answer to the newest is shown.
    pub generation: u64,
    /// The newest query is not answered yet.
    pub pending: bool,
    /// Keys that act on the results (Enter, arrows, Esc), pressed before they were in: run
    /// when they are, so they act on what the query in the box finds.
    pub held: Vec<crossterm::event::KeyEvent>,
    /// The search thread, when there is one; without it the state searches itself.
    pub thread: Option<super::search_worker::Link>,
    /// The searcher used without a search thread.
    pub searcher: search::Searcher,
}

/// Where the last frame put things, for the mouse: (area, pane) of each list and its offset.
#[derive(Clone, Debug, Default)]
pub struct Hits {
    pub lists: Vec<(ratatui::layout::Rect, usize, usize)>,
    pub tabs: Vec<(ratatui::layout::Rect, super::keys::Cmd)>,
}

/// An agenda as loaded by the worker, with its search index: both are built off the UI
/// thread (at 100,000 records the index alone takes most of a second) and shared, not copied.
#[derive(Clone)]
pub struct Loaded {
    pub agenda: std::sync::Arc<Agenda>,
    pub index: std::sync::Arc<Flat>,
    /// The kept lists of this agenda, when the worker knew what they were asked for.
    pub lists: Option<std::sync::Arc<super::lists::Prepared>>,
}

impl Loaded {
    pub fn of(agenda: &std::sync::Arc<Agenda>) -> Loaded {
        Loaded {
            agenda: agenda.clone(),
            index: std::sync::Arc::new(Flat::of(agenda)),
            lists: None,
        }
    }

    /// For tests and the first frame.
    pub fn new(agenda: Agenda) -> Loaded {
        Loaded::of(&std::sync::Arc::new(agenda))
    }
}

pub struct State {
    pub agenda: std::sync::Arc<Agenda>,
    pub index: std::sync::Arc<Flat>,
    pub loaded: bool,
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    pub today: Date,
    pub dept: String,
    pub author: String,
    pub repo_name: String,
    pub stack: Vec<View>,
    pub overlays: Vec<Overlay>,
    pub filter: ActionFilter,
    pub meetings_body: Option<String>,
    pub marked: BTreeSet<String>,
    pub search: SearchState,
    pub history: HashMap<String, Vec<HistoryEntry>>,
    /// Jobs under way: (job, what).
    pub pending: Vec<(u64, String)>,
    pub message: Option<(Level, String)>,
    pub unshared: Option<usize>,
    /// The newest commit made here, which `undo` may take back: (commit, summary).
    pub last_own: Option<(String, String)>,
    pub next_job: u64,
    pub hits: Hits,
    pub size: (u16, u16),
    pub quit: bool,
    /// Ahead/behind, last sync and open conflicts, as last read.
    pub sync: SyncSnapshot,
    /// The sync under way: its job and the last progress it reported.
    pub syncing: Option<(u64, Option<crate::sync::Event>)>,
    /// Every conflict is resolved and the merge commit made; the next sync pushes it.
    pub merge_done: bool,
    /// Lists computed from the whole agenda, kept between frames.
    pub lists: super::lists::Lists,
}

impl State {
    pub fn new(lang: Lang, theme: Theme, keymap: Keymap, today: Date) -> State {
        State {
            agenda: std::sync::Arc::new(Agenda::default()),
            index: std::sync::Arc::default(),
            loaded: false,
            lang,
            keymap,
            theme,
            today,
            dept: String::new(),
            author: String::new(),
            repo_name: String::new(),
            stack: vec![View::new(Screen::Overview)],
            overlays: Vec::new(),
            filter: ActionFilter::default(),
            meetings_body: None,
            marked: BTreeSet::new(),
            search: SearchState::default(),
            history: HashMap::new(),
            pending: Vec::new(),
            message: None,
            unshared: None,
            last_own: None,
            next_job: 1,
            hits: Hits::default(),
            size: (80, 24),
            quit: false,
            sync: SyncSnapshot::default(),
            syncing: None,
            merge_done: false,
            lists: super::lists::Lists::default(),
        }
    }

    /// Replace the agenda (after a load or a save) and everything derived from it.
    pub fn set_agenda(&mut self, loaded: Loaded) {
        self.agenda = loaded.agenda;
        self.index = loaded.index;
        self.lists.clear();
        if let Some(p) = loaded.lists {
            self.lists.install(p);
        }
        self.loaded = true;
        self.marked.retain(|id| self.agenda.kind_of(id).is_some());
        self.rerun_search();
        // A screen whose record is gone (deleted, or removed by undo) goes away.
        let a = &self.agenda;
        self.stack.retain(|v| match &v.screen {
            Screen::Agenda(id) | Screen::Item(id) | Screen::Notes(id) | Screen::Detail(id) => {
                a.kind_of(id).is_some()
            }
            _ => true,
        });
        if self.stack.is_empty() {
            self.stack.push(View::new(Screen::Overview));
        }
        self.history.clear();
    }

    /// Conflicting fields still without a choice.
    pub fn open_conflicts(&self) -> usize {
        self.sync
            .conflicts
            .iter()
            .filter(|c| c.resolved.is_none())
            .count()
    }

    /// Search again for the query in the box (typed, or the agenda changed): on the search
    /// thread when there is one (the answer comes as `Action::Searched`), else right here.
    pub fn rerun_search(&mut self) {
        self.search.generation += 1;
        let generation = self.search.generation;
        if let Some(link) = &self.search.thread {
            let request = super::search_worker::Request {
                generation,
                query: self.search.query.clone(),
                index: self.index.clone(),
            };
            if link.send(request) {
                self.search.pending = true;
                return;
            }
            // The search thread is gone: search here from now on.
            self.search.thread = None;
        }
        // Never cancelled here, so there is always an answer.
        let results = self
            .search
            .searcher
            .search(&self.index, &self.search.query, &|| false)
            .unwrap_or_default();
        self.searched(generation, results);
    }

    /// Show the answer to a search if it is the newest; false (and ignored) when a newer
    /// query was asked for meanwhile.
    pub fn searched(&mut self, generation: u64, results: search::Results) -> bool {
        if generation != self.search.generation {
            return false;
        }
        // The newest request was made over the current index (a new one asks again).
        self.search.index = self.index.clone();
        self.search.hits = results.hits;
        self.search.total = results.total;
        self.search.problems = results.problems;
        self.search.pending = false;
        true
    }

    pub fn view(&self) -> &View {
        // The stack is never empty (set_agenda and back() keep one screen).
        &self.stack[self.stack.len() - 1]
    }

    pub fn view_mut(&mut self) -> &mut View {
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    pub fn ctx(&self) -> Ctx {
        self.view().screen.ctx()
    }

    pub fn t(&self, m: super::i18n::Msg) -> &'static str {
        self.lang.t(m)
    }

    pub fn info(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    pub fn job_id(&mut self) -> u64 {
        let j = self.next_job;
        self.next_job += 1;
        j
    }

    /// Keep the scroll offsets the last frame settled on, and where the lists are.
    pub fn apply_hits(&mut self, hits: Hits) {
        for (_, pane, offset) in &hits.lists {
            if let Some(o) = self.view_mut().offset.get_mut(*pane) {
                *o = *offset;
            }
        }
        self.hits = hits;
    }

    /// Is this organisation reference (`EZK/DE`) of my department?
    pub fn is_mine(&self, org_ref: &str) -> bool {
        super::lists::is_mine(&self.dept, org_ref)
    }

    /// Who is looking, for the lists that depend on it.
    pub fn viewer(&self) -> super::lists::Viewer {
        super::lists::Viewer {
            today: self.today,
            dept: self.dept.clone(),
        }
    }

    /// What the kept lists are asked for now (sent to the worker with every job).
    pub fn list_keys(&self) -> super::lists::ListKeys {
        super::lists::ListKeys {
            viewer: self.viewer(),
            filter: self.filter.clone(),
            meetings_body: self.meetings_body.clone(),
        }
    }
}
