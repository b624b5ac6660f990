//! Commands that change records: each opens a form, a pick list or a confirmation, or goes
//! straight to one `Op` (which the worker turns into one commit). Per screen in
//! `edits/{follow_ups,agenda,notes}.rs`; here what they share (duplicate, delete, the text
//! editors, the helpers that find what a command applies to).

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

mod agenda;
mod follow_ups;
mod notes;

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
    if let Some(e) = follow_ups::run(s, cmd)
        .or_else(|| agenda::run(s, cmd))
        .or_else(|| notes::run(s, cmd))
    {
        return e;
    }
    let screen = s.view().screen.clone();
    let a: &Agenda = &s.agenda;
    match (cmd, &screen) {
        (Cmd::Edit | Cmd::EditExternal, Screen::Conflicts) => {
            super::syncing::edit(s, cmd == Cmd::EditExternal)
        }
        (Cmd::Duplicate, _) => {
            match selected(s).and_then(|id| duplicate(a, &id).map(|op| (id, op))) {
                Some((id, op)) => {
                    let text = format!(
                        "{}: {}?",
                        s.t(Msg::ConfirmDuplicate),
                        crate::text::line(&a.reference(&id))
                    );
                    s.overlays.push(Overlay::Confirm { text, op });
                    Vec::new()
                }
                None => nothing(s),
            }
        }
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

/// "Aanmaken: actie „Planning rondsturen”?"
pub fn confirm_create(s: &State, op: &Op) -> String {
    let Op::Create { kind, fields } = op else {
        return String::new();
    };
    let title = fields
        .iter()
        .find(|(k, _)| k == "title")
        .map(|(_, v)| crate::text::line(v))
        .unwrap_or_default();
    let kind = match (kind, s.lang) {
        (crate::model::Kind::Action, super::i18n::Lang::Nl) => "actie",
        (crate::model::Kind::Meeting, super::i18n::Lang::Nl) => "vergadering",
        (crate::model::Kind::Item, super::i18n::Lang::Nl) => "agendapunt",
        (crate::model::Kind::Action, _) => "follow-up",
        (crate::model::Kind::Meeting, _) => "meeting",
        (crate::model::Kind::Item, _) => "agenda item",
        (k, _) => k.as_str(),
    };
    format!("{}: {kind} “{title}”?", s.t(Msg::ConfirmCreate))
}
