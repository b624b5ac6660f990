//! The calendar (`.ics`, RFC 5545) of meetings and follow-up due dates, and the strategic
//! calendar: upcoming dated meetings and follow-ups as a document.

use std::fmt::Write as _;

use crate::model::agenda::{due_of, is_overdue, meeting_when};
use crate::model::enums::MeetingStatus;
use crate::model::records::{Action, Meeting};
use crate::model::{Agenda, Date, FuzzyDate};

use super::doc::{Block, Doc, to_csv, to_html, to_markdown};
use super::{Ctx, ExportError, Format, Options, Output, ref_key, words};

/// Time zone of every meeting.
pub const TZID: &str = "Europe/Amsterdam";

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19810329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19961027T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Escape a TEXT value (RFC 5545 §3.3.11).
pub fn ics_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ';' => o.push_str("\\;"),
            ',' => o.push_str("\\,"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1). A
/// fold never sits next to a space of the text itself: some parsers trim lines.
pub fn fold_line(line: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for c in line.chars() {
        let limit = if lines.len() == 1 { 75 } else { 74 };
        let cur = lines.last_mut().expect("one line");
        if cur.len() + c.len_utf8() > limit {
            // move characters along until neither side of the fold is a space
            let mut carry: Vec<char> = vec![c];
            let keep = cur.clone();
            while cur.ends_with(' ') || carry.first() == Some(&' ') {
                match cur.pop() {
                    Some(x) => carry.insert(0, x),
                    None => break,
                }
            }
            if cur.is_empty() {
                // a line of nothing but spaces: fold plainly
                *cur = keep;
                carry = vec![c];
            }
            lines.push(carry.into_iter().collect());
        } else {
            cur.push(c);
        }
    }
    let mut out = lines.join("\r\n ");
    out.push_str("\r\n");
    out
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

fn hhmm(t: &str) -> Option<String> {
    let (h, m) = t.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}{m:02}00"))
}

/// A UID that stays the same for a record across exports.
pub fn uid(id: &str) -> String {
    format!("{id}@overleg.invalid")
}

struct Ics {
    out: String,
}

impl Ics {
    fn prop(&mut self, name: &str, value: &str) {
        self.out.push_str(&fold_line(&format!("{name}:{value}")));
    }
    fn text(&mut self, name: &str, value: &str) {
        if !value.trim().is_empty() {
            self.prop(name, &ics_escape(value.trim()));
        }
    }
}

/// The `.ics` calendar: every meeting with a date, and with `opts.actions` the due dates of
/// open follow-ups as all-day events.
pub fn ics(agenda: &Agenda, opts: &Options) -> Output {
    let ctx = Ctx::new(agenda, opts);
    let mut c = Ics { out: String::new() };
    c.prop("BEGIN", "VCALENDAR");
    c.prop("VERSION", "2.0");
    c.prop("PRODID", "-//overleg//overleg export ics//NL");
    c.prop("CALSCALE", "GREGORIAN");
    c.prop("METHOD", "PUBLISH");
    c.text("X-WR-CALNAME", "Overleg NDS");
    c.prop("X-WR-TIMEZONE", TZID);
    c.out.push_str(VTIMEZONE);
    let stamp = format!("{}T000000Z", ymd(opts.today));
    let items_of = agenda.items_by_meeting();
    for m in agenda.meetings_by_date() {
        let Some(date) = m.date else { continue };
        let place = format!("agenda {}", agenda.reference(&m.id));
        c.prop("BEGIN", "VEVENT");
        c.prop("UID", &uid(&m.id));
        c.prop("DTSTAMP", &stamp);
        match (hhmm(&m.start), hhmm(&m.end)) {
            (Some(s), e) => {
                c.prop(
                    &format!("DTSTART;TZID={TZID}"),
                    &format!("{}T{s}", ymd(date)),
                );
                let e = e.unwrap_or_else(|| {
                    // no end: the body's usual slot, else an hour
                    let mins = agenda
                        .body(&m.body)
                        .and_then(|b| b.slot_minutes)
                        .unwrap_or(60);
                    super::add_minutes(&m.start, mins)
                        .and_then(|t| hhmm(&t))
                        .unwrap_or(s.clone())
                });
                c.prop(&format!("DTEND;TZID={TZID}"), &format!("{}T{e}", ymd(date)));
            }
            (None, _) => {
                c.prop("DTSTART;VALUE=DATE", &ymd(date));
                c.prop("DTEND;VALUE=DATE", &ymd(date.add_days(1)));
            }
        }
        c.text("SUMMARY", &ctx.text(&format!("{place} / titel"), &m.title));
        let withheld = ctx.withheld(m);
        let mut desc = String::new();
        if let Some(b) = agenda.body(&m.body) {
            let _ = writeln!(desc, "{}", ctx.text("gremium", &b.name));
        }
        if let Some(why) = &withheld {
            ctx.note_withheld(&place, &format!("details van {} ({why})", m.id));
            let _ = writeln!(desc, "Details niet opgenomen: {why}.");
        } else {
            if let Some(mark) = super::confidential_label(m) {
                let _ = writeln!(desc, "{mark}.");
            }
            if !m.chair.is_empty() {
                let _ = writeln!(desc, "Voorzitter: {}", ctx.who(&place, &m.chair));
            }
            let items = items_of.get(m.id.as_str()).map_or(&[][..], Vec::as_slice);
            if !items.is_empty() {
                let _ = writeln!(desc, "Agenda:");
                for it in items {
                    let _ = writeln!(
                        desc,
                        "{}. {} ({})",
                        ctx.code(&it.label),
                        ctx.text(&format!("{place} / punt {}", it.label), &it.title),
                        words(it.treatment.as_str())
                    );
                }
            }
            let loc = ctx.text(&format!("{place} / locatie"), &m.venue);
            let loc = match (m.location, loc.trim().is_empty()) {
                (Some(l), true) => l.as_str().to_string(),
                (Some(l), false) => format!("{} ({})", loc.trim(), l.as_str()),
                (None, _) => loc,
            };
            c.text("LOCATION", &loc);
        }
        c.text("DESCRIPTION", &desc);
        if let Some(b) = agenda.body(&m.body) {
            let short = if b.short.is_empty() {
                &b.name
            } else {
                &b.short
            };
            c.text("CATEGORIES", short);
        }
        c.prop(
            "STATUS",
            match m.status {
                MeetingStatus::Cancelled => "CANCELLED",
                MeetingStatus::Draft | MeetingStatus::Planned | MeetingStatus::Postponed => {
                    "TENTATIVE"
                }
                MeetingStatus::Confirmed | MeetingStatus::Held => "CONFIRMED",
            },
        );
        if super::confidential_label(m).is_some() {
            c.prop("CLASS", "CONFIDENTIAL");
        }
        c.prop("TRANSP", "OPAQUE");
        c.prop("END", "VEVENT");
    }
    if opts.actions {
        let mut actions: Vec<(&Action, FuzzyDate)> = agenda
            .actions
            .iter()
            .map(|a| &**a)
            .filter(|a| a.status.is_active())
            .filter_map(|a| due_of(a).map(|d| (a, d)))
            .filter(|(_, d)| d.end.is_some())
            .collect();
        actions.sort_by_key(|(a, d)| (d.end, ref_key(&a.reference)));
        for (a, due) in actions {
            let Some(end) = due.end else { continue };
            if let Some(why) = agenda.meeting(&a.meeting).and_then(|m| ctx.withheld(m)) {
                ctx.note_withheld(
                    &format!("actie {}", crate::text::line(&a.reference)),
                    &format!("actie uit {} ({why})", a.meeting),
                );
                continue;
            }
            let place = format!("actie {}", crate::text::line(&a.reference));
            c.prop("BEGIN", "VEVENT");
            c.prop("UID", &uid(&a.id));
            c.prop("DTSTAMP", &stamp);
            c.prop("DTSTART;VALUE=DATE", &ymd(end));
            c.prop("DTEND;VALUE=DATE", &ymd(end.add_days(1)));
            c.text(
                "SUMMARY",
                &format!(
                    "Deadline {}: {}",
                    ctx.code(&a.reference),
                    ctx.text(&format!("{place} / titel"), &a.title)
                ),
            );
            let mut desc = format!(
                "Trekker: {}\nDeadline zoals afgesproken: {}\nStatus: {}",
                ctx.code(&a.owner),
                ctx.text(&format!("{place} / deadline"), &a.due),
                a.status.as_str()
            );
            if !a.description.trim().is_empty() {
                desc.push('\n');
                desc.push_str(
                    ctx.text(&format!("{place} / omschrijving"), &a.description)
                        .trim(),
                );
            }
            c.text("DESCRIPTION", &desc);
            c.text("CATEGORIES", "Actie");
            c.prop("TRANSP", "TRANSPARENT");
            c.prop("END", "VEVENT");
        }
    }
    c.prop("END", "VCALENDAR");
    ctx.finish(c.out)
}

/// One line of the strategic calendar.
struct Entry {
    sort: Date,
    when: String,
    kind: &'static str,
    what: String,
    who: String,
    status: String,
}

fn meeting_entry(ctx: &Ctx, m: &Meeting) -> Entry {
    let agenda = ctx.agenda;
    let place = format!("kalender / {}", agenda.reference(&m.id));
    let when = match m.date {
        Some(d) => {
            let mut s = format!(
                "{} {} {}",
                d.day,
                crate::model::date::MONTHS_NL[usize::from(d.month - 1)],
                d.year
            );
            if !m.start.trim().is_empty() {
                s.push_str(&format!(", {}", crate::text::line(m.start.trim())));
            }
            s
        }
        None => ctx.text(&place, &m.planned),
    };
    let mut what = ctx.text(&format!("{place} / titel"), &m.title);
    if let Some(why) = ctx.withheld(m) {
        ctx.note_withheld(&place, &format!("details van {} ({why})", m.id));
        what.push_str(" (vertrouwelijk; details niet opgenomen)");
    } else if let Some(mark) = ctx.marked(m) {
        what.push_str(&format!(" (vertrouwelijk: {mark})"));
    }
    let mut status = m.status.as_str().to_string();
    if !m.status_reason.trim().is_empty() && ctx.withheld(m).is_none() {
        status.push_str(&format!(
            ": {}",
            ctx.text(&format!("{place} / status"), &m.status_reason)
        ));
    }
    Entry {
        sort: meeting_when(m).unwrap_or(ctx.opts.today),
        when,
        kind: "vergadering",
        what,
        who: agenda
            .body(&m.body)
            .map(|b| {
                crate::text::line(if b.short.is_empty() {
                    &b.name
                } else {
                    &b.short
                })
            })
            .unwrap_or_else(|| ctx.code(&m.body)),
        status,
    }
}

fn action_entry(ctx: &Ctx, a: &Action, due: &FuzzyDate) -> Entry {
    let place = format!("kalender / actie {}", crate::text::line(&a.reference));
    Entry {
        sort: due.end.unwrap_or(ctx.opts.today),
        when: ctx.text(&place, &a.due),
        kind: "actie",
        what: format!(
            "{} {}",
            ctx.code(&a.reference),
            ctx.text(&format!("{place} / titel"), &a.title)
        ),
        who: ctx.code(&a.owner),
        status: a.status.as_str().to_string(),
    }
}

/// The strategic calendar: dated meetings from today on, follow-ups due from today on, and
/// the follow-ups already over time.
pub fn kalender(agenda: &Agenda, format: Format, opts: &Options) -> Result<Output, ExportError> {
    let ctx = Ctx::new(agenda, opts);
    let today = opts.today;
    let mut upcoming: Vec<Entry> = Vec::new();
    let mut overdue: Vec<Entry> = Vec::new();
    let mut left_out = 0;
    for m in &agenda.meetings {
        if matches!(m.status, MeetingStatus::Cancelled) {
            continue;
        }
        let end = m
            .date
            .or_else(|| FuzzyDate::parse(&m.planned).ok().and_then(|f| f.end));
        if end.is_some_and(|e| e >= today) {
            upcoming.push(meeting_entry(&ctx, m));
        }
    }
    for a in agenda.actions.iter().filter(|a| a.status.is_active()) {
        let Some(due) = due_of(a) else { continue };
        let Some(end) = due.end else { continue };
        if let Some(why) = agenda.meeting(&a.meeting).and_then(|m| ctx.withheld(m)) {
            ctx.note_withheld(
                &format!("kalender / actie {}", crate::text::line(&a.reference)),
                &format!("actie uit {} ({why})", a.meeting),
            );
            left_out += 1;
            continue;
        }
        if is_overdue(a, today) {
            overdue.push(action_entry(&ctx, a, &due));
        } else if end >= today {
            upcoming.push(action_entry(&ctx, a, &due));
        }
    }
    upcoming.sort_by(|x, y| (x.sort, x.kind, &x.what).cmp(&(y.sort, y.kind, &y.what)));
    overdue.sort_by(|x, y| (x.sort, &x.what).cmp(&(y.sort, &y.what)));
    let row = |e: &Entry| {
        vec![
            e.when.clone(),
            e.kind.to_string(),
            e.what.clone(),
            e.who.clone(),
            e.status.clone(),
        ]
    };
    let text = match format {
        Format::Csv => {
            let mut rows: Vec<Vec<String>> = upcoming.iter().map(row).collect();
            for e in &overdue {
                let mut r = row(e);
                r[4].push_str(" (over tijd)");
                rows.push(r);
            }
            to_csv(&["wanneer", "soort", "wat", "wie", "status"], &rows)
        }
        Format::Markdown | Format::Html => {
            let mut doc = Doc {
                title: "Strategische kalender".into(),
                subtitle: ctx.release_lines(),
                ..Doc::default()
            };
            doc.meta.push(("Vanaf".into(), today.long_nl()));
            doc.meta.push(("Datum".into(), today.long_nl()));
            let headers = ["Wanneer", "Soort", "Wat", "Gremium / trekker", "Status"]
                .map(String::from)
                .to_vec();
            doc.blocks.push(Block::Heading(
                2,
                "Komende vergaderingen en deadlines".into(),
            ));
            if upcoming.is_empty() {
                doc.blocks.push(Block::Para("Niets gepland.".into()));
            } else {
                doc.blocks.push(Block::Table {
                    headers: headers.clone(),
                    rows: upcoming.iter().map(row).collect(),
                });
            }
            doc.blocks
                .push(Block::Heading(2, "Acties over tijd".into()));
            if overdue.is_empty() {
                doc.blocks.push(Block::Para("Geen.".into()));
            } else {
                doc.blocks.push(Block::Table {
                    headers,
                    rows: overdue.iter().map(row).collect(),
                });
            }
            if left_out > 0 {
                doc.blocks.push(Block::Notice(format!(
                    "{left_out} actie(s) uit vertrouwelijke vergaderingen niet opgenomen in deze openbaarmakingsversie."
                )));
            }
            if format == Format::Html {
                to_html(&doc)
            } else {
                to_markdown(&doc)
            }
        }
        Format::Ics => return Ok(ics(agenda, opts)),
    };
    Ok(ctx.finish(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_characters_whole() {
        for long in [
            format!("DESCRIPTION:{}", "é".repeat(60)),
            format!("DESCRIPTION:{}", "ab ".repeat(60)),
        ] {
            let f = fold_line(&long);
            let phys: Vec<&str> = f.trim_end_matches("\r\n").split("\r\n").collect();
            for (i, l) in phys.iter().enumerate() {
                assert!(l.len() <= 75, "{} octets", l.len());
                let folded_after = i + 1 < phys.len();
                assert!(!l.starts_with("  "), "space at a fold: {l:?}");
                assert!(
                    !(folded_after && l.ends_with(' ')),
                    "space at a fold: {l:?}"
                );
            }
            let unfolded = f.replace("\r\n ", "");
            assert_eq!(unfolded.strip_suffix("\r\n"), Some(long.as_str()));
        }
        assert_eq!(ics_escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
