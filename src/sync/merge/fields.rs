//! Merging tables field by field: tables inside, texts line by line, plain lists element by
//! element; lists of entries with ids go to [`super::entries`].

use std::cmp::Ordering;

use toml_edit::{ArrayOfTables, Item, TableLike, Value};

use super::canon::{C, canon, canon_value, show};
use super::entries::{keyed, merge_entries};
use super::layout::{set_string, take_theirs};
use super::{Conflict, ConflictKind, Seg};
use crate::model::schema;
use crate::sync::seq::{self, Elem, Mode};

pub(super) struct Ctx {
    pub(super) path: Vec<Seg>,
    pub(super) conflicts: Vec<Conflict>,
}

impl Ctx {
    pub(super) fn conflict(
        &mut self,
        last: Seg,
        kind: ConflictKind,
        b: Option<&Item>,
        o: Option<&Item>,
        t: Option<&Item>,
    ) {
        let mut field = self.path.clone();
        field.push(last);
        self.conflicts.push(Conflict {
            field,
            kind,
            base: show(b),
            ours: show(o),
            theirs: show(t),
        });
    }
}

#[derive(Clone)]
struct El {
    c: C,
    v: Value,
}

impl PartialEq for El {
    fn eq(&self, other: &El) -> bool {
        self.c == other.c
    }
}

impl Elem for El {
    fn order(&self, other: &El) -> Ordering {
        self.c.cmp(&other.c)
    }
}

fn elements(v: Option<&Item>) -> Vec<El> {
    match v.and_then(Item::as_array) {
        Some(a) => a
            .iter()
            .map(|x| {
                let mut v = x.clone();
                v.decor_mut().clear();
                El {
                    c: canon_value(x),
                    v,
                }
            })
            .collect(),
        None => Vec::new(),
    }
}

pub(super) fn merge_table(
    ctx: &mut Ctx,
    base: Option<&dyn TableLike>,
    ours: &mut dyn TableLike,
    theirs: &dyn TableLike,
) {
    let mut keys: Vec<String> = ours.iter().map(|(k, _)| k.to_string()).collect();
    for (k, _) in theirs.iter() {
        if !ours.contains_key(k) {
            keys.push(k.to_string());
        }
    }
    for k in keys {
        let b = base.and_then(|t| t.get(&k));
        let (cb, co, ct) = (canon(b), canon(ours.get(&k)), canon(theirs.get(&k)));
        if co == ct || ct == cb {
            continue;
        }
        if co == cb {
            take_theirs(ours, theirs, &k);
            continue;
        }
        merge_both_changed(ctx, &k, b, ours, theirs);
    }
}

/// Both sides changed `key`, differently.
fn merge_both_changed(
    ctx: &mut Ctx,
    key: &str,
    b: Option<&Item>,
    ours: &mut dyn TableLike,
    theirs: &dyn TableLike,
) {
    let t = theirs.get(key);
    let seg = Seg::Key(key.to_string());
    let (Some(ti), Some(oi)) = (t, ours.get(key)) else {
        ctx.conflict(seg, ConflictKind::Value, b, ours.get(key), t);
        return;
    };
    // tables: field by field
    if oi.is_table_like() && ti.is_table_like() {
        let base_t = b.and_then(Item::as_table_like);
        let theirs_t = ti.as_table_like().expect("table-like");
        ctx.path.push(seg);
        if let Some(ot) = ours.get_mut(key).and_then(Item::as_table_like_mut) {
            merge_table(ctx, base_t, ot, theirs_t);
        }
        ctx.path.pop();
        return;
    }
    // lists of entries with ids: by id
    if let (Some(oa), Some(ta)) = (oi.as_array_of_tables(), ti.as_array_of_tables()) {
        let id = schema::entry_key(key);
        let ba = match b {
            None => Some(ArrayOfTables::new()),
            Some(x) => x.as_array_of_tables().cloned(),
        };
        if let Some(ba) = ba
            && let (Some(bk), Some(ok), Some(tk)) = (keyed(&ba, id), keyed(oa, id), keyed(ta, id))
        {
            let merged = merge_entries(ctx, key, &bk, &ok, &tk);
            if let Some(slot) = ours.get_mut(key) {
                *slot = Item::ArrayOfTables(merged);
            }
            return;
        }
        ctx.conflict(seg, ConflictKind::Value, b, Some(oi), Some(ti));
        return;
    }
    // texts: line by line
    if let (Some(os), Some(ts)) = (oi.as_str(), ti.as_str()) {
        let bs = b.and_then(Item::as_str).unwrap_or("");
        let multi = os.contains('\n') || ts.contains('\n') || bs.contains('\n');
        if multi {
            match seq::merge_text(bs, os, ts) {
                Some(text) => {
                    if let Some(slot) = ours.get_mut(key) {
                        set_string(slot, text);
                    }
                }
                None => ctx.conflict(seg, ConflictKind::Text, b, Some(oi), Some(ti)),
            }
            return;
        }
    }
    // lists of plain values: element by element
    if oi.as_array().is_some() && ti.as_array().is_some() && b.is_none_or(|x| x.is_array()) {
        let (be, oe, te) = (elements(b), elements(Some(oi)), elements(Some(ti)));
        if let Some(merged) = seq::merge(&be, &oe, &te, Mode::List) {
            let mut arr: toml_edit::Array = merged.into_iter().map(|e| e.v).collect();
            arr.fmt();
            if let Some(slot) = ours.get_mut(key) {
                let mut v = Value::Array(arr);
                if let Some(old) = slot.as_value() {
                    *v.decor_mut() = old.decor().clone();
                }
                *slot = Item::Value(v);
            }
            return;
        }
    }
    ctx.conflict(seg, ConflictKind::Value, b, Some(oi), Some(ti));
}
