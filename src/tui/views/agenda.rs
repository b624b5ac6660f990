//! The agenda of one meeting: a confidentiality banner that cannot be missed, the items with
//! start times and the running total against the time slot, and the participants.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{clean, empty, fit, pane_block, table};
use crate::model::enums::{Confidentiality, PresenterStatus};
use crate::tui::i18n::Msg;
use crate::tui::rows;
use crate::tui::state::{Hits, State};

pub fn draw(f: &mut Frame, s: &State, meeting: &str, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let Some(m) = s.agenda.meeting(meeting) else {
        return;
    };
    let items = rows::items_of(s, meeting);
    let banner = match m.confidentiality {
        Some(Confidentiality::ChathamHouse) => Some(s.t(Msg::ChathamHouse)),
        Some(Confidentiality::DoNotDistribute) => Some(s.t(Msg::DoNotDistribute)),
        _ => None,
    };
    let bh = u16::from(banner.is_some());
    let ph = (m.participants.len() as u16 + 2)
        .min(area.height / 3)
        .max(3);
    let [head, ban, list, total, parts] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(bh),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(ph),
    ])
    .areas(area);
    // header: title, then when / where / chair
    let when = m
        .date
        .map(|d| s.lang.date_long(d))
        .unwrap_or_else(|| clean(&m.planned));
    let slot = if m.start.is_empty() {
        String::new()
    } else {
        format!(", {}–{}", m.start, m.end)
    };
    let mut meta = format!("{when}{slot} · {}", m.status.as_str());
    if !m.venue.is_empty() || m.location.is_some() {
        let loc = m.location.map(|l| l.as_str()).unwrap_or("");
        meta.push_str(&format!(" · {} {}", loc, clean(&m.venue)));
    }
    if !m.chair.is_empty() {
        meta.push_str(&format!(
            " · {}: {}",
            s.t(Msg::Chair),
            clean(&s.agenda.who(&m.chair))
        ));
    }
    let w = usize::from(area.width);
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(fit(&format!(" {}", clean(&m.title)), w), th.title),
            Line::styled(fit(&format!(" {meta}"), w), th.muted),
        ]),
        head,
    );
    if let Some(text) = banner {
        let t = format!(" ▲ {} — {text} ", s.t(Msg::Confidential));
        f.render_widget(Paragraph::new(fit(&t, w)).style(th.banner), ban);
    }
    // items with running start times
    let run = rows::running(m, &items);
    let narrow = area.width < 70;
    let rws: Vec<Row> = items
        .iter()
        .zip(&run)
        .map(|(i, (at, _))| {
            let pres: Vec<Span> = i
                .presenters
                .iter()
                .take(1)
                .map(|p| {
                    let ok = p.status == Some(PresenterStatus::Confirmed);
                    let who = s
                        .agenda
                        .person(&p.who)
                        .map(|x| x.name.clone())
                        .unwrap_or_else(|| p.who.clone());
                    Span::styled(
                        format!("{}{}", if ok { "✓ " } else { "? " }, clean(&who)),
                        if ok { th.text } else { th.warning },
                    )
                })
                .collect();
            Row::new(vec![
                Cell::from(at.clone()),
                Cell::from(clean(&i.label)),
                Cell::from(clean(&i.title)),
                Cell::from(
                    i.treatment
                        .as_str()
                        .trim_start_matches("ter_")
                        .replace('_', " "),
                ),
                Cell::from(clean(&i.lead)),
                Cell::from(Line::from(pres)),
                Cell::from(i.duration.map(|d| format!("{d:>3}")).unwrap_or_default()),
            ])
            .style(th.text)
        })
        .collect();
    let header = vec![
        s.t(Msg::ColTime).into(),
        "#".into(),
        s.t(Msg::ColTitle).into(),
        s.t(Msg::ColTreatment).into(),
        s.t(Msg::ColLead).into(),
        s.t(Msg::ColPresenter).into(),
        s.t(Msg::ColMinutes).into(),
    ];
    let widths = vec![
        Constraint::Length(5),
        Constraint::Length(3),
        Constraint::Min(12),
        Constraint::Length(if narrow { 0 } else { 12 }),
        Constraint::Length(if narrow { 5 } else { 7 }),
        Constraint::Length(if narrow { 0 } else { 14 }),
        Constraint::Length(3),
    ];
    let focused = s.view().pane == 0;
    let none = rws.is_empty();
    table(
        f,
        s,
        list,
        pane_block(
            s,
            format!("{} ({})", s.t(Msg::Agenda), items.len()),
            focused,
        ),
        header,
        widths,
        rws,
        0,
        hits,
    );
    if none {
        empty(f, s, list, Msg::NoItems);
    }
    // running total against the slot
    let sum = run.last().map_or(0, |r| r.1);
    let line = match rows::slot_minutes(m) {
        Some(slot) if sum > slot => Line::styled(
            format!(
                " {} {sum} min / {} {slot} min — {} {} min",
                s.t(Msg::Total),
                s.t(Msg::Slot),
                sum - slot,
                s.t(Msg::Overrun)
            ),
            th.text.patch(th.overdue),
        ),
        Some(slot) => Line::styled(
            format!(
                " {} {sum} min / {} {slot} min",
                s.t(Msg::Total),
                s.t(Msg::Slot)
            ),
            th.ok,
        ),
        None => Line::styled(format!(" {} {sum} min", s.t(Msg::Total)), th.muted),
    };
    f.render_widget(Paragraph::new(line), total);
    // participants
    let prow: Vec<Row> = m
        .participants
        .iter()
        .map(|p| {
            let att = p.attendance.map(|x| x.as_str()).unwrap_or("");
            let style = if p.vacant { th.muted } else { th.text };
            Row::new(vec![
                Cell::from(clean(&s.agenda.who(&p.who))),
                Cell::from(clean(&p.organisation)),
                Cell::from(
                    p.role
                        .map(|r| r.as_str().replace('_', " "))
                        .unwrap_or_default(),
                ),
                Cell::from(att.to_string()),
            ])
            .style(style)
        })
        .collect();
    let header = vec![
        s.t(Msg::ColWho).into(),
        s.t(Msg::ColOrg).into(),
        s.t(Msg::ColRole).into(),
        s.t(Msg::ColAttendance).into(),
    ];
    let widths = vec![
        Constraint::Min(12),
        Constraint::Length(8),
        Constraint::Length(if narrow { 0 } else { 14 }),
        Constraint::Length(9),
    ];
    let title = format!("{} ({})", s.t(Msg::Participants), m.participants.len());
    table(
        f,
        s,
        parts,
        pane_block(s, title, !focused),
        header,
        widths,
        prow,
        1,
        hits,
    );
}
