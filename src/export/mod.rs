//! What the secretariat sends out: the annotated agenda, the decisions and follow-ups list,
//! the calendar and the strategic calendar, each optionally as a Woo release.
//!
//! Pure functions from a loaded [`Agenda`] and [`Options`] to text. No git (so no author
//! names can reach a release), no screen. Every piece of record text goes through
//! [`Ctx::text`], which sanitises it and, for a release, masks personal data.

pub mod agenda;
pub mod besluiten;
pub mod calendar;
pub mod doc;
pub mod woo;

use crate::model::agenda::LoadedFile;
use crate::model::enums::Confidentiality;
use crate::model::records::{Kind, Meeting};
use crate::model::{Agenda, Date};

pub use woo::{Category, Finding, Ground, Masker, Report};

/// Output formats. Not every export has every format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Markdown,
    Html,
    Csv,
    Ics,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            "ics" | "ical" | "icalendar" => Some(Format::Ics),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Ics => "ics",
        }
    }
}

/// What happens to meetings under Chatham House or "niet verder verspreiden" in a release.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ConfidentialMode {
    /// Their content is left out; a notice in the document says so.
    #[default]
    Omit,
    /// Their content is included, marked as confidential at every place.
    Mark,
}

impl ConfidentialMode {
    pub fn parse(s: &str) -> Option<ConfidentialMode> {
        match s.trim().to_lowercase().as_str() {
            "omit" | "weglaten" | "leave-out" => Some(ConfidentialMode::Omit),
            "mark" | "markeren" => Some(ConfidentialMode::Mark),
            _ => None,
        }
    }
}

/// A Woo release.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Woo {
    pub ground: Ground,
    pub confidential: ConfidentialMode,
}

/// Options shared by the exports.
#[derive(Clone, Debug)]
pub struct Options {
    /// "Today": the date of the document, the start of the strategic calendar, DTSTAMP.
    pub today: Date,
    pub woo: Option<Woo>,
    /// The members' variant of the agenda: no spreekpunten.
    pub members: bool,
    /// Addressee of the agenda ("de Staatssecretaris"); derived from the chair when empty.
    pub aan: Option<String>,
    /// Kenmerk of the agenda paper.
    pub kenmerk: Option<String>,
    /// Calendar: follow-up due dates as all-day events too.
    pub actions: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            today: Date::today(),
            woo: None,
            members: false,
            aan: None,
            kenmerk: None,
            actions: false,
        }
    }
}

/// An export: its text, and for a release what was masked where.
#[derive(Clone, Debug)]
pub struct Output {
    pub text: String,
    pub report: Option<Report>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    #[error("no meeting `{0}` (give its id or reference, e.g. beraad-2021-02-08)")]
    UnknownMeeting(String),
    #[error("the {what} export has no {format} format (choose one of: {choices})")]
    Unsupported {
        what: &'static str,
        format: &'static str,
        choices: &'static str,
    },
}

/// Find a meeting by id or reference.
pub fn find_meeting<'a>(agenda: &'a Agenda, id_or_ref: &str) -> Result<&'a Meeting, ExportError> {
    agenda
        .resolve(id_or_ref)
        .filter(|(k, _)| *k == Kind::Meeting)
        .and_then(|(_, id)| agenda.meeting(&id))
        .ok_or_else(|| ExportError::UnknownMeeting(crate::text::line(id_or_ref)))
}

/// Build an agenda from files in memory (path inside the repository, contents), e.g. the
/// bundled example; no git involved.
pub fn agenda_from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Agenda {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for (path, bytes) in files {
        let Some((folder, name)) = path.rsplit_once('/') else {
            continue;
        };
        let Some(kind) = Kind::from_folder(folder) else {
            continue;
        };
        if !name.ends_with(".toml") {
            continue;
        }
        let parsed = crate::model::parse::parse_record(kind, path, bytes);
        problems.extend(parsed.problems);
        if let Some(record) = parsed.record {
            loaded.push(LoadedFile {
                path: path.to_string(),
                text: String::from_utf8_lossy(bytes).into_owned(),
                record,
            });
        }
    }
    Agenda::build(loaded, problems)
}

/// Everything an export needs while it builds its document.
pub struct Ctx<'a> {
    pub agenda: &'a Agenda,
    pub opts: &'a Options,
    pub masker: Option<Masker>,
}

impl<'a> Ctx<'a> {
    pub fn new(agenda: &'a Agenda, opts: &'a Options) -> Ctx<'a> {
        let masker = opts.woo.map(|w| Masker::new(agenda, w.ground));
        Ctx {
            agenda,
            opts,
            masker,
        }
    }

    pub fn woo(&self) -> Option<Woo> {
        self.opts.woo
    }

    /// Record text, safe to publish: sanitised, and masked in a release.
    pub fn text(&self, place: &str, s: &str) -> String {
        let clean = crate::text::sanitize(s, true);
        match &self.masker {
            Some(m) => m.text(place, &clean),
            None => clean,
        }
    }

    /// A `who` reference: a registry person (masked in a release unless a public office
    /// holder), else the text as written (scanned like any free text).
    pub fn who(&self, place: &str, r: &str) -> String {
        match (self.agenda.person(r), &self.masker) {
            (Some(p), Some(m)) => {
                let shown = m.person(place, p);
                // a role can carry a name too
                self.text(place, &shown)
            }
            (Some(_), None) => self.text(place, &self.agenda.who(r)),
            (None, _) => self.text(place, r),
        }
    }

    /// An organisation reference or other code: kept in a release, only sanitised.
    pub fn code(&self, s: &str) -> String {
        crate::text::line(s)
    }

    /// When a meeting's content is withheld from this release, why.
    pub fn withheld(&self, m: &Meeting) -> Option<String> {
        let w = self.woo()?;
        if w.confidential != ConfidentialMode::Omit {
            return None;
        }
        confidential_label(m)
    }

    /// The mark put on content of a confidential meeting included in a release.
    pub fn marked(&self, m: &Meeting) -> Option<String> {
        match self.woo() {
            Some(w) if w.confidential == ConfidentialMode::Mark => confidential_label(m),
            _ => None,
        }
    }

    pub fn note_withheld(&self, place: &str, what: &str) {
        if let Some(m) = &self.masker {
            m.note(place, Category::Confidential, None, what);
        }
    }

    /// The subtitle lines of a release.
    pub fn release_lines(&self) -> Vec<String> {
        match self.woo() {
            None => vec![],
            Some(w) => {
                let act = match w.ground {
                    Ground::Woo => "art. 5.1, tweede lid, onder e, Woo",
                    Ground::Wob => "art. 10, tweede lid, onder e, Wob",
                };
                vec![format!(
                    "Openbaarmakingsversie: persoonsgegevens vervangen door {} ({act}).",
                    w.ground.marker()
                )]
            }
        }
    }

    pub fn finish(self, text: String) -> Output {
        Output {
            text,
            report: self.masker.map(|m| m.report()),
        }
    }
}

/// "Chatham House" or "Niet verder verspreiden" for a confidential meeting.
pub fn confidential_label(m: &Meeting) -> Option<String> {
    match m.confidentiality {
        Some(Confidentiality::ChathamHouse) => {
            Some("Chatham House: agenda en stukken niet verder verspreiden".into())
        }
        Some(Confidentiality::DoNotDistribute) => Some("Niet verder verspreiden".into()),
        _ => None,
    }
}

/// "ter_bespreking" → "ter bespreking"
pub fn words(s: &str) -> String {
    s.replace('_', " ")
}

/// "16:00" + 25 minutes → "16:25"
pub fn add_minutes(hhmm: &str, minutes: u32) -> Option<String> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let t = h * 60 + m + minutes;
    Some(format!("{:02}:{:02}", (t / 60) % 24, t % 60))
}

/// Natural order of action refs: 2021-02-A2 before 2021-02-A10.
pub fn ref_key(r: &str) -> (String, u64) {
    let digits: String = r
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let n = digits.parse().unwrap_or(0);
    (r[..r.len() - digits.len()].to_lowercase(), n)
}
