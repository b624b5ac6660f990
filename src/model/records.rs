//! The record types as they are read from their TOML files (see docs/format.md).
//! Unknown fields are ignored here and kept in the file by the format-preserving writer.

use serde::{Deserialize, Deserializer, Serialize};

use super::date::Date;
use super::enums::*;

/// The kinds of record, each with its folder and id prefix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Meeting,
    Item,
    Notes,
    Action,
    Body,
    Organisation,
    Person,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Body,
        Kind::Organisation,
        Kind::Person,
        Kind::Meeting,
        Kind::Item,
        Kind::Notes,
        Kind::Action,
    ];

    pub fn folder(self) -> &'static str {
        match self {
            Kind::Meeting => "meetings",
            Kind::Item => "items",
            Kind::Notes => "notes",
            Kind::Action => "actions",
            Kind::Body => "registry/bodies",
            Kind::Organisation => "registry/organisations",
            Kind::Person => "registry/people",
        }
    }

    /// Prefix of ids minted by overleg; registries with readable ids have none.
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            Kind::Meeting => Some("m-"),
            Kind::Item => Some("i-"),
            Kind::Notes => Some("n-"),
            Kind::Action => Some("a-"),
            Kind::Person => Some("p-"),
            Kind::Body | Kind::Organisation => None,
        }
    }

    /// The word used in JSON output and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Meeting => "meeting",
            Kind::Item => "item",
            Kind::Notes => "notes",
            Kind::Action => "action",
            Kind::Body => "body",
            Kind::Organisation => "organisation",
            Kind::Person => "person",
        }
    }

    /// The secretariat's word, used in commit messages.
    pub fn word_nl(self) -> &'static str {
        match self {
            Kind::Meeting => "vergadering",
            Kind::Item => "agendapunt",
            Kind::Notes => "verslag",
            Kind::Action => "actie",
            Kind::Body => "gremium",
            Kind::Organisation => "organisatie",
            Kind::Person => "persoon",
        }
    }

    /// Accepts singular and plural, English and Dutch (`actions`, `acties`, `action`).
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s.to_lowercase().as_str() {
            "meeting" | "meetings" | "vergadering" | "vergaderingen" => Kind::Meeting,
            "item" | "items" | "agendapunt" | "agendapunten" => Kind::Item,
            "note" | "notes" | "verslag" | "verslagen" => Kind::Notes,
            "action" | "actions" | "actie" | "acties" | "follow-ups" => Kind::Action,
            "body" | "bodies" | "gremium" | "gremia" => Kind::Body,
            "organisation" | "organisations" | "organization" | "organizations" | "organisatie"
            | "organisaties" | "org" | "orgs" => Kind::Organisation,
            "person" | "people" | "persoon" | "personen" => Kind::Person,
            _ => return None,
        })
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }
}

/// Accepts a TOML date (`2021-02-08`) or a string holding one.
fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Dt(toml::value::Datetime),
        S(String),
    }
    // The record cache is a binary format: there the date is stored as itself.
    if !d.is_human_readable() {
        return Option::<Date>::deserialize(d);
    }
    let raw = Option::<Raw>::deserialize(d)?;
    let text = match raw {
        None => return Ok(None),
        Some(Raw::S(s)) if s.trim().is_empty() => return Ok(None),
        Some(Raw::S(s)) => s,
        Some(Raw::Dt(dt)) => {
            if dt.time.is_some() || dt.offset.is_some() {
                return Err(serde::de::Error::custom(
                    "expected a date without a time, e.g. 2021-02-08",
                ));
            }
            dt.to_string()
        }
    };
    Date::parse_iso(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)")))
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Body {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub short: String,
    pub level: Option<BodyLevel>,
    #[serde(default)]
    pub default_chair: String,
    #[serde(default)]
    pub secretariat: String,
    pub slot_minutes: Option<u32>,
    #[serde(default)]
    pub cadence: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Organisation {
    pub id: String,
    pub code: String,
    pub name: String,
    /// `type` in the file: `kind` is the record kind in JSON output.
    #[serde(rename = "type")]
    pub kind: Option<OrgKind>,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub units: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub class: PersonClass,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub initials: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Participant {
    pub id: String,
    pub who: String,
    #[serde(default)]
    pub organisation: String,
    pub role: Option<ParticipantRole>,
    pub attendance: Option<Attendance>,
    #[serde(default)]
    pub seat: String,
    #[serde(default)]
    pub vacant: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Meeting {
    pub id: String,
    pub body: String,
    pub title: String,
    pub sequence_no: Option<u32>,
    #[serde(default, deserialize_with = "de_opt_date")]
    pub date: Option<Date>,
    #[serde(default)]
    pub planned: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    pub location: Option<LocationKind>,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub chair: String,
    #[serde(default)]
    pub secretariat: String,
    pub status: MeetingStatus,
    #[serde(default)]
    pub status_reason: String,
    pub confidentiality: Option<Confidentiality>,
    pub distribution: Option<Distribution>,
    #[serde(default)]
    pub meta_question: String,
    #[serde(default, deserialize_with = "de_opt_date")]
    pub papers_sent: Option<Date>,
    #[serde(default)]
    pub participants: Vec<Participant>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Presenter {
    pub id: String,
    pub who: String,
    pub status: Option<PresenterStatus>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Attachment {
    pub id: String,
    pub label: String,
    pub title: String,
    #[serde(default)]
    pub kenmerk: String,
    #[serde(default)]
    pub path: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Annotation {
    #[serde(default)]
    pub aanleiding: String,
    #[serde(default)]
    pub advies: String,
    #[serde(default)]
    pub kernpunten: String,
    #[serde(default)]
    pub toelichting: String,
    #[serde(default)]
    pub spreekpunten: String,
    #[serde(default)]
    pub vragen: Vec<String>,
}

impl Annotation {
    /// The text sections with their Dutch headings, in the order of a ministry annotation.
    pub fn sections(&self) -> [(&'static str, &str); 5] {
        [
            ("Aanleiding", &self.aanleiding),
            ("Advies / beslispunten", &self.advies),
            ("Kernpunten", &self.kernpunten),
            ("Toelichting", &self.toelichting),
            ("Spreekpunten", &self.spreekpunten),
        ]
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Item {
    pub id: String,
    pub meeting: String,
    pub label: String,
    pub order: i64,
    pub title: String,
    pub treatment: Treatment,
    pub duration: Option<u32>,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub objective: String,
    pub status: Option<ItemStatus>,
    #[serde(default)]
    pub presenters: Vec<Presenter>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub annotation: Annotation,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Summary {
    pub item: String,
    pub text: String,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Decision {
    pub id: String,
    #[serde(default)]
    pub item: String,
    pub kind: Option<DecisionKind>,
    pub text: String,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Agreement {
    pub id: String,
    #[serde(default)]
    pub item: String,
    pub text: String,
    #[serde(default)]
    pub parties: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Notes {
    pub id: String,
    pub meeting: String,
    #[serde(rename = "type")]
    pub kind: Option<NotesKind>,
    pub status: Option<NotesStatus>,
    #[serde(default)]
    pub no_follow_up: bool,
    #[serde(default)]
    pub summaries: Vec<Summary>,
    #[serde(default)]
    pub decisions: Vec<Decision>,
    #[serde(default)]
    pub agreements: Vec<Agreement>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Action {
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub owner: String,
    #[serde(default)]
    pub owner_role: String,
    #[serde(default)]
    pub contributors: Vec<String>,
    #[serde(default)]
    pub due: String,
    pub status: ActionStatus,
    #[serde(default)]
    pub status_note: String,
    #[serde(default)]
    pub meeting: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub report_back: String,
    #[serde(default, deserialize_with = "de_opt_date")]
    pub created: Option<Date>,
}

/// One record of any kind.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub enum Record {
    Meeting(Meeting),
    Item(Item),
    Notes(Notes),
    Action(Action),
    Body(Body),
    Organisation(Organisation),
    Person(Person),
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Meeting(_) => Kind::Meeting,
            Record::Item(_) => Kind::Item,
            Record::Notes(_) => Kind::Notes,
            Record::Action(_) => Kind::Action,
            Record::Body(_) => Kind::Body,
            Record::Organisation(_) => Kind::Organisation,
            Record::Person(_) => Kind::Person,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Meeting(r) => &r.id,
            Record::Item(r) => &r.id,
            Record::Notes(r) => &r.id,
            Record::Action(r) => &r.id,
            Record::Body(r) => &r.id,
            Record::Organisation(r) => &r.id,
            Record::Person(r) => &r.id,
        }
    }

    /// Deserialize `text` as a record of `kind`.
    pub fn from_toml(kind: Kind, text: &str) -> Result<Record, toml::de::Error> {
        Ok(match kind {
            Kind::Meeting => Record::Meeting(toml::from_str(text)?),
            Kind::Item => Record::Item(toml::from_str(text)?),
            Kind::Notes => Record::Notes(toml::from_str(text)?),
            Kind::Action => Record::Action(toml::from_str(text)?),
            Kind::Body => Record::Body(toml::from_str(text)?),
            Kind::Organisation => Record::Organisation(toml::from_str(text)?),
            Kind::Person => Record::Person(toml::from_str(text)?),
        })
    }
}
