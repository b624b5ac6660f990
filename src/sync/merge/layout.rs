//! Editing ours with toml_edit so that its comments and layout survive.

use toml_edit::{Item, Table, TableLike, Value};

/// Tables cloned from theirs must not carry theirs' document positions into ours.
pub(super) fn clear_positions(item: &mut Item) {
    match item {
        Item::Table(t) => clear_table_positions(t),
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                clear_table_positions(t);
            }
        }
        _ => {}
    }
}

pub(super) fn clear_table_positions(t: &mut Table) {
    t.set_position(None);
    for (_, v) in t.iter_mut() {
        clear_positions(v);
    }
}

/// Put theirs' item (or its absence) at `key` in ours, keeping ours' decoration of the value.
pub(super) fn take_theirs(ours: &mut dyn TableLike, theirs: &dyn TableLike, key: &str) {
    match theirs.get(key) {
        None | Some(Item::None) => {
            ours.remove(key);
        }
        Some(ti) => {
            let mut new = ti.clone();
            clear_positions(&mut new);
            match ours.get_mut(key) {
                Some(slot) if !slot.is_none() => {
                    if let (Item::Value(old), Item::Value(nv)) = (&*slot, &mut new) {
                        *nv.decor_mut() = old.decor().clone();
                    }
                    *slot = new;
                }
                _ => {
                    if let Some(k) = theirs.key(key) {
                        ours.entry_format(k).or_insert(new);
                    } else {
                        ours.insert(key, new);
                    }
                }
            }
        }
    }
}

pub(super) fn set_string(slot: &mut Item, text: String) {
    let mut v = Value::from(text);
    if let Some(old) = slot.as_value() {
        *v.decor_mut() = old.decor().clone();
    }
    *slot = Item::Value(v);
}
