//! What each field of each record kind holds, so that `set field=value` (and the forms) can
//! check and convert a typed value before anything is written.

use super::enums::*;
use super::records::Kind;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Multi-line text (annotations, notes).
    LongText,
    Int,
    Bool,
    /// An exact date, written as a TOML date.
    Date,
    /// `HH:MM`
    Time,
    /// A Dutch date phrase ("medio april 2021").
    Fuzzy,
    Enum(&'static [&'static str]),
    /// A list of strings; on the command line comma-separated.
    List,
    /// An organisation code, optionally with a unit: `EZK/DE`.
    OrgRef,
    /// A list of organisation references.
    OrgList,
    /// A person id or a role text.
    PersonRef,
    /// The id of a record of that kind.
    Ref(Kind),
}

pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

const fn f(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}
const fn r(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

use FieldType::*;

const MEETING: &[Field] = &[
    r("id", Text),
    r("body", Ref(Kind::Body)),
    r("title", Text),
    f("sequence_no", Int),
    f("date", Date),
    f("planned", Fuzzy),
    f("start", Time),
    f("end", Time),
    f("location", Enum(LocationKind::WORDS)),
    f("venue", Text),
    f("chair", PersonRef),
    f("secretariat", OrgRef),
    r("status", Enum(MeetingStatus::WORDS)),
    f("status_reason", Text),
    f("confidentiality", Enum(Confidentiality::WORDS)),
    f("distribution", Enum(Distribution::WORDS)),
    f("meta_question", LongText),
    f("papers_sent", Date),
];

const ITEM: &[Field] = &[
    r("id", Text),
    r("meeting", Ref(Kind::Meeting)),
    r("label", Text),
    r("order", Int),
    r("title", Text),
    r("treatment", Enum(Treatment::WORDS)),
    f("duration", Int),
    f("lead", OrgRef),
    f("objective", LongText),
    f("status", Enum(ItemStatus::WORDS)),
    f("annotation.aanleiding", LongText),
    f("annotation.advies", LongText),
    f("annotation.kernpunten", LongText),
    f("annotation.toelichting", LongText),
    f("annotation.spreekpunten", LongText),
    f("annotation.vragen", List),
];

const NOTES: &[Field] = &[
    r("id", Text),
    r("meeting", Ref(Kind::Meeting)),
    f("type", Enum(NotesKind::WORDS)),
    f("status", Enum(NotesStatus::WORDS)),
    f("no_follow_up", Bool),
];

const ACTION: &[Field] = &[
    r("id", Text),
    r("ref", Text),
    r("title", Text),
    f("description", LongText),
    r("owner", OrgRef),
    f("owner_role", Text),
    f("contributors", OrgList),
    f("due", Fuzzy),
    r("status", Enum(ActionStatus::WORDS)),
    f("status_note", LongText),
    f("meeting", Ref(Kind::Meeting)),
    f("item", Ref(Kind::Item)),
    f("report_back", Text),
    f("created", Date),
];

const BODY: &[Field] = &[
    r("id", Text),
    r("name", Text),
    f("short", Text),
    f("level", Enum(BodyLevel::WORDS)),
    f("default_chair", PersonRef),
    f("secretariat", OrgRef),
    f("slot_minutes", Int),
    f("cadence", Text),
];

const ORGANISATION: &[Field] = &[
    r("id", Text),
    r("code", Text),
    r("name", Text),
    f("type", Enum(OrgKind::WORDS)),
    f("parent", Text),
    f("units", List),
];

const PERSON: &[Field] = &[
    r("id", Text),
    r("name", Text),
    r("class", Enum(PersonClass::WORDS)),
    f("organisation", OrgRef),
    f("role", Text),
    f("initials", Text),
    f("email", Text),
    f("phone", Text),
];

/// Fields of entries in the lists that records hold (`participants[pt-1].attendance`).
const PARTICIPANT: &[Field] = &[
    r("id", Text),
    r("who", PersonRef),
    f("organisation", OrgRef),
    f("role", Enum(ParticipantRole::WORDS)),
    f("attendance", Enum(Attendance::WORDS)),
    f("seat", Text),
    f("vacant", Bool),
];
const PRESENTER: &[Field] = &[
    r("id", Text),
    r("who", PersonRef),
    f("status", Enum(PresenterStatus::WORDS)),
];
const ATTACHMENT: &[Field] = &[
    r("id", Text),
    r("label", Text),
    r("title", Text),
    f("kenmerk", Text),
    f("path", Text),
];
const SUMMARY: &[Field] = &[r("item", Ref(Kind::Item)), r("text", LongText)];
const DECISION: &[Field] = &[
    r("id", Text),
    f("item", Ref(Kind::Item)),
    f("kind", Enum(DecisionKind::WORDS)),
    r("text", LongText),
];
const AGREEMENT: &[Field] = &[
    r("id", Text),
    f("item", Ref(Kind::Item)),
    r("text", LongText),
    f("parties", OrgList),
];

pub fn fields(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Meeting => MEETING,
        Kind::Item => ITEM,
        Kind::Notes => NOTES,
        Kind::Action => ACTION,
        Kind::Body => BODY,
        Kind::Organisation => ORGANISATION,
        Kind::Person => PERSON,
    }
}

/// The lists of entries a kind has, and the fields of their entries. Summaries are keyed by
/// `item` rather than `id`.
pub fn lists(kind: Kind) -> &'static [(&'static str, &'static [Field])] {
    match kind {
        Kind::Meeting => &[("participants", PARTICIPANT)],
        Kind::Item => &[("presenters", PRESENTER), ("attachments", ATTACHMENT)],
        Kind::Notes => &[
            ("summaries", SUMMARY),
            ("decisions", DECISION),
            ("agreements", AGREEMENT),
        ],
        _ => &[],
    }
}

/// The key that identifies an entry in a list.
pub fn entry_key(list: &str) -> &'static str {
    if list == "summaries" { "item" } else { "id" }
}

pub fn field(kind: Kind, name: &str) -> Option<&'static Field> {
    fields(kind).iter().find(|f| f.name == name)
}

pub fn list_field(kind: Kind, list: &str, name: &str) -> Option<&'static Field> {
    lists(kind)
        .iter()
        .find(|(l, _)| *l == list)?
        .1
        .iter()
        .find(|f| f.name == name)
}
