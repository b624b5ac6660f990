//! Field paths: where in a record a conflict sits, and their written form.

use serde::{Deserialize, Serialize};

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
