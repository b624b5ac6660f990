//! Overzicht: the next meetings with their preparation state, and my department's open and
//! overdue follow-ups.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::{body_label, clean, empty, pane_block, table, table_lazy, tick};
use crate::model::agenda::{is_overdue, meeting_when};
use crate::tui::i18n::{Lang, Msg};
use crate::tui::keys::{Cmd, Ctx};
use crate::tui::rows;
use crate::tui::state::{Hits, State};

/// A line that cannot be missed while conflicts wait for a choice, or while a finished merge
/// waits to be shared.
fn banner(s: &State) -> Option<String> {
    let open = s.open_conflicts();
    let key = |cmd: Cmd| {
        s.keymap
            .keys_for(Ctx::Overview, cmd)
            .first()
            .map(|k| k.label())
            .unwrap_or_else(|| format!(":{}", cmd.name()))
    };
    if open > 0 {
        Some(match s.lang {
            Lang::Nl => format!(
                "⚠ {open} conflicten bij synchroniseren wachten op een keuze — druk {} (Conflicten)",
                key(Cmd::GoConflicts)
            ),
            Lang::En => format!(
                "⚠ {open} sync conflicts wait for a choice — press {} (Conflicts)",
                key(Cmd::GoConflicts)
            ),
        })
    } else if s.merge_done {
        Some(match s.lang {
            Lang::Nl => format!(
                "✓ Samenvoegen voltooid — druk {} om het resultaat te delen",
                key(Cmd::Sync)
            ),
            Lang::En => format!(
                "✓ Merge complete — press {} to share the result",
                key(Cmd::Sync)
            ),
        })
    } else {
        None
    }
}

pub fn draw(f: &mut Frame, s: &State, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let area = match banner(s) {
        Some(text) if area.height > 4 => {
            let [b, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
            f.render_widget(
                Paragraph::new(super::fit(&text, usize::from(b.width))).style(th.banner),
                b,
            );
            rest
        }
        _ => area,
    };
    let meetings = rows::upcoming(s);
    let mine = rows::my_open(s);
    let top_h = (meetings.len() as u16 + 3).min((area.height / 2).max(4));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(3)]).areas(area);
    let narrow = area.width < 70;
    let lang = s.lang;
    let mrows: Vec<Row> = meetings
        .iter()
        .map(|m| {
            let (agenda, papers, presenters) = rows::preparation(s, m);
            let when = meeting_when(m)
                .map(|d| lang.date_short(d))
                .unwrap_or_default();
            let body = body_label(s, &m.body);
            Row::new(vec![
                Cell::from(when),
                Cell::from(clean(&body)),
                Cell::from(clean(&m.title)),
                Cell::from(tick(s, agenda)),
                Cell::from(tick(s, papers)),
                Cell::from(tick(s, presenters)),
            ])
            .style(th.text)
        })
        .collect();
    let prep = |m: Msg| {
        if narrow {
            s.t(m).chars().take(3).collect()
        } else {
            s.t(m).to_string()
        }
    };
    let pw = if narrow { 3 } else { 9 };
    let header = vec![
        s.t(Msg::ColDate).into(),
        s.t(Msg::ColBody).into(),
        s.t(Msg::ColTitle).into(),
        prep(Msg::PrepAgenda),
        prep(Msg::PrepPapers),
        prep(Msg::PrepPresenters),
    ];
    let widths = vec![
        Constraint::Length(12),
        Constraint::Length(if narrow { 6 } else { 10 }),
        Constraint::Min(10),
        Constraint::Length(pw),
        Constraint::Length(pw),
        Constraint::Length(pw),
    ];
    let focused = s.view().pane == 0;
    let block = pane_block(s, s.t(Msg::NextMeetings).into(), focused);
    let empty_m = mrows.is_empty();
    table(f, s, top, block, header, widths, mrows, 0, hits);
    if empty_m {
        empty(f, s, top, Msg::NoUpcoming);
    }

    // overdue ones come first
    let late = mine.partition_point(|a| is_overdue(a, s.today));
    let mut title = format!("{} {} ({})", s.t(Msg::MyFollowUps), s.dept, mine.len());
    if late > 0 {
        title = format!("{title} — {late} {}", s.t(Msg::Overdue));
    }
    if let Some(n) = s.unshared.filter(|n| *n > 0) {
        title = format!(
            "{title} · {n} {} {}",
            s.t(if n == 1 { Msg::Change1 } else { Msg::Changes }),
            s.t(Msg::Unshared)
        );
    }
    let arow = |i: usize| {
        mine.get(i).map_or_else(Row::default, |a| {
            let over = is_overdue(a, s.today);
            let mut due = vec![Span::raw(clean(&a.due))];
            if over {
                due.push(Span::raw(" !"));
            }
            Row::new(vec![
                Cell::from(clean(&a.reference)),
                Cell::from(clean(&a.title)),
                Cell::from(Line::from(due)),
                Cell::from(a.status.as_str()),
            ])
            .style(if over {
                th.text.patch(th.overdue)
            } else {
                th.text
            })
        })
    };
    let header = vec![
        s.t(Msg::ColRef).into(),
        s.t(Msg::ColTitle).into(),
        s.t(Msg::ColDue).into(),
        s.t(Msg::ColStatus).into(),
    ];
    let widths = vec![
        Constraint::Length(11),
        Constraint::Min(10),
        Constraint::Length(if narrow { 12 } else { 20 }),
        Constraint::Length(8),
    ];
    let empty_a = mine.is_empty();
    table_lazy(
        f,
        s,
        bottom,
        pane_block(s, title, !focused),
        header,
        widths,
        (mine.len(), arow),
        1,
        hits,
    );
    if empty_a {
        empty(f, s, bottom, Msg::NothingOpen);
    }
}
