//! The computations behind the kept lists, each over the whole agenda.

use super::{UPCOMING, Viewer, due_end, is_mine};
use crate::model::agenda::{is_overdue, meeting_when};
use crate::model::enums::MeetingStatus;
use crate::model::records::Action;
use crate::model::{Agenda, Date, Kind};
use crate::tui::state::ActionFilter;

pub(super) fn by_date(a: &Agenda) -> Vec<u32> {
    let mut keyed: Vec<(Option<Date>, &str, u32)> = a
        .meetings
        .iter()
        .zip(0u32..)
        .map(|(m, i)| (meeting_when(m), m.id.as_str(), i))
        .collect();
    // `None` sorts first, as `meetings_by_date` has it
    keyed.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

pub(super) fn upcoming(a: &Agenda, today: Date) -> Vec<u32> {
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
        if best.len() == UPCOMING && best.last().is_some_and(|l| (l.0, l.1) <= (when, key.1)) {
            continue;
        }
        let at = best.partition_point(|b| (b.0, b.1) < (when, key.1));
        best.insert(at, key);
        best.truncate(UPCOMING);
    }
    best.into_iter().map(|(_, _, i)| i).collect()
}

pub(super) fn my_open(a: &Agenda, viewer: &Viewer) -> Vec<u32> {
    let mine = a
        .actions
        .iter()
        .zip(0u32..)
        .filter(|(x, _)| x.status.is_active() && is_mine(&viewer.dept, &x.owner));
    let mut keyed: Vec<_> = mine
        .map(|(x, i)| ((!is_overdue(x, viewer.today), due_end(x)), x, i))
        .collect();
    keyed.sort_by(|(k, x, _), (l, y, _)| k.cmp(l).then_with(|| x.reference.cmp(&y.reference)));
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

pub(super) fn meetings(a: &Agenda, by_date: &[u32], today: Date, body: Option<&str>) -> Vec<u32> {
    let of_body =
        |i: &&u32| body.is_none_or(|b| a.meetings.get(**i as usize).is_some_and(|m| m.body == b));
    let all: Vec<u32> = by_date.iter().filter(of_body).copied().collect();
    let (mut up, mut past): (Vec<u32>, Vec<u32>) = all.into_iter().partition(|i| {
        a.meetings
            .get(*i as usize)
            .and_then(|m| meeting_when(m))
            .is_none_or(|d| d >= today)
    });
    past.reverse();
    up.append(&mut past);
    up
}

pub(super) fn actions(a: &Agenda, viewer: &Viewer, f: &ActionFilter) -> Vec<u32> {
    use crate::tui::state::StatusFilter;
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
    keyed.sort_by(|(k, x, _), (l, y, _)| k.cmp(l).then_with(|| x.reference.cmp(&y.reference)));
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

pub(super) fn items_by_meeting(a: &Agenda) -> Groups {
    Groups::of(
        a,
        a.meetings.len(),
        Kind::Meeting,
        a.items.iter().map(|i| i.meeting.as_str()),
    )
}

pub(super) fn actions_by_item(a: &Agenda) -> Groups {
    Groups::of(
        a,
        a.items.len(),
        Kind::Item,
        a.actions.iter().map(|x| x.item.as_str()),
    )
}

pub(super) fn actions_by_meeting(a: &Agenda) -> Groups {
    Groups::of(
        a,
        a.meetings.len(),
        Kind::Meeting,
        a.actions.iter().map(|x| x.meeting.as_str()),
    )
}

/// The positions in one list (items, follow-ups) grouped by the record of another list
/// (meetings, items) they belong to, in list order: each owner's positions are one run of
/// `at`, from `start[owner]`. Two allocations however many owners, so that building and
/// dropping them stays cheap at 1,000,000 records (a map of id strings took over 400 ms to
/// build at that size, and its drop was felt in the frame after every save).
#[derive(Clone, Default)]
pub struct Groups {
    start: Vec<u32>,
    at: Vec<u32>,
}

impl Groups {
    /// `owners` records of `kind`; `keys` names each member's owner by id (unknown ids and
    /// ids of another kind belong to none).
    fn of<'a>(
        a: &Agenda,
        owners: usize,
        kind: Kind,
        keys: impl Iterator<Item = &'a str>,
    ) -> Groups {
        let owner_of: Vec<u32> = keys
            .map(|id| {
                a.position(id, kind)
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(u32::MAX)
            })
            .collect();
        let mut start = vec![0u32; owners + 1];
        for &o in &owner_of {
            if let Some(n) = start.get_mut(o as usize + 1) {
                *n += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut at = vec![0u32; start.last().map_or(0, |n| *n as usize)];
        for (o, i) in owner_of.iter().zip(0u32..) {
            if let Some(n) = next.get_mut(*o as usize) {
                at[*n as usize] = i;
                *n += 1;
            }
        }
        Groups { start, at }
    }

    /// The members of the owner at `owner` (none for `None`).
    pub(super) fn members(&self, owner: Option<usize>) -> Vec<u32> {
        let Some(o) = owner else {
            return Vec::new();
        };
        match (self.start.get(o), self.start.get(o + 1)) {
            (Some(&from), Some(&to)) => self
                .at
                .get(from as usize..to as usize)
                .map(<[u32]>::to_vec)
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}
