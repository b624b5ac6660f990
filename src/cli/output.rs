//! Everything the command line prints goes through here: readable tables for people, JSON for
//! machines, and always sanitised, because record text comes from other departments.

use unicode_width::UnicodeWidthStr;

use crate::model::Agenda;

/// A plain table; the last column takes what is left and is cut to the terminal width.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| crate::text::line(&c)).collect());
    }

    pub fn render(&self, total_width: usize) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                // The last column (titles) takes what is left of the line.
                let cap = if i + 1 == n { usize::MAX } else { 40 };
                widths[i] = widths[i].max(c.width().min(cap));
            }
        }
        let fixed: usize = widths.iter().take(n.saturating_sub(1)).map(|w| w + 2).sum();
        if n > 0 {
            widths[n - 1] = widths[n - 1].min(total_width.saturating_sub(fixed).max(20));
        }
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| pad(&crate::text::fit(c, widths[i]), widths[i]))
                .collect();
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(&self.headers, &mut out);
        for r in &self.rows {
            line(r, &mut out);
        }
        out
    }
}

pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}

/// A TOML value as JSON; dates become `"2021-02-08"` strings.
pub fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// What every record's JSON starts with: `id`, `kind`, `ref` and `path`, in that order.
fn record_json_head(agenda: &Agenda, id: &str) -> serde_json::Map<String, serde_json::Value> {
    json_head(
        id,
        agenda.kind_of(id),
        agenda.reference(id),
        agenda.path_of(id),
    )
}

/// [`record_json_head`] from its parts, for a record known without its agenda.
pub fn json_head(
    id: &str,
    kind: Option<crate::model::Kind>,
    reference: String,
    path: Option<String>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut obj = serde_json::Map::new();
    obj.insert("id".into(), serde_json::Value::String(id.to_string()));
    if let Some(k) = kind {
        obj.insert("kind".into(), k.as_str().into());
    }
    obj.insert("ref".into(), reference.into());
    if let Some(path) = path {
        obj.insert("path".into(), path.into());
    }
    obj
}

/// One record as JSON: `id`, `kind`, `ref` and its fields under the names used in its file
/// (including fields this version does not know).
pub fn record_json(root: &std::path::Path, agenda: &Agenda, id: &str) -> serde_json::Value {
    let mut obj = record_json_head(agenda, id);
    if let Some(path) = agenda.path_of(id)
        && let Some(table) = std::fs::read_to_string(root.join(path)).ok().and_then(|t| {
            t.strip_prefix('\u{feff}')
                .unwrap_or(&t)
                .parse::<toml::Table>()
                .ok()
        })
    {
        for (k, v) in &table {
            if k != "id" {
                obj.insert(k.clone(), toml_to_json(v));
            }
        }
    }
    serde_json::Value::Object(obj)
}

pub fn print_json(v: &serde_json::Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{}", crate::text::escape_json(&s)),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}

/// Leave out what a file would not have written: empty texts and lists, absent options.
fn prune(v: &mut serde_json::Value) -> bool {
    use serde_json::Value as J;
    match v {
        J::Null => false,
        J::String(s) => !s.is_empty(),
        J::Array(a) => {
            a.retain_mut(prune);
            !a.is_empty()
        }
        J::Object(o) => {
            o.retain(|_, x| prune(x));
            !o.is_empty()
        }
        _ => true,
    }
}

/// One record as JSON from its parsed form, for listings: the same shape as
/// [`record_json`] without reading the file again (fields this version does not know and
/// empty values are left out; `show --json` has them).
pub fn record_json_parsed(agenda: &Agenda, id: &str) -> serde_json::Value {
    parsed_json(record_json_head(agenda, id), agenda.record(id).as_ref())
}

/// [`record_json_parsed`] of `record` after `head` ([`json_head`]).
pub fn parsed_json(
    mut obj: serde_json::Map<String, serde_json::Value>,
    record: Option<&crate::model::Record>,
) -> serde_json::Value {
    let value = match record {
        Some(crate::model::Record::Meeting(r)) => serde_json::to_value(r),
        Some(crate::model::Record::Item(r)) => serde_json::to_value(r),
        Some(crate::model::Record::Notes(r)) => serde_json::to_value(r),
        Some(crate::model::Record::Action(r)) => serde_json::to_value(r),
        Some(crate::model::Record::Body(r)) => serde_json::to_value(r),
        Some(crate::model::Record::Organisation(r)) => serde_json::to_value(r),
        Some(crate::model::Record::Person(r)) => serde_json::to_value(r),
        None => Ok(serde_json::Value::Null),
    };
    if let Ok(serde_json::Value::Object(fields)) = value {
        for (k, mut v) in fields {
            if k != "id" && prune(&mut v) {
                obj.insert(k, v);
            }
        }
    }
    serde_json::Value::Object(obj)
}
