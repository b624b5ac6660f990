//! Besluitenlijst en actielijst: the decisions and agreements of one meeting, its follow-ups
//! numbered as the secretariat numbers them (their `ref`), and the open follow-ups of earlier
//! meetings of the same body.

use crate::model::Agenda;
use crate::model::agenda::{is_overdue, meeting_when};
use crate::model::records::{Action, Meeting};

use super::doc::{Block, Doc, to_csv, to_html, to_markdown};
use super::{Ctx, ExportError, Format, Options, Output, find_meeting, ref_key, words};

pub fn export(
    agenda: &Agenda,
    meeting: &str,
    format: Format,
    opts: &Options,
) -> Result<Output, ExportError> {
    let m = find_meeting(agenda, meeting)?;
    let ctx = Ctx::new(agenda, opts);
    let text = match format {
        Format::Markdown => to_markdown(&build(&ctx, m)),
        Format::Html => to_html(&build(&ctx, m)),
        Format::Csv => csv(&ctx, m),
        Format::Ics => {
            return Err(ExportError::Unsupported {
                what: "besluiten",
                format: format.as_str(),
                choices: "md, html, csv",
            });
        }
    };
    Ok(ctx.finish(text))
}

/// The follow-ups of this meeting, by ref.
fn own_actions<'a>(agenda: &'a Agenda, m: &Meeting) -> Vec<&'a Action> {
    let mut v = agenda.actions_of_meeting(&m.id);
    v.sort_by_key(|a| ref_key(&a.reference));
    v
}

/// Still-open follow-ups that came from earlier meetings of the same body, or that report
/// back to it.
fn earlier_open<'a>(agenda: &'a Agenda, m: &Meeting) -> Vec<&'a Action> {
    let this = meeting_when(m);
    let mut v: Vec<&Action> = agenda
        .actions
        .iter()
        .map(|a| &**a)
        .filter(|a| a.status.is_active() && a.meeting != m.id)
        .filter(|a| {
            let from_body = agenda.meeting(&a.meeting).is_some_and(|am| {
                am.body == m.body
                    && match (meeting_when(am), this) {
                        (Some(x), Some(y)) => x < y,
                        _ => false,
                    }
            });
            let reports_here = a.report_back == m.body || a.report_back == m.id;
            from_body || reports_here
        })
        .collect();
    v.sort_by_key(|a| ref_key(&a.reference));
    v
}

fn item_label(agenda: &Agenda, item: &str) -> String {
    agenda
        .item(item)
        .map(|i| crate::text::line(&i.label))
        .unwrap_or_default()
}

fn owner_line(ctx: &Ctx, a: &Action) -> String {
    let mut s = ctx.code(&a.owner);
    if !a.owner_role.trim().is_empty() {
        s.push_str(&format!(
            " ({})",
            ctx.text(&format!("actie {} / trekker", a.reference), &a.owner_role)
        ));
    }
    if !a.contributors.is_empty() {
        s.push_str(&format!(
            "; i.s.m. {}",
            a.contributors
                .iter()
                .map(|c| ctx.code(c))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s
}

fn status_line(ctx: &Ctx, a: &Action) -> String {
    let mut s = a.status.as_str().to_string();
    if is_overdue(a, ctx.opts.today) {
        s.push_str(" (over tijd)");
    }
    if !a.status_note.trim().is_empty() {
        s.push_str(&format!(
            ": {}",
            ctx.text(&format!("actie {} / status", a.reference), &a.status_note)
        ));
    }
    s
}

fn action_text(ctx: &Ctx, a: &Action) -> String {
    let place = format!("actie {}", crate::text::line(&a.reference));
    let mut s = ctx.text(&format!("{place} / titel"), &a.title);
    if !a.description.trim().is_empty() {
        s.push_str(". ");
        s.push_str(
            ctx.text(&format!("{place} / omschrijving"), &a.description)
                .trim(),
        );
    }
    s
}

fn action_row(ctx: &Ctx, a: &Action, with_meeting: bool) -> Vec<String> {
    let mut r = vec![
        ctx.code(&a.reference),
        action_text(ctx, a),
        owner_line(ctx, a),
        ctx.text(&format!("actie {} / deadline", a.reference), &a.due),
        status_line(ctx, a),
    ];
    if with_meeting {
        r.push(
            ctx.agenda
                .meeting(&a.meeting)
                .map(|m| ctx.text("vergadering", &m.title))
                .unwrap_or_else(|| ctx.code(&a.report_back)),
        );
    }
    r
}

pub fn build(ctx: &Ctx, m: &Meeting) -> Doc {
    let agenda = ctx.agenda;
    let notes = agenda.notes_of(&m.id);
    let withheld = ctx.withheld(m);
    let mut doc = Doc {
        title: format!(
            "Besluitenlijst en actielijst: {}",
            ctx.text("titel", &m.title)
        ),
        subtitle: ctx.release_lines(),
        banner: super::confidential_label(m),
        ..Doc::default()
    };
    doc.meta.push((
        "Vergadering".into(),
        match m.date {
            Some(d) => d.long_nl(),
            None => ctx.text("vergadering", &m.planned),
        },
    ));
    if !m.chair.is_empty() {
        doc.meta
            .push(("Voorzitter".into(), ctx.who("kop / voorzitter", &m.chair)));
    }
    if !m.secretariat.is_empty() {
        doc.meta
            .push(("Secretariaat".into(), ctx.code(&m.secretariat)));
    }
    if let Some(n) = notes {
        let kind = n.kind.map(|k| k.as_str()).unwrap_or("besluitenlijst");
        let status = n.status.map(|s| s.as_str()).unwrap_or("concept");
        doc.meta.push(("Stuk".into(), format!("{kind} ({status})")));
    }
    doc.meta.push(("Datum".into(), ctx.opts.today.long_nl()));

    let b = &mut doc.blocks;
    if let Some(why) = &withheld {
        ctx.note_withheld(
            "besluitenlijst",
            &format!("besluiten, afspraken en acties van {} ({why})", m.id),
        );
        b.push(Block::Notice(format!(
            "De besluiten, afspraken en acties van deze vergadering zijn niet opgenomen in deze openbaarmakingsversie: {why}."
        )));
    } else {
        if let Some(mark) = ctx.marked(m) {
            ctx.note_withheld("besluitenlijst", &format!("{} gemarkeerd ({mark})", m.id));
            b.push(Block::Notice(format!("Vertrouwelijk: {mark}")));
        }
        // decisions
        b.push(Block::Heading(2, "Besluiten".into()));
        let decisions: Vec<String> = notes
            .map(|n| {
                n.decisions
                    .iter()
                    .map(|d| {
                        let label = item_label(agenda, &d.item);
                        let mut s = String::new();
                        if !label.is_empty() {
                            s.push_str(&format!("Agendapunt {label}: "));
                        }
                        s.push_str(ctx.text(&format!("besluit {}", d.id), &d.text).trim());
                        if let Some(k) = d.kind {
                            s.push_str(&format!(" [{}]", words(k.as_str())));
                        }
                        s
                    })
                    .collect()
            })
            .unwrap_or_default();
        if decisions.is_empty() {
            b.push(Block::Para("Geen besluiten vastgelegd.".into()));
        } else {
            b.push(Block::Numbered(decisions));
        }
        // agreements
        let agreements: Vec<String> = notes
            .map(|n| {
                n.agreements
                    .iter()
                    .map(|g| {
                        let label = item_label(agenda, &g.item);
                        let mut s = String::new();
                        if !label.is_empty() {
                            s.push_str(&format!("Agendapunt {label}: "));
                        }
                        s.push_str(ctx.text(&format!("afspraak {}", g.id), &g.text).trim());
                        if !g.parties.is_empty() {
                            s.push_str(&format!(
                                " (partijen: {})",
                                g.parties
                                    .iter()
                                    .map(|p| ctx.code(p))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                        s
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !agreements.is_empty() {
            b.push(Block::Heading(2, "Afspraken".into()));
            b.push(Block::Numbered(agreements));
        }
        // follow-ups of this meeting
        b.push(Block::Heading(2, "Actielijst".into()));
        let own = own_actions(agenda, m);
        if own.is_empty() {
            b.push(Block::Para(
                if notes.is_some_and(|n| n.no_follow_up) {
                    "Er zijn geen concrete follow-up afspraken gemaakt."
                } else {
                    "Geen acties vastgelegd."
                }
                .into(),
            ));
        } else {
            b.push(Block::Table {
                headers: ["Nr.", "Actie", "Trekker", "Deadline", "Status"]
                    .map(String::from)
                    .to_vec(),
                rows: own.iter().map(|a| action_row(ctx, a, false)).collect(),
            });
        }
        // summaries per item
        if let Some(n) = notes
            && !n.summaries.is_empty()
        {
            b.push(Block::Heading(2, "Bespreking per agendapunt".into()));
            for s in &n.summaries {
                let title = agenda
                    .item(&s.item)
                    .map(|i| {
                        format!(
                            "{}. {}",
                            ctx.code(&i.label),
                            ctx.text(&format!("agendapunt {} / titel", i.label), &i.title)
                        )
                    })
                    .unwrap_or_else(|| ctx.code(&s.item));
                b.push(Block::Heading(3, title));
                b.push(Block::Rich(ctx.text(
                    &format!("verslag {}", item_label(agenda, &s.item)),
                    &s.text,
                )));
            }
        }
    }
    // open follow-ups of earlier meetings
    let earlier = earlier_open(agenda, m);
    b.push(Block::Heading(
        2,
        "Openstaande acties uit eerdere vergaderingen".into(),
    ));
    let mut rows = Vec::new();
    let mut left_out = 0;
    for a in &earlier {
        let from = agenda.meeting(&a.meeting);
        if let Some(why) = from.and_then(|fm| ctx.withheld(fm)) {
            ctx.note_withheld(
                &format!("actie {}", crate::text::line(&a.reference)),
                &format!("actie uit {} ({why})", a.meeting),
            );
            left_out += 1;
            continue;
        }
        rows.push(action_row(ctx, a, true));
    }
    if rows.is_empty() && left_out == 0 {
        b.push(Block::Para("Geen.".into()));
    }
    if !rows.is_empty() {
        b.push(Block::Table {
            headers: ["Nr.", "Actie", "Trekker", "Deadline", "Status", "Uit"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    if left_out > 0 {
        b.push(Block::Notice(format!(
            "{left_out} openstaande actie(s) uit vertrouwelijke vergaderingen niet opgenomen in deze openbaarmakingsversie."
        )));
    }
    doc
}

/// One row per decision, agreement and follow-up.
fn csv(ctx: &Ctx, m: &Meeting) -> String {
    let agenda = ctx.agenda;
    let headers = [
        "soort",
        "nummer",
        "agendapunt",
        "tekst",
        "trekker",
        "deadline",
        "status",
        "vergadering",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let title = ctx.text("vergadering", &m.title);
    if let Some(why) = ctx.withheld(m) {
        ctx.note_withheld("csv", &format!("{} ({why})", m.id));
        rows.push(vec![
            "weggelaten".into(),
            String::new(),
            String::new(),
            format!("niet opgenomen in deze openbaarmakingsversie: {why}"),
            String::new(),
            String::new(),
            String::new(),
            title.clone(),
        ]);
    } else if let Some(n) = agenda.notes_of(&m.id) {
        for (i, d) in n.decisions.iter().enumerate() {
            rows.push(vec![
                "besluit".into(),
                (i + 1).to_string(),
                item_label(agenda, &d.item),
                ctx.text(&format!("besluit {}", d.id), &d.text),
                String::new(),
                String::new(),
                d.kind.map(|k| words(k.as_str())).unwrap_or_default(),
                title.clone(),
            ]);
        }
        for (i, g) in n.agreements.iter().enumerate() {
            rows.push(vec![
                "afspraak".into(),
                (i + 1).to_string(),
                item_label(agenda, &g.item),
                ctx.text(&format!("afspraak {}", g.id), &g.text),
                g.parties
                    .iter()
                    .map(|p| ctx.code(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                String::new(),
                String::new(),
                title.clone(),
            ]);
        }
    }
    let own = if ctx.withheld(m).is_some() {
        vec![]
    } else {
        own_actions(agenda, m)
    };
    let mut push_action = |kind: &str, a: &Action| {
        rows.push(vec![
            kind.into(),
            ctx.code(&a.reference),
            item_label(agenda, &a.item),
            action_text(ctx, a),
            owner_line(ctx, a),
            ctx.text("deadline", &a.due),
            status_line(ctx, a),
            agenda
                .meeting(&a.meeting)
                .map(|x| ctx.text("vergadering", &x.title))
                .unwrap_or_default(),
        ]);
    };
    for a in own {
        push_action("actie", a);
    }
    for a in earlier_open(agenda, m) {
        if let Some(why) = agenda.meeting(&a.meeting).and_then(|fm| ctx.withheld(fm)) {
            ctx.note_withheld(
                &format!("actie {}", crate::text::line(&a.reference)),
                &format!("actie uit {} ({why})", a.meeting),
            );
            continue;
        }
        push_action("openstaande actie", a);
    }
    to_csv(&headers, &rows)
}
