//! The kept lists of a new agenda, computed by the worker beside it.

use super::compute::{
    Groups, actions, actions_by_item, actions_by_meeting, by_date, items_by_meeting, meetings,
    my_open, upcoming,
};
use super::{ActionFilter, Viewer};
use crate::model::Agenda;

/// What the lists that depend on more than the agenda were asked for last: sent with every
/// job, so that the worker can compute them beside a new agenda.
#[derive(Clone, Debug, PartialEq)]
pub struct ListKeys {
    pub viewer: Viewer,
    pub filter: ActionFilter,
    pub meetings_body: Option<String>,
}

/// Every kept list of one agenda, computed off the UI thread for the keys it names. At
/// 1,000,000 records computing them takes longer than several frames: on the UI thread, the
/// first frame after each save or sync waited for it.
#[derive(Clone)]
pub struct Prepared {
    pub(super) keys: ListKeys,
    pub(super) lists: Computed,
}

#[derive(Clone)]
pub(super) struct Computed {
    pub(super) by_date: Vec<u32>,
    pub(super) upcoming: Vec<u32>,
    pub(super) my_open: Vec<u32>,
    pub(super) meetings: Vec<u32>,
    pub(super) actions: Vec<u32>,
    pub(super) items_by_meeting: Groups,
    pub(super) actions_by_item: Groups,
    pub(super) actions_by_meeting: Groups,
}

impl Prepared {
    /// The lists of `a` for `keys`: the groupings on a second thread beside the sorts.
    pub fn of(a: &Agenda, keys: ListKeys) -> Prepared {
        let k = &keys;
        let (groups, sorted) = std::thread::scope(|scope| {
            let groups = scope.spawn(|| {
                (
                    items_by_meeting(a),
                    actions_by_item(a),
                    actions_by_meeting(a),
                )
            });
            let by_date = by_date(a);
            let sorted = (
                upcoming(a, k.viewer.today),
                my_open(a, &k.viewer),
                meetings(a, &by_date, k.viewer.today, k.meetings_body.as_deref()),
                actions(a, &k.viewer, &k.filter),
                by_date,
            );
            // a panic there is a bug, reported like one on this thread
            let groups = groups
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (groups, sorted)
        });
        let (items_by_meeting, actions_by_item, actions_by_meeting) = groups;
        let (upcoming, my_open, meetings, actions, by_date) = sorted;
        Prepared {
            keys,
            lists: Computed {
                by_date,
                upcoming,
                my_open,
                meetings,
                actions,
                items_by_meeting,
                actions_by_item,
                actions_by_meeting,
            },
        }
    }

    pub fn keys(&self) -> &ListKeys {
        &self.keys
    }
}
