//! The forms of the workbench, field by field, and the pick lists they choose from. Field
//! types come from the record schema so the form checks what `ops` will check.

use crate::model::agenda::meeting_when;
use crate::model::enums::*;
use crate::model::records::{Action, Item, Meeting};
use crate::model::schema::{self, FieldType};
use crate::model::{Agenda, Date, Kind};

use super::forms::{FieldKind, Form, Submit};
use super::i18n::{Lang, Msg};

fn words(w: &[&str]) -> Vec<(String, String)> {
    w.iter()
        .map(|x| (x.to_string(), x.replace('_', " ")))
        .collect()
}

/// Organisation codes, and `CODE/UNIT` for their units.
pub fn orgs(a: &Agenda) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for o in &a.organisations {
        v.push((o.code.clone(), crate::text::line(&o.name)));
        for u in &o.units {
            v.push((format!("{}/{u}", o.code), crate::text::line(&o.name)));
        }
    }
    v.sort();
    v
}

pub fn people(a: &Agenda) -> Vec<(String, String)> {
    a.people
        .iter()
        .map(|p| (p.id.clone(), crate::text::line(&a.who(&p.id))))
        .collect()
}

pub fn meetings(a: &Agenda, lang: Lang) -> Vec<(String, String)> {
    let mut v: Vec<&Meeting> = a.meetings_by_date();
    v.reverse();
    v.iter()
        .map(|m| {
            let when = m
                .date
                .map(|d| lang.date_short(d))
                .unwrap_or_else(|| m.planned.clone());
            (
                m.id.clone(),
                crate::text::line(&format!("{when} — {}", m.title)),
            )
        })
        .collect()
}

pub fn items_of(a: &Agenda, meeting: &str) -> Vec<(String, String)> {
    a.items_of(meeting)
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                crate::text::line(&format!("{} {}", i.label, i.title)),
            )
        })
        .collect()
}

pub fn bodies(a: &Agenda) -> Vec<(String, String)> {
    a.bodies
        .iter()
        .map(|b| (b.id.clone(), crate::text::line(&b.name)))
        .collect()
}

/// The field kind for a schema field.
pub fn kind_for(a: &Agenda, ty: FieldType) -> FieldKind {
    match ty {
        FieldType::Text | FieldType::List => FieldKind::Text,
        FieldType::LongText => FieldKind::Long,
        FieldType::Int => FieldKind::Int,
        FieldType::Bool => FieldKind::Choice(words(&["true", "false"])),
        FieldType::Date => FieldKind::Date,
        FieldType::Time => FieldKind::Time,
        FieldType::Fuzzy => FieldKind::Fuzzy,
        FieldType::Enum(w) => FieldKind::Choice(words(w)),
        FieldType::OrgRef => FieldKind::Org(orgs(a)),
        FieldType::OrgList => FieldKind::OrgList(orgs(a)),
        FieldType::PersonRef => FieldKind::Person(people(a)),
        FieldType::Ref(Kind::Meeting) => FieldKind::Choice(meetings(a, Lang::Nl)),
        FieldType::Ref(Kind::Body) => FieldKind::Choice(bodies(a)),
        FieldType::Ref(_) => FieldKind::Text,
    }
}

/// Add schema fields of `kind` by name, with values.
fn add(mut f: Form, a: &Agenda, kind: Kind, names: &[(&str, &str, String)]) -> Form {
    for (name, label, value) in names {
        let Some(sf) = schema::field(kind, name) else {
            continue;
        };
        f = f.field(name, label, kind_for(a, sf.ty), sf.required, value);
    }
    f
}

pub fn action_form(
    a: &Agenda,
    lang: Lang,
    today: Date,
    existing: Option<&Action>,
    meeting: &str,
    item: &str,
    dept: &str,
) -> Form {
    let (title, submit) = match existing {
        Some(x) => (Msg::FEditAction, Submit::Set { id: x.id.clone() }),
        None => {
            let mut extra = Vec::new();
            if !meeting.is_empty() {
                extra.push(("meeting".to_string(), meeting.to_string()));
            }
            if !item.is_empty() {
                extra.push(("item".to_string(), item.to_string()));
            }
            (
                Msg::FNewAction,
                Submit::Create {
                    kind: Kind::Action,
                    extra,
                },
            )
        }
    };
    let g = |f: fn(&Action) -> String| existing.map(f).unwrap_or_default();
    let owner = existing
        .map(|x| x.owner.clone())
        .unwrap_or_else(|| dept.to_string());
    let f = Form::new(lang.t(title), submit, today);
    let mut fields = vec![
        ("title", "Titel", g(|x| x.title.clone())),
        ("owner", "Trekker", owner),
        ("contributors", "I.s.m.", g(|x| x.contributors.join(", "))),
        ("due", "Gereed (datum)", g(|x| x.due.clone())),
        ("description", "Beschrijving", g(|x| x.description.clone())),
    ];
    if existing.is_some() {
        fields.push(("status", "Status", g(|x| x.status.as_str().to_string())));
        fields.push(("status_note", "Statusnotitie", g(|x| x.status_note.clone())));
    }
    add(f, a, Kind::Action, &fields)
}

pub fn postpone_form(a: &Agenda, lang: Lang, today: Date, ids: Vec<String>, due: &str) -> Form {
    let submit = if ids.len() == 1 {
        Submit::Set { id: ids[0].clone() }
    } else {
        Submit::SetMany {
            ids,
            what: "uitgesteld".into(),
        }
    };
    let f = Form::new(lang.t(Msg::FPostpone), submit, today);
    add(
        f,
        a,
        Kind::Action,
        &[
            ("due", "Nieuwe datum", due.to_string()),
            ("status_note", "Notitie", String::new()),
        ],
    )
}

pub fn decision_form(_a: &Agenda, lang: Lang, today: Date, meeting: &str, item: &str) -> Form {
    let mut extra = Vec::new();
    if !item.is_empty() {
        extra.push(("item".to_string(), item.to_string()));
    }
    Form::new(
        lang.t(Msg::FNewDecision),
        Submit::NotesEntry {
            meeting: meeting.into(),
            list: "decisions".into(),
            extra,
        },
        today,
    )
    // The text first: that is what the secretary types; the kind has a sensible default.
    .field("text", "Besluit", FieldKind::Long, true, "")
    .field(
        "kind",
        "Soort",
        FieldKind::Choice(words(DecisionKind::WORDS)),
        false,
        "akkoord",
    )
}

pub fn agreement_form(a: &Agenda, lang: Lang, today: Date, meeting: &str, item: &str) -> Form {
    let mut extra = Vec::new();
    if !item.is_empty() {
        extra.push(("item".to_string(), item.to_string()));
    }
    Form::new(
        lang.t(Msg::FNewAgreement),
        Submit::NotesEntry {
            meeting: meeting.into(),
            list: "agreements".into(),
            extra,
        },
        today,
    )
    .field("text", "Afspraak", FieldKind::Long, true, "")
    .field(
        "parties",
        "Partijen",
        FieldKind::OrgList(orgs(a)),
        false,
        "",
    )
}

pub fn meeting_form(
    a: &Agenda,
    lang: Lang,
    today: Date,
    existing: Option<&Meeting>,
    body: &str,
) -> Form {
    let (title, submit) = match existing {
        Some(m) => (Msg::FEditMeeting, Submit::Set { id: m.id.clone() }),
        None => (
            Msg::FNewMeeting,
            Submit::Create {
                kind: Kind::Meeting,
                extra: Vec::new(),
            },
        ),
    };
    let g = |f: fn(&Meeting) -> String| existing.map(f).unwrap_or_default();
    let body = existing
        .map(|m| m.body.clone())
        .unwrap_or_else(|| body.to_string());
    let f = Form::new(lang.t(title), submit, today);
    add(
        f,
        a,
        Kind::Meeting,
        &[
            ("body", "Gremium", body),
            ("title", "Titel", g(|m| m.title.clone())),
            (
                "date",
                "Datum",
                g(|m| m.date.map(|d| d.to_string()).unwrap_or_default()),
            ),
            ("planned", "Gepland (vaag)", g(|m| m.planned.clone())),
            ("start", "Begin", g(|m| m.start.clone())),
            ("end", "Einde", g(|m| m.end.clone())),
            (
                "location",
                "Vorm",
                g(|m| {
                    m.location
                        .map(|x| x.as_str().to_string())
                        .unwrap_or_default()
                }),
            ),
            ("venue", "Plaats", g(|m| m.venue.clone())),
            ("chair", "Voorzitter", g(|m| m.chair.clone())),
            (
                "status",
                "Status",
                existing
                    .map(|m| m.status.as_str().to_string())
                    .unwrap_or_else(|| "gepland".into()),
            ),
            (
                "confidentiality",
                "Vertrouwelijk",
                g(|m| {
                    m.confidentiality
                        .map(|x| x.as_str().to_string())
                        .unwrap_or_default()
                }),
            ),
            (
                "papers_sent",
                "Stukken verstuurd",
                g(|m| m.papers_sent.map(|d| d.to_string()).unwrap_or_default()),
            ),
        ],
    )
}

pub fn item_form(
    a: &Agenda,
    lang: Lang,
    today: Date,
    existing: Option<&Item>,
    meeting: &str,
) -> Form {
    let (title, submit) = match existing {
        Some(i) => (Msg::FEditItem, Submit::Set { id: i.id.clone() }),
        None => (
            Msg::FNewItem,
            Submit::Create {
                kind: Kind::Item,
                extra: vec![("meeting".into(), meeting.into())],
            },
        ),
    };
    let g = |f: fn(&Item) -> String| existing.map(f).unwrap_or_default();
    let f = Form::new(lang.t(title), submit, today);
    let mut fields = vec![
        ("title", "Titel", g(|i| i.title.clone())),
        (
            "treatment",
            "Behandeling",
            existing
                .map(|i| i.treatment.as_str().to_string())
                .unwrap_or_else(|| "ter_bespreking".into()),
        ),
        (
            "duration",
            "Duur (min)",
            g(|i| i.duration.map(|d| d.to_string()).unwrap_or_default()),
        ),
        ("lead", "Lead", g(|i| i.lead.clone())),
        ("objective", "Doel", g(|i| i.objective.clone())),
    ];
    if existing.is_some() {
        fields.insert(0, ("label", "Nummer", g(|i| i.label.clone())));
        fields.push((
            "status",
            "Status",
            g(|i| i.status.map(|s| s.as_str().to_string()).unwrap_or_default()),
        ));
    }
    add(f, a, Kind::Item, &fields)
}

/// The next meeting of the body of `previous`: title and planning pre-filled.
pub fn prepare_form(a: &Agenda, lang: Lang, today: Date, previous: &Meeting) -> Form {
    let seq = previous.sequence_no.map(|n| n + 1);
    let title = match seq {
        Some(n) => format!(
            "{n}e {}",
            a.body(&previous.body)
                .map(|b| b.name.clone())
                .unwrap_or_default()
        ),
        None => previous.title.clone(),
    };
    let f = Form::new(
        lang.t(Msg::FPrepare),
        Submit::Prepare {
            previous: previous.id.clone(),
        },
        today,
    );
    let when = meeting_when(previous)
        .map(|d| d.add_days(56))
        .map(|d| d.to_string())
        .unwrap_or_default();
    add(
        f,
        a,
        Kind::Meeting,
        &[
            ("title", "Titel", title),
            ("date", "Datum", when),
            ("start", "Begin", previous.start.clone()),
            ("end", "Einde", previous.end.clone()),
            (
                "location",
                "Vorm",
                previous
                    .location
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default(),
            ),
        ],
    )
}
