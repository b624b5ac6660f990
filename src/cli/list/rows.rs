//! One listing row per record: the values `list` filters on, the table cells and the JSON
//! object, worked out once from the agenda so that a listing from a snapshot needs neither
//! the records nor the cross-record lookups.

use serde::{Deserialize, Serialize};

use crate::model::agenda::due_of;
use crate::model::records::Action;
use crate::model::{Agenda, Date, Kind, Record};

use super::super::output::{json_head, parsed_json};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Row {
    pub id: String,
    /// `None` where the status filter does not apply to the kind.
    pub status: Option<String>,
    /// The owner or lead department (`EZK/DE`), `None` where the filter does not apply.
    pub owner: Option<String>,
    /// The meeting the record belongs to (a meeting: itself); `None`: the filter does not apply.
    pub meeting: Option<String>,
    /// The body of that meeting.
    pub body: String,
    /// The end of an action's due window.
    pub due_end: Option<Date>,
    /// An action still to do (open, lopend, geblokkeerd).
    pub active: bool,
    pub cells: Vec<String>,
    /// The record's reference as listed (`ref` in its JSON: its id where the reference is
    /// not unique).
    pub reference: String,
    /// Its file, relative to the agenda's folder.
    pub path: String,
    /// The record as a JSON object, pretty-printed one level deep and escaped for a terminal.
    pub json: String,
}

/// The end of the due window actions are listed by; undated ones last.
pub fn listed_due(due_end: Option<Date>) -> Date {
    due_end.unwrap_or(Date {
        year: 9999,
        month: 12,
        day: 31,
    })
}

/// An action's row, given what it takes from other records: the body of its meeting and
/// its reference as listed.
pub fn action_row(a: &Action, body: String, reference: String, path: String) -> Row {
    let json = json_text(
        &a.id,
        Kind::Action,
        reference.clone(),
        Some(path.clone()),
        &Record::Action(a.clone()),
    );
    Row {
        id: a.id.clone(),
        status: Some(a.status.to_string()),
        owner: Some(a.owner.clone()),
        meeting: Some(a.meeting.clone()),
        body,
        due_end: due_of(a).and_then(|d| d.end),
        active: a.status.is_active(),
        cells: vec![
            a.reference.clone(),
            a.status.to_string(),
            a.owner.clone(),
            a.due.clone(),
            a.title.clone(),
        ],
        reference,
        path,
        json,
    }
}

/// Every record of `kind` in display order.
pub fn rows_of(agenda: &Agenda, kind: Kind) -> Vec<Row> {
    let body_of = |meeting_id: &str| {
        agenda
            .meeting(meeting_id)
            .map(|m| m.body.clone())
            .unwrap_or_default()
    };
    let row = |id: &str, cells: Vec<String>| {
        let reference = agenda.reference(id);
        let path = agenda.path_of(id);
        Row {
            id: id.to_string(),
            status: None,
            owner: None,
            meeting: None,
            body: String::new(),
            due_end: None,
            active: false,
            cells,
            json: agenda.record(id).map_or_else(String::new, |r| {
                json_text(id, r.kind(), reference.clone(), path.clone(), &r)
            }),
            reference,
            path: path.unwrap_or_default(),
        }
    };
    match kind {
        Kind::Action => {
            let mut v: Vec<_> = agenda.actions.iter().collect();
            // each key once: `sort_by_key` parsed the due date and copied the reference for
            // both sides of every comparison (0.4 s of a stale listing at 100,000 records)
            v.sort_by_cached_key(|x| {
                (
                    listed_due(due_of(x).and_then(|d| d.end)),
                    x.reference.clone(),
                )
            });
            v.into_iter()
                .map(|a| {
                    action_row(
                        a,
                        body_of(&a.meeting),
                        agenda.reference(&a.id),
                        agenda.path_of(&a.id).unwrap_or_default(),
                    )
                })
                .collect()
        }
        Kind::Meeting => agenda
            .meetings_by_date()
            .into_iter()
            .map(|m| {
                let when = m.date.map_or_else(|| m.planned.clone(), |d| d.to_string());
                Row {
                    status: Some(m.status.to_string()),
                    meeting: Some(m.id.clone()),
                    body: m.body.clone(),
                    ..row(
                        &m.id,
                        vec![
                            agenda.reference(&m.id),
                            when,
                            m.status.to_string(),
                            m.title.clone(),
                        ],
                    )
                }
            })
            .collect(),
        Kind::Item => {
            let mut order: Vec<_> = agenda
                .meetings_by_date()
                .into_iter()
                .map(|m| m.id.clone())
                .collect();
            order.dedup();
            let mut of_meeting = agenda.items_by_meeting();
            let mut out = Vec::new();
            for m in order {
                for i in of_meeting.remove(m.as_str()).unwrap_or_default() {
                    out.push(Row {
                        status: Some(i.status.map_or("gepland", |s| s.as_str()).to_string()),
                        owner: Some(i.lead.clone()),
                        meeting: Some(m.clone()),
                        body: body_of(&m),
                        ..row(
                            &i.id,
                            vec![
                                agenda.reference(&i.id),
                                i.treatment.to_string(),
                                i.duration.map(|d| d.to_string()).unwrap_or_default(),
                                i.lead.clone(),
                                i.title.clone(),
                            ],
                        )
                    });
                }
            }
            out
        }
        Kind::Notes => agenda
            .notes
            .iter()
            .map(|n| Row {
                status: Some(n.status.map_or("concept", |s| s.as_str()).to_string()),
                meeting: Some(n.meeting.clone()),
                body: body_of(&n.meeting),
                ..row(
                    &n.id,
                    vec![
                        agenda.reference(&n.id),
                        n.status.map_or("concept".into(), |s| s.to_string()),
                        n.decisions.len().to_string(),
                        n.agreements.len().to_string(),
                    ],
                )
            })
            .collect(),
        Kind::Person => agenda
            .people
            .iter()
            .map(|p| Row {
                owner: Some(p.organisation.clone()),
                ..row(
                    &p.id,
                    vec![
                        p.id.clone(),
                        p.class.to_string(),
                        p.organisation.clone(),
                        p.name.clone(),
                    ],
                )
            })
            .collect(),
        Kind::Body => agenda
            .bodies
            .iter()
            .map(|b| {
                row(
                    &b.id,
                    vec![
                        b.id.clone(),
                        b.level.map(|l| l.to_string()).unwrap_or_default(),
                        b.name.clone(),
                    ],
                )
            })
            .collect(),
        Kind::Organisation => agenda
            .organisations
            .iter()
            .map(|o| {
                row(
                    &o.id,
                    vec![
                        o.code.clone(),
                        o.kind.map(|k| k.to_string()).unwrap_or_default(),
                        o.name.clone(),
                    ],
                )
            })
            .collect(),
    }
}

/// The record as a JSON object, indented to stand in a pretty-printed array.
fn json_text(
    id: &str,
    kind: Kind,
    reference: String,
    path: Option<String>,
    record: &Record,
) -> String {
    let value = parsed_json(json_head(id, Some(kind), reference, path), Some(record));
    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
    // JSON strings hold no raw line breaks, so every break is layout.
    crate::text::escape_json(&pretty).replace('\n', "\n  ")
}

/// The rows as a JSON array, the same text `serde_json::to_string_pretty` would give.
pub fn json_array(rows: &[&Row]) -> String {
    if rows.is_empty() {
        return "[]".into();
    }
    let mut out = String::with_capacity(rows.iter().map(|r| r.json.len() + 4).sum::<usize>() + 4);
    out.push_str("[\n  ");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n  ");
        }
        out.push_str(&r.json);
    }
    out.push_str("\n]");
    out
}

#[cfg(test)]
mod tests {
    use crate::model::Kind;

    #[test]
    fn items_are_listed_by_meeting_date_each_meetings_in_agenda_order() {
        let a = crate::store::bundled::agenda();
        let listed: Vec<String> = super::rows_of(&a, Kind::Item)
            .into_iter()
            .map(|r| r.id)
            .collect();
        let mut order: Vec<String> = a
            .meetings_by_date()
            .into_iter()
            .map(|m| m.id.clone())
            .collect();
        order.dedup();
        let expected: Vec<String> = order
            .iter()
            .flat_map(|m| a.items_of(m))
            .map(|i| i.id.clone())
            .collect();
        assert!(expected.len() > 20, "{} items", expected.len());
        assert_eq!(listed, expected);
    }
}
