//! Changing a record's TOML text the way a careful person would: only the field that changes
//! is touched, so comments, key order and fields this version does not know all survive.
//! Pure: text in, text out.

use toml_edit::{DocumentMut, Item, Table, Value};

use super::date::{Date, FuzzyDate};
use super::records::Kind;
use super::schema::{self, FieldType};
use super::validate::valid_time;

mod diff;

pub use diff::{FieldChange, describe, diff};

/// Where a value goes: `status`, `annotation.advies`, `presenters[pr-1].status`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum FieldPath {
    Top(String),
    Nested(String, String),
    Entry {
        list: String,
        key: String,
        field: String,
    },
}

impl FieldPath {
    pub fn parse(s: &str) -> Result<FieldPath, String> {
        let s = s.trim();
        if let Some((list, rest)) = s.split_once('[') {
            let (key, field) = rest
                .split_once("].")
                .ok_or_else(|| format!("`{s}`: write a list entry as list[id].field"))?;
            return Ok(FieldPath::Entry {
                list: list.into(),
                key: key.into(),
                field: field.into(),
            });
        }
        match s.split_once('.') {
            Some((a, b)) => Ok(FieldPath::Nested(a.into(), b.into())),
            None if s.is_empty() => Err("empty field name".into()),
            None => Ok(FieldPath::Top(s.into())),
        }
    }

    pub fn display(&self) -> String {
        match self {
            FieldPath::Top(f) => f.clone(),
            FieldPath::Nested(a, b) => format!("{a}.{b}"),
            FieldPath::Entry { list, key, field } => format!("{list}[{key}].{field}"),
        }
    }
}

/// Turn what a person typed into the TOML value for a field of type `ty`. `None` removes
/// the field (an empty value for an optional field).
pub fn convert(ty: FieldType, raw: &str) -> Result<Option<Value>, String> {
    let t = raw.trim();
    if t.is_empty() && !matches!(ty, FieldType::List | FieldType::OrgList) {
        return Ok(None);
    }
    Ok(Some(match ty {
        FieldType::Text | FieldType::OrgRef | FieldType::PersonRef | FieldType::Ref(_) => {
            if t.contains('\n') {
                return Err("must be one line".into());
            }
            Value::from(t)
        }
        FieldType::LongText => Value::from(raw.trim_end_matches([' ', '\t'])),
        FieldType::Int => Value::from(
            t.parse::<i64>()
                .map_err(|_| format!("`{t}` is not a whole number"))?,
        ),
        FieldType::Bool => Value::from(match t.to_lowercase().as_str() {
            "true" | "ja" | "yes" | "1" => true,
            "false" | "nee" | "no" | "0" => false,
            _ => return Err(format!("`{t}` is not ja/nee (true/false)")),
        }),
        FieldType::Date => {
            let d = Date::parse_iso(t)
                .or_else(|| FuzzyDate::one_day(t))
                .ok_or_else(|| format!("`{t}` is not a date (2021-02-08 or 8 februari 2021)"))?;
            date_value(d)
        }
        FieldType::Time => {
            if !valid_time(t) {
                return Err(format!("`{t}` is not a time (HH:MM)"));
            }
            Value::from(t)
        }
        FieldType::Fuzzy => {
            FuzzyDate::parse(t)?;
            Value::from(t)
        }
        FieldType::Enum(words) => {
            if !words.contains(&t) {
                return Err(format!("`{t}` is not one of: {}", words.join(", ")));
            }
            Value::from(t)
        }
        FieldType::List | FieldType::OrgList => {
            let mut arr = toml_edit::Array::new();
            for part in t.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                arr.push(part);
            }
            Value::Array(arr)
        }
    }))
}

pub fn date_value(d: Date) -> Value {
    let dt = toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: d.year as u16,
            month: d.month,
            day: d.day,
        }),
        time: None,
        offset: None,
    };
    Value::from(dt)
}

/// Replace `slot`'s value, keeping the comment written after the old one.
fn put(slot: &mut Item, value: Option<Value>) {
    match value {
        None => *slot = Item::None,
        Some(mut v) => {
            if let Some(old) = slot.as_value() {
                let suffix = old.decor().suffix().cloned();
                if let Some(s) = suffix {
                    v.decor_mut().set_suffix(s);
                }
            }
            *slot = Item::Value(v);
        }
    }
}

fn type_of(kind: Kind, path: &FieldPath) -> Result<FieldType, String> {
    let known = |k: Kind| {
        schema::fields(k)
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match path {
        FieldPath::Top(f) if f == "id" => Err("the id of a record never changes".into()),
        FieldPath::Top(f) => schema::field(kind, f).map(|x| x.ty).ok_or_else(|| {
            format!(
                "a {} has no field `{f}`; fields: {}",
                kind.as_str(),
                known(kind)
            )
        }),
        FieldPath::Nested(a, b) => schema::field(kind, &format!("{a}.{b}"))
            .map(|x| x.ty)
            .ok_or_else(|| format!("a {} has no field `{a}.{b}`", kind.as_str())),
        FieldPath::Entry { list, field, .. } => {
            if field == schema::entry_key(list) {
                return Err(format!("`{field}` identifies the entry and never changes"));
            }
            schema::list_field(kind, list, field)
                .map(|x| x.ty)
                .ok_or_else(|| format!("a {} has no list field `{list}[…].{field}`", kind.as_str()))
        }
    }
}

/// Set one field of a record's document from typed text.
pub fn set_field(
    doc: &mut DocumentMut,
    kind: Kind,
    path: &FieldPath,
    raw: &str,
) -> Result<(), String> {
    let ty = type_of(kind, path)?;
    let value = convert(ty, raw).map_err(|e| format!("{}: {e}", path.display()))?;
    let is_required = match path {
        FieldPath::Top(f) => schema::field(kind, f).is_some_and(|x| x.required),
        FieldPath::Entry { list, field, .. } => {
            schema::list_field(kind, list, field).is_some_and(|x| x.required)
        }
        FieldPath::Nested(..) => false,
    };
    if value.is_none() && is_required {
        return Err(format!(
            "{}: is required and cannot be emptied",
            path.display()
        ));
    }
    set_value(doc, path, value)
}

/// Set (or with `None` remove) a value at `path` without type checks.
pub fn set_value(
    doc: &mut DocumentMut,
    path: &FieldPath,
    value: Option<Value>,
) -> Result<(), String> {
    match path {
        FieldPath::Top(f) => {
            if value.is_none() {
                doc.remove(f);
            } else {
                put(doc.entry(f).or_insert(Item::None), value);
            }
        }
        FieldPath::Nested(a, b) => {
            if doc.get(a).is_none() {
                if value.is_none() {
                    return Ok(());
                }
                doc.insert(a, Item::Table(Table::new()));
            }
            let t = doc
                .get_mut(a)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| format!("`{a}` is not a table"))?;
            if value.is_none() {
                t.remove(b);
            } else {
                put(t.entry(b).or_insert(Item::None), value);
            }
        }
        FieldPath::Entry { list, key, field } => {
            let id_key = schema::entry_key(list);
            let arr = doc
                .get_mut(list)
                .and_then(Item::as_array_of_tables_mut)
                .ok_or_else(|| format!("no list `{list}` in this record"))?;
            let entry = arr
                .iter_mut()
                .find(|t| t.get(id_key).and_then(Item::as_str) == Some(key.as_str()))
                .ok_or_else(|| format!("no entry `{key}` in `{list}`"))?;
            if value.is_none() {
                entry.remove(field);
            } else {
                put(entry.entry(field).or_insert(Item::None), value);
            }
        }
    }
    Ok(())
}

/// Append an entry to a list (array of tables), with its fields in the given order.
pub fn push_entry(doc: &mut DocumentMut, list: &str, fields: Vec<(&str, Value)>) {
    if doc.get(list).and_then(Item::as_array_of_tables).is_none() {
        doc.insert(list, Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    }
    if let Some(arr) = doc.get_mut(list).and_then(Item::as_array_of_tables_mut) {
        let mut t = Table::new();
        for (k, v) in fields {
            t.insert(k, Item::Value(v));
        }
        arr.push(t);
    }
}

/// Remove the entry whose key is `key` from a list; false when there was none.
pub fn remove_entry(doc: &mut DocumentMut, list: &str, key: &str) -> bool {
    let id_key = schema::entry_key(list);
    let Some(arr) = doc.get_mut(list).and_then(Item::as_array_of_tables_mut) else {
        return false;
    };
    let before = arr.len();
    arr.retain(|t| t.get(id_key).and_then(Item::as_str) != Some(key));
    before != arr.len()
}

/// A new record document: `id` first, then the given fields in order, converted by type.
pub fn new_document(
    kind: Kind,
    id: &str,
    fields: &[(&str, String)],
) -> Result<DocumentMut, String> {
    let mut doc = DocumentMut::new();
    doc.insert("id", toml_edit::value(id));
    for (name, raw) in fields {
        let path = FieldPath::parse(name)?;
        set_field(&mut doc, kind, &path, raw)?;
    }
    Ok(doc)
}

#[cfg(test)]
mod tests;
