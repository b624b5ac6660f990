//! Actielijst: follow-ups with filters, by due date; overdue rows stand out, marked rows are
//! flagged, and the selected one's details show below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{clean, empty, pane_block, table_lazy};
use crate::model::agenda::is_overdue;
use crate::tui::i18n::Msg;
use crate::tui::rows;
use crate::tui::state::{Hits, State, StatusFilter};

pub fn filter_label(s: &State) -> String {
    let f = &s.filter;
    let mut parts = vec![match f.status {
        StatusFilter::Active => s.t(Msg::FilterActive).to_string(),
        StatusFilter::All => s.t(Msg::FilterAll).to_string(),
        StatusFilter::One(st) => st.as_str().to_string(),
    }];
    if f.mine {
        parts.push(format!("{} {}", s.t(Msg::FilterMine), s.dept));
    }
    if f.overdue {
        parts.push(s.t(Msg::FilterOverdueOnly).into());
    }
    if let Some(b) = &f.body {
        parts.push(clean(b));
    }
    parts.join(", ")
}

pub fn draw(f: &mut Frame, s: &State, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let list = rows::actions(s);
    let detail_h = if area.height >= 16 { 5 } else { 0 };
    let [top, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_h)]).areas(area);
    let narrow = area.width < 70;
    let row = |i: usize| {
        list.get(i).map_or_else(Row::default, |a| {
            let over = is_overdue(a, s.today);
            let marked = s.marked.contains(&a.id);
            let flag = if marked {
                "●"
            } else if over {
                "!"
            } else {
                " "
            };
            Row::new(vec![
                Cell::from(flag),
                Cell::from(clean(&a.reference)),
                Cell::from(clean(&a.title)),
                Cell::from(clean(&a.owner)),
                Cell::from(clean(&a.due)),
                Cell::from(a.status.as_str()),
            ])
            .style(th.row(false, marked).patch(if over {
                th.overdue
            } else {
                ratatui::style::Style::default()
            }))
        })
    };
    let marked = if s.marked.is_empty() {
        String::new()
    } else {
        format!(" · {} {}", s.marked.len(), s.t(Msg::Marked))
    };
    let title = format!(
        "{} ({}) — {}: {}{marked}",
        s.t(Msg::Actions),
        list.len(),
        s.t(Msg::Filter),
        filter_label(s)
    );
    let header = vec![
        String::new(),
        s.t(Msg::ColRef).into(),
        s.t(Msg::ColTitle).into(),
        s.t(Msg::ColOwner).into(),
        s.t(Msg::ColDue).into(),
        s.t(Msg::ColStatus).into(),
    ];
    let widths = vec![
        Constraint::Length(1),
        Constraint::Length(11),
        Constraint::Min(12),
        Constraint::Length(if narrow { 6 } else { 9 }),
        Constraint::Length(if narrow { 10 } else { 16 }),
        Constraint::Length(if narrow { 6 } else { 11 }),
    ];
    let none = list.is_empty();
    table_lazy(
        f,
        s,
        top,
        pane_block(s, title, true),
        header,
        widths,
        (list.len(), row),
        0,
        hits,
    );
    if none {
        empty(f, s, top, Msg::NothingOpen);
    }
    if detail_h == 0 {
        return;
    }
    let Some(a) = list.get(s.view().sel[0].min(list.len().saturating_sub(1))) else {
        return;
    };
    let meeting = s
        .agenda
        .meeting(&a.meeting)
        .map(|m| clean(&m.title))
        .unwrap_or_default();
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", clean(&a.reference)), th.title),
        Span::styled(clean(&a.title), th.text),
    ])];
    let mut meta = format!("{}: {}", s.t(Msg::ColOwner), clean(&a.owner));
    if !a.contributors.is_empty() {
        meta.push_str(&format!(" i.s.m. {}", clean(&a.contributors.join(", "))));
    }
    if !meeting.is_empty() {
        meta.push_str(&format!(" · {meeting}"));
    }
    lines.push(Line::styled(meta, th.muted));
    let note = if a.status_note.is_empty() {
        &a.description
    } else {
        &a.status_note
    };
    lines.push(Line::styled(clean(note), th.text));
    let block = pane_block(s, String::new(), false);
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        bottom,
    );
}
