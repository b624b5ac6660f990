//! The lists that take the whole agenda to compute (meetings by date, follow-ups by due date,
//! the items of each meeting), kept between frames and computed again only when the agenda or
//! what they depend on changes. Every frame and every key asks for them: at 1,000,000 records
//! sorting the follow-ups alone takes longer than a frame may, and the first frame would wait
//! for it.
//!
//! A new agenda from the worker (after a save, a sync, a reload) comes with its lists already
//! computed there for what the workbench asked for last ([`Prepared`]): the UI thread computes
//! a list itself only when that changes (another filter, another body), or for the first
//! screen of a start.
//!
//! They hold positions in the agenda's record lists, not the records, so that they can live
//! beside the agenda in the state; [`Lists::clear`] when the agenda is replaced.

use std::cell::RefCell;
use std::rc::Rc;

mod compute;
mod prepared;

pub use compute::Groups;
use compute::{
    actions, actions_by_item, actions_by_meeting, by_date, items_by_meeting, meetings, my_open,
    upcoming,
};
pub use prepared::{ListKeys, Prepared};

use super::state::ActionFilter;
use crate::model::agenda::due_of;
use crate::model::records::Action;
use crate::model::{Agenda, Date, Kind};

/// One value and the key it was computed for.
pub struct Memo<K, V> {
    cell: RefCell<Option<(K, Rc<V>)>>,
    /// How many times a value was computed here (rather than found or handed in).
    computed: std::cell::Cell<u32>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            cell: RefCell::new(None),
            computed: std::cell::Cell::new(0),
        }
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    /// The value for `key`, computed only when the last one was for another key.
    pub fn get(&self, key: K, compute: impl FnOnce() -> V) -> Rc<V> {
        let hit = self
            .cell
            .borrow()
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone());
        if let Some(v) = hit {
            return v;
        }
        let v = Rc::new(compute());
        self.computed.set(self.computed.get().saturating_add(1));
        *self.cell.borrow_mut() = Some((key, v.clone()));
        v
    }

    /// Keep `value`, computed elsewhere for `key`.
    pub fn set(&self, key: K, value: V) {
        *self.cell.borrow_mut() = Some((key, Rc::new(value)));
    }

    pub fn clear(&self) {
        self.cell.borrow_mut().take();
        self.computed.set(0);
    }
}

/// Who "mine" means and which day it is: what the lists depend on beside the agenda.
#[derive(Clone, Debug, PartialEq)]
pub struct Viewer {
    pub today: Date,
    pub dept: String,
}

/// Positions in the agenda's lists of meetings (`meetings`), follow-ups (`actions`) and items.
#[derive(Default)]
pub struct Lists {
    by_date: Memo<(), Vec<u32>>,
    upcoming: Memo<Date, Vec<u32>>,
    my_open: Memo<Viewer, Vec<u32>>,
    meetings: Memo<(Date, Option<String>), Vec<u32>>,
    actions: Memo<(Viewer, ActionFilter), Vec<u32>>,
    items_by_meeting: Memo<(), Groups>,
    actions_by_item: Memo<(), Groups>,
    actions_by_meeting: Memo<(), Groups>,
}

/// How many of the next meetings the overview shows.
pub const UPCOMING: usize = 6;

impl Lists {
    pub fn clear(&self) {
        self.by_date.clear();
        self.upcoming.clear();
        self.my_open.clear();
        self.meetings.clear();
        self.actions.clear();
        self.items_by_meeting.clear();
        self.actions_by_item.clear();
        self.actions_by_meeting.clear();
    }

    /// Keep lists computed elsewhere (by the worker, beside a new agenda) for that agenda.
    pub fn install(&self, p: std::sync::Arc<Prepared>) {
        // the worker's copy is normally the only one left
        let Prepared { keys, lists } =
            std::sync::Arc::try_unwrap(p).unwrap_or_else(|shared| (*shared).clone());
        let ListKeys {
            viewer,
            filter,
            meetings_body,
        } = keys;
        self.by_date.set((), lists.by_date);
        self.upcoming.set(viewer.today, lists.upcoming);
        self.my_open.set(viewer.clone(), lists.my_open);
        self.meetings
            .set((viewer.today, meetings_body), lists.meetings);
        self.actions.set((viewer, filter), lists.actions);
        self.items_by_meeting.set((), lists.items_by_meeting);
        self.actions_by_item.set((), lists.actions_by_item);
        self.actions_by_meeting.set((), lists.actions_by_meeting);
    }

    /// How many lists were computed here rather than handed in, since the agenda was
    /// replaced (for tests).
    pub fn computations(&self) -> u32 {
        [
            self.by_date.computed.get(),
            self.upcoming.computed.get(),
            self.my_open.computed.get(),
            self.meetings.computed.get(),
            self.actions.computed.get(),
            self.items_by_meeting.computed.get(),
            self.actions_by_item.computed.get(),
            self.actions_by_meeting.computed.get(),
        ]
        .iter()
        .sum()
    }

    /// Every meeting by date (undated last), then id.
    fn by_date(&self, a: &Agenda) -> Rc<Vec<u32>> {
        self.by_date.get((), || by_date(a))
    }

    /// The next meetings from `today` on, not cancelled, soonest first.
    pub fn upcoming(&self, a: &Agenda, today: Date) -> Rc<Vec<u32>> {
        self.upcoming.get(today, || upcoming(a, today))
    }

    /// The viewer's department's follow-ups still to do: overdue first, then by due date.
    pub fn my_open(&self, a: &Agenda, viewer: &Viewer) -> Rc<Vec<u32>> {
        self.my_open.get(viewer.clone(), || my_open(a, viewer))
    }

    /// All meetings, optionally of one body: upcoming first (soonest first), then the past
    /// (latest first).
    pub fn meetings(&self, a: &Agenda, today: Date, body: Option<&str>) -> Rc<Vec<u32>> {
        self.meetings.get((today, body.map(str::to_string)), || {
            meetings(a, &self.by_date(a), today, body)
        })
    }

    /// The follow-ups list with its filters, by due date (then reference).
    pub fn actions(&self, a: &Agenda, viewer: &Viewer, f: &ActionFilter) -> Rc<Vec<u32>> {
        self.actions
            .get((viewer.clone(), f.clone()), || actions(a, viewer, f))
    }

    /// The positions of a meeting's items, in the agenda's order.
    pub fn items_of(&self, a: &Agenda, meeting: &str) -> Vec<u32> {
        let groups = self.items_by_meeting.get((), || items_by_meeting(a));
        groups.members(a.position(meeting, Kind::Meeting))
    }

    /// The positions of the follow-ups that came from an item, in the agenda's order.
    pub fn actions_of_item(&self, a: &Agenda, item: &str) -> Vec<u32> {
        let groups = self.actions_by_item.get((), || actions_by_item(a));
        groups.members(a.position(item, Kind::Item))
    }

    /// The positions of the follow-ups of a meeting, in the agenda's order.
    pub fn actions_of_meeting(&self, a: &Agenda, meeting: &str) -> Vec<u32> {
        let groups = self.actions_by_meeting.get((), || actions_by_meeting(a));
        groups.members(a.position(meeting, Kind::Meeting))
    }
}

/// The end of a follow-up's due window; none sorts last.
pub fn due_end(a: &Action) -> Date {
    let far = Date {
        year: 9999,
        month: 12,
        day: 31,
    };
    due_of(a).and_then(|d| d.end).unwrap_or(far)
}

/// Whether an owner (`BZK` or `BZK/DGDOO`) is the department `dept`.
pub fn is_mine(dept: &str, owner: &str) -> bool {
    let code = owner.split('/').next().unwrap_or("").trim();
    !dept.is_empty() && code.eq_ignore_ascii_case(dept)
}
