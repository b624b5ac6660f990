//! The saves the worker runs: one commit each, from the files as they are.

use toml_edit::DocumentMut;

use super::super::action::Op;
use super::Runner;
use crate::model::edit::{self, convert};
use crate::model::parse::path_for;
use crate::model::{Kind, ids, schema};
use crate::ops;
use crate::store::write::{Change, Saved};
use crate::store::{Result, StoreError};

fn rejected(m: impl Into<String>) -> StoreError {
    StoreError::Rejected(m.into())
}

impl Runner {
    pub(super) fn save(&self, op: Op) -> Result<(Saved, Option<String>)> {
        let (s, a) = (&self.store, &self.agenda);
        let pairs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
        Ok(match op {
            Op::Set { id, fields } => (ops::set_fields(s, a.as_ref(), &id, &pairs(&fields))?, None),
            Op::Create { kind, fields } => {
                let (id, saved) = ops::create(s, a, kind, &fields)?;
                (saved, Some(id))
            }
            Op::Delete { id } => (ops::delete(s, a, &id)?, None),
            Op::AddEntry { id, list, fields } => {
                let f: Vec<(&str, String)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect();
                (ops::add_entry(s, a, &id, &list, f)?.1, None)
            }
            Op::AddNotesEntry {
                meeting,
                list,
                fields,
            } => match a.notes_of(&meeting) {
                Some(n) => {
                    let f: Vec<(&str, String)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect();
                    (ops::add_entry(s, a, &n.id.clone(), &list, f)?.1, None)
                }
                None => self.new_notes(&meeting, &list, &fields)?,
            },
            Op::Multi { sets, what } => (self.multi(&sets, &what)?, None),
            Op::Prepare { previous, fields } => {
                let (saved, id) = crate::tui::prepare::prepare(s, a, &previous, &fields)?;
                (saved, Some(id))
            }
            Op::Undo { commit } => (s.revert_own(&commit)?, None),
        })
    }

    /// Several records changed in one commit.
    fn multi(&self, sets: &[(String, Vec<(String, String)>)], what: &str) -> Result<Saved> {
        let a = &self.agenda;
        let mut targets = Vec::new();
        for (id, fields) in sets {
            let (kind, id) = a
                .resolve(id)
                .ok_or_else(|| StoreError::NotFound(id.clone()))?;
            let path = a.path_of(&id).unwrap_or_else(|| path_for(kind, &id));
            targets.push((kind, path, a.reference(&id), fields.clone()));
        }
        let refs: Vec<String> = targets.iter().map(|t| t.2.clone()).collect();
        let summary = format!("{} {what}", refs.join(", "));
        self.store.transact(|r| {
            let mut changes = Vec::new();
            for (kind, path, _, fields) in &targets {
                let old = r
                    .read(path)?
                    .ok_or_else(|| StoreError::NotFound(path.clone()))?;
                let mut doc: DocumentMut =
                    old.parse().map_err(|e| rejected(format!("{path}: {e}")))?;
                for (f, v) in fields {
                    let fp = edit::FieldPath::parse(f).map_err(rejected)?;
                    edit::set_field(&mut doc, *kind, &fp, v).map_err(rejected)?;
                }
                let new = doc.to_string();
                ops::validate_text(*kind, path, &new)?;
                if new != old {
                    changes.push(Change {
                        path: path.clone(),
                        text: Some(new),
                    });
                }
            }
            if changes.is_empty() {
                return Err(rejected(
                    "nothing changed: the records already have these values",
                ));
            }
            Ok((changes, summary.clone()))
        })
    }

    /// The first entry of a meeting's notes: the notes record is made with it, in one commit.
    fn new_notes(
        &self,
        meeting: &str,
        list: &str,
        fields: &[(String, String)],
    ) -> Result<(Saved, Option<String>)> {
        let a = &self.agenda;
        if a.meeting(meeting).is_none() {
            return Err(StoreError::NotFound(meeting.to_string()));
        }
        let id = format!("n-{}", meeting.trim_start_matches("m-"));
        let id = if a.kind_of(&id).is_some() {
            ids::mint(Kind::Notes)
        } else {
            id
        };
        let base = [
            ("meeting", meeting.to_string()),
            ("type", "besluitenlijst".into()),
            ("status", "concept".into()),
        ];
        let mut doc = edit::new_document(Kind::Notes, &id, &base).map_err(rejected)?;
        let key = schema::entry_key(list);
        let mut values = Vec::new();
        if key == "id" {
            let prefix = list.chars().next().unwrap_or('x').to_string();
            values.push(("id", toml_edit::Value::from(ids::mint_entry(&prefix))));
        }
        for (k, v) in fields {
            let ty = schema::list_field(Kind::Notes, list, k)
                .map(|f| f.ty)
                .ok_or_else(|| rejected(format!("{list} has no field `{k}`")))?;
            if let Some(val) = convert(ty, v).map_err(|e| rejected(format!("{k}: {e}")))? {
                values.push((k.as_str(), val));
            }
        }
        edit::push_entry(&mut doc, list, values);
        let text = doc.to_string();
        let path = path_for(Kind::Notes, &id);
        ops::validate_text(Kind::Notes, &path, &text)?;
        let summary = format!(
            "nieuw verslag {}/verslag: {list} toegevoegd",
            a.reference(meeting)
        );
        let saved = self.store.transact(|r| {
            if r.read(&path)?.is_some() {
                return Err(rejected(format!("{path} exists already")));
            }
            Ok((
                vec![Change {
                    path: path.clone(),
                    text: Some(text.clone()),
                }],
                summary.clone(),
            ))
        })?;
        Ok((saved, Some(id)))
    }
}
