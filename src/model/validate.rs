//! Rules a single record must keep, checked after it was read. Cross-record rules
//! (duplicate ids, dangling references) live in `agenda.rs`.

use std::collections::HashSet;

use super::date::FuzzyDate;
use super::parse::id_from_path;
use super::problem::{Problem, locate_key, locate_key_value};
use super::records::{Kind, Record};

pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// `HH:MM`, 00:00–23:59.
pub fn valid_time(t: &str) -> bool {
    let Some((h, m)) = t.split_once(':') else {
        return false;
    };
    h.len() <= 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

/// Minutes since midnight of a valid `HH:MM`.
pub fn minutes_of(t: &str) -> Option<u32> {
    if !valid_time(t) {
        return None;
    }
    let (h, m) = t.split_once(':')?;
    Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
}

/// A path a record may point at: relative, inside the repository, no tricks.
pub fn safe_relative_path(p: &str) -> Result<(), &'static str> {
    if p.starts_with('/') || p.starts_with('\\') || p.contains(':') {
        return Err("must be a path relative to the repository");
    }
    if p.split(['/', '\\']).any(|c| c == ".." || c == ".git") {
        return Err("must stay inside the repository (no `..` or `.git`)");
    }
    if p.chars().any(char::is_control) {
        return Err("contains control characters");
    }
    Ok(())
}

/// Characters that could drive a terminal or hide text when shown.
pub fn has_hostile_chars(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    })
}

struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    out: Vec<Problem>,
}

impl Ctx<'_> {
    fn err(&mut self, field: &str, msg: impl Into<String>) {
        let (l, c) = locate_key(self.text, field.rsplit('.').next().unwrap_or(field));
        self.out.push(Problem::error(self.path, l, c, field, msg));
    }
    fn err_at(&mut self, field: &str, value: &str, msg: impl Into<String>) {
        let key = field.rsplit('.').next().unwrap_or(field);
        let (l, c) = locate_key_value(self.text, key, value);
        self.out.push(Problem::error(self.path, l, c, field, msg));
    }
    fn required(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.err(field, "must not be empty");
        }
    }
    fn fuzzy(&mut self, field: &str, value: &str) {
        if !value.trim().is_empty()
            && let Err(e) = FuzzyDate::parse(value)
        {
            self.err(field, e);
        }
    }
    fn time(&mut self, field: &str, value: &str) {
        if !value.is_empty() && !valid_time(value) {
            self.err(
                field,
                format!("`{value}` is not a time (HH:MM, e.g. 16:00)"),
            );
        }
    }
    fn unique<'b>(&mut self, field: &str, ids: impl Iterator<Item = &'b str>) {
        let mut seen = HashSet::new();
        for id in ids {
            if id.trim().is_empty() {
                self.err(field, "entry without an id");
            } else if !seen.insert(id) {
                self.err_at(field, id, format!("id `{id}` is used twice in this list"));
            }
        }
    }
}

pub fn check_record(record: &Record, path: &str, text: &str) -> Vec<Problem> {
    let mut c = Ctx {
        path,
        text,
        out: Vec::new(),
    };
    let id = record.id();
    let kind = record.kind();
    if !valid_id(id) {
        c.err(
            "id",
            format!("`{id}` is not a valid id (lowercase letters, digits and `-`, at most 64)"),
        );
    } else {
        if let Some(prefix) = kind.prefix()
            && !id.starts_with(prefix)
        {
            let hint = Kind::ALL
                .iter()
                .find(|k| k.prefix().is_some_and(|p| id.starts_with(p)))
                .map(|k| {
                    format!(
                        "; it looks like a {} record, which belongs in {}/",
                        k.as_str(),
                        k.folder()
                    )
                })
                .unwrap_or_default();
            c.err(
                "id",
                format!("a {} id starts with `{prefix}`{hint}", kind.as_str()),
            );
        }
        if id_from_path(path) != Some(id) {
            c.err(
                "id",
                format!("id `{id}` does not match the file name; the file must be named {id}.toml"),
            );
        }
    }
    match record {
        Record::Body(b) => c.required("name", &b.name),
        Record::Organisation(o) => {
            c.required("code", &o.code);
            c.required("name", &o.name);
            if o.code.contains('/') {
                c.err("code", "a code has no `/`; units go in `units`");
            }
        }
        Record::Person(p) => c.required("name", &p.name),
        Record::Meeting(m) => {
            c.required("body", &m.body);
            c.required("title", &m.title);
            c.fuzzy("planned", &m.planned);
            c.time("start", &m.start);
            c.time("end", &m.end);
            if let (Some(s), Some(e)) = (minutes_of(&m.start), minutes_of(&m.end))
                && e <= s
            {
                c.err("end", "ends before it starts");
            }
            c.unique(
                "participants.id",
                m.participants.iter().map(|p| p.id.as_str()),
            );
            for p in &m.participants {
                if p.who.trim().is_empty() && !p.vacant {
                    c.err_at(
                        "participants.who",
                        &p.id,
                        "a participant needs `who` (or `vacant = true`)",
                    );
                }
            }
        }
        Record::Item(i) => {
            c.required("meeting", &i.meeting);
            c.required("label", &i.label);
            c.required("title", &i.title);
            c.unique("presenters.id", i.presenters.iter().map(|p| p.id.as_str()));
            c.unique(
                "attachments.id",
                i.attachments.iter().map(|a| a.id.as_str()),
            );
            for a in &i.attachments {
                if !a.path.is_empty()
                    && let Err(e) = safe_relative_path(&a.path)
                {
                    c.err_at("attachments.path", &a.path, e);
                }
            }
        }
        Record::Notes(n) => {
            c.required("meeting", &n.meeting);
            c.unique("decisions.id", n.decisions.iter().map(|d| d.id.as_str()));
            c.unique("agreements.id", n.agreements.iter().map(|d| d.id.as_str()));
        }
        Record::Action(a) => {
            c.required("ref", &a.reference);
            c.required("title", &a.title);
            c.required("owner", &a.owner);
            c.fuzzy("due", &a.due);
        }
    }
    if has_hostile_chars(text) {
        let line = text
            .lines()
            .position(has_hostile_chars)
            .map_or(1, |n| n + 1);
        c.out.push(Problem::warning(
            path,
            line,
            1,
            "",
            "contains control or direction-changing characters; they are shown inert",
        ));
    }
    c.out
}
