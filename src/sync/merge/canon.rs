//! Canonical values: what a value means, independent of how it is written, and how a
//! person reads it in a conflict.

use std::collections::BTreeMap;

use toml_edit::{Item, TableLike, Value};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum C {
    Str(String),
    Int(i64),
    Float(u64),
    Bool(bool),
    Dt(String),
    Arr(Vec<C>),
    Tab(BTreeMap<String, C>),
}

pub(super) fn canon_value(v: &Value) -> C {
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

pub(super) fn canon_table(t: &dyn TableLike) -> C {
    C::Tab(
        t.iter()
            .filter_map(|(k, v)| canon(Some(v)).map(|c| (k.to_string(), c)))
            .collect(),
    )
}

pub(super) fn canon(i: Option<&Item>) -> Option<C> {
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

pub(super) fn show(i: Option<&Item>) -> Option<String> {
    canon(i).map(|c| show_c(&c, true))
}
