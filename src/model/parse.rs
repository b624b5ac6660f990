//! Reading one record file: from raw bytes to a typed record, or to precise problems.
//! Pure: the store hands in the path and the bytes.

use super::problem::{Problem, line_col, locate_key};
use super::records::{Kind, Record};

/// The outcome of reading one file: the record when it could be read, and every problem found.
pub struct Parsed {
    pub record: Option<Record>,
    pub problems: Vec<Problem>,
}

/// Largest record file read; anything bigger is reported, not loaded (a 10 MB annotation is
/// someone's mistake, and must not stall every start).
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

/// The field a toml error is about: the key written on the line of its span.
fn key_on_line(text: &str, line: usize) -> String {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let t = l.trim_start();
    if t.starts_with('[') || t.starts_with('#') {
        return String::new();
    }
    match t.split_once('=') {
        Some((k, _)) => k.trim().trim_matches('"').to_string(),
        None => String::new(),
    }
}

/// Returns the first line that carries a git conflict marker.
pub fn conflict_marker_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.starts_with("<<<<<<< ")
                || l == "<<<<<<<"
                || l.starts_with(">>>>>>> ")
                || l == "======="
        })
        .map(|n| n + 1)
}

/// The line with the most nesting characters (`[`, `{`, `.`), 1 for an empty text.
fn deepest_line(text: &str) -> usize {
    text.lines()
        .enumerate()
        .max_by_key(|(n, l)| {
            let depth = l
                .bytes()
                .filter(|b| matches!(b, b'[' | b'{' | b'.'))
                .count();
            (depth, std::cmp::Reverse(*n))
        })
        .map_or(1, |(n, _)| n + 1)
}

/// Turn a toml error into a located problem.
pub fn toml_problem(path: &str, text: &str, e: &toml::de::Error) -> Problem {
    let mut msg = e.message().trim().to_string();
    let Some(span) = e.span() else {
        // Errors without a place (the reader's nesting limit): point at the most deeply nested
        // line, never at a field that is not to blame.
        let line = deepest_line(text);
        if msg.contains("recursion") {
            msg = format!("nested too deeply for a record ({msg})");
        }
        return Problem::error(path, line, 1, "", msg);
    };
    let (line, col) = line_col(text, span.start);
    // serde reports missing fields on the whole table; name the field.
    let field = if let Some(rest) = msg.strip_prefix("missing field `") {
        rest.split('`').next().unwrap_or("").to_string()
    } else {
        key_on_line(text, line)
    };
    Problem::error(path, line, col, &field, msg)
}

/// Read one record file of `kind` at `path` (relative, `/`-separated) from its bytes.
pub fn parse_record(kind: Kind, path: &str, bytes: &[u8]) -> Parsed {
    let fail = |p: Problem| Parsed {
        record: None,
        problems: vec![p],
    };
    if bytes.len() > MAX_RECORD_BYTES {
        return fail(Problem::error(
            path,
            1,
            1,
            "",
            format!(
                "file is {} bytes, more than the {} a record may have; not loaded",
                bytes.len(),
                MAX_RECORD_BYTES
            ),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let col = good.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            return fail(Problem::error(
                path,
                line,
                col,
                "",
                "not valid UTF-8; save the file as UTF-8",
            ));
        }
    };
    let mut problems = Vec::new();
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) => {
            problems.push(Problem::warning(
                path,
                1,
                1,
                "",
                "starts with a byte-order mark (BOM)",
            ));
            t
        }
        None => text,
    };
    if text.trim().is_empty() {
        return fail(Problem::error(
            path,
            1,
            1,
            "",
            "empty file: a record needs at least an id",
        ));
    }
    if let Some(line) = conflict_marker_line(text) {
        return fail(Problem::error(
            path,
            line,
            1,
            "",
            "git conflict marker: an unfinished merge left both versions here; edit the file to keep the right lines, or run `overleg conflicts`",
        ));
    }
    // A record of another kind in this folder: say so, rather than listing its fields as wrong.
    if let Ok(table) = text.parse::<toml::Table>()
        && let Some(id) = table.get("id").and_then(|v| v.as_str())
        && let Some(other) = Kind::ALL
            .into_iter()
            .find(|k| *k != kind && k.prefix().is_some_and(|p| id.starts_with(p)))
        && !kind.prefix().is_some_and(|p| id.starts_with(p))
    {
        let (line, col) = locate_key(text, "id");
        problems.push(Problem::error(
            path,
            line,
            col,
            "id",
            format!(
                "`{id}` is a {} record in the {} folder; it belongs in {}/",
                other.as_str(),
                kind.folder(),
                other.folder()
            ),
        ));
        return Parsed {
            record: None,
            problems,
        };
    }
    let record = match Record::from_toml(kind, text) {
        Ok(r) => r,
        Err(e) => {
            problems.push(toml_problem(path, text, &e));
            return Parsed {
                record: None,
                problems,
            };
        }
    };
    problems.extend(super::validate::check_record(&record, path, text));
    problems.extend(unknown_fields(kind, path, text));
    Parsed {
        record: Some(record),
        problems,
    }
}

/// The id a file should carry: its file name without `.toml`.
pub fn id_from_path(path: &str) -> Option<&str> {
    path.rsplit('/').next()?.strip_suffix(".toml")
}

/// Where a record of this kind and id lives.
pub fn path_for(kind: Kind, id: &str) -> String {
    format!("{}/{}.toml", kind.folder(), id)
}

/// Line of a key, for callers outside this module.
pub fn locate(text: &str, key: &str) -> (usize, usize) {
    locate_key(text, key)
}

/// Fields the schema does not know are kept on every edit (a newer version may use them), but
/// a typo (`kind` for `type`) would silently lose its meaning: say so, as a warning.
fn unknown_fields(kind: Kind, path: &str, text: &str) -> Vec<Problem> {
    use super::problem::locate_key_value;
    use super::schema;
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let known_top = |k: &str| {
        schema::fields(kind)
            .iter()
            .any(|f| f.name == k || f.name.split('.').next() == Some(k))
            || schema::lists(kind).iter().any(|(l, _)| *l == k)
    };
    for (k, v) in &table {
        if !known_top(k) {
            let (l, c) = locate_key(text, k);
            out.push(Problem::warning(
                path,
                l,
                c,
                k,
                "unknown field, kept as it is (a typo, or a field of a newer version?)",
            ));
            continue;
        }
        if let Some(inner) = v.as_table() {
            for ik in inner.keys() {
                if schema::field(kind, &format!("{k}.{ik}")).is_none() {
                    let (l, c) = locate_key(text, ik);
                    out.push(Problem::warning(
                        path,
                        l,
                        c,
                        &format!("{k}.{ik}"),
                        "unknown field, kept as it is",
                    ));
                }
            }
        }
        if let Some(entries) = v.as_array() {
            for e in entries.iter().filter_map(|e| e.as_table()) {
                let key = e
                    .get(schema::entry_key(k))
                    .and_then(|x| x.as_str())
                    .unwrap_or("");
                for ik in e.keys() {
                    if schema::list_field(kind, k, ik).is_none() {
                        let (l, c) = locate_key_value(text, ik, "");
                        out.push(Problem::warning(
                            path,
                            l,
                            c,
                            &format!("{k}[{key}].{ik}"),
                            "unknown field, kept as it is",
                        ));
                    }
                }
            }
        }
    }
    out
}
