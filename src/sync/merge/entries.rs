//! Merging lists of entries with ids (`[[decisions]]`) by id: additions from both kept,
//! removals respected, edits inside an entry merged.

use std::collections::{HashMap, HashSet};

use toml_edit::{ArrayOfTables, Item, Table, TableLike};

use super::canon::canon_table;
use super::fields::{Ctx, merge_table};
use super::layout::clear_table_positions;
use super::{ConflictKind, Seg, Side};
use crate::sync::seq::{self, Mode};

/// The entries of a list keyed by `key`, in order; `None` when an entry has no key or a key
/// is used twice (then the list merges as one value).
pub(super) fn keyed<'a>(a: &'a ArrayOfTables, key: &str) -> Option<Vec<(String, &'a Table)>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(a.len());
    for t in a.iter() {
        let k = t.get(key)?.as_str()?.to_string();
        if !seen.insert(k.clone()) {
            return None;
        }
        out.push((k, t));
    }
    Some(out)
}

fn table_item(t: &Table) -> Item {
    Item::Table(t.clone())
}

pub(super) fn merge_entries(
    ctx: &mut Ctx,
    list: &str,
    base: &[(String, &Table)],
    ours: &[(String, &Table)],
    theirs: &[(String, &Table)],
) -> ArrayOfTables {
    let bm: HashMap<&str, &Table> = base.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let om: HashMap<&str, &Table> = ours.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let tm: HashMap<&str, &Table> = theirs.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let mut result: HashMap<String, Table> = HashMap::new();
    let mut all: Vec<&str> = ours.iter().map(|(k, _)| k.as_str()).collect();
    all.extend(
        theirs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !om.contains_key(k)),
    );
    for k in all {
        let seg = Seg::Entry {
            list: list.to_string(),
            key: k.to_string(),
        };
        let (b, o, t) = (bm.get(k), om.get(k), tm.get(k));
        let cb = b.map(|x| canon_table(*x));
        match (o, t) {
            (Some(o), Some(t)) => {
                let mut merged = (*o).clone();
                ctx.path.push(seg);
                merge_table(ctx, b.map(|x| *x as &dyn TableLike), &mut merged, *t);
                ctx.path.pop();
                result.insert(k.to_string(), merged);
            }
            (Some(o), None) => {
                if b.is_none() {
                    result.insert(k.to_string(), (*o).clone());
                } else if cb != Some(canon_table(*o)) {
                    let (bi, oi) = (b.map(|x| table_item(x)), table_item(o));
                    ctx.conflict(
                        seg,
                        ConflictKind::EntryDeleted { by: Side::Theirs },
                        bi.as_ref(),
                        Some(&oi),
                        None,
                    );
                    result.insert(k.to_string(), (*o).clone());
                }
            }
            (None, Some(t)) => {
                let mut entry = (*t).clone();
                clear_table_positions(&mut entry);
                if b.is_none() {
                    result.insert(k.to_string(), entry);
                } else if cb != Some(canon_table(*t)) {
                    let (bi, ti) = (b.map(|x| table_item(x)), table_item(t));
                    ctx.conflict(
                        seg,
                        ConflictKind::EntryDeleted { by: Side::Ours },
                        bi.as_ref(),
                        None,
                        Some(&ti),
                    );
                    result.insert(k.to_string(), entry);
                }
            }
            (None, None) => {}
        }
    }
    // Order: the merged order of the keys, then kept entries the order merge dropped.
    let keys = |v: &[(String, &Table)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    let (bk, ok, tk) = (keys(base), keys(ours), keys(theirs));
    let mut order: Vec<String> = seq::merge(&bk, &ok, &tk, Mode::Order).unwrap_or(ok.clone());
    let mut seen = HashSet::new();
    order.retain(|k| result.contains_key(k) && seen.insert(k.clone()));
    for side in [&ok, &tk] {
        for (i, k) in side.iter().enumerate() {
            if !result.contains_key(k) || order.contains(k) {
                continue;
            }
            let after = side[..i]
                .iter()
                .rev()
                .find_map(|p| order.iter().position(|x| x == p));
            let at = after.map_or(0, |p| p + 1);
            order.insert(at, k.clone());
        }
    }
    // The document prints tables by position: the entries follow the first one, in order.
    let first = result.values().filter_map(Table::position).min();
    let mut arr = ArrayOfTables::new();
    for k in order {
        if let Some(mut t) = result.remove(&k) {
            t.set_position(if arr.is_empty() { first } else { None });
            arr.push(t);
        }
    }
    arr
}
