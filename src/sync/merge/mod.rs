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

mod canon;
mod entries;
mod fields;
mod layout;
mod path;
mod resolve;

use serde::{Deserialize, Serialize};
use toml_edit::DocumentMut;

use fields::{Ctx, merge_table};
pub use path::{Seg, path_display, path_parse};
pub use resolve::{Take, resolve};

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

#[cfg(test)]
mod tests;
