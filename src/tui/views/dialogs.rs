//! The overlays: help (from the keymap), the palette and pick lists, confirmations, forms and
//! the multi-line editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, TableState, Wrap};

use super::{clean, fit};
use crate::tui::forms::{FieldKind, Form};
use crate::tui::i18n::Msg;
use crate::tui::state::{Overlay, State};
use crate::tui::widgets::{Editor, Picker};

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    for ov in &s.overlays {
        match ov {
            Overlay::Help => help(f, s, area),
            Overlay::Palette(p) | Overlay::Picker(p) => picker(f, s, p, area),
            Overlay::Confirm { text, .. } => confirm(f, s, text, area),
            Overlay::Form(form) => form_view(f, s, form, area),
            Overlay::Editor(e) => editor(f, s, e, area),
        }
    }
}

/// A box of at most `w`×`h` in the middle of `area`, cleared.
fn boxed<'a>(
    f: &mut Frame,
    s: &State,
    area: Rect,
    w: u16,
    h: u16,
    title: String,
) -> (Rect, Block<'a>) {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.border)
        .style(s.theme.text)
        .title(Span::styled(format!(" {title} "), s.theme.title));
    (r, block)
}

fn help(f: &mut Frame, s: &State, area: Rect) {
    let ctx = s.ctx();
    let entries: Vec<(String, &'static str)> = s
        .keymap
        .help(ctx)
        .into_iter()
        .map(|(keys, cmd)| (keys, cmd.describe(s.lang)))
        .collect();
    // One column when it fits, else two (help must be readable at 80×24).
    let room = area.height.saturating_sub(4).max(1) as usize;
    let cols = if entries.len() <= room { 1 } else { 2 };
    let per = entries.len().div_ceil(cols);
    let h = per as u16 + 2;
    let (r, block) = boxed(f, s, area, 100, h, format!("{} — Esc", s.t(Msg::Help)));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let halves = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(inner);
    for (c, chunk) in entries.chunks(per.max(1)).enumerate() {
        let Some(area) = halves.get(c) else { break };
        let rows: Vec<Row> = chunk
            .iter()
            .map(|(k, d)| Row::new(vec![k.clone(), d.to_string()]))
            .collect();
        let t = Table::new(rows, [Constraint::Length(12), Constraint::Min(8)])
            .style(s.theme.text)
            .column_spacing(1);
        f.render_widget(
            t,
            Rect {
                width: area.width.saturating_sub(1),
                ..*area
            },
        );
    }
}

fn picker(f: &mut Frame, s: &State, p: &Picker, area: Rect) {
    let vis = p.visible();
    let h = (vis.len() as u16 + 4).clamp(6, 20);
    let (r, block) = boxed(f, s, area, 64, h, clean(&p.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [input, list, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("› ", s.theme.accent),
            Span::raw(clean(&p.filter)),
            Span::styled("▏", s.theme.accent),
        ])),
        input,
    );
    let rows: Vec<Row> = vis
        .iter()
        .map(|&i| {
            let (v, l) = &p.choices[i];
            let shown = if v == l || v.is_empty() {
                clean(l)
            } else {
                format!("{} — {}", clean(v), clean(l))
            };
            Row::new(vec![shown])
        })
        .collect();
    let t = Table::new(rows, [Constraint::Min(5)]).row_highlight_style(s.theme.selected);
    let mut st = TableState::default();
    if !vis.is_empty() {
        st.select(Some(p.sel.min(vis.len() - 1)));
    }
    f.render_stateful_widget(t, list, &mut st);
    f.render_widget(
        Paragraph::new(fit(s.t(Msg::PickHint), usize::from(hint.width))).style(s.theme.muted),
        hint,
    );
}

fn confirm(f: &mut Frame, s: &State, text: &str, area: Rect) {
    let (r, block) = boxed(f, s, area, 60, 6, "?".into());
    let p = Paragraph::new(vec![
        Line::styled(clean(text), s.theme.text),
        Line::raw(""),
        Line::styled(s.t(Msg::ConfirmYesNo), s.theme.warning),
    ])
    .block(block)
    .wrap(Wrap { trim: true });
    f.render_widget(p, r);
}

fn field_height(k: &FieldKind) -> u16 {
    if matches!(k, FieldKind::Long) { 4 } else { 1 }
}

fn form_view(f: &mut Frame, s: &State, form: &Form, area: Rect) {
    let th = &s.theme;
    let need: u16 = form
        .fields
        .iter()
        .map(|x| field_height(&x.kind) + u16::from(x.error.is_some() || x.note.is_some()))
        .sum::<u16>()
        + 4;
    let (r, block) = boxed(f, s, area, 76, need, clean(&form.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    if inner.height < 2 {
        return;
    }
    let label_w = 18.min(inner.width / 3);
    let body_h = inner.height - 1;
    // Scroll so the focused field is visible.
    let heights: Vec<u16> = form
        .fields
        .iter()
        .map(|x| field_height(&x.kind) + u16::from(x.error.is_some() || x.note.is_some()))
        .collect();
    let mut first = 0;
    while first < form.focus && heights[first..=form.focus].iter().sum::<u16>() > body_h {
        first += 1;
    }
    let mut y = inner.y;
    for (i, fld) in form.fields.iter().enumerate().skip(first) {
        let h = field_height(&fld.kind);
        if y + h > inner.y + body_h {
            break;
        }
        let focused = i == form.focus;
        let req = if fld.required { "*" } else { "" };
        let pick = if fld.kind.choices().is_some() {
            " ▾"
        } else {
            ""
        };
        let lstyle = if fld.error.is_some() {
            th.error
        } else if focused {
            th.title
        } else {
            th.muted
        };
        f.render_widget(
            Paragraph::new(fit(
                &format!("{}{req}{pick}", fld.label),
                usize::from(label_w),
            ))
            .style(lstyle),
            Rect::new(inner.x, y, label_w, 1),
        );
        let ir = Rect::new(
            inner.x + label_w + 1,
            y,
            inner.width.saturating_sub(label_w + 1),
            h,
        );
        let mut input = fld.input.clone();
        input.set_style(if focused { th.selected } else { th.text });
        input.set_cursor_style(if focused {
            th.text.add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            input.style()
        });
        f.render_widget(&input, ir);
        y += h;
        let msg = fld
            .error
            .as_ref()
            .map(|e| (e.clone(), th.error))
            .or_else(|| fld.note.as_ref().map(|n| (format!("→ {n}"), th.ok)));
        if let Some((m, st)) = msg {
            if y < inner.y + body_h {
                f.render_widget(
                    Paragraph::new(fit(&clean(&m), usize::from(ir.width))).style(st),
                    Rect::new(ir.x, y, ir.width, 1),
                );
            }
            y += 1;
        }
    }
    let hint = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
    f.render_widget(
        Paragraph::new(fit(s.t(Msg::FormHint), usize::from(inner.width))).style(th.muted),
        hint,
    );
}

fn editor(f: &mut Frame, s: &State, e: &Editor, area: Rect) {
    let (r, block) = boxed(
        f,
        s,
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2).max(6),
        clean(&e.title),
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    if inner.height < 2 {
        return;
    }
    let [text, hint] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let mut area_w = e.area.clone();
    area_w.set_style(s.theme.text);
    area_w.set_cursor_style(
        s.theme
            .text
            .add_modifier(ratatui::style::Modifier::REVERSED),
    );
    f.render_widget(&area_w, text);
    f.render_widget(
        Paragraph::new(fit(s.t(Msg::EditorHint), usize::from(hint.width))).style(s.theme.muted),
        hint,
    );
}
