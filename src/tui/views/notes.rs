//! Verslag of a meeting: the items on the left; for the chosen one its summary, decisions,
//! agreements and the follow-ups made for it on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{clean, fit, pane_block, table};
use crate::tui::i18n::Msg;
use crate::tui::rows;
use crate::tui::state::{Hits, State};

pub fn draw(f: &mut Frame, s: &State, meeting: &str, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let Some(m) = s.agenda.meeting(meeting) else {
        return;
    };
    let notes = s.agenda.notes_of(meeting);
    let w = usize::from(area.width);
    let [head, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(2)]).areas(area);
    let state = match notes {
        Some(n) => format!(
            "{} · {}",
            n.kind.map(|k| k.as_str()).unwrap_or(""),
            n.status.map(|k| k.as_str()).unwrap_or("")
        ),
        None => s.t(Msg::NoNotes).to_string(),
    };
    let when = m
        .date
        .map(|d| s.lang.date_long(d))
        .unwrap_or_else(|| clean(&m.planned));
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(
                fit(&format!(" {} — {}", s.t(Msg::Notes), clean(&m.title)), w),
                th.title,
            ),
            Line::styled(fit(&format!(" {when} · {state}"), w), th.muted),
        ]),
        head,
    );
    let list = rows::notes_rows(&s.agenda, meeting);
    let left_w = (area.width * 2 / 5).clamp(14, 34);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(10)]).areas(rest);
    let count = |item: &str| {
        notes.map_or(0, |n| {
            n.decisions.iter().filter(|d| d.item == item).count()
                + n.agreements.iter().filter(|g| g.item == item).count()
        })
    };
    let rws: Vec<Row> = list
        .iter()
        .map(|i| {
            let (label, id) = match i {
                Some(i) => (
                    format!("{} {}", clean(&i.label), clean(&i.title)),
                    i.id.as_str(),
                ),
                None => (s.t(Msg::General).to_string(), ""),
            };
            let n = count(id);
            let has_summary = notes.is_some_and(|x| x.summaries.iter().any(|y| y.item == id));
            let mark = if n > 0 {
                format!("{n}")
            } else if has_summary {
                "·".into()
            } else {
                String::new()
            };
            Row::new(vec![Cell::from(label), Cell::from(mark)])
        })
        .collect();
    table(
        f,
        s,
        left,
        pane_block(s, s.t(Msg::Agenda).into(), true),
        vec![String::new(), String::new()],
        vec![Constraint::Min(8), Constraint::Length(2)],
        rws,
        0,
        hits,
    );
    let sel = s.view().sel[0].min(list.len().saturating_sub(1));
    let item = list.get(sel).copied().flatten();
    let id = item.map(|i| i.id.as_str()).unwrap_or("");
    let mut lines: Vec<Line> = Vec::new();
    let heading = |t: &str| Line::styled(t.to_string(), th.title);
    let body = |t: &str| -> Vec<Line<'static>> {
        super::paragraphs(t)
            .into_iter()
            .map(|l| Line::styled(l, th.text))
            .collect()
    };
    if let Some(n) = notes {
        if let Some(sm) = n.summaries.iter().find(|x| x.item == id) {
            lines.push(heading(s.t(Msg::Summary)));
            lines.extend(body(&sm.text));
            lines.push(Line::raw(""));
        }
        let ds: Vec<_> = n.decisions.iter().filter(|d| d.item == id).collect();
        if !ds.is_empty() {
            lines.push(heading(s.t(Msg::Decisions)));
            for d in ds {
                let kind = d
                    .kind
                    .map(|k| k.as_str().replace('_', " "))
                    .unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(format!("• [{kind}] "), th.accent),
                    Span::styled(clean(&d.text), th.text),
                ]));
            }
            lines.push(Line::raw(""));
        }
        let gs: Vec<_> = n.agreements.iter().filter(|g| g.item == id).collect();
        if !gs.is_empty() {
            lines.push(heading(s.t(Msg::Agreements)));
            for g in gs {
                let parties = if g.parties.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", clean(&g.parties.join(", ")))
                };
                lines.push(Line::from(vec![
                    Span::styled("• ", th.accent),
                    Span::styled(format!("{}{parties}", clean(&g.text)), th.text),
                ]));
            }
            lines.push(Line::raw(""));
        }
    }
    let acts: Vec<_> = if id.is_empty() {
        rows::meeting_actions(s, meeting)
            .into_iter()
            .filter(|a| a.item.is_empty())
            .collect()
    } else {
        rows::item_actions(s, id)
    };
    if !acts.is_empty() {
        lines.push(heading(s.t(Msg::LinkedActions)));
        for a in acts {
            let style = if crate::model::agenda::is_overdue(a, s.today) {
                th.text.patch(th.overdue)
            } else {
                th.text
            };
            lines.push(Line::styled(
                format!(
                    "{} {} — {} ({})",
                    clean(&a.reference),
                    clean(&a.title),
                    clean(&a.owner),
                    a.status
                ),
                style,
            ));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(s.t(Msg::Empty), th.muted));
    }
    let title = item
        .map(|i| format!("{} {}", clean(&i.label), clean(&i.title)))
        .unwrap_or_else(|| s.t(Msg::General).into());
    f.render_widget(
        Paragraph::new(lines)
            .block(pane_block(s, title, false))
            .wrap(Wrap { trim: false }),
        right,
    );
}
