//! What each named command does to the state: navigation here, changes in `edits`. Pure:
//! returns effects for anything that needs the disk.

use crate::model::Kind;

use super::action::{Effect, Job, Op};
use super::edits;
use super::i18n::Msg;
use super::keys::Cmd;
use super::rows::{self, SECTIONS, Section};
use super::state::{ActionFilter, Level, Overlay, Screen, State, StatusFilter, View};
use super::theme::Theme;
use super::update::{history_for_top, save};
use super::widgets::{Picker, Purpose};
use crate::search;

pub fn run(s: &mut State, cmd: Cmd) -> Vec<Effect> {
    let page = usize::from(s.size.1.saturating_sub(8)).max(1);
    match cmd {
        Cmd::Quit => {
            s.quit = true;
            vec![Effect::Quit]
        }
        Cmd::Help => {
            s.overlays.push(Overlay::Help);
            Vec::new()
        }
        Cmd::Palette => {
            let ctx = s.ctx();
            let choices = s
                .keymap
                .commands_for(ctx)
                .into_iter()
                .map(|c| {
                    let keys: Vec<String> = s
                        .keymap
                        .keys_for(ctx, c)
                        .iter()
                        .map(|k| k.label())
                        .collect();
                    (
                        c.name().to_string(),
                        format!("{}  [{}]", c.describe(s.lang), keys.join(" ")),
                    )
                })
                .collect();
            s.overlays.push(Overlay::Palette(Picker::new(
                s.t(Msg::Palette),
                choices,
                Purpose::Command,
            )));
            Vec::new()
        }
        Cmd::Search => {
            if s.view().screen != Screen::Search {
                // A new search starts empty; Esc from a result returns to the old one.
                s.search.query.clear();
                s.rerun_search();
                s.stack.push(View::new(Screen::Search));
            }
            Vec::new()
        }
        Cmd::Back => {
            if s.stack.len() > 1 {
                s.stack.pop();
            } else if s.view().pane > 0 {
                s.view_mut().pane = 0;
            }
            Vec::new()
        }
        Cmd::GoOverview => go(s, Screen::Overview),
        Cmd::GoActions => go(s, Screen::Actions),
        Cmd::GoMeetings => go(s, Screen::Meetings),
        Cmd::Up => step(s, -1),
        Cmd::Down => step(s, 1),
        Cmd::PageUp => step(s, -(page as isize)),
        Cmd::PageDown => step(s, page as isize),
        Cmd::Top => step(s, isize::MIN / 2),
        Cmd::Bottom => step(s, isize::MAX / 2),
        Cmd::NextPane | Cmd::PrevPane => {
            let n = rows::panes(s);
            let v = s.view_mut();
            v.pane = if cmd == Cmd::NextPane {
                (v.pane + 1) % n
            } else {
                (v.pane + n - 1) % n
            };
            Vec::new()
        }
        Cmd::Open => open(s),
        Cmd::History => match selected(s) {
            Some(id) => {
                s.stack.push(View::new(Screen::History(id)));
                history_for_top(s)
            }
            None => nothing(s),
        },
        Cmd::Undo => match s.last_own.clone() {
            Some((commit, summary)) => {
                let text = format!(
                    "{}: {}?",
                    s.t(Msg::ConfirmUndo),
                    crate::text::line(&summary)
                );
                s.overlays.push(Overlay::Confirm {
                    text,
                    op: Op::Undo { commit },
                });
                Vec::new()
            }
            None => {
                s.info(Level::Info, s.t(Msg::NothingToUndo));
                Vec::new()
            }
        },
        Cmd::Theme => {
            let choices = Theme::names()
                .into_iter()
                .map(|n| (n.to_string(), n.to_string()))
                .collect();
            let p =
                Picker::new(s.t(Msg::FTheme), choices, Purpose::Theme).at(&s.theme.name.clone());
            s.overlays.push(Overlay::Picker(p));
            Vec::new()
        }
        Cmd::Reload => {
            let job = s.job_id();
            vec![Effect::Run(job, Job::Reload)]
        }
        Cmd::FilterStatus | Cmd::FilterOverdue | Cmd::FilterMine => {
            match cmd {
                Cmd::FilterStatus => s.filter.status = rows::next_status_filter(s.filter.status),
                Cmd::FilterOverdue => s.filter.overdue = !s.filter.overdue,
                _ => s.filter.mine = !s.filter.mine,
            }
            s.view_mut().sel = [0; 2];
            Vec::new()
        }
        Cmd::FilterBody => {
            let mut choices = vec![(String::new(), format!("({})", s.t(Msg::FilterAll)))];
            choices.extend(super::builders::bodies(&s.agenda));
            let on_actions = s.view().screen == Screen::Actions;
            s.overlays.push(Overlay::Picker(Picker::new(
                s.t(Msg::ColBody),
                choices,
                Purpose::FilterBody(on_actions),
            )));
            Vec::new()
        }
        Cmd::Sync => super::syncing::start(s),
        Cmd::GoConflicts => {
            if s.view().screen != Screen::Conflicts {
                s.stack.push(View::new(Screen::Conflicts));
            }
            Vec::new()
        }
        Cmd::TakeOurs => super::syncing::take(s, crate::sync::merge::Take::Ours),
        Cmd::TakeTheirs => super::syncing::take(s, crate::sync::merge::Take::Theirs),
        other => edits::run(s, other),
    }
}

pub fn nothing(s: &mut State) -> Vec<Effect> {
    s.info(Level::Info, s.t(Msg::NoSelection));
    Vec::new()
}

fn go(s: &mut State, screen: Screen) -> Vec<Effect> {
    s.stack = vec![View::new(screen)];
    Vec::new()
}

/// Move the selection of the current pane; in text panes, scroll.
fn step(s: &mut State, by: isize) -> Vec<Effect> {
    let pane = s.view().pane;
    let text_pane = match &s.view().screen {
        Screen::Detail(_) => true,
        Screen::Item(_) => pane == 1 && SECTIONS.get(s.view().sel[0]) != Some(&Section::FollowUps),
        _ => false,
    };
    if text_pane {
        let v = s.view_mut();
        v.scroll = (i64::from(v.scroll) + by.clamp(-1000, 1000) as i64).clamp(0, 5000) as u16;
        return Vec::new();
    }
    let n = rows::len(s, pane);
    let v = s.view_mut();
    let cur = v.sel[pane] as isize;
    v.sel[pane] = cur
        .saturating_add(by)
        .clamp(0, n.saturating_sub(1) as isize) as usize;
    if matches!(v.screen, Screen::Item(_)) && pane == 0 {
        v.scroll = 0;
    }
    Vec::new()
}

/// The id of the record the cursor is on.
pub fn selected(s: &State) -> Option<String> {
    let v = s.view();
    let (pane, sel) = (v.pane, v.sel[v.pane]);
    let a = &s.agenda;
    match &v.screen {
        Screen::Overview if pane == 0 => rows::upcoming(s).get(sel).map(|m| m.id.clone()),
        Screen::Overview => rows::my_open(s).get(sel).map(|x| x.id.clone()),
        Screen::Actions => rows::actions(s).get(sel).map(|x| x.id.clone()),
        Screen::Meetings => rows::meetings(s).get(sel).map(|m| m.id.clone()),
        Screen::Agenda(m) if pane == 0 => rows::items_of(s, m).get(sel).map(|i| i.id.clone()),
        Screen::Agenda(m) => Some(m.clone()),
        Screen::Item(i) if pane == 1 => rows::item_actions(s, i).get(sel).map(|x| x.id.clone()),
        Screen::Item(i) => Some(i.clone()),
        Screen::Notes(m) => Some(a.notes_of(m).map_or_else(|| m.clone(), |n| n.id.clone())),
        Screen::History(id) | Screen::Detail(id) => Some(id.clone()),
        Screen::Conflicts => s.sync.conflicts.get(sel).map(|c| c.id.clone()),
        Screen::Search => s
            .search
            .hits
            .get(sel)
            .and_then(|h| s.search.index.get(h.entry))
            .map(|e| e.id.to_string()),
    }
}

/// Show a follow-up in the follow-ups list: the filters are cleared when they would hide it.
pub fn show_action(s: &mut State, id: &str) -> Vec<Effect> {
    if !rows::actions(s).iter().any(|a| a.id == id) {
        s.filter = ActionFilter {
            status: StatusFilter::All,
            ..ActionFilter::default()
        };
    }
    let pos = rows::actions(s)
        .iter()
        .position(|a| a.id == id)
        .unwrap_or(0);
    let mut v = View::new(Screen::Actions);
    v.sel[0] = pos;
    s.stack.push(v);
    Vec::new()
}

/// Open a record in its own screen.
pub fn jump(s: &mut State, id: &str) -> Vec<Effect> {
    let screen = match s.agenda.kind_of(id) {
        Some(Kind::Meeting) => Screen::Agenda(id.to_string()),
        Some(Kind::Item) => Screen::Item(id.to_string()),
        Some(Kind::Notes) => match s.agenda.notes.iter().find(|n| n.id == id) {
            Some(n) => Screen::Notes(n.meeting.clone()),
            None => return Vec::new(),
        },
        Some(Kind::Action) => return show_action(s, id),
        Some(_) => Screen::Detail(id.to_string()),
        None => return Vec::new(),
    };
    s.stack.push(View::new(screen));
    history_for_top(s)
}

fn open(s: &mut State) -> Vec<Effect> {
    let v = s.view().clone();
    let (pane, sel) = (v.pane, v.sel[v.pane]);
    match &v.screen {
        Screen::Overview | Screen::Meetings | Screen::Agenda(_)
            if !(matches!(v.screen, Screen::Agenda(_)) && pane == 1) =>
        {
            match selected(s) {
                Some(id) => jump(s, &id),
                None => nothing(s),
            }
        }
        Screen::Actions => match selected(s) {
            Some(id) => {
                s.stack.push(View::new(Screen::Detail(id)));
                history_for_top(s)
            }
            None => nothing(s),
        },
        Screen::Item(_) if pane == 0 => {
            let _ = sel;
            s.view_mut().pane = 1;
            s.view_mut().scroll = 0;
            Vec::new()
        }
        Screen::Item(_) => match selected(s) {
            Some(id) if s.agenda.action(&id).is_some() => show_action(s, &id),
            _ => Vec::new(),
        },
        Screen::Notes(m) => match rows::notes_rows(&s.agenda, m).get(sel).copied().flatten() {
            Some(item) => {
                let id = item.id.clone();
                jump(s, &id)
            }
            None => Vec::new(),
        },
        Screen::Search => match selected(s) {
            Some(id) => jump(s, &id),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A choice was made in a pick list.
pub fn picked(s: &mut State, purpose: Purpose, value: String) -> Vec<Effect> {
    match purpose {
        Purpose::Command => match Cmd::from_name(&value) {
            Some(c) => run(s, c),
            None => Vec::new(),
        },
        Purpose::Status(ids) => {
            s.marked.clear();
            save(
                s,
                edits::same_fields(
                    &ids,
                    vec![("status".into(), value.clone())],
                    &format!("status → {value}"),
                ),
            )
        }
        Purpose::Reassign(ids) => {
            s.marked.clear();
            save(
                s,
                edits::same_fields(
                    &ids,
                    vec![("owner".into(), value.clone())],
                    &format!("trekker → {value}"),
                ),
            )
        }
        Purpose::MoveItem(item) => {
            let order = s
                .agenda
                .items_of(&value)
                .iter()
                .map(|i| i.order)
                .max()
                .unwrap_or(0)
                + 10;
            save(
                s,
                Op::Set {
                    id: item,
                    fields: vec![
                        ("meeting".into(), value),
                        ("order".into(), order.to_string()),
                    ],
                },
            )
        }
        Purpose::FormField(i) => {
            if let Some(Overlay::Form(f)) = s.overlays.last_mut() {
                let current = f.fields.get(i).map(|x| x.value()).unwrap_or_default();
                let list = f
                    .fields
                    .get(i)
                    .is_some_and(|x| matches!(x.kind, super::forms::FieldKind::OrgList(_)));
                let v = if list && !current.trim().is_empty() {
                    format!("{}, {value}", current.trim())
                } else {
                    value
                };
                f.set_value(i, &v);
            }
            Vec::new()
        }
        Purpose::Theme => {
            match Theme::load(&value, super::config::config_dir().as_deref()) {
                Ok(t) => s.theme = t,
                Err(e) => s.info(Level::Error, e),
            }
            Vec::new()
        }
        Purpose::FilterBody(on_actions) => {
            let v = (!value.is_empty()).then_some(value);
            if on_actions {
                s.filter.body = v;
            } else {
                s.meetings_body = v;
            }
            s.view_mut().sel = [0; 2];
            Vec::new()
        }
        Purpose::Section(item, external) => edits::edit_section(s, &item, &value, external),
        Purpose::Attendance(meeting, pt) => save(
            s,
            Op::Set {
                id: meeting,
                fields: vec![(format!("participants[{pt}].attendance"), value)],
            },
        ),
    }
}

/// Used by the search view: the entry of a hit.
pub fn hit_entry(s: &State, i: usize) -> Option<search::Row<'_>> {
    s.search
        .hits
        .get(i)
        .and_then(|h| s.search.index.get(h.entry))
}
