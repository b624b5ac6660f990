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
        for m in &s.agenda.meetings {
            let kept: Vec<&str> = rows::items_of(&s, &m.id)
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
            let kept = ids(rows::meeting_actions(&s, &m.id));
            let plain: Vec<String> = s
                .agenda
                .actions_of_meeting(&m.id)
                .iter()
                .map(|a| a.id.clone())
                .collect();
            assert_eq!(kept, plain);
        }
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
