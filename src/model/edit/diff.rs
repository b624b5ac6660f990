//! What changed between two versions of a record, field by field, and the one-line summary
//! of it used in commit messages.

use std::collections::BTreeMap;

use crate::model::schema;

/// One field that differs between two versions of a record.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) if a.iter().all(|x| x.is_str()) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, toml::Value>) {
    for (k, v) in t {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(inner) => flatten(&name, inner, out),
            toml::Value::Array(arr) if !arr.is_empty() && arr.iter().all(|x| x.is_table()) => {
                let key = schema::entry_key(k);
                for (i, e) in arr.iter().enumerate() {
                    if let Some(et) = e.as_table() {
                        let id = et
                            .get(key)
                            .and_then(|x| x.as_str())
                            .map_or_else(|| i.to_string(), str::to_string);
                        flatten(&format!("{name}[{id}]"), et, out);
                    }
                }
            }
            other => {
                out.insert(name, other.clone());
            }
        }
    }
}

/// The fields that changed from `old` to `new` (either may be absent: creation, deletion).
pub fn diff(old: Option<&str>, new: Option<&str>) -> Vec<FieldChange> {
    let parse = |s: Option<&str>| {
        let mut m = BTreeMap::new();
        if let Some(t) = s.and_then(|s| s.parse::<toml::Table>().ok()) {
            flatten("", &t, &mut m);
        }
        m
    };
    let (a, b) = (parse(old), parse(new));
    let mut out = Vec::new();
    for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
        let (x, y) = (a.get(k), b.get(k));
        if x != y {
            out.push(FieldChange {
                field: k.clone(),
                old: x.map(show),
                new: y.map(show),
            });
        }
    }
    out
}

/// A short, one-line description of what changed, in the secretariat's words:
/// `status open → gereed`, or `status, owner gewijzigd`.
pub fn describe(changes: &[FieldChange]) -> String {
    let short = |s: &Option<String>| {
        let s = s.clone().unwrap_or_else(|| "—".into());
        let one = s.lines().next().unwrap_or("").to_string();
        if one.chars().count() > 40 || s.contains('\n') {
            format!("{}…", one.chars().take(40).collect::<String>())
        } else {
            one
        }
    };
    match changes {
        [] => "geen wijziging".into(),
        [c] => format!("{} {} → {}", c.field, short(&c.old), short(&c.new)),
        many => {
            let names: Vec<&str> = many.iter().map(|c| c.field.as_str()).take(4).collect();
            let more = if many.len() > 4 {
                format!(" (+{})", many.len() - 4)
            } else {
                String::new()
            };
            format!("{}{} gewijzigd", names.join(", "), more)
        }
    }
}
