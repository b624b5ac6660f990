//! Changes on the meetings, agenda and agenda-item screens: forms, attendance, reorder,
//! move to another meeting, prepare the next meeting.

use crate::model::Agenda;

use super::*;

pub(super) fn run(s: &mut State, cmd: Cmd) -> Option<Vec<Effect>> {
    let (lang, today, screen, pane) = (s.lang, s.today, s.view().screen.clone(), s.view().pane);
    let a: &Agenda = &s.agenda;
    Some(match (cmd, &screen) {
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
                return Some(
                    match selected(s).and_then(|id| s.agenda.action(&id).cloned()) {
                        Some(x) => {
                            let f =
                                b::action_form(&s.agenda, lang, today, Some(&x), "", "", &s.dept);
                            form(s, f)
                        }
                        None => nothing(s),
                    },
                );
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
        (Cmd::PrepareNext, _) => {
            match meeting_here(s).and_then(|m| s.agenda.meeting(&m).cloned()) {
                Some(m) => {
                    let f = b::prepare_form(&s.agenda, lang, today, &m);
                    form(s, f)
                }
                None => nothing(s),
            }
        }
        _ => return None,
    })
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
