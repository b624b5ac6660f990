//! What each list shows, computed from the state: shared by `update` (what is selected) and
//! the views (what is drawn), so the two can never disagree. Pure.

use crate::model::enums::{ActionStatus, PresenterStatus};
use crate::model::records::{Action, Item, Meeting};
use crate::model::validate::minutes_of;
use crate::model::{Agenda, Date};

use super::state::{State, StatusFilter};

/// The next meetings: from today on, not cancelled, soonest first.
pub fn upcoming(s: &State) -> Picked<'_, Meeting> {
    Picked {
        list: &s.agenda.meetings,
        at: s.lists.upcoming(&s.agenda, s.today),
    }
}

/// The records of a list at kept positions, in their order: what a screen shows of a long
/// list, without copying the list for every frame and key.
pub struct Picked<'a, T> {
    list: &'a [std::sync::Arc<T>],
    at: std::rc::Rc<Vec<u32>>,
}

impl<'a, T> Picked<'a, T> {
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a T> {
        let at = *self.at.get(i)?;
        self.list.get(at as usize).map(|r| &**r)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a T> + '_ {
        let list = self.list;
        self.at
            .iter()
            .filter_map(move |&i| list.get(i as usize))
            .map(|r| &**r)
    }

    /// The first position at which `pred` is false, for a list ordered so that it is true
    /// before and false after.
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let list = self.list;
        self.at
            .partition_point(|&i| list.get(i as usize).is_some_and(|r| pred(r)))
    }
}

/// The records at positions `at` of `list`.
fn pick<'a, T>(list: &'a [std::sync::Arc<T>], at: &[u32]) -> Vec<&'a T> {
    at.iter()
        .filter_map(|&i| list.get(i as usize))
        .map(|r| &**r)
        .collect()
}

/// Sort key of an action: end of its due window (none last), then its reference.
fn due_key(a: &Action) -> (Date, String) {
    (super::lists::due_end(a), a.reference.clone())
}

/// My department's follow-ups that are still to do; overdue ones first.
pub fn my_open(s: &State) -> Picked<'_, Action> {
    Picked {
        list: &s.agenda.actions,
        at: s.lists.my_open(&s.agenda, &s.viewer()),
    }
}

/// The follow-ups list with its filters, by due date.
pub fn actions(s: &State) -> Picked<'_, Action> {
    Picked {
        list: &s.agenda.actions,
        at: s.lists.actions(&s.agenda, &s.viewer(), &s.filter),
    }
}

/// The cycle of the status filter: active, all, then each status.
pub fn next_status_filter(f: StatusFilter) -> StatusFilter {
    let all = ActionStatus::ALL;
    match f {
        StatusFilter::Active => StatusFilter::All,
        StatusFilter::All => StatusFilter::One(all[0]),
        StatusFilter::One(st) => match all.iter().position(|x| *x == st) {
            Some(i) if i + 1 < all.len() => StatusFilter::One(all[i + 1]),
            _ => StatusFilter::Active,
        },
    }
}

/// All meetings, optionally of one body: upcoming first (soonest first), then the past
/// (latest first).
pub fn meetings(s: &State) -> Picked<'_, Meeting> {
    Picked {
        list: &s.agenda.meetings,
        at: s
            .lists
            .meetings(&s.agenda, s.today, s.meetings_body.as_deref()),
    }
}

/// A meeting's items, in agenda order.
pub fn items_of<'a>(s: &'a State, meeting: &str) -> Vec<&'a Item> {
    let at = s.lists.items_of(&s.agenda, meeting);
    pick(&s.agenda.items, &at)
}

/// Preparation of a meeting: (agenda complete, papers sent, presenters confirmed).
pub fn preparation(s: &State, m: &Meeting) -> (bool, bool, bool) {
    let items = items_of(s, &m.id);
    let complete = !items.is_empty()
        && items
            .iter()
            .all(|i| i.duration.is_some() && !i.title.trim().is_empty());
    let papers = m.papers_sent.is_some();
    let presenters = items
        .iter()
        .flat_map(|i| &i.presenters)
        .all(|p| p.status == Some(PresenterStatus::Confirmed));
    (complete, papers, presenters)
}

/// Minutes of the meeting's time slot (`start`–`end`), if both are known.
pub fn slot_minutes(m: &Meeting) -> Option<u32> {
    let (s, e) = (minutes_of(&m.start)?, minutes_of(&m.end)?);
    e.checked_sub(s)
}

/// For each item: when it starts ("16:20", from the meeting start and the durations before
/// it) and the running total in minutes.
pub fn running(m: &Meeting, items: &[&Item]) -> Vec<(String, u32)> {
    let start = minutes_of(&m.start);
    let mut total = 0u32;
    items
        .iter()
        .map(|i| {
            let at = start.map(|s| {
                let t = s + total;
                format!("{:02}:{:02}", (t / 60) % 24, t % 60)
            });
            total += i.duration.unwrap_or(0);
            (at.unwrap_or_default(), total)
        })
        .collect()
}

/// The sections of the item screen, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Details,
    Aanleiding,
    Advies,
    Kernpunten,
    Toelichting,
    Spreekpunten,
    Vragen,
    Attachments,
    FollowUps,
    History,
}

pub const SECTIONS: [Section; 10] = [
    Section::Details,
    Section::Aanleiding,
    Section::Advies,
    Section::Kernpunten,
    Section::Toelichting,
    Section::Spreekpunten,
    Section::Vragen,
    Section::Attachments,
    Section::FollowUps,
    Section::History,
];

impl Section {
    /// The record field an editable section writes.
    pub fn field(self) -> Option<&'static str> {
        Some(match self {
            Section::Aanleiding => "annotation.aanleiding",
            Section::Advies => "annotation.advies",
            Section::Kernpunten => "annotation.kernpunten",
            Section::Toelichting => "annotation.toelichting",
            Section::Spreekpunten => "annotation.spreekpunten",
            Section::Details => "objective",
            _ => return None,
        })
    }

    pub fn text(self, i: &Item) -> &str {
        match self {
            Section::Aanleiding => &i.annotation.aanleiding,
            Section::Advies => &i.annotation.advies,
            Section::Kernpunten => &i.annotation.kernpunten,
            Section::Toelichting => &i.annotation.toelichting,
            Section::Spreekpunten => &i.annotation.spreekpunten,
            Section::Details => &i.objective,
            _ => "",
        }
    }
}

/// Follow-ups that came from an item, by due date.
pub fn item_actions<'a>(s: &'a State, item: &str) -> Vec<&'a Action> {
    let at = s.lists.actions_of_item(&s.agenda, item);
    let mut v = pick(&s.agenda.actions, &at);
    v.sort_by_key(|a| due_key(a));
    v
}

/// A meeting's follow-ups, in agenda order.
pub fn meeting_actions<'a>(s: &'a State, meeting: &str) -> Vec<&'a Action> {
    let at = s.lists.actions_of_meeting(&s.agenda, meeting);
    pick(&s.agenda.actions, &at)
}

/// The rows of the notes screen: the meeting's items, then "general" (entries without item).
pub fn notes_rows<'a>(a: &'a Agenda, meeting: &str) -> Vec<Option<&'a Item>> {
    let mut v: Vec<Option<&Item>> = a.items_of(meeting).into_iter().map(Some).collect();
    v.push(None);
    v
}

/// How many rows the list in `pane` of the current screen has (for moving the selection).
pub fn len(s: &State, pane: usize) -> usize {
    use super::state::Screen::*;
    match (&s.view().screen, pane) {
        (Overview, 0) => upcoming(s).len(),
        (Overview, _) => my_open(s).len(),
        (Actions, _) => actions(s).len(),
        (Meetings, _) => meetings(s).len(),
        (Agenda(m), 0) => items_of(s, m).len(),
        (Agenda(m), _) => s.agenda.meeting(m).map_or(0, |m| m.participants.len()),
        (Item(_), 0) => SECTIONS.len(),
        (Item(i), _) => item_actions(s, i).len(),
        (Notes(m), _) => notes_rows(&s.agenda, m).len(),
        (History(id), _) => s.history.get(id).map_or(0, Vec::len),
        (Search, _) => s.search.hits.len(),
        (Detail(_), _) => 0,
        (Conflicts, _) => s.sync.conflicts.len(),
    }
}

/// How many panes the current screen has.
pub fn panes(s: &State) -> usize {
    use super::state::Screen::*;
    match &s.view().screen {
        Overview | Agenda(_) | Item(_) => 2,
        _ => 1,
    }
}
