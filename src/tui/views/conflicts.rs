//! Conflicten: every field both sides set differently, with the choice made so far; for the
//! one under the cursor, ours and theirs side by side with who changed each (department,
//! author, when), and the common base below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{clean, pane_block, paragraphs, table};
use crate::sync::conflicts::{ChangedBy, FieldConflict};
use crate::sync::merge::{ConflictKind, Take};
use crate::tui::i18n::Msg;
use crate::tui::keys::{Cmd, Ctx};
use crate::tui::state::{Hits, State};
use crate::tui::syncing;

fn choice(s: &State, c: &FieldConflict) -> &'static str {
    match &c.resolved {
        None => s.t(Msg::ChoiceOpen),
        Some(Take::Ours) => s.t(Msg::ChoiceOurs),
        Some(Take::Theirs) => s.t(Msg::ChoiceTheirs),
        Some(Take::Value(_)) => s.t(Msg::ChoiceValue),
    }
}

/// "o ons · t hun · e combineren", from the keymap.
fn hint(s: &State) -> String {
    let mut out = Vec::new();
    for (cmd, msg) in [
        (Cmd::TakeOurs, Msg::ChoiceOurs),
        (Cmd::TakeTheirs, Msg::ChoiceTheirs),
        (Cmd::Edit, Msg::Combine),
    ] {
        if let Some(k) = s.keymap.keys_for(Ctx::Conflicts, cmd).first() {
            out.push(format!("{} {}", k.label(), s.t(msg).to_lowercase()));
        }
    }
    out.join(" · ")
}

pub fn draw(f: &mut Frame, s: &State, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let list = &s.sync.conflicts;
    if list.is_empty() {
        let mut lines = vec![
            Line::from(""),
            Line::from(Span::styled(
                format!(
                    "  {}",
                    s.t(if s.merge_done {
                        Msg::MergeComplete
                    } else {
                        Msg::NoConflicts
                    })
                ),
                if s.merge_done { th.ok } else { th.text },
            )),
        ];
        if let Some(st) = syncing::status_parts(s).first().filter(|x| !x.is_empty()) {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(format!("  {st}"), th.muted)));
        }
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(pane_block(s, s.t(Msg::Conflicts).into(), true)),
            area,
        );
        return;
    }
    let open = s.open_conflicts();
    let list_h = (list.len() as u16 + 2).min((area.height / 3).max(4));
    let sel = s.view().sel[0].min(list.len() - 1);
    // The two sides as high as their text needs, the base right under them.
    let half = usize::from(area.width / 2).saturating_sub(1).max(1);
    let high = |v: Option<&str>| -> usize {
        v.map_or(1, |t| {
            paragraphs(t)
                .iter()
                .map(|p| p.width().div_ceil(half).max(1))
                .sum()
        })
    };
    let need = list.get(sel).map_or(4, |c| {
        4 + high(c.ours.as_deref()).max(high(c.theirs.as_deref()))
    });
    let room = area.height.saturating_sub(list_h + 3);
    let [top, sides, base] = Layout::vertical([
        Constraint::Length(list_h),
        Constraint::Length((need as u16).min(room).max(3)),
        Constraint::Min(2),
    ])
    .areas(area);
    let rows: Vec<Row> = list
        .iter()
        .map(|c| {
            let style = if c.resolved.is_none() {
                th.text.patch(th.warning)
            } else {
                th.text
            };
            Row::new(vec![
                Cell::from(clean(&s.agenda.reference(&c.id))),
                Cell::from(clean(&c.field)),
                Cell::from(choice(s, c)),
                Cell::from(clean(
                    &c.ours_by
                        .as_ref()
                        .map(|b| b.department.clone())
                        .unwrap_or_default(),
                )),
                Cell::from(clean(
                    &c.theirs_by
                        .as_ref()
                        .map(|b| b.department.clone())
                        .unwrap_or_default(),
                )),
            ])
            .style(style)
        })
        .collect();
    let title = format!(
        "{} — {open} {} · {}",
        s.t(Msg::Conflicts),
        s.t(Msg::ChoiceOpen),
        hint(s)
    );
    table(
        f,
        s,
        top,
        pane_block(s, title, true),
        vec![
            s.t(Msg::ColRef).into(),
            s.t(Msg::ColField).into(),
            s.t(Msg::ColChoice).into(),
            s.t(Msg::Ours).into(),
            s.t(Msg::Theirs).into(),
        ],
        vec![
            Constraint::Length(12),
            Constraint::Min(12),
            Constraint::Length(12),
            Constraint::Length(8),
            Constraint::Length(8),
        ],
        rows,
        0,
        hits,
    );
    let Some(c) = list.get(sel) else {
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(sides);
    side(f, s, c, true, left);
    side(f, s, c, false, right);
    let kind_note = match &c.conflict {
        ConflictKind::Value => None,
        ConflictKind::Text => Some(Msg::KindText),
        ConflictKind::EntryDeleted { .. } => Some(Msg::KindEntryDeleted),
        ConflictKind::RecordDeleted { .. } => Some(Msg::KindRecordDeleted),
        ConflictKind::Unreadable => Some(Msg::KindUnreadable),
    };
    let mut lines: Vec<Line> = Vec::new();
    if let Some(m) = kind_note {
        lines.push(Line::from(Span::styled(s.t(m), th.warning)));
    }
    lines.extend(value_lines(s, c.base.as_deref()));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(th.text)
            .block(pane_block(s, s.t(Msg::Base).into(), false)),
        base,
    );
}

fn value_lines<'a>(s: &State, v: Option<&str>) -> Vec<Line<'a>> {
    match v {
        None => vec![Line::from(Span::styled(s.t(Msg::Absent), s.theme.muted))],
        Some(t) if t.trim().is_empty() => {
            vec![Line::from(Span::styled(s.t(Msg::Empty), s.theme.muted))]
        }
        Some(t) => paragraphs(t).into_iter().map(Line::from).collect(),
    }
}

fn who(s: &State, by: Option<&ChangedBy>) -> String {
    match by {
        Some(b) => format!(
            "{} · {}",
            clean(&b.author),
            syncing::clock(s, b.time, s.sync.offset_minutes)
        ),
        None => String::new(),
    }
}

/// One side of the selected conflict.
fn side(f: &mut Frame, s: &State, c: &FieldConflict, ours: bool, area: Rect) {
    let th = &s.theme;
    let (name, by, value, taken) = if ours {
        (
            Msg::Ours,
            c.ours_by.as_ref(),
            c.ours.as_deref(),
            c.resolved == Some(Take::Ours),
        )
    } else {
        (
            Msg::Theirs,
            c.theirs_by.as_ref(),
            c.theirs.as_deref(),
            c.resolved == Some(Take::Theirs),
        )
    };
    let dept = by.map(|b| clean(&b.department)).unwrap_or_default();
    let mut title = format!("{} {dept}", s.t(name));
    if taken {
        title.push_str(" ✓");
    }
    let mut lines = vec![Line::from(Span::styled(who(s, by), th.muted))];
    if let Some(Take::Value(v)) = c.resolved.as_ref().filter(|_| ours) {
        lines.push(Line::from(Span::styled(
            format!("{}: {}", s.t(Msg::ChoiceValue), clean(v)),
            th.ok,
        )));
    }
    lines.push(Line::from(""));
    lines.extend(value_lines(s, value));
    let inner = Rect {
        width: area.width.saturating_sub(1),
        ..area
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(th.text)
            .block(pane_block(s, title, taken)),
        inner,
    );
}
