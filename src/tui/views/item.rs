//! Agendapunt: the sections of the annotation on the left, the chosen one on the right;
//! attachments, linked follow-ups and the item's history are sections too.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{clean, fit, pane_block, table};
use crate::model::enums::PresenterStatus;
use crate::model::records::Item;
use crate::tui::i18n::Msg;
use crate::tui::rows::{self, SECTIONS, Section};
use crate::tui::state::{Hits, State};

pub fn section_label(s: &State, sec: Section) -> &'static str {
    s.t(match sec {
        Section::Details => Msg::Item,
        Section::Aanleiding => Msg::SecAanleiding,
        Section::Advies => Msg::SecAdvies,
        Section::Kernpunten => Msg::SecKernpunten,
        Section::Toelichting => Msg::SecToelichting,
        Section::Spreekpunten => Msg::SecSpreekpunten,
        Section::Vragen => Msg::Questions,
        Section::Attachments => Msg::Attachments,
        Section::FollowUps => Msg::LinkedActions,
        Section::History => Msg::History,
    })
}

fn filled(s: &State, i: &Item, sec: Section) -> usize {
    match sec {
        Section::Details => 1,
        Section::Vragen => i.annotation.vragen.len(),
        Section::Attachments => i.attachments.len(),
        Section::FollowUps => rows::item_actions(s, &i.id).len(),
        Section::History => s.history.get(&i.id).map_or(0, Vec::len),
        other => usize::from(!other.text(i).trim().is_empty()),
    }
}

pub fn draw(f: &mut Frame, s: &State, item: &str, area: Rect, hits: &mut Hits) {
    let th = &s.theme;
    let Some(i) = s.agenda.item(item) else { return };
    let w = usize::from(area.width);
    let [head, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(2)]).areas(area);
    let meeting = s
        .agenda
        .meeting(&i.meeting)
        .map(|m| clean(&m.title))
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(
                fit(&format!(" {} {}", clean(&i.label), clean(&i.title)), w),
                th.title,
            ),
            Line::styled(
                fit(
                    &format!(
                        " {} · {} · {meeting}",
                        i.treatment.as_str().replace('_', " "),
                        clean(&i.lead)
                    ),
                    w,
                ),
                th.muted,
            ),
        ]),
        head,
    );
    let left_w = (area.width / 3).clamp(12, 26);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(10)]).areas(rest);
    let v = s.view();
    let sel = v.sel[0].min(SECTIONS.len() - 1);
    let srows: Vec<Row> = SECTIONS
        .iter()
        .map(|sec| {
            let n = filled(s, i, *sec);
            let label = section_label(s, *sec);
            let count = match sec {
                Section::Vragen | Section::Attachments | Section::FollowUps | Section::History
                    if n > 0 =>
                {
                    format!(" ({n})")
                }
                _ => String::new(),
            };
            Row::new(vec![Cell::from(format!("{label}{count}"))]).style(if n == 0 {
                th.muted
            } else {
                th.text
            })
        })
        .collect();
    table(
        f,
        s,
        left,
        pane_block(s, s.t(Msg::Item).into(), v.pane == 0),
        vec![String::new()],
        vec![Constraint::Min(5)],
        srows,
        0,
        hits,
    );
    let sec = SECTIONS[sel];
    let block = pane_block(s, section_label(s, sec).into(), v.pane == 1);
    if sec == Section::FollowUps {
        let list = rows::item_actions(s, &i.id);
        let rws: Vec<Row> = list
            .iter()
            .map(|a| {
                let over = crate::model::agenda::is_overdue(a, s.today);
                Row::new(vec![
                    Cell::from(clean(&a.reference)),
                    Cell::from(clean(&a.title)),
                    Cell::from(a.status.as_str()),
                ])
                .style(if over {
                    th.text.patch(th.overdue)
                } else {
                    th.text
                })
            })
            .collect();
        let header = vec![
            s.t(Msg::ColRef).into(),
            s.t(Msg::ColTitle).into(),
            s.t(Msg::ColStatus).into(),
        ];
        table(
            f,
            s,
            right,
            block,
            header,
            vec![
                Constraint::Length(11),
                Constraint::Min(8),
                Constraint::Length(8),
            ],
            rws,
            1,
            hits,
        );
        return;
    }
    let lines = section_lines(s, i, sec);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((v.scroll, 0)),
        right,
    );
}

fn text_lines(s: &State, text: &str) -> Vec<Line<'static>> {
    if text.trim().is_empty() {
        return vec![Line::styled(s.t(Msg::Empty), s.theme.muted)];
    }
    super::paragraphs(text)
        .into_iter()
        .map(|l| Line::styled(l, s.theme.text))
        .collect()
}

fn section_lines(s: &State, i: &Item, sec: Section) -> Vec<Line<'static>> {
    let th = &s.theme;
    match sec {
        Section::Details => {
            let mut v = vec![
                Line::from(vec![
                    Span::styled(format!("{}: ", s.t(Msg::Objective)), th.muted),
                    Span::styled(clean(&i.objective), th.text),
                ]),
                Line::from(vec![
                    Span::styled(format!("{}: ", s.t(Msg::ColMinutes)), th.muted),
                    Span::styled(
                        i.duration
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into()),
                        th.text,
                    ),
                    Span::styled(format!("  {}: ", s.t(Msg::ColStatus)), th.muted),
                    Span::styled(
                        i.status.map(|x| x.as_str()).unwrap_or("—").to_string(),
                        th.text,
                    ),
                ]),
                Line::styled(format!("{}:", s.t(Msg::Presenters)), th.muted),
            ];
            for p in &i.presenters {
                let ok = p.status == Some(PresenterStatus::Confirmed);
                let st = p.status.map(|x| x.as_str()).unwrap_or("pm");
                v.push(Line::styled(
                    format!(
                        "  {} {} ({st})",
                        if ok { "✓" } else { "?" },
                        clean(&s.agenda.who(&p.who))
                    ),
                    if ok { th.text } else { th.warning },
                ));
            }
            v
        }
        Section::Vragen => {
            if i.annotation.vragen.is_empty() {
                return text_lines(s, "");
            }
            i.annotation
                .vragen
                .iter()
                .enumerate()
                .map(|(n, q)| Line::styled(format!("{}. {}", n + 1, clean(q)), th.text))
                .collect()
        }
        Section::Attachments => {
            if i.attachments.is_empty() {
                return text_lines(s, "");
            }
            i.attachments
                .iter()
                .flat_map(|b| {
                    [
                        Line::from(vec![
                            Span::styled(format!("{} ", clean(&b.label)), th.title),
                            Span::styled(clean(&b.title), th.text),
                        ]),
                        Line::styled(
                            format!("  {} {}", clean(&b.kenmerk), clean(&b.path)),
                            th.muted,
                        ),
                    ]
                })
                .collect()
        }
        Section::History => match s.history.get(&i.id) {
            None => vec![Line::styled(s.t(Msg::Loading), th.muted)],
            Some(h) => h
                .iter()
                .map(|e| {
                    let when = super::history::when(s, e.time, e.offset_minutes);
                    Line::from(vec![
                        Span::styled(format!("{when} {} ", clean(&e.department)), th.muted),
                        Span::styled(clean(&e.summary), th.text),
                    ])
                })
                .collect(),
        },
        other => text_lines(s, other.text(i)),
    }
}
