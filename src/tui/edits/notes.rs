//! Changes in the notes of a meeting: summaries, decisions, agreements and follow-ups made in
//! place.

use crate::model::Agenda;

use super::*;

pub(super) fn run(s: &mut State, cmd: Cmd) -> Option<Vec<Effect>> {
    let (lang, today, screen) = (s.lang, s.today, s.view().screen.clone());
    let a: &Agenda = &s.agenda;
    Some(match (cmd, &screen) {
        (Cmd::NewFollowUp, _) => {
            let (m, i) = (meeting_here(s).unwrap_or_default(), item_here(s));
            let f = b::action_form(a, lang, today, None, &m, &i, &s.dept);
            form(s, f)
        }
        (Cmd::Edit | Cmd::EditExternal, Screen::Notes(m)) => {
            let item = item_here(s);
            if item.is_empty() {
                s.info(Level::Info, s.t(Msg::NotAllowedHere));
                return Some(Vec::new());
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
        (Cmd::OpenNotes, _) => match meeting_here(s) {
            Some(m) => {
                s.stack.push(crate::tui::state::View::new(Screen::Notes(m)));
                Vec::new()
            }
            None => nothing(s),
        },
        _ => return None,
    })
}
