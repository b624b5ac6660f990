//! Drawing: one file per screen, plus the frame around them (tabs, status line) and the
//! dialogs. Views read the state and the theme; they never change the state, and they report
//! where the lists ended up so mouse clicks can find rows.

mod actions;
mod agenda;
mod conflicts;
mod detail;
mod dialogs;
mod history;
mod item;
mod meetings;
mod notes;
mod overview;
mod search;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

/// Cut to a width: one function for the command line and the views (`crate::text::fit`).
pub use crate::text::fit;

use super::i18n::Msg;
use super::keys::Cmd;
use super::state::{Hits, Level, Screen, State};

/// Draw everything; returns where the lists are.
pub fn draw(f: &mut Frame, s: &State) -> Hits {
    let mut hits = Hits::default();
    let area = f.area();
    let th = &s.theme;
    f.render_widget(Block::default().style(th.text), area);
    if area.width < 20 || area.height < 5 {
        f.render_widget(Paragraph::new("overleg").style(th.text), area);
        return hits;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    tabs(f, s, top, &mut hits);
    if !s.loaded {
        f.render_widget(Paragraph::new(s.t(Msg::Loading)).style(th.muted), body);
    } else {
        match &s.view().screen {
            Screen::Overview => overview::draw(f, s, body, &mut hits),
            Screen::Actions => actions::draw(f, s, body, &mut hits),
            Screen::Meetings => meetings::draw(f, s, body, &mut hits),
            Screen::Agenda(m) => agenda::draw(f, s, m, body, &mut hits),
            Screen::Item(i) => item::draw(f, s, i, body, &mut hits),
            Screen::Notes(m) => notes::draw(f, s, m, body, &mut hits),
            Screen::History(id) => history::draw(f, s, id, body, &mut hits),
            Screen::Search => search::draw(f, s, body, &mut hits),
            Screen::Detail(id) => detail::draw(f, s, id, body),
            Screen::Conflicts => conflicts::draw(f, s, body, &mut hits),
        }
    }
    status(f, s, bottom);
    dialogs::draw(f, s, area);
    hits
}

fn tabs(f: &mut Frame, s: &State, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    f.render_widget(Block::default().style(th.header), area);
    let current = match s.stack.first().map(|v| &v.screen) {
        Some(Screen::Actions) => Cmd::GoActions,
        Some(Screen::Meetings) => Cmd::GoMeetings,
        _ => Cmd::GoOverview,
    };
    let searching = s.view().screen == Screen::Search;
    let mut x = area.x;
    let mut spans = Vec::new();
    for (key, msg, cmd) in [
        ("1", Msg::Overview, Cmd::GoOverview),
        ("2", Msg::Actions, Cmd::GoActions),
        ("3", Msg::Meetings, Cmd::GoMeetings),
        ("/", Msg::Search, Cmd::Search),
    ] {
        let label = format!(" {key} {} ", s.t(msg));
        let w = label.width() as u16;
        let active = if cmd == Cmd::Search {
            searching
        } else {
            !searching && cmd == current
        };
        hits.tabs.push((
            Rect::new(x, area.y, w.min(area.right().saturating_sub(x)), 1),
            cmd,
        ));
        x = x.saturating_add(w);
        spans.push(Span::styled(
            label,
            if active { th.tab_active } else { th.header },
        ));
    }
    let crumbs = crumbs(s);
    let right = format!(" {crumbs} · {} ", s.dept);
    let used: usize = spans.iter().map(|sp| sp.content.width()).sum();
    let room = usize::from(area.width).saturating_sub(used);
    if room > 4 {
        spans.push(Span::styled(
            format!("{:>room$}", fit(&right, room)),
            th.header,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Where you are: the screens on the stack after the first.
fn crumbs(s: &State) -> String {
    let a = &s.agenda;
    let names: Vec<String> = s
        .stack
        .iter()
        .skip(1)
        .filter(|v| v.screen != Screen::Search)
        .map(|v| match &v.screen {
            Screen::Agenda(m) => a.reference(m),
            Screen::Item(i) => format!(
                "{} {}",
                s.t(Msg::Item).to_lowercase(),
                a.item(i).map(|x| x.label.clone()).unwrap_or_default()
            ),
            Screen::Notes(_) => s.t(Msg::Notes).to_lowercase(),
            Screen::History(_) => s.t(Msg::History).to_lowercase(),
            Screen::Detail(id) => a.reference(id),
            Screen::Actions => s.t(Msg::Actions).to_lowercase(),
            Screen::Conflicts => s.t(Msg::Conflicts).to_lowercase(),
            _ => String::new(),
        })
        .collect();
    crate::text::line(&names.join(" › "))
}

fn status(f: &mut Frame, s: &State, area: Rect) {
    let th = &s.theme;
    f.render_widget(Block::default().style(th.status), area);
    let (style, left) = if let Some(p) = super::syncing::progress_text(s) {
        (th.status, format!(" ⟳ {p}"))
    } else if let Some((_, what)) = s.pending.last() {
        (th.status, format!(" ⟳ {what}"))
    } else {
        match &s.message {
            Some((Level::Error, m)) => (
                th.status.patch(th.error),
                format!(" {}: {m}", s.t(Msg::Error)),
            ),
            Some((Level::Ok, m)) => (th.status, format!(" ✓ {m}")),
            Some((Level::Info, m)) => (th.status, format!(" {m}")),
            None => (th.status, String::new()),
        }
    };
    // The sync state always shows: as many words as fit next to the message.
    let width = usize::from(area.width);
    let help = format!("? {}", s.t(Msg::Help).to_lowercase());
    let room = width.saturating_sub(left.width().min(width / 2));
    let right = super::syncing::status_parts(s)
        .into_iter()
        .map(|p| {
            if p.is_empty() {
                format!(" {help} ")
            } else {
                format!(" {p} · {help} ")
            }
        })
        .chain([format!(" {help} ")])
        .find(|r| r.width() <= room)
        .unwrap_or_default();
    let rw = right.width().min(width);
    let lw = width.saturating_sub(rw);
    let line = Line::from(vec![
        Span::styled(format!("{:<lw$}", fit(&left, lw)), style),
        Span::styled(fit(&right, rw), th.status),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

/// Multi-line record text made safe, with hard line breaks inside a paragraph joined so the
/// view can wrap it to its own width (blank lines and list items keep their breaks).
pub fn paragraphs(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut join = false;
    for l in crate::text::sanitize(s, true).lines() {
        let t = l.trim_end();
        let item = t.trim_start().starts_with(['-', '*', '•'])
            || t.trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit());
        match out.last_mut() {
            Some(last) if join && !t.is_empty() && !item => {
                last.push(' ');
                last.push_str(t.trim_start());
            }
            _ => out.push(t.to_string()),
        }
        join = !t.is_empty();
    }
    out
}

/// A body as the meeting lists show it: its short name, else its id; empty when unknown.
pub fn body_label(s: &State, body: &str) -> String {
    s.agenda
        .body(body)
        .map(|b| {
            if b.short.is_empty() {
                b.id.clone()
            } else {
                b.short.clone()
            }
        })
        .unwrap_or_default()
}

/// Record text made safe for the screen, on one line.
pub fn clean(s: &str) -> String {
    crate::text::line(s)
}

/// A pane title line; the focused pane's title stands out.
pub fn pane_block<'a>(s: &State, title: String, focused: bool) -> Block<'a> {
    let th = &s.theme;
    Block::default()
        .borders(Borders::TOP)
        .border_style(th.border)
        .title(Span::styled(
            format!(" {title} "),
            if focused { th.title } else { th.muted },
        ))
}

/// A list as a table with its header, the selection highlighted and scrolled into view.
#[allow(clippy::too_many_arguments)]
pub fn table(
    f: &mut Frame,
    s: &State,
    area: Rect,
    block: Block<'_>,
    header: Vec<String>,
    widths: Vec<Constraint>,
    rows: Vec<Row<'_>>,
    pane: usize,
    hits: &mut Hits,
) {
    let n = rows.len();
    let mut rows: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
    let row = |i: usize| rows.get_mut(i).and_then(Option::take).unwrap_or_default();
    table_lazy(f, s, area, block, header, widths, (n, row), pane, hits);
}

/// Like [`table`] for a list of `rows.0` rows of which only the visible ones are built, by
/// `rows.1` (a list of every follow-up at 1,000,000 records has half a million rows; a frame
/// shows thirty).
#[allow(clippy::too_many_arguments)]
pub fn table_lazy<'a>(
    f: &mut Frame,
    s: &State,
    area: Rect,
    block: Block<'_>,
    header: Vec<String>,
    widths: Vec<Constraint>,
    rows: (usize, impl FnMut(usize) -> Row<'a>),
    pane: usize,
    hits: &mut Hits,
) {
    let th = &s.theme;
    let v = s.view();
    let focused = v.pane == pane;
    let (n, row) = rows;
    let sel = v
        .sel
        .get(pane)
        .copied()
        .unwrap_or(0)
        .min(n.saturating_sub(1));
    let inner = block.inner(area);
    let hl = if focused {
        th.selected
    } else {
        th.text
            .patch(th.muted)
            .add_modifier(ratatui::style::Modifier::REVERSED)
    };
    // Rows are one line each; below the header, `height` of them fit. The first one shown
    // moves only as far as needed to keep the selection in view.
    let height = usize::from(inner.height.saturating_sub(1)).max(1);
    let mut offset = v
        .offset
        .get(pane)
        .copied()
        .unwrap_or(0)
        .min(n.saturating_sub(1));
    if sel < offset {
        offset = sel;
    } else if sel >= offset + height {
        offset = sel + 1 - height;
    }
    let shown: Vec<Row> = (offset..n.min(offset + height)).map(row).collect();
    let t = Table::new(shown, widths)
        .header(Row::new(header).style(th.muted))
        .block(block)
        .row_highlight_style(hl)
        .column_spacing(1);
    let mut st = TableState::default();
    if n > 0 {
        st.select(Some(sel - offset));
    }
    f.render_stateful_widget(t, area, &mut st);
    let rows_area = Rect {
        y: inner.y.saturating_add(1),
        height: inner.height.saturating_sub(1),
        ..inner
    };
    hits.lists.push((rows_area, pane, offset));
}

/// An empty-list message in the muted style.
pub fn empty(f: &mut Frame, s: &State, area: Rect, msg: Msg) {
    let r = Rect {
        y: area
            .y
            .saturating_add(2)
            .min(area.bottom().saturating_sub(1)),
        height: 1,
        ..area
    };
    f.render_widget(
        Paragraph::new(format!("  {}", s.t(msg))).style(s.theme.muted),
        r,
    );
}

/// ✓ / ✗ with the ok / warning style.
pub fn tick(s: &State, ok: bool) -> Span<'static> {
    if ok {
        Span::styled("✓", s.theme.ok)
    } else {
        Span::styled("✗", s.theme.warning)
    }
}

pub fn style_if(cond: bool, yes: Style, no: Style) -> Style {
    if cond { yes } else { no }
}
