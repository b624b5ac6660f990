//! Changes on the follow-ups list: mark, status, done, reassign, postpone, new and edit.

use crate::model::Agenda;

use super::*;

pub(super) fn run(s: &mut State, cmd: Cmd) -> Option<Vec<Effect>> {
    let (lang, today, screen) = (s.lang, s.today, s.view().screen.clone());
    let a: &Agenda = &s.agenda;
    Some(match (cmd, &screen) {
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
                return Some(nothing(s));
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
                return Some(nothing(s));
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
                return Some(nothing(s));
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
                return Some(nothing(s));
            };
            let f = b::postpone_form(a, lang, today, ids.clone(), &first.due);
            form(s, f)
        }
        (Cmd::New, Screen::Actions) => {
            let f = b::action_form(a, lang, today, None, "", "", &s.dept);
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
        _ => return None,
    })
}
