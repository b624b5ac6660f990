//! The changes a user can make, shared by the command line and the workbench: each reads the
//! record as it is on disk, applies the change to its text, checks the result, and hands it
//! to the store as one commit.

use toml_edit::{DocumentMut, Value};

use crate::model::edit::{self, FieldPath, describe, diff};
use crate::model::parse::{parse_record, path_for};
use crate::model::schema::{self, FieldType};
use crate::model::{Agenda, Date, Kind, Lookup, Severity, ids};
use crate::store::write::{Change, Saved};
use crate::store::{Result, Store, StoreError};

fn rejected(msg: impl Into<String>) -> StoreError {
    StoreError::Rejected(msg.into())
}

/// Check that references typed into a field point at something that exists.
fn check_reference(agenda: &dyn Lookup, ty: FieldType, field: &str, value: &str) -> Result<()> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(());
    }
    let org_ok = |r: &str| {
        let code = r.split('/').next().unwrap_or("").trim();
        agenda.has_org_code(code)
    };
    match ty {
        FieldType::Ref(kind) if agenda.kind_of(v) != Some(kind) => {
            return Err(rejected(format!("{field}: no {} `{v}`", kind.as_str())));
        }
        FieldType::OrgRef if !org_ok(v) => {
            return Err(rejected(format!(
                "{field}: no organisation with code `{}`",
                v.split('/').next().unwrap_or(v)
            )));
        }
        FieldType::OrgList => {
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !org_ok(part) {
                    return Err(rejected(format!(
                        "{field}: no organisation with code `{part}`"
                    )));
                }
            }
        }
        FieldType::PersonRef if v.starts_with("p-") && agenda.kind_of(v) != Some(Kind::Person) => {
            return Err(rejected(format!("{field}: no person `{v}`")));
        }
        _ => {}
    }
    Ok(())
}

/// References may be given as human references (`beraad-2021-02-08`); store ids.
fn normalise_reference(agenda: &dyn Lookup, ty: FieldType, value: &str) -> String {
    match ty {
        FieldType::Ref(kind) => match agenda.resolve(value) {
            Some((k, id)) if k == kind => id,
            _ => value.to_string(),
        },
        _ => value.to_string(),
    }
}

fn field_type(kind: Kind, path: &FieldPath) -> Option<FieldType> {
    match path {
        FieldPath::Top(f) => schema::field(kind, f).map(|x| x.ty),
        FieldPath::Nested(a, b) => schema::field(kind, &format!("{a}.{b}")).map(|x| x.ty),
        FieldPath::Entry { list, field, .. } => schema::list_field(kind, list, field).map(|x| x.ty),
    }
}

/// Parse new text as a record and refuse it when it has errors (the workbench's worker uses
/// it too).
pub(crate) fn validate_text(kind: Kind, path: &str, text: &str) -> Result<()> {
    let parsed = parse_record(kind, path, text.as_bytes());
    let errors: Vec<String> = parsed
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(rejected(errors.join("\n")))
    }
}

fn parse_doc(path: &str, text: &str) -> Result<DocumentMut> {
    text.parse::<DocumentMut>()
        .map_err(|e| rejected(format!("{path}: cannot be edited: {e}")))
}

/// A change to one record: `(field, value)` pairs applied in order.
pub fn set_fields(
    store: &Store,
    agenda: &dyn Lookup,
    id_or_ref: &str,
    assignments: &[(String, String)],
) -> Result<Saved> {
    let (kind, id) = agenda
        .resolve(id_or_ref)
        .ok_or_else(|| StoreError::NotFound(id_or_ref.to_string()))?;
    let path = agenda.path_of(&id).unwrap_or_else(|| path_for(kind, &id));
    let reference = agenda.reference(&id);
    let mut parsed = Vec::new();
    for (f, v) in assignments {
        let fp = FieldPath::parse(f).map_err(rejected)?;
        if let Some(ty) = field_type(kind, &fp) {
            check_reference(
                agenda,
                ty,
                &fp.display(),
                &normalise_reference(agenda, ty, v),
            )?;
            parsed.push((fp, normalise_reference(agenda, ty, v)));
        } else {
            parsed.push((fp, v.clone()));
        }
    }
    store.transact(|r| {
        let old = r
            .read(&path)?
            .ok_or_else(|| StoreError::NotFound(id.clone()))?;
        let mut doc = parse_doc(&path, &old)?;
        for (fp, v) in &parsed {
            edit::set_field(&mut doc, kind, fp, v).map_err(rejected)?;
        }
        let new = doc.to_string();
        validate_text(kind, &path, &new)?;
        let changes = diff(Some(&old), Some(&new));
        if changes.is_empty() {
            return Err(rejected(
                "nothing changed: the record already has these values",
            ));
        }
        let summary = format!("{} {} {}", kind.word_nl(), reference, describe(&changes));
        Ok((
            vec![Change {
                path: path.clone(),
                text: Some(new),
            }],
            summary,
        ))
    })
}

/// Apply an arbitrary edit to a record's document (for list entries and multi-field forms).
pub fn edit_record<F>(store: &Store, agenda: &Agenda, id: &str, what: &str, f: F) -> Result<Saved>
where
    F: FnOnce(&mut DocumentMut) -> std::result::Result<(), String>,
{
    let (kind, id) = agenda
        .resolve(id)
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    let path = agenda.path_of(&id).unwrap_or_else(|| path_for(kind, &id));
    let reference = agenda.reference(&id);
    store.transact(|r| {
        let old = r
            .read(&path)?
            .ok_or_else(|| StoreError::NotFound(id.clone()))?;
        let mut doc = parse_doc(&path, &old)?;
        f(&mut doc).map_err(rejected)?;
        let new = doc.to_string();
        validate_text(kind, &path, &new)?;
        if diff(Some(&old), Some(&new)).is_empty() {
            return Err(rejected("nothing changed"));
        }
        Ok((
            vec![Change {
                path: path.clone(),
                text: Some(new),
            }],
            format!("{} {} {}", kind.word_nl(), reference, what),
        ))
    })
}

/// The action reference for a new action from `meeting` (its month), else this month.
pub fn next_action_ref(agenda: &Agenda, meeting: Option<&str>) -> String {
    let when = meeting
        .and_then(|m| agenda.meeting(m))
        .and_then(crate::model::agenda::meeting_when)
        .unwrap_or_else(Date::today);
    let ym = format!("{:04}-{:02}", when.year, when.month);
    ids::next_action_ref(&ym, agenda.actions.iter().map(|a| a.reference.as_str()))
}

/// Create a record of `kind` with the given fields; returns its id and the commit.
pub fn create(
    store: &Store,
    agenda: &Agenda,
    kind: Kind,
    fields: &[(String, String)],
) -> Result<(String, Saved)> {
    let id = ids::mint(kind);
    let mut fields: Vec<(String, String)> = fields
        .iter()
        .map(|(f, v)| {
            let ty = schema::field(kind, f).map(|x| x.ty);
            (
                f.clone(),
                ty.map_or_else(|| v.clone(), |t| normalise_reference(agenda, t, v)),
            )
        })
        .collect();
    let has = |fields: &[(String, String)], f: &str| {
        fields.iter().any(|(k, v)| k == f && !v.trim().is_empty())
    };
    match kind {
        Kind::Action => {
            if !has(&fields, "ref") {
                let meeting = fields
                    .iter()
                    .find(|(k, _)| k == "meeting")
                    .map(|(_, v)| v.as_str());
                let r = next_action_ref(agenda, meeting);
                fields.insert(0, ("ref".into(), r));
            }
            if !has(&fields, "status") {
                fields.push(("status".into(), "open".into()));
            }
            if !has(&fields, "created") {
                fields.push(("created".into(), Date::today().to_string()));
            }
        }
        Kind::Meeting if !has(&fields, "status") => {
            fields.push(("status".into(), "gepland".into()))
        }
        Kind::Item => {
            let meeting = fields
                .iter()
                .find(|(k, _)| k == "meeting")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let siblings = agenda.items_of(&meeting);
            if !has(&fields, "order") {
                let next = siblings.iter().map(|i| i.order).max().unwrap_or(0) + 10;
                fields.push(("order".into(), next.to_string()));
            }
            if !has(&fields, "label") {
                fields.push(("label".into(), (siblings.len() + 1).to_string()));
            }
            if !has(&fields, "treatment") {
                fields.push(("treatment".into(), "ter_bespreking".into()));
            }
        }
        Kind::Notes => {
            if !has(&fields, "type") {
                fields.push(("type".into(), "besluitenlijst".into()));
            }
            if !has(&fields, "status") {
                fields.push(("status".into(), "concept".into()));
            }
        }
        _ => {}
    }
    for field in schema::fields(kind)
        .iter()
        .filter(|f| f.required && f.name != "id")
    {
        if !has(&fields, field.name) {
            return Err(rejected(format!(
                "a new {} needs `{}`",
                kind.as_str(),
                field.name
            )));
        }
    }
    for (f, v) in &fields {
        if let Some(ty) = schema::field(kind, f).map(|x| x.ty) {
            check_reference(agenda, ty, f, v)?;
        }
    }
    let borrowed: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let doc = edit::new_document(kind, &id, &borrowed).map_err(rejected)?;
    let text = doc.to_string();
    let path = path_for(kind, &id);
    validate_text(kind, &path, &text)?;
    let title = fields
        .iter()
        .find(|(k, _)| k == "title")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let reference = fields
        .iter()
        .find(|(k, _)| k == "ref")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| id.clone());
    let summary = format!("nieuw(e) {} {}: {}", kind.word_nl(), reference, title);
    let saved = store.transact(|r| {
        if r.read(&path)?.is_some() {
            return Err(rejected(format!("{path} exists already")));
        }
        Ok((
            vec![Change {
                path: path.clone(),
                text: Some(text),
            }],
            summary,
        ))
    })?;
    Ok((id, saved))
}

/// Delete a record. A meeting with items, notes or actions is refused: those would dangle.
pub fn delete(store: &Store, agenda: &Agenda, id_or_ref: &str) -> Result<Saved> {
    let (kind, id) = agenda
        .resolve(id_or_ref)
        .ok_or_else(|| StoreError::NotFound(id_or_ref.to_string()))?;
    if kind == Kind::Meeting
        && (!agenda.items_of(&id).is_empty()
            || agenda.notes_of(&id).is_some()
            || !agenda.actions_of_meeting(&id).is_empty())
    {
        return Err(rejected(
            "this meeting still has items, notes or actions; move or delete those first",
        ));
    }
    let path = agenda.path_of(&id).unwrap_or_else(|| path_for(kind, &id));
    let summary = format!("{} {} verwijderd", kind.word_nl(), agenda.reference(&id));
    store.transact(|r| {
        if r.read(&path)?.is_none() {
            return Err(StoreError::NotFound(id.clone()));
        }
        Ok((
            vec![Change {
                path: path.clone(),
                text: None,
            }],
            summary,
        ))
    })
}

/// Add an entry to a list of a record (a decision to notes, a presenter to an item).
pub fn add_entry(
    store: &Store,
    agenda: &Agenda,
    id: &str,
    list: &str,
    fields: Vec<(&str, String)>,
) -> Result<(String, Saved)> {
    let (kind, _) = agenda
        .resolve(id)
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    let key = schema::entry_key(list);
    let prefix = list.chars().next().unwrap_or('x').to_string();
    let entry_id = fields
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| ids::mint_entry(&prefix));
    let mut values: Vec<(&str, Value)> = Vec::new();
    if key == "id" {
        values.push(("id", Value::from(entry_id.as_str())));
    }
    for (k, v) in &fields {
        if *k == "id" {
            continue;
        }
        let ty = schema::list_field(kind, list, k)
            .map(|f| f.ty)
            .ok_or_else(|| rejected(format!("{list} has no field `{k}`")))?;
        let v = normalise_reference(agenda, ty, v);
        check_reference(agenda, ty, k, &v)?;
        if let Some(val) = edit::convert(ty, &v).map_err(|e| rejected(format!("{k}: {e}")))? {
            values.push((k, val));
        }
    }
    let what = format!("{list} + {entry_id}");
    let saved = edit_record(store, agenda, id, &what, move |doc| {
        edit::push_entry(doc, list, values);
        Ok(())
    })?;
    Ok((entry_id, saved))
}
