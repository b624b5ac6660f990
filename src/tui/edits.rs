//! Commands that change records: each opens a form, a pick list or a confirmation, or goes
//! straight to one `Op` (which the worker turns into one commit).

use crate::model::enums::{ActionStatus, Attendance};
use crate::model::{Agenda, Kind};

use super::action::{EditTarget, Effect, Op};
use super::builders as b;
use super::commands::{nothing, selected};
use super::i18n::Msg;
use super::keys::Cmd;
use super::rows::{self, SECTIONS, Section};
use super::state::{Level, Overlay, Screen, State};
use super::update::save;
use super::widgets::{Editor, EditorSave, Picker, Purpose};

/// The same fields on one record (`Set`) or several (`Multi`, one commit).
pub fn same_fields(ids: &[String], fields: Vec<(String, String)>, what: &str) -> Op {
    match ids {
        [one] => Op::Set {
            id: one.clone(),
            fields,
        },
        many => Op::Multi {
            sets: many.iter().map(|id| (id.clone(), fields.clone())).collect(),
            what: what.to_string(),
        },
    }
}

/// The follow-ups a command applies to: the marked ones on the list, else the one selected.
fn targets(s: &State) -> Vec<String> {
    if s.view().screen == Screen::Actions && !s.marked.is_empty() {
        return s.marked.iter().cloned().collect();
    }
    selected(s)
        .filter(|id| s.agenda.action(id).is_some())
        .into_iter()
        .collect()
}

/// The meeting the current screen is about.
fn meeting_here(s: &State) -> Option<String> {
    match &s.view().screen {
        Screen::Agenda(m) | Screen::Notes(m) => Some(m.clone()),
        Screen::Item(i) => s.agenda.item(i).map(|x| x.meeting.clone()),
        Screen::Meetings | Screen::Overview if s.view().pane == 0 => selected(s),
        _ => None,
    }
}

/// The item selected on the notes screen ("" for the general row), or the item shown.
fn item_here(s: &State) -> String {
    match &s.view().screen {
        Screen::Notes(m) => rows::notes_rows(&s.agenda, m)
            .get(s.view().sel[0])
            .copied()
            .flatten()
            .map(|i| i.id.clone())
            .unwrap_or_default(),
        Screen::Item(i) => i.clone(),
        _ => String::new(),
    }
}

fn form(s: &mut State, f: super::forms::Form) -> Vec<Effect> {
    s.overlays.push(Overlay::Form(Box::new(f)));
    Vec::new()
}

pub fn run(s: &mut State, cmd: Cmd) -> Vec<Effect> {
    let (lang, today, screen, pane) = (s.lang, s.today, s.view().screen.clone(), s.view().pane);
    let a: &Agenda = &s.agenda;
    match (cmd, &screen) {
        (Cmd::Mark, _) => {
            if let Some(id) = selected(s) {
                if !s.marked.remove(&id) {
                    s.marked.insert(id);
                }
                let n = rows::len(s, 0);
                let v = s.view_mut();
                v.sel[0] = (v.sel[0] + 1).min(n.saturating_sub(1));
            }
            Vec::new()
        }
        (Cmd::SetStatus, _) => {
            let ids = targets(s);
            if ids.is_empty() {
                return nothing(s);
            }
            let cur = s
                .agenda
                .action(&ids[0])
                .map(|x| x.status.as_str())
                .unwrap_or("open");
            let choices = ActionStatus::WORDS
                .iter()
                .map(|w| (w.to_string(), w.to_string()))
                .collect();
            let p = Picker::new(s.t(Msg::FStatus), choices, Purpose::Status(ids)).at(cur);
            s.overlays.push(Overlay::Picker(p));
            Vec::new()
        }
        (Cmd::Done, _) => {
            let ids = targets(s);
            if ids.is_empty() {
                return nothing(s);
            }
            s.marked.clear();
            save(
                s,
                same_fields(
                    &ids,
                    vec![("status".into(), "gereed".into())],
                    "status → gereed",
                ),
            )
        }
        (Cmd::Reassign, _) => {
            let ids = targets(s);
            if ids.is_empty() {
                return nothing(s);
            }
            let p = Picker::new(
                s.t(Msg::FReassign),
                b::orgs(&s.agenda),
                Purpose::Reassign(ids),
            );
            s.overlays.push(Overlay::Picker(p));
            Vec::new()
        }
        (Cmd::Postpone, _) => {
            let ids = targets(s);
            let Some(first) = ids.first().and_then(|id| s.agenda.action(id)) else {
                return nothing(s);
            };
            let f = b::postpone_form(a, lang, today, ids.clone(), &first.due);
            form(s, f)
        }
        (Cmd::New, Screen::Actions) => {
            let f = b::action_form(a, lang, today, None, "", "", &s.dept);
            form(s, f)
        }
        (Cmd::NewFollowUp, _) => {
            let (m, i) = (meeting_here(s).unwrap_or_default(), item_here(s));
            let f = b::action_form(a, lang, today, None, &m, &i, &s.dept);
            form(s, f)
        }
        (Cmd::New, Screen::Meetings) => {
            let body = s
                .meetings_body
                .clone()
                .or_else(|| a.bodies.first().map(|x| x.id.clone()))
                .unwrap_or_default();
            let f = b::meeting_form(a, lang, today, None, &body);
            form(s, f)
        }
        (Cmd::New, Screen::Agenda(m)) => {
            let f = b::item_form(a, lang, today, None, m);
            form(s, f)
        }
        (Cmd::Edit, Screen::Actions) => {
            match selected(s).and_then(|id| s.agenda.action(&id).cloned()) {
                Some(x) => {
                    let f = b::action_form(&s.agenda, lang, today, Some(&x), "", "", &s.dept);
                    form(s, f)
                }
                None => nothing(s),
            }
        }
        (Cmd::Edit, Screen::Meetings) | (Cmd::EditMeeting, _) => {
            match meeting_here(s)
                .or_else(|| selected(s))
                .and_then(|id| s.agenda.meeting(&id).cloned())
            {
                Some(m) => {
                    let f = b::meeting_form(&s.agenda, lang, today, Some(&m), "");
                    form(s, f)
                }
                None => nothing(s),
            }
        }
        (Cmd::Edit, Screen::Agenda(m)) if pane == 1 => attendance(s, m),
        (Cmd::Attendance, Screen::Agenda(m)) => attendance(s, m),
        (Cmd::Edit, Screen::Agenda(_)) => {
            match selected(s).and_then(|id| s.agenda.item(&id).cloned()) {
                Some(i) => {
                    let f = b::item_form(&s.agenda, lang, today, Some(&i), "");
                    form(s, f)
                }
                None => nothing(s),
            }
        }
        (Cmd::Edit | Cmd::EditExternal, Screen::Item(i)) => {
            let external = cmd == Cmd::EditExternal;
            if pane == 1 {
                return match selected(s).and_then(|id| s.agenda.action(&id).cloned()) {
                    Some(x) => {
                        let f = b::action_form(&s.agenda, lang, today, Some(&x), "", "", &s.dept);
                        form(s, f)
                    }
                    None => nothing(s),
                };
            }
            let sec = SECTIONS
                .get(s.view().sel[0])
                .copied()
                .unwrap_or(Section::Details);
            match (sec, sec.field()) {
                (Section::Details, _) if !external => match s.agenda.item(i).cloned() {
                    Some(it) => {
                        let f = b::item_form(&s.agenda, lang, today, Some(&it), "");
                        form(s, f)
                    }
                    None => nothing(s),
                },
                (_, Some(field)) => edit_section(s, &i.clone(), field, external),
                _ => {
                    s.info(Level::Info, s.t(Msg::NotAllowedHere));
                    Vec::new()
                }
            }
        }
        (Cmd::EditExternal, Screen::Actions) => {
            match selected(s).and_then(|id| s.agenda.action(&id).cloned()) {
                Some(x) => open_editor(
                    s,
                    Editor::new(
                        format!("{} — {}", x.reference, s.t(Msg::ColTitle)),
                        &x.description,
                        EditorSave::Field {
                            id: x.id.clone(),
                            field: "description".into(),
                        },
                    ),
                    true,
                ),
                None => nothing(s),
            }
        }
        (Cmd::Edit | Cmd::EditExternal, Screen::Notes(m)) => {
            let item = item_here(s);
            if item.is_empty() {
                s.info(Level::Info, s.t(Msg::NotAllowedHere));
                return Vec::new();
            }
            let existing = a
                .notes_of(m)
                .and_then(|n| n.summaries.iter().find(|x| x.item == item))
                .map(|x| x.text.clone());
            let title = format!(
                "{} — {}",
                s.t(Msg::Summary),
                a.item(&item).map(|i| i.title.clone()).unwrap_or_default()
            );
            let e = Editor::new(
                crate::text::line(&title),
                existing.as_deref().unwrap_or(""),
                EditorSave::Summary {
                    meeting: m.clone(),
                    item,
                    exists: existing.is_some(),
                },
            );
            open_editor(s, e, cmd == Cmd::EditExternal)
        }
        (Cmd::AddDecision, Screen::Notes(m)) => {
            let f = b::decision_form(a, lang, today, m, &item_here(s));
            form(s, f)
        }
        (Cmd::AddAgreement, Screen::Notes(m)) => {
            let f = b::agreement_form(a, lang, today, m, &item_here(s));
            form(s, f)
        }
        (Cmd::Duplicate, _) => match selected(s) {
            Some(id) => match duplicate(a, &id) {
                Some(op) => save(s, op),
                None => nothing(s),
            },
            None => nothing(s),
        },
        (Cmd::Delete, _) => match selected(s).filter(|id| {
            matches!(
                a.kind_of(id),
                Some(Kind::Action | Kind::Meeting | Kind::Item)
            )
        }) {
            Some(id) => {
                let text = format!(
                    "{} {}?",
                    s.t(Msg::ConfirmDelete),
                    crate::text::line(&a.reference(&id))
                );
                s.overlays.push(Overlay::Confirm {
                    text,
                    op: Op::Delete { id },
                });
                Vec::new()
            }
            None => nothing(s),
        },
        (Cmd::MoveUp | Cmd::MoveDown, Screen::Agenda(m)) if pane == 0 => {
            reorder(s, m, cmd == Cmd::MoveUp)
        }
        (Cmd::MoveTo, Screen::Agenda(_)) if pane == 0 => match selected(s) {
            Some(item) => {
                let p = Picker::new(
                    s.t(Msg::FMoveItem),
                    b::meetings(a, lang),
                    Purpose::MoveItem(item),
                );
                s.overlays.push(Overlay::Picker(p));
                Vec::new()
            }
            None => nothing(s),
        },
        (Cmd::OpenNotes, _) => match meeting_here(s) {
            Some(m) => {
                s.stack.push(super::state::View::new(Screen::Notes(m)));
                Vec::new()
            }
            None => nothing(s),
        },
        (Cmd::PrepareNext, _) => {
            match meeting_here(s).and_then(|m| s.agenda.meeting(&m).cloned()) {
                Some(m) => {
                    let f = b::prepare_form(&s.agenda, lang, today, &m);
                    form(s, f)
                }
                None => nothing(s),
            }
        }
        _ => {
            s.info(Level::Info, s.t(Msg::NotAllowedHere));
            Vec::new()
        }
    }
}

fn open_editor(s: &mut State, e: Editor, external: bool) -> Vec<Effect> {
    let text = e.text();
    s.overlays.push(Overlay::Editor(Box::new(e)));
    if external {
        vec![Effect::External {
            target: EditTarget::Editor,
            text,
        }]
    } else {
        Vec::new()
    }
}

/// Edit one text field of an item in the multi-line editor (or straight in `$EDITOR`).
pub fn edit_section(s: &mut State, item: &str, field: &str, external: bool) -> Vec<Effect> {
    let Some(it) = s.agenda.item(item) else {
        return nothing(s);
    };
    let text = SECTIONS
        .iter()
        .find(|x| x.field() == Some(field))
        .map(|x| x.text(it))
        .unwrap_or("")
        .to_string();
    let title = crate::text::line(&format!("{} {} — {field}", it.label, it.title));
    let e = Editor::new(
        title,
        &text,
        EditorSave::Field {
            id: item.to_string(),
            field: field.to_string(),
        },
    );
    open_editor(s, e, external)
}

fn attendance(s: &mut State, meeting: &str) -> Vec<Effect> {
    let Some(m) = s.agenda.meeting(meeting) else {
        return nothing(s);
    };
    let Some(p) = m.participants.get(s.view().sel[1]) else {
        return nothing(s);
    };
    let cur = p.attendance.map(|x| x.as_str()).unwrap_or("pm");
    let choices = Attendance::WORDS
        .iter()
        .map(|w| (w.to_string(), w.to_string()))
        .collect();
    let pk = Picker::new(
        s.t(Msg::ColAttendance),
        choices,
        Purpose::Attendance(meeting.to_string(), p.id.clone()),
    )
    .at(cur);
    s.overlays.push(Overlay::Picker(pk));
    Vec::new()
}

/// Swap the selected item with its neighbour: both orders change in one commit.
fn reorder(s: &mut State, meeting: &str, up: bool) -> Vec<Effect> {
    let items = s.agenda.items_of(meeting);
    let i = s.view().sel[0];
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    let (Some(x), Some(y)) = (items.get(i), j.and_then(|j| items.get(j))) else {
        return Vec::new();
    };
    // Equal orders would not swap; fall back to positions.
    let (ox, oy) = if x.order == y.order {
        ((i as i64 + 1) * 10, (j.unwrap_or(i) as i64 + 1) * 10)
    } else {
        (x.order, y.order)
    };
    let op = Op::Multi {
        sets: vec![
            (x.id.clone(), vec![("order".into(), oy.to_string())]),
            (y.id.clone(), vec![("order".into(), ox.to_string())]),
        ],
        what: format!("volgorde {} ↔ {}", x.label, y.label),
    };
    if let Some(j) = j {
        s.view_mut().sel[0] = j;
    }
    save(s, op)
}

/// A copy of an action, meeting or item as a new record.
fn duplicate(a: &Agenda, id: &str) -> Option<Op> {
    let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
    let fields = if let Some(x) = a.action(id) {
        let mut f = vec![
            kv("title", &format!("{} (kopie)", x.title)),
            kv("owner", &x.owner),
            kv("due", &x.due),
            kv("description", &x.description),
            kv("meeting", &x.meeting),
            kv("item", &x.item),
        ];
        f.push(kv("contributors", &x.contributors.join(", ")));
        (Kind::Action, f)
    } else if let Some(m) = a.meeting(id) {
        (
            Kind::Meeting,
            vec![
                kv("body", &m.body),
                kv("title", &format!("{} (kopie)", m.title)),
                kv("planned", &m.planned),
                kv("start", &m.start),
                kv("end", &m.end),
                kv("chair", &m.chair),
                kv("secretariat", &m.secretariat),
            ],
        )
    } else if let Some(i) = a.item(id) {
        (
            Kind::Item,
            vec![
                kv("meeting", &i.meeting),
                kv("title", &format!("{} (kopie)", i.title)),
                kv("treatment", i.treatment.as_str()),
                kv("lead", &i.lead),
                kv("objective", &i.objective),
                kv(
                    "duration",
                    &i.duration.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
        )
    } else {
        return None;
    };
    let (kind, fields) = fields;
    Some(Op::Create {
        kind,
        fields: fields
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect(),
    })
}
