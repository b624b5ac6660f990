//! Vergaderingen: every meeting, upcoming first, with body, status and items count.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use super::{body_label, clean, pane_block, table_lazy};
use crate::model::agenda::meeting_when;
use crate::model::enums::MeetingStatus;
use crate::tui::i18n::Msg;
use crate::tui::rows;
use crate::tui::state::{Hits, State};

pub fn draw(f: &mut Frame, s: &State, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let list = rows::meetings(s);
    let narrow = area.width < 70;
    let row = |i: usize| {
        list.get(i).map_or_else(Row::default, |m| {
            let when = match meeting_when(m) {
                Some(d) if m.date.is_some() => s.lang.date_short(d),
                _ => clean(&m.planned),
            };
            let past = meeting_when(m).is_some_and(|d| d < s.today);
            let style = if past || m.status == MeetingStatus::Cancelled {
                th.muted
            } else {
                th.text
            };
            let body = body_label(s, &m.body);
            Row::new(vec![
                Cell::from(when),
                Cell::from(clean(&body)),
                Cell::from(clean(&m.title)),
                Cell::from(m.status.as_str()),
                Cell::from(rows::items_of(s, &m.id).len().to_string()),
            ])
            .style(style)
        })
    };
    let body = s
        .meetings_body
        .as_deref()
        .map(|b| format!(" — {}: {}", s.t(Msg::ColBody), clean(b)))
        .unwrap_or_default();
    let title = format!("{} ({}){body}", s.t(Msg::Meetings), list.len());
    let header = vec![
        s.t(Msg::ColDate).into(),
        s.t(Msg::ColBody).into(),
        s.t(Msg::ColTitle).into(),
        s.t(Msg::ColStatus).into(),
        "#".into(),
    ];
    let widths = vec![
        Constraint::Length(if narrow { 11 } else { 16 }),
        Constraint::Length(if narrow { 6 } else { 12 }),
        Constraint::Min(10),
        Constraint::Length(11),
        Constraint::Length(3),
    ];
    table_lazy(
        f,
        s,
        area,
        pane_block(s, title, true),
        header,
        widths,
        (list.len(), row),
        0,
        hits,
    );
}
