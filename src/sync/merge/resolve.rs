//! Resolving: settling one conflict in the merged text by ours, theirs or a typed value.

use serde::{Deserialize, Serialize};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use super::Seg;
use super::layout::{clear_positions, clear_table_positions};
use crate::model::Kind;
use crate::model::schema;

/// What to put in place of a conflicting field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "take", content = "value")]
pub enum Take {
    Ours,
    Theirs,
    /// A value typed by the person resolving (converted by the field's type when known).
    Value(String),
}

fn lookup(doc: &DocumentMut, path: &[Seg]) -> Option<Item> {
    let (last, parents) = path.split_last()?;
    let mut cur: &dyn TableLike = doc.as_table();
    for seg in parents {
        cur = match seg {
            Seg::Key(k) => cur.get(k)?.as_table_like()?,
            Seg::Entry { list, key } => find_entry(cur, list, key)?,
        };
    }
    match last {
        Seg::Key(k) => cur.get(k).filter(|i| !i.is_none()).cloned(),
        Seg::Entry { list, key } => find_entry(cur, list, key).map(|t| Item::Table(t.clone())),
    }
}

fn find_entry<'a>(cur: &'a dyn TableLike, list: &str, key: &str) -> Option<&'a Table> {
    let id = schema::entry_key(list);
    cur.get(list)?
        .as_array_of_tables()?
        .iter()
        .find(|t| t.get(id).and_then(Item::as_str) == Some(key))
}

fn set_at(doc: &mut DocumentMut, path: &[Seg], value: Option<Item>) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("the whole record is chosen with ours or theirs".into());
    };
    let mut cur: &mut dyn TableLike = doc.as_table_mut();
    for seg in parents {
        cur = match seg {
            Seg::Key(k) => {
                if !cur.contains_key(k) {
                    cur.insert(k, Item::Table(Table::new()));
                }
                cur.get_mut(k)
                    .and_then(Item::as_table_like_mut)
                    .ok_or_else(|| format!("`{k}` is not a table"))?
            }
            Seg::Entry { list, key } => {
                let id = schema::entry_key(list);
                cur.get_mut(list)
                    .and_then(Item::as_array_of_tables_mut)
                    .and_then(|a| {
                        a.iter_mut()
                            .find(|t| t.get(id).and_then(Item::as_str) == Some(key.as_str()))
                    })
                    .ok_or_else(|| format!("no entry `{key}` in `{list}`"))?
            }
        };
    }
    match last {
        Seg::Key(k) => match value {
            None => {
                cur.remove(k);
            }
            Some(mut v) => {
                clear_positions(&mut v);
                match cur.get_mut(k) {
                    Some(slot) if !slot.is_none() => {
                        if let (Item::Value(old), Item::Value(nv)) = (&*slot, &mut v) {
                            *nv.decor_mut() = old.decor().clone();
                        }
                        *slot = v;
                    }
                    _ => {
                        cur.insert(k, v);
                    }
                }
            }
        },
        Seg::Entry { list, key } => {
            let id = schema::entry_key(list);
            if !cur.contains_key(list) {
                cur.insert(list, Item::ArrayOfTables(ArrayOfTables::new()));
            }
            let arr = cur
                .get_mut(list)
                .and_then(Item::as_array_of_tables_mut)
                .ok_or_else(|| format!("`{list}` is not a list of entries"))?;
            let pos = arr
                .iter()
                .position(|t| t.get(id).and_then(Item::as_str) == Some(key.as_str()));
            match (value, pos) {
                (None, Some(p)) => {
                    arr.remove(p);
                }
                (None, None) => {}
                (Some(Item::Table(mut t)), Some(p)) => {
                    clear_table_positions(&mut t);
                    if let Some(slot) = arr.get_mut(p) {
                        *slot = t;
                    }
                }
                (Some(Item::Table(mut t)), None) => {
                    clear_table_positions(&mut t);
                    arr.push(t);
                }
                (Some(_), _) => return Err(format!("`{list}[{key}]` takes a whole entry")),
            }
        }
    }
    Ok(())
}

/// The TOML value for a typed `raw` value at `path` of a record of `kind`.
fn typed_value(
    kind: Option<Kind>,
    path: &[Seg],
    raw: &str,
    sample: Option<&Item>,
) -> Result<Option<Item>, String> {
    let name = match path {
        [Seg::Key(a)] => Some((None, a.clone())),
        [Seg::Key(a), Seg::Key(b)] => Some((None, format!("{a}.{b}"))),
        [Seg::Entry { list, .. }, Seg::Key(f)] => Some((Some(list.clone()), f.clone())),
        _ => None,
    };
    let ty = match (kind, name) {
        (Some(kind), Some((None, f))) => schema::field(kind, &f).map(|x| x.ty),
        (Some(kind), Some((Some(l), f))) => schema::list_field(kind, &l, &f).map(|x| x.ty),
        _ => None,
    };
    if let Some(ty) = ty {
        let v = crate::model::edit::convert(ty, raw).map_err(|e| format!("{raw:?}: {e}"))?;
        return Ok(v.map(Item::Value));
    }
    if sample.is_none_or(|s| s.as_str().is_some()) {
        return Ok(Some(Item::Value(Value::from(raw))));
    }
    match raw.trim().parse::<Value>() {
        Ok(v) => Ok(Some(Item::Value(v))),
        Err(_) => Ok(Some(Item::Value(Value::from(raw)))),
    }
}

/// Settle one conflict in `merged` (the current merged text of the record) by taking ours,
/// theirs or a typed value. Returns the new merged text (`None`: the record is deleted).
pub fn resolve(
    kind: Option<Kind>,
    merged: Option<&str>,
    ours: Option<&str>,
    theirs: Option<&str>,
    field: &[Seg],
    take: &Take,
) -> Result<Option<String>, String> {
    if field.is_empty() {
        return match take {
            Take::Ours => Ok(ours.map(str::to_string)),
            Take::Theirs => Ok(theirs.map(str::to_string)),
            Take::Value(v) => {
                v.parse::<DocumentMut>()
                    .map_err(|e| format!("not a readable record: {e}"))?;
                Ok(Some(v.clone()))
            }
        };
    }
    let parse = |s: Option<&str>, what: &str| -> Result<Option<DocumentMut>, String> {
        s.map(|s| {
            s.parse::<DocumentMut>()
                .map_err(|e| format!("{what} is not readable: {e}"))
        })
        .transpose()
    };
    let mut doc = parse(merged, "the merged record")?
        .ok_or_else(|| "the merged record is deleted".to_string())?;
    let od = parse(ours, "our version")?;
    let td = parse(theirs, "their version")?;
    let value = match take {
        Take::Ours => od.as_ref().and_then(|d| lookup(d, field)),
        Take::Theirs => td.as_ref().and_then(|d| lookup(d, field)),
        Take::Value(raw) => {
            if matches!(field.last(), Some(Seg::Entry { .. })) {
                return Err("a whole list entry is chosen with ours or theirs".into());
            }
            let sample = od
                .as_ref()
                .and_then(|d| lookup(d, field))
                .or_else(|| td.as_ref().and_then(|d| lookup(d, field)));
            typed_value(kind, field, raw, sample.as_ref())?
        }
    };
    set_at(&mut doc, field, value)?;
    Ok(Some(doc.to_string()))
}
