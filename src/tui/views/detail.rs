//! Any record field by field (follow-ups, people, organisations, bodies), with its history.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{clean, pane_block};
use crate::tui::i18n::Msg;
use crate::tui::state::State;

pub fn draw(f: &mut Frame, s: &State, id: &str, area: Rect) {
    let th = &s.theme;
    let a = &s.agenda;
    let title = clean(&a.reference(id));
    let mut lines = Vec::new();
    for (field, v) in fields(s, id) {
        {
            let mut first = true;
            for l in crate::text::sanitize(&v, true).lines() {
                let label = if first {
                    format!("{field:<14} ")
                } else {
                    " ".repeat(15)
                };
                first = false;
                lines.push(Line::from(vec![
                    Span::styled(label, th.muted),
                    Span::styled(l.to_string(), th.text),
                ]));
            }
        }
    }
    if let Some(h) = s.history.get(id) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(s.t(Msg::History), th.title));
        for e in h.iter().take(20) {
            let when = super::history::when(s, e.time, e.offset_minutes);
            lines.push(Line::from(vec![
                Span::styled(format!("{when} {} ", clean(&e.department)), th.muted),
                Span::styled(clean(&e.summary), th.text),
            ]));
        }
    }
    let p = Paragraph::new(lines)
        .block(pane_block(s, title, true))
        .wrap(Wrap { trim: false })
        .scroll((s.view().scroll, 0));
    f.render_widget(p, area);
}

/// The fields of a record as loaded, in the order of the format (views do no file I/O).
fn fields(s: &State, id: &str) -> Vec<(&'static str, String)> {
    let a = &s.agenda;
    let mut t = Vec::new();
    let mut put = |k: &'static str, v: &str| {
        if !v.is_empty() {
            t.push((k, v.to_string()));
        }
    };
    if let Some(x) = a.action(id) {
        put("ref", &x.reference);
        put("title", &x.title);
        put("status", x.status.as_str());
        put("owner", &x.owner);
        put("owner_role", &x.owner_role);
        put("contributors", &x.contributors.join(", "));
        put("due", &x.due);
        put("status_note", &x.status_note);
        put("description", &x.description);
        put("meeting", &a.reference(&x.meeting));
        put("item", &a.reference(&x.item));
        put("report_back", &x.report_back);
    } else if let Some(p) = a.person(id) {
        put("name", &p.name);
        put("role", &p.role);
        put("organisation", &p.organisation);
        put("class", p.class.as_str());
    } else if let Some(b) = a.body(id) {
        put("name", &b.name);
        put("short", &b.short);
        put("secretariat", &b.secretariat);
        put("default_chair", &b.default_chair);
        put("cadence", &b.cadence);
    } else if let Some(o) = a.organisations.iter().find(|o| o.id == id) {
        put("code", &o.code);
        put("name", &o.name);
        put("units", &o.units.join(", "));
    }
    t
}
