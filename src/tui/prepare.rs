//! "Volgende vergadering voorbereiden": the next meeting of a body, with the items that were
//! held over and an item listing the open follow-ups of the previous meeting, in one commit.

use crate::model::agenda::is_overdue;
use crate::model::edit;
use crate::model::enums::ItemStatus;
use crate::model::parse::{parse_record, path_for};
use crate::model::{Agenda, Date, Kind, Severity, ids};
use crate::store::write::{Change, Saved};
use crate::store::{Result, Store, StoreError};

fn rejected(m: impl Into<String>) -> StoreError {
    StoreError::Rejected(m.into())
}

fn doc(kind: Kind, id: &str, fields: &[(&str, String)]) -> Result<Change> {
    let fields: Vec<(&str, String)> = fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .cloned()
        .collect();
    let text = edit::new_document(kind, id, &fields)
        .map_err(rejected)?
        .to_string();
    let path = path_for(kind, id);
    let parsed = parse_record(kind, &path, text.as_bytes());
    if let Some(p) = parsed
        .problems
        .iter()
        .find(|p| p.severity == Severity::Error)
    {
        return Err(rejected(p.to_string()));
    }
    Ok(Change {
        path,
        text: Some(text),
    })
}

/// The text of the "open follow-ups" item: one line per follow-up still to do.
pub fn open_actions_text(a: &Agenda, previous: &str, today: Date) -> String {
    let mut lines = Vec::new();
    for x in a
        .actions_of_meeting(previous)
        .into_iter()
        .filter(|x| x.status.is_active())
    {
        let late = if is_overdue(x, today) {
            " (te laat)"
        } else {
            ""
        };
        let due = if x.due.is_empty() {
            String::new()
        } else {
            format!(", gereed {}", x.due)
        };
        lines.push(format!(
            "- {} {} — {}{due}, {}{late}",
            x.reference, x.title, x.owner, x.status
        ));
    }
    if lines.is_empty() {
        "Er staan geen acties van de vorige vergadering open.".into()
    } else {
        lines.join("\n")
    }
}

/// Returns the commit and the id of the new meeting.
pub fn prepare(
    store: &Store,
    a: &Agenda,
    previous: &str,
    fields: &[(String, String)],
) -> Result<(Saved, String)> {
    let prev = a
        .meeting(previous)
        .ok_or_else(|| StoreError::NotFound(previous.to_string()))?;
    let id = ids::mint(Kind::Meeting);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut mf: Vec<(&str, String)> = vec![
        ("body", prev.body.clone()),
        ("title", get("title")),
        (
            "sequence_no",
            prev.sequence_no
                .map(|n| (n + 1).to_string())
                .unwrap_or_default(),
        ),
        ("date", get("date")),
        ("planned", get("planned")),
        ("start", get("start")),
        ("end", get("end")),
        ("location", get("location")),
        ("chair", prev.chair.clone()),
        ("secretariat", prev.secretariat.clone()),
        ("status", "concept".into()),
        (
            "confidentiality",
            prev.confidentiality
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "distribution",
            prev.distribution
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
    ];
    if get("title").trim().is_empty() {
        mf[1].1 = prev.title.clone();
    }
    let mut changes = vec![doc(Kind::Meeting, &id, &mf)?];
    let today = Date::today();
    changes.push(doc(
        Kind::Item,
        &ids::mint(Kind::Item),
        &[
            ("meeting", id.clone()),
            ("label", "1".into()),
            ("order", "10".into()),
            ("title", "Openstaande acties vorige vergadering".into()),
            ("treatment", "ter_kennisname".into()),
            ("duration", "5".into()),
            (
                "annotation.kernpunten",
                open_actions_text(a, previous, today),
            ),
        ],
    )?);
    let held: Vec<_> = a
        .items_of(previous)
        .into_iter()
        .filter(|i| i.status == Some(ItemStatus::HeldOver))
        .collect();
    for (n, i) in held.iter().enumerate() {
        changes.push(doc(
            Kind::Item,
            &ids::mint(Kind::Item),
            &[
                ("meeting", id.clone()),
                ("label", (n + 2).to_string()),
                ("order", ((n + 2) * 10).to_string()),
                ("title", i.title.clone()),
                ("treatment", i.treatment.as_str().to_string()),
                (
                    "duration",
                    i.duration.map(|d| d.to_string()).unwrap_or_default(),
                ),
                ("lead", i.lead.clone()),
                ("objective", i.objective.clone()),
                ("annotation.aanleiding", i.annotation.aanleiding.clone()),
            ],
        )?);
    }
    let summary = format!(
        "nieuwe vergadering {} voorbereid na {} ({} aangehouden punten)",
        mf[1].1,
        a.reference(previous),
        held.len()
    );
    mf.clear();
    let saved = store.transact(|_| Ok((changes, summary)))?;
    Ok((saved, id))
}
