//! Geschiedenis of a record: its commits (who, department, when) and, for the chosen one,
//! the fields that changed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{clean, pane_block, table};
use crate::model::Date;
use crate::tui::i18n::Msg;
use crate::tui::state::{Hits, State};

/// A commit time in local (recorded) time: "8 feb 2021 16:05".
pub fn when(s: &State, secs: i64, offset_minutes: i32) -> String {
    let t = secs + i64::from(offset_minutes) * 60;
    let d = Date::from_days(t.div_euclid(86_400));
    let m = t.rem_euclid(86_400) / 60;
    format!("{} {:02}:{:02}", s.lang.date_short(d), m / 60, m % 60)
}

pub fn draw(f: &mut Frame, s: &State, id: &str, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let title = format!("{} — {}", s.t(Msg::History), clean(&s.agenda.reference(id)));
    let Some(entries) = s.history.get(id) else {
        f.render_widget(
            Paragraph::new(s.t(Msg::Loading))
                .style(th.muted)
                .block(pane_block(s, title, true)),
            area,
        );
        return;
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Min(3)]).areas(area);
    let rws: Vec<Row> = entries
        .iter()
        .map(|e| {
            Row::new(vec![
                Cell::from(when(s, e.time, e.offset_minutes)),
                Cell::from(clean(&e.author)),
                Cell::from(clean(&e.department)),
                Cell::from(clean(&e.summary)),
            ])
        })
        .collect();
    let header = vec![
        s.t(Msg::ColDate).into(),
        s.t(Msg::ColAuthor).into(),
        s.t(Msg::ColDept).into(),
        s.t(Msg::ColWhat).into(),
    ];
    let widths = vec![
        Constraint::Length(17),
        Constraint::Length(16),
        Constraint::Length(5),
        Constraint::Min(10),
    ];
    table(
        f,
        s,
        top,
        pane_block(s, title, true),
        header,
        widths,
        rws,
        0,
        hits,
    );
    let sel = s.view().sel[0].min(entries.len().saturating_sub(1));
    let Some(e) = entries.get(sel) else { return };
    let mut lines = vec![Line::styled(
        format!("{} <{}> · {}", clean(&e.author), clean(&e.email), e.commit),
        th.muted,
    )];
    for c in &e.changes {
        let show = |v: &Option<String>| v.as_deref().map(clean).unwrap_or_else(|| "—".into());
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", clean(&c.field)), th.title),
            Span::styled(show(&c.old), th.muted),
            Span::styled(" → ", th.text),
            Span::styled(show(&c.new), th.text),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(pane_block(s, s.t(Msg::ColWhat).into(), false))
            .wrap(Wrap { trim: true }),
        bottom,
    );
}
