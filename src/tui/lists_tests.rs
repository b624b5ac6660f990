//! The kept lists against the whole-agenda computation they replace, and the lazily built
//! tables against what a frame must show.

use crate::model::agenda::{LoadedFile, due_of, is_overdue, meeting_when};
use crate::model::enums::{ActionStatus, MeetingStatus};
use crate::model::records::{Action, Meeting, Record};
use crate::model::{Agenda, Date};
use crate::synthetic::Rng;

use super::i18n::Lang;
use super::keys::Keymap;
use super::rows;
use super::state::{ActionFilter, Loaded, Screen, State, StatusFilter, View};
use super::testing::render;
use super::theme::Theme;

/// The bundled example `copies` times over, each copy with its own ids and other dates,
/// owners and states, so that the lists have ties, undated records and cancelled meetings.
/// Follow-ups keep their references (which then repeat) unless `unique_refs`.
fn big_agenda(copies: usize, seed: u64, unique_refs: bool) -> Agenda {
    let base = crate::store::bundled::agenda();
    let mut rng = Rng::new(seed);
    let owners = ["EZK", "BZK/DGDOO", "ezk/dgbi", "JenV", ""];
    let dues = [
        "",
        "2021-01",
        "2021-Q1",
        "2020-12-01",
        "2021-03-15",
        "2022",
        "voorjaar",
    ];
    let mut files = Vec::new();
    let mut numbered = 0..;
    let mut push = |path: String, record: Record| {
        files.push(LoadedFile {
            path,
            text: String::new(),
            record,
        })
    };
    for c in 0..copies {
        let tag = |id: &str| format!("{id}-c{c}");
        for m in &base.meetings {
            let mut m: Meeting = (**m).clone();
            m.id = tag(&m.id);
            m.date = match rng.below(5) {
                0 => None,
                _ => m.date.map(|d| d.add_days(rng.below(400) as i64 - 200)),
            };
            if rng.below(6) == 0 {
                m.status = MeetingStatus::Cancelled;
            }
            push(format!("meetings/{}.toml", m.id), Record::Meeting(m));
        }
        for i in &base.items {
            let mut i = (**i).clone();
            i.id = tag(&i.id);
            i.meeting = tag(&i.meeting);
            push(format!("items/{}.toml", i.id), Record::Item(i));
        }
        for a in &base.actions {
            let mut a: Action = (**a).clone();
            a.id = tag(&a.id);
            if unique_refs {
                a.reference = format!("R{:05}", numbered.next().unwrap_or(0));
            }
            a.owner = rng.pick(&owners).to_string();
            a.due = rng.pick(&dues).to_string();
            a.status = *rng.pick(ActionStatus::ALL);
            a.meeting = tag(&a.meeting);
            if !a.item.is_empty() {
                a.item = tag(&a.item);
            }
            push(format!("actions/{}.toml", a.id), Record::Action(a));
        }
    }
    for b in &base.bodies {
        push(
            format!("registry/bodies/{}.toml", b.id),
            Record::Body((**b).clone()),
        );
    }
    Agenda::build(files, Vec::new())
}

fn state_with(agenda: Agenda) -> State {
    let mut s = State::new(
        Lang::Nl,
        Theme::default_dark(),
        Keymap::default(),
        Date::new(2021, 1, 20).expect("date"),
    );
    s.dept = "EZK".into();
    s.set_agenda(Loaded::new(agenda));
    s
}

fn ids<'a, T: HasId + 'a>(v: impl IntoIterator<Item = &'a T>) -> Vec<String> {
    v.into_iter().map(|r| r.id().to_string()).collect()
}

trait HasId {
    fn id(&self) -> &str;
}
impl HasId for Action {
    fn id(&self) -> &str {
        &self.id
    }
}
impl HasId for Meeting {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The follow-ups list as it was computed on every frame before it was kept.
fn plain_actions(s: &State) -> Vec<&Action> {
    let f = &s.filter;
    let body_of = |a: &Action| {
        s.agenda
            .meeting(&a.meeting)
            .map(|m| m.body.as_str())
            .unwrap_or("")
    };
    let mut v: Vec<&Action> = s
        .agenda
        .actions
        .iter()
        .map(|a| &**a)
        .filter(|a| match f.status {
            StatusFilter::Active => a.status.is_active(),
            StatusFilter::All => true,
            StatusFilter::One(st) => a.status == st,
        })
        .filter(|a| !f.mine || s.is_mine(&a.owner))
        .filter(|a| !f.overdue || is_overdue(a, s.today))
        .filter(|a| {
            f.body
                .as_deref()
                .is_none_or(|b| body_of(a) == b || a.report_back == b)
        })
        .collect();
    v.sort_by_key(|a| plain_due_key(a));
    v
}

fn plain_due_key(a: &Action) -> (Date, String) {
    let far = Date::new(9999, 12, 31).expect("date");
    (
        due_of(a).and_then(|d| d.end).unwrap_or(far),
        a.reference.clone(),
    )
}

fn plain_my_open(s: &State) -> Vec<&Action> {
    let mut v: Vec<&Action> = s
        .agenda
        .actions
        .iter()
        .map(|a| &**a)
        .filter(|a| a.status.is_active() && s.is_mine(&a.owner))
        .collect();
    v.sort_by_key(|a| (!is_overdue(a, s.today), plain_due_key(a)));
    v
}

fn plain_upcoming(s: &State) -> Vec<&Meeting> {
    s.agenda
        .meetings_by_date()
        .into_iter()
        .filter(|m| {
            meeting_when(m).is_some_and(|d| d >= s.today) && m.status != MeetingStatus::Cancelled
        })
        .take(6)
        .collect()
}

fn plain_meetings(s: &State) -> Vec<&Meeting> {
    let all: Vec<&Meeting> = s
        .agenda
        .meetings_by_date()
        .into_iter()
        .filter(|m| s.meetings_body.as_deref().is_none_or(|b| m.body == b))
        .collect();
    let (mut up, mut past): (Vec<&Meeting>, Vec<&Meeting>) = all
        .into_iter()
        .partition(|m| meeting_when(m).is_none_or(|d| d >= s.today));
    past.reverse();
    up.append(&mut past);
    up
}

/// Each meeting's items and follow-ups as kept, against the agenda's own scan.
fn meetings_match_the_agenda(s: &State) {
    for m in &s.agenda.meetings {
        let kept: Vec<&str> = rows::items_of(s, &m.id)
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        let plain: Vec<&str> = s
            .agenda
            .items_of(&m.id)
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(kept, plain);
        assert_eq!(
            ids(rows::meeting_actions(s, &m.id)),
            ids(s.agenda.actions_of_meeting(&m.id))
        );
    }
}

#[test]
fn kept_lists_equal_the_whole_agenda_computation() {
    for seed in 1..=4 {
        let mut s = state_with(big_agenda(12, seed, false));
        assert!(s.agenda.actions.len() > 100, "a list worth sorting");
        let bodies: Vec<Option<String>> = std::iter::once(None)
            .chain(s.agenda.bodies.iter().map(|b| Some(b.id.clone())))
            .collect();
        for status in [StatusFilter::Active, StatusFilter::All]
            .into_iter()
            .chain(ActionStatus::ALL.iter().map(|st| StatusFilter::One(*st)))
        {
            for (mine, overdue) in [(false, false), (true, false), (false, true), (true, true)] {
                for body in bodies.iter().take(3) {
                    s.filter = ActionFilter {
                        status,
                        mine,
                        overdue,
                        body: body.clone(),
                    };
                    assert_eq!(ids(rows::actions(&s).iter()), ids(plain_actions(&s)));
                }
            }
        }
        for body in &bodies {
            s.meetings_body = body.clone();
            assert_eq!(ids(rows::meetings(&s).iter()), ids(plain_meetings(&s)));
        }
        for today in [
            Date::new(2020, 6, 1),
            Date::new(2021, 1, 20),
            Date::new(2030, 1, 1),
        ] {
            s.today = today.expect("date");
            assert_eq!(ids(rows::upcoming(&s).iter()), ids(plain_upcoming(&s)));
            for dept in ["EZK", "bzk", "", "JenV"] {
                s.dept = dept.into();
                assert_eq!(ids(rows::my_open(&s).iter()), ids(plain_my_open(&s)));
            }
        }
        meetings_match_the_agenda(&s);
        let with_actions = s
            .agenda
            .items
            .iter()
            .filter(|i| !rows::item_actions(&s, &i.id).is_empty())
            .count();
        assert!(with_actions > 10, "{with_actions} items with follow-ups");
        for i in &s.agenda.items {
            let mut plain: Vec<&Action> = s
                .agenda
                .actions
                .iter()
                .map(|a| &**a)
                .filter(|a| a.item == i.id)
                .collect();
            plain.sort_by_key(|a| plain_due_key(a));
            assert_eq!(ids(rows::item_actions(&s, &i.id)), ids(plain));
        }
    }
}

#[test]
fn kept_lists_follow_a_new_agenda() {
    let mut s = state_with(big_agenda(3, 7, false));
    let before = ids(rows::actions(&s).iter());
    assert!(!before.is_empty());
    // a new agenda with every follow-up done: nothing active is left to list
    let mut next = (*s.agenda).clone();
    for a in &mut next.actions {
        std::sync::Arc::make_mut(a).status = ActionStatus::Done;
    }
    s.set_agenda(Loaded::new(next));
    assert!(rows::actions(&s).is_empty());
    assert!(rows::my_open(&s).is_empty());
}

#[test]
fn a_long_list_builds_and_shows_the_rows_around_the_selection() {
    let mut s = state_with(big_agenda(40, 3, true));
    s.filter.status = StatusFilter::All;
    s.stack.push(View::new(Screen::Actions));
    let refs: Vec<String> = rows::actions(&s)
        .iter()
        .map(|a| a.reference.clone())
        .collect();
    assert!(refs.len() > 200, "longer than a screen: {}", refs.len());
    // the selection far down the list: the screen scrolls to it, and the hit list says from
    // which row on (what a mouse click is mapped with)
    let sel = refs.len() - 5;
    s.view_mut().sel[0] = sel;
    let screen = render(&mut s, 120, 30);
    let offset = s
        .hits
        .lists
        .first()
        .map(|(_, _, o)| *o)
        .expect("a list on screen");
    let shown = shown_refs(&screen);
    assert!(shown.len() >= 15, "{screen}");
    assert_eq!(shown, refs[offset..offset + shown.len()], "{screen}");
    assert!(shown.contains(&refs[sel]), "{screen}");
    // moving up past the top of what is shown scrolls back by as much
    s.view_mut().sel[0] = offset - 1;
    let screen = render(&mut s, 120, 30);
    assert_eq!(s.hits.lists[0].2, offset - 1);
    assert_eq!(shown_refs(&screen).first(), Some(&refs[offset - 1]));
}

/// The follow-up references (`R00042`) that begin the rows of the list on a rendered screen,
/// top to bottom (the detail pane below names the selected one again, differently placed).
fn shown_refs(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|line| line.strip_prefix("  R"))
        .map(|rest| format!("R{}", rest.chars().take(5).collect::<String>()))
        .filter(|r| r[1..].chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// A state whose agenda came with lists prepared (as the worker sends it) for its own keys.
fn state_prepared(agenda: &std::sync::Arc<Agenda>, like: &State) -> State {
    let mut s = State::new(
        Lang::Nl,
        Theme::default_dark(),
        Keymap::default(),
        like.today,
    );
    s.dept = like.dept.clone();
    s.filter = like.filter.clone();
    s.meetings_body = like.meetings_body.clone();
    let prepared = super::lists::Prepared::of(agenda, s.list_keys());
    assert_eq!(prepared.keys(), &s.list_keys());
    s.set_agenda(Loaded {
        agenda: agenda.clone(),
        index: std::sync::Arc::new(crate::search::Flat::of(agenda)),
        lists: Some(std::sync::Arc::new(prepared)),
    });
    s
}

#[test]
fn lists_prepared_beside_an_agenda_are_what_the_screen_computes_and_spare_it_the_work() {
    for seed in 1..=3 {
        let mut lazy = state_with(big_agenda(8, seed, false));
        let bodies: Vec<Option<String>> = std::iter::once(None)
            .chain(lazy.agenda.bodies.iter().map(|b| Some(b.id.clone())))
            .take(3)
            .collect();
        let filters = [
            ActionFilter::default(),
            ActionFilter {
                status: StatusFilter::All,
                mine: true,
                overdue: false,
                body: bodies.last().cloned().flatten(),
            },
            ActionFilter {
                status: StatusFilter::One(ActionStatus::Done),
                mine: false,
                overdue: true,
                body: None,
            },
        ];
        for (k, filter) in filters.iter().enumerate() {
            lazy.filter = filter.clone();
            lazy.meetings_body = bodies[k % bodies.len()].clone();
            lazy.dept = ["EZK", "bzk", ""][k].into();
            let agenda = lazy.agenda.clone();
            let mut s = state_prepared(&agenda, &lazy);
            assert_eq!(
                ids(rows::actions(&s).iter()),
                ids(rows::actions(&lazy).iter())
            );
            assert_eq!(
                ids(rows::meetings(&s).iter()),
                ids(rows::meetings(&lazy).iter())
            );
            assert_eq!(
                ids(rows::upcoming(&s).iter()),
                ids(rows::upcoming(&lazy).iter())
            );
            assert_eq!(
                ids(rows::my_open(&s).iter()),
                ids(rows::my_open(&lazy).iter())
            );
            for m in agenda.meetings.iter().take(40) {
                let items = |st: &State| -> Vec<String> {
                    rows::items_of(st, &m.id)
                        .iter()
                        .map(|i| i.id.clone())
                        .collect()
                };
                assert_eq!(items(&s), items(&lazy));
                assert_eq!(
                    ids(rows::meeting_actions(&s, &m.id)),
                    ids(rows::meeting_actions(&lazy, &m.id))
                );
            }
            for i in agenda.items.iter().take(80) {
                assert_eq!(
                    ids(rows::item_actions(&s, &i.id)),
                    ids(rows::item_actions(&lazy, &i.id))
                );
            }
            // every list was there: the screen computed none of them
            assert_eq!(s.lists.computations(), 0);
            assert!(lazy.lists.computations() > 0);
            // a filter the worker did not know of is computed here, once
            s.filter.overdue = !s.filter.overdue;
            lazy.filter = s.filter.clone();
            assert_eq!(ids(rows::actions(&s).iter()), ids(plain_actions(&lazy)));
            rows::actions(&s);
            assert_eq!(s.lists.computations(), 1);
        }
    }
}

#[test]
fn groups_leave_out_what_belongs_to_no_record_of_the_kind() {
    let mut agenda = big_agenda(2, 5, false);
    let item_id = agenda.items[0].id.clone();
    let meeting_id = agenda.meetings[0].id.clone();
    // an item naming an item as its meeting, one naming nothing there, one naming nothing
    for (k, to) in [
        (1, item_id.clone()),
        (2, "m-gone".to_string()),
        (3, String::new()),
    ] {
        std::sync::Arc::make_mut(&mut agenda.items[k]).meeting = to;
    }
    std::sync::Arc::make_mut(&mut agenda.actions[0]).meeting = meeting_id.clone();
    std::sync::Arc::make_mut(&mut agenda.actions[1]).item = meeting_id.clone();
    let s = state_with(agenda);
    meetings_match_the_agenda(&s);
    for gone in [item_id.as_str(), "m-gone", ""] {
        assert!(rows::items_of(&s, gone).is_empty(), "{gone:?}");
    }
    // a follow-up naming a meeting as its item belongs to no item
    assert!(rows::item_actions(&s, &meeting_id).is_empty());
    assert!(!rows::meeting_actions(&s, &meeting_id).is_empty());
}
