//! Zoeken: the query box and the results, matched characters highlighted.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{clean, pane_block, table};
use crate::model::Kind;
use crate::tui::i18n::Msg;
use crate::tui::state::{Hits, State};

fn kind_word(s: &State, k: Kind) -> &'static str {
    match (k, s.lang) {
        (Kind::Action, crate::tui::i18n::Lang::Nl) => "actie",
        (Kind::Action, _) => "action",
        (Kind::Meeting, crate::tui::i18n::Lang::Nl) => "vergad.",
        (Kind::Meeting, _) => "meeting",
        (Kind::Item, crate::tui::i18n::Lang::Nl) => "punt",
        (Kind::Item, _) => "item",
        (Kind::Notes, crate::tui::i18n::Lang::Nl) => "verslag",
        (Kind::Notes, _) => "notes",
        (k, _) => k.as_str(),
    }
}

pub fn draw(f: &mut Frame, s: &State, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let [input, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(2)]).areas(area);
    let mut q = vec![
        Span::styled(" / ", th.title),
        Span::styled(clean(&s.search.query), th.text),
        Span::styled("▏", th.accent),
    ];
    if !s.search.problems.is_empty() {
        q.push(Span::styled(
            format!("  ? {}", clean(&s.search.problems.join(" "))),
            th.warning,
        ));
    }
    let hint = if s.search.query.is_empty() {
        s.t(Msg::SearchHint).to_string()
    } else {
        format!("{} {}", s.search.total, s.t(Msg::Results))
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::from(q),
            Line::styled(format!(" {hint}"), th.muted),
        ]),
        input,
    );
    let rws: Vec<Row> = s
        .search
        .hits
        .iter()
        .filter_map(|h| s.search.index.get(h.entry).map(|e| (h, e)))
        .map(|(h, e)| {
            // The line is already safe (sanitised when indexed); highlight char by char.
            let spans: Vec<Span> = e
                .line
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    Span::styled(
                        c.to_string(),
                        if h.indices.contains(&i) {
                            th.text.patch(th.highlight)
                        } else {
                            th.text
                        },
                    )
                })
                .collect();
            let via = h.via.map(|v| format!("({v})")).unwrap_or_default();
            Row::new(vec![
                Cell::from(Span::styled(kind_word(s, e.kind), th.muted)),
                Cell::from(Line::from(spans)),
                Cell::from(Span::styled(via, th.muted)),
            ])
        })
        .collect();
    let widths = vec![
        Constraint::Length(7),
        Constraint::Min(10),
        Constraint::Length(13),
    ];
    table(
        f,
        s,
        list,
        pane_block(s, s.t(Msg::Search).into(), true),
        vec![s.t(Msg::ColKind).into(), String::new(), String::new()],
        widths,
        rws,
        0,
        hits,
    );
}
