//! The lists that take the whole agenda to compute (meetings by date, follow-ups by due date,
//! the items of each meeting), kept between frames and computed again only when the agenda or
//! what they depend on changes. Every frame and every key asks for them: at 1,000,000 records
//! sorting the follow-ups alone takes longer than a frame may, and the first frame would wait
//! for it.
//!
//! They hold positions in the agenda's record lists, not the records, so that they can live
//! beside the agenda in the state; [`Lists::clear`] when the agenda is replaced.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;

use super::state::ActionFilter;
use crate::model::agenda::{due_of, is_overdue, meeting_when};
use crate::model::enums::MeetingStatus;
use crate::model::records::Action;
use crate::model::{Agenda, Date};

/// One value and the key it was computed for.
pub struct Memo<K, V> {
    cell: RefCell<Option<(K, Rc<V>)>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            cell: RefCell::new(None),
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
        *self.cell.borrow_mut() = Some((key, v.clone()));
        v
    }

    pub fn clear(&self) {
        self.cell.borrow_mut().take();
    }
}

/// Who "mine" means and which day it is: what the lists depend on beside the agenda.
#[derive(Clone, PartialEq)]
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
    items_by_meeting: Memo<(), HashMap<String, Vec<u32>>>,
    actions_by_item: Memo<(), HashMap<String, Vec<u32>>>,
    actions_by_meeting: Memo<(), HashMap<String, Vec<u32>>>,
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

    /// Every meeting by date (undated last), then id.
    fn by_date(&self, a: &Agenda) -> Rc<Vec<u32>> {
        self.by_date.get((), || {
            let mut keyed: Vec<(Option<Date>, &str, u32)> = a
                .meetings
                .iter()
                .zip(0u32..)
                .map(|(m, i)| (meeting_when(m), m.id.as_str(), i))
                .collect();
            // `None` sorts first, as `meetings_by_date` has it
            keyed.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
            keyed.into_iter().map(|(_, _, i)| i).collect()
        })
    }

    /// The next meetings from `today` on, not cancelled, soonest first.
    pub fn upcoming(&self, a: &Agenda, today: Date) -> Rc<Vec<u32>> {
        self.upcoming.get(today, || {
            // the few smallest of all, without sorting all
            let mut best: Vec<(Date, &str, u32)> = Vec::with_capacity(UPCOMING + 1);
            for (m, i) in a.meetings.iter().zip(0u32..) {
                let Some(when) = meeting_when(m).filter(|d| *d >= today) else {
                    continue;
                };
                if m.status == MeetingStatus::Cancelled {
                    continue;
                }
                let key = (when, m.id.as_str(), i);
                if best.len() == UPCOMING
                    && best.last().is_some_and(|l| (l.0, l.1) <= (when, key.1))
                {
                    continue;
                }
                let at = best.partition_point(|b| (b.0, b.1) < (when, key.1));
                best.insert(at, key);
                best.truncate(UPCOMING);
            }
            best.into_iter().map(|(_, _, i)| i).collect()
        })
    }

    /// The viewer's department's follow-ups still to do: overdue first, then by due date.
    pub fn my_open(&self, a: &Agenda, viewer: &Viewer) -> Rc<Vec<u32>> {
        self.my_open.get(viewer.clone(), || {
            let mine = a
                .actions
                .iter()
                .zip(0u32..)
                .filter(|(x, _)| x.status.is_active() && is_mine(&viewer.dept, &x.owner));
            let mut keyed: Vec<_> = mine
                .map(|(x, i)| ((!is_overdue(x, viewer.today), due_end(x)), x, i))
                .collect();
            keyed.sort_by(|(k, x, _), (l, y, _)| {
                k.cmp(l).then_with(|| x.reference.cmp(&y.reference))
            });
            keyed.into_iter().map(|(_, _, i)| i).collect()
        })
    }

    /// All meetings, optionally of one body: upcoming first (soonest first), then the past
    /// (latest first).
    pub fn meetings(&self, a: &Agenda, today: Date, body: Option<&str>) -> Rc<Vec<u32>> {
        self.meetings.get((today, body.map(str::to_string)), || {
            let of_body = |i: &&u32| {
                body.is_none_or(|b| a.meetings.get(**i as usize).is_some_and(|m| m.body == b))
            };
            let all: Vec<u32> = self.by_date(a).iter().filter(of_body).copied().collect();
            let (mut up, mut past): (Vec<u32>, Vec<u32>) = all.into_iter().partition(|i| {
                a.meetings
                    .get(*i as usize)
                    .and_then(|m| meeting_when(m))
                    .is_none_or(|d| d >= today)
            });
            past.reverse();
            up.append(&mut past);
            up
        })
    }

    /// The follow-ups list with its filters, by due date (then reference).
    pub fn actions(&self, a: &Agenda, viewer: &Viewer, f: &ActionFilter) -> Rc<Vec<u32>> {
        use super::state::StatusFilter;
        self.actions.get((viewer.clone(), f.clone()), || {
            let body_of = |x: &Action| a.meeting(&x.meeting).map(|m| m.body.as_str()).unwrap_or("");
            let mut keyed: Vec<_> = a
                .actions
                .iter()
                .zip(0u32..)
                .filter(|(x, _)| match f.status {
                    StatusFilter::Active => x.status.is_active(),
                    StatusFilter::All => true,
                    StatusFilter::One(st) => x.status == st,
                })
                .filter(|(x, _)| !f.mine || is_mine(&viewer.dept, &x.owner))
                .filter(|(x, _)| !f.overdue || is_overdue(x, viewer.today))
                .filter(|(x, _)| {
                    f.body
                        .as_deref()
                        .is_none_or(|b| body_of(x) == b || x.report_back == b)
                })
                .map(|(x, i)| (due_end(x), x, i))
                .collect();
            keyed.sort_by(|(k, x, _), (l, y, _)| {
                k.cmp(l).then_with(|| x.reference.cmp(&y.reference))
            });
            keyed.into_iter().map(|(_, _, i)| i).collect()
        })
    }

    /// The positions of a meeting's items, in the agenda's order.
    pub fn items_of(&self, a: &Agenda, meeting: &str) -> Vec<u32> {
        let groups = self
            .items_by_meeting
            .get((), || group(a.items.iter().map(|i| i.meeting.as_str())));
        groups.get(meeting).cloned().unwrap_or_default()
    }

    /// The positions of the follow-ups that came from an item, in the agenda's order.
    pub fn actions_of_item(&self, a: &Agenda, item: &str) -> Vec<u32> {
        let groups = self
            .actions_by_item
            .get((), || group(a.actions.iter().map(|x| x.item.as_str())));
        groups.get(item).cloned().unwrap_or_default()
    }

    /// The positions of the follow-ups of a meeting, in the agenda's order.
    pub fn actions_of_meeting(&self, a: &Agenda, meeting: &str) -> Vec<u32> {
        let groups = self
            .actions_by_meeting
            .get((), || group(a.actions.iter().map(|x| x.meeting.as_str())));
        groups.get(meeting).cloned().unwrap_or_default()
    }
}

/// The positions in a list under each key (empty keys left out), in the list's order.
fn group<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<String, Vec<u32>> {
    let mut groups: HashMap<String, Vec<u32>> = HashMap::default();
    for (key, i) in keys.zip(0u32..) {
        if key.is_empty() {
            continue;
        }
        if let Some(g) = groups.get_mut(key) {
            g.push(i);
        } else {
            groups.insert(key.to_string(), vec![i]);
        }
    }
    groups
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
