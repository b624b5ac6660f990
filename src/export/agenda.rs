//! The geannoteerde agenda: a header block like the ministry's own papers, the agenda with its
//! time slots, the participants, then per item its data and annotation sections.

use crate::model::Agenda;
use crate::model::enums::{ItemStatus, MeetingStatus};
use crate::model::records::{Attachment, Item, Meeting};

use super::doc::{Block, Doc, to_html, to_markdown};
use super::{Ctx, ExportError, Format, Options, Output, add_minutes, find_meeting, words};

/// The annotated agenda of one meeting, in Markdown or HTML.
pub fn export(
    agenda: &Agenda,
    meeting: &str,
    format: Format,
    opts: &Options,
) -> Result<Output, ExportError> {
    let m = find_meeting(agenda, meeting)?;
    let ctx = Ctx::new(agenda, opts);
    let doc = build(&ctx, m);
    let text = match format {
        Format::Markdown => to_markdown(&doc),
        Format::Html => to_html(&doc),
        _ => {
            return Err(ExportError::Unsupported {
                what: "agenda",
                format: format.as_str(),
                choices: "md, html, pdf",
            });
        }
    };
    Ok(ctx.finish(text))
}

fn when_line(m: &Meeting) -> String {
    let mut s = match m.date {
        Some(d) => d.long_nl(),
        None if !m.planned.is_empty() => format!("gepland: {}", m.planned),
        None => "datum nog niet bekend".into(),
    };
    match (m.start.trim(), m.end.trim()) {
        ("", _) => {}
        (a, "") => s.push_str(&format!(", {a} uur")),
        (a, b) => s.push_str(&format!(", {a}–{b} uur")),
    }
    s
}

fn place_line(ctx: &Ctx, m: &Meeting) -> String {
    let kind = m
        .location
        .map(|l| l.as_str().to_string())
        .unwrap_or_default();
    let venue = ctx.text("vergadering / locatie", &m.venue);
    match (kind.is_empty(), venue.trim().is_empty()) {
        (false, false) => format!("{kind}; {}", venue.trim()),
        (false, true) => kind,
        (true, _) => venue.trim().to_string(),
    }
}

/// The addressee: given, else the members (members' variant), else the chair's office.
fn addressee(ctx: &Ctx, m: &Meeting) -> String {
    if let Some(a) = &ctx.opts.aan {
        return ctx.text("kop / aan", a);
    }
    let body = ctx
        .agenda
        .body(&m.body)
        .map(|b| b.name.clone())
        .unwrap_or_else(|| m.body.clone());
    if ctx.opts.members {
        return format!("de leden van het {}", ctx.text("kop / aan", &body));
    }
    match ctx.agenda.person(&m.chair) {
        // the office, not the name: "de Staatssecretaris van Economische Zaken en Klimaat"
        Some(p) if !p.role.is_empty() => {
            let role = p.role.split(';').next().unwrap_or(&p.role).trim();
            format!("de {}", ctx.text("kop / aan", role))
        }
        Some(_) => ctx.who("kop / aan", &m.chair),
        None if !m.chair.is_empty() => ctx.text("kop / aan", &m.chair),
        None => format!("de voorzitter van het {}", ctx.text("kop / aan", &body)),
    }
}

pub fn build(ctx: &Ctx, m: &Meeting) -> Doc {
    let agenda = ctx.agenda;
    let items = agenda.items_of(&m.id);
    let withheld = ctx.withheld(m);
    let marked = ctx.marked(m);
    let mut doc = Doc {
        title: format!(
            "{}: {}",
            if ctx.opts.members {
                "Geannoteerde agenda (leden)"
            } else {
                "Geannoteerde agenda"
            },
            ctx.text("titel", &m.title)
        ),
        subtitle: ctx.release_lines(),
        ..Doc::default()
    };
    let mut banner: Vec<String> = Vec::new();
    if let Some(c) = super::confidential_label(m) {
        banner.push(c);
    }
    if let Some(d) = m.distribution {
        banner.push(match d {
            crate::model::enums::Distribution::Internal => "Intern".to_string(),
            crate::model::enums::Distribution::ParticipantsOnly => {
                "Alleen voor deelnemers".to_string()
            }
            crate::model::enums::Distribution::Public => "Openbaar".to_string(),
        });
    }
    if !banner.is_empty() {
        doc.banner = Some(banner.join(" · "));
    }

    // ---- header block
    let meta = &mut doc.meta;
    meta.push(("Aan".into(), addressee(ctx, m)));
    let date = m.papers_sent.unwrap_or(ctx.opts.today);
    meta.push(("Datum".into(), date.long_nl()));
    if let Some(k) = &ctx.opts.kenmerk {
        meta.push(("Kenmerk".into(), ctx.code(k)));
    }
    // one bijlage can serve several items (sections of one discussion paper): count labels
    let mut attachments: Vec<&crate::model::records::Attachment> = Vec::new();
    for a in items.iter().flat_map(|i| i.attachments.iter()) {
        if !attachments
            .iter()
            .any(|x| x.label.trim().eq_ignore_ascii_case(a.label.trim()))
        {
            attachments.push(a);
        }
    }
    meta.push((
        "Bijlagen".into(),
        if attachments.is_empty() {
            "geen".into()
        } else {
            attachments.len().to_string()
        },
    ));
    meta.push(("Vergadering".into(), when_line(m)));
    let place = place_line(ctx, m);
    if !place.is_empty() && withheld.is_none() {
        meta.push(("Plaats".into(), place));
    }
    if !m.chair.is_empty() {
        meta.push(("Voorzitter".into(), ctx.who("kop / voorzitter", &m.chair)));
    }
    if !m.secretariat.is_empty() {
        meta.push(("Secretariaat".into(), ctx.code(&m.secretariat)));
    }
    if matches!(
        m.status,
        MeetingStatus::Cancelled | MeetingStatus::Postponed
    ) {
        let reason = ctx.text("kop / status", &m.status_reason);
        meta.push((
            "Status".into(),
            if reason.trim().is_empty() {
                m.status.as_str().to_string()
            } else {
                format!("{}: {}", m.status.as_str(), reason.trim())
            },
        ));
    }

    let b = &mut doc.blocks;
    if let Some(why) = &withheld {
        ctx.note_withheld("agenda", &format!("inhoud van {} ({why})", m.id));
        b.push(Block::Notice(format!(
            "De inhoud van deze agenda is niet opgenomen in deze openbaarmakingsversie: {why}."
        )));
        push_attachments(ctx, b, &attachments);
        return doc;
    }
    if let Some(mark) = &marked {
        b.push(Block::Notice(format!(
            "Vertrouwelijk ({mark}); opgenomen in deze openbaarmakingsversie op uitdrukkelijke keuze van het secretariaat."
        )));
        ctx.note_withheld(
            "agenda",
            &format!("inhoud van {} gemarkeerd ({mark})", m.id),
        );
    }
    if !m.meta_question.trim().is_empty() {
        b.push(Block::Heading(2, "Centrale vraag".into()));
        b.push(Block::Para(ctx.text("centrale vraag", &m.meta_question)));
    }

    // ---- the agenda at a glance, with time slots
    b.push(Block::Heading(2, "Agenda".into()));
    let mut clock = m.start.trim().to_string();
    let mut rows = Vec::new();
    let mut total = 0u32;
    for it in &items {
        let slot = match (it.duration, clock.is_empty()) {
            (Some(d), false) => {
                let end = add_minutes(&clock, d).unwrap_or_default();
                let s = format!("{clock}–{end}");
                clock = end;
                s
            }
            (Some(d), true) => format!("{d} min"),
            (None, _) => String::new(),
        };
        total += it.duration.unwrap_or(0);
        rows.push(vec![
            ctx.code(&it.label),
            item_title(ctx, it),
            words(it.treatment.as_str()),
            slot,
            ctx.code(&it.lead),
        ]);
    }
    if rows.is_empty() {
        b.push(Block::Para("Er zijn (nog) geen agendapunten.".into()));
    } else {
        b.push(Block::Table {
            headers: ["Nr.", "Onderwerp", "Behandeling", "Tijd", "Trekker"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    if let Some(slot) = slot_minutes(m)
        && total > slot
    {
        b.push(Block::Notice(format!(
            "Let op: de agendapunten duren samen {total} minuten; het tijdslot is {slot} minuten."
        )));
    }

    push_attachments(ctx, b, &attachments);

    // ---- participants
    let present: Vec<_> = m.participants.iter().collect();
    if !present.is_empty() {
        b.push(Block::Heading(2, "Deelnemers".into()));
        let rows = present
            .iter()
            .map(|p| {
                let place = format!("deelnemers / {}", p.id);
                let who = if p.vacant {
                    "vacant".to_string()
                } else {
                    ctx.who(&place, &p.who)
                };
                vec![
                    ctx.text(&place, &p.seat),
                    ctx.code(&p.organisation),
                    who,
                    p.role.map(|r| words(r.as_str())).unwrap_or_default(),
                    p.attendance
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        b.push(Block::Table {
            headers: ["Zetel", "Organisatie", "Naam", "Rol", "Aanwezig"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }

    // ---- per item
    let mut clock = m.start.trim().to_string();
    for it in &items {
        let place = format!("agendapunt {}", crate::text::line(&it.label));
        b.push(Block::Heading(
            2,
            format!("{}. {}", ctx.code(&it.label), item_title(ctx, it)),
        ));
        if let Some(mark) = &marked {
            b.push(Block::Notice(format!("Vertrouwelijk: {mark}")));
        }
        let mut fields = vec![("Behandeling".to_string(), words(it.treatment.as_str()))];
        if let Some(d) = it.duration {
            let mut s = format!("{d} minuten");
            if !clock.is_empty() {
                let end = add_minutes(&clock, d).unwrap_or_default();
                s.push_str(&format!(" ({clock}–{end})"));
                clock = end;
            }
            fields.push(("Duur".into(), s));
        }
        if !it.lead.is_empty() {
            fields.push(("Trekker".into(), ctx.code(&it.lead)));
        }
        for p in &it.presenters {
            let who = ctx.who(&format!("{place} / inleider"), &p.who);
            let status = p
                .status
                .filter(|s| *s != crate::model::enums::PresenterStatus::Confirmed)
                .map(|s| format!(" ({})", words(s.as_str())))
                .unwrap_or_default();
            fields.push(("Inleider".into(), format!("{who}{status}")));
        }
        if !it.objective.trim().is_empty() {
            fields.push((
                "Doel".into(),
                ctx.text(&format!("{place} / doel"), &it.objective),
            ));
        }
        for a in &it.attachments {
            fields.push(("Bijlage".into(), attachment_line(ctx, a)));
        }
        b.push(Block::Fields(fields));
        for (heading, text) in it.annotation.sections() {
            if heading == "Spreekpunten" && ctx.opts.members {
                continue;
            }
            if text.trim().is_empty() {
                continue;
            }
            let key = heading.split(' ').next().unwrap_or(heading).to_lowercase();
            b.push(Block::Heading(3, heading.into()));
            b.push(Block::Rich(ctx.text(&format!("{place} / {key}"), text)));
        }
        if !it.annotation.vragen.is_empty() {
            b.push(Block::Heading(3, "Vragen aan de leden".into()));
            b.push(Block::Numbered(
                it.annotation
                    .vragen
                    .iter()
                    .map(|v| ctx.text(&format!("{place} / vragen"), v))
                    .collect(),
            ));
        }
    }
    doc
}

fn item_title(ctx: &Ctx, it: &Item) -> String {
    let t = ctx.text(&format!("agendapunt {} / titel", it.label), &it.title);
    match it.status {
        Some(ItemStatus::Dropped) => format!("{t} (vervallen)"),
        Some(ItemStatus::HeldOver) => format!("{t} (aangehouden)"),
        _ => t,
    }
}

fn attachment_line(ctx: &Ctx, a: &crate::model::records::Attachment) -> String {
    let mut s = format!(
        "{}: {}",
        ctx.code(&a.label),
        ctx.text(&format!("bijlage {}", a.label), &a.title)
    );
    if !a.kenmerk.is_empty() {
        s.push_str(&format!(" (kenmerk {})", ctx.code(&a.kenmerk)));
    }
    s
}

/// The closing "Bijlagen" section, when the agenda has attachments (also in a withheld agenda).
fn push_attachments(ctx: &Ctx, b: &mut Vec<Block>, attachments: &[&Attachment]) {
    if !attachments.is_empty() {
        b.push(Block::Heading(2, "Bijlagen".into()));
        b.push(Block::List(
            attachments
                .iter()
                .map(|a| attachment_line(ctx, a))
                .collect(),
        ));
    }
}

fn slot_minutes(m: &Meeting) -> Option<u32> {
    let (s, e) = (m.start.trim(), m.end.trim());
    let mins = |t: &str| -> Option<u32> {
        let (h, mm) = t.split_once(':')?;
        Some(h.parse::<u32>().ok()? * 60 + mm.parse::<u32>().ok()?)
    };
    let (a, b) = (mins(s)?, mins(e)?);
    b.checked_sub(a)
}
