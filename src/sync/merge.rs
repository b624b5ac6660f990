//! The record-aware three-way merge: (base, ours, theirs) TOML text → merged text and the
//! conflicts that remain. Pure: no git, no files.
//!
//! - Every field is compared with the base: a field changed on one side only takes that
//!   change; fields changed on both sides to the same value are fine.
//! - Tables (`[annotation]`) merge field by field; long texts merge line by line; lists of
//!   plain values merge element by element; lists of entries with ids (`[[decisions]]`) merge
//!   by id (additions from both kept, removals respected, edits inside an entry merged).
//! - A field set to different values on both sides is a conflict: the merged text keeps ours
//!   and the conflict says what theirs was. Nothing is decided silently.
//! - A record (or list entry) deleted on one side and edited on the other keeps the edit and
//!   is reported as a conflict.
//! - The merged text is "ours" edited with toml_edit, so its comments and layout survive.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use super::seq::{self, Elem, Mode};
use crate::model::Kind;
use crate::model::schema;

/// One step of the way to a field: a key in a table, or the entry of a list with that id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Seg {
    Key(String),
    Entry { list: String, key: String },
}

/// The written form of a field path: `status`, `annotation.advies`, `decisions[d-1].text`,
/// `decisions[d-1]` (a whole entry) and `*` (the whole record).
pub fn path_display(path: &[Seg]) -> String {
    if path.is_empty() {
        return "*".into();
    }
    let mut s = String::new();
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        match seg {
            Seg::Key(k) => s.push_str(k),
            Seg::Entry { list, key } => {
                s.push_str(list);
                s.push('[');
                s.push_str(key);
                s.push(']');
            }
        }
    }
    s
}

/// Read a written field path back (see [`path_display`]).
pub fn path_parse(s: &str) -> Result<Vec<Seg>, String> {
    let s = s.trim();
    if s == "*" || s.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (part, next) = match rest.find(['.', '[']) {
            Some(i) if rest.as_bytes()[i] == b'[' => {
                let close = rest[i..]
                    .find(']')
                    .map(|c| c + i)
                    .ok_or_else(|| format!("`{s}`: missing `]`"))?;
                out.push(Seg::Entry {
                    list: rest[..i].to_string(),
                    key: rest[i + 1..close].to_string(),
                });
                let after = &rest[close + 1..];
                rest = after.strip_prefix('.').unwrap_or(after);
                continue;
            }
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if part.is_empty() {
            return Err(format!("`{s}` is not a field path"));
        }
        out.push(Seg::Key(part.to_string()));
        rest = next;
    }
    Ok(out)
}

/// Which side did something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Ours,
    Theirs,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// The same field set to different values (or removed on one side, changed on the other).
    Value,
    /// A long text where both sides changed the same lines.
    Text,
    /// A list entry removed by one side and edited by the other; the edit was kept.
    EntryDeleted { by: Side },
    /// The record deleted by one side and edited by the other; the edit was kept.
    RecordDeleted { by: Side },
    /// One version is not readable TOML: the record as a whole must be chosen.
    Unreadable,
}

/// A conflict that the merge could not decide. Values are shown as a person reads them (a
/// text as its text, other values as TOML); `None` means absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: Vec<Seg>,
    pub kind: ConflictKind,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

impl Conflict {
    pub fn field_name(&self) -> String {
        path_display(&self.field)
    }
}

/// The outcome: the merged text (`None`: the record is deleted) and what is left to decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub text: Option<String>,
    pub conflicts: Vec<Conflict>,
}

// ---------------------------------------------------------------------------------------------
// Canonical values: what a value means, independent of how it is written.

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum C {
    Str(String),
    Int(i64),
    Float(u64),
    Bool(bool),
    Dt(String),
    Arr(Vec<C>),
    Tab(BTreeMap<String, C>),
}

fn canon_value(v: &Value) -> C {
    match v {
        Value::String(s) => C::Str(s.value().clone()),
        Value::Integer(i) => C::Int(*i.value()),
        Value::Float(f) => C::Float(f.value().to_bits()),
        Value::Boolean(b) => C::Bool(*b.value()),
        Value::Datetime(d) => C::Dt(d.value().to_string()),
        Value::Array(a) => C::Arr(a.iter().map(canon_value).collect()),
        Value::InlineTable(t) => canon_table(t),
    }
}

fn canon_table(t: &dyn TableLike) -> C {
    C::Tab(
        t.iter()
            .filter_map(|(k, v)| canon(Some(v)).map(|c| (k.to_string(), c)))
            .collect(),
    )
}

fn canon(i: Option<&Item>) -> Option<C> {
    match i? {
        Item::None => None,
        Item::Value(v) => Some(canon_value(v)),
        Item::Table(t) => Some(canon_table(t)),
        Item::ArrayOfTables(a) => Some(C::Arr(a.iter().map(|t| canon_table(t)).collect())),
    }
}

fn show_c(c: &C, top: bool) -> String {
    match c {
        C::Str(s) if top => s.clone(),
        C::Str(s) => Value::from(s.as_str()).to_string().trim().to_string(),
        C::Int(i) => i.to_string(),
        C::Float(f) => f64::from_bits(*f).to_string(),
        C::Bool(b) => b.to_string(),
        C::Dt(d) => d.clone(),
        C::Arr(a) => {
            let parts: Vec<String> = a.iter().map(|x| show_c(x, false)).collect();
            format!("[{}]", parts.join(", "))
        }
        C::Tab(t) => {
            let parts: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", show_c(v, false)))
                .collect();
            if top {
                parts.join("\n")
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}

fn show(i: Option<&Item>) -> Option<String> {
    canon(i).map(|c| show_c(&c, true))
}

// ---------------------------------------------------------------------------------------------

struct Ctx {
    path: Vec<Seg>,
    conflicts: Vec<Conflict>,
}

impl Ctx {
    fn conflict(
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

/// Tables cloned from theirs must not carry theirs' document positions into ours.
fn clear_positions(item: &mut Item) {
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

fn clear_table_positions(t: &mut Table) {
    t.set_position(None);
    for (_, v) in t.iter_mut() {
        clear_positions(v);
    }
}

/// Put theirs' item (or its absence) at `key` in ours, keeping ours' decoration of the value.
fn take_theirs(ours: &mut dyn TableLike, theirs: &dyn TableLike, key: &str) {
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

fn set_string(slot: &mut Item, text: String) {
    let mut v = Value::from(text);
    if let Some(old) = slot.as_value() {
        *v.decor_mut() = old.decor().clone();
    }
    *slot = Item::Value(v);
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

/// The entries of a list keyed by `key`, in order; `None` when an entry has no key or a key
/// is used twice (then the list merges as one value).
fn keyed<'a>(a: &'a ArrayOfTables, key: &str) -> Option<Vec<(String, &'a Table)>> {
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

fn merge_table(
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

fn table_item(t: &Table) -> Item {
    Item::Table(t.clone())
}

fn merge_entries(
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

/// Merge one record. `None` stands for "no such file" (not yet created, or deleted).
pub fn merge(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> Merged {
    let clean = |text: Option<&str>| Merged {
        text: text.map(str::to_string),
        conflicts: Vec::new(),
    };
    if ours == theirs || theirs == base {
        return clean(ours);
    }
    if ours == base {
        return clean(theirs);
    }
    let whole = |kind, text: Option<&str>| Merged {
        text: text.map(str::to_string),
        conflicts: vec![Conflict {
            field: Vec::new(),
            kind,
            base: base.map(str::to_string),
            ours: ours.map(str::to_string),
            theirs: theirs.map(str::to_string),
        }],
    };
    let (o, t) = match (ours, theirs) {
        (None, t) => return whole(ConflictKind::RecordDeleted { by: Side::Ours }, t),
        (o, None) => return whole(ConflictKind::RecordDeleted { by: Side::Theirs }, o),
        (Some(o), Some(t)) => (o, t),
    };
    let parse = |s: &str| s.parse::<DocumentMut>().ok();
    let bd = match base {
        Some(b) => parse(b),
        None => Some(DocumentMut::new()),
    };
    let (Some(bd), Some(mut od), Some(td)) = (bd, parse(o), parse(t)) else {
        return whole(ConflictKind::Unreadable, Some(o));
    };
    let mut ctx = Ctx {
        path: Vec::new(),
        conflicts: Vec::new(),
    };
    merge_table(
        &mut ctx,
        Some(bd.as_table()),
        od.as_table_mut(),
        td.as_table(),
    );
    Merged {
        text: Some(od.to_string()),
        conflicts: ctx.conflicts,
    }
}

// ---------------------------------------------------------------------------------------------
// Resolving

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

#[cfg(test)]
mod tests;
