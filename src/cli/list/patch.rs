//! Listing rows brought up to date after overleg's own saves without loading the agenda. A
//! save makes every snapshot stale; building the rows again from a full load took over a
//! second at 100,000 records, so `overleg list` after every `overleg set` did. The usual save
//! changes follow-ups in place, and an action's row depends on other records only through
//! the body of its meeting and whether its reference is unique: while every changed action
//! keeps its file and its reference, the other rows stay as they were and its own row can be
//! made from the file.

use std::cmp::Ordering;

use rustc_hash::FxHashMap as HashMap;

use crate::model::Kind;
use crate::model::records::Action;

use super::rows::{Row, action_row, listed_due};

/// What overleg's saves left since the rows were built, as far as the rows can follow.
pub struct Saves {
    /// Each action file written, with the action as a full load would take it now.
    changed: Vec<(String, Action)>,
    /// The files in the actions folder now (sorted), when actions were saved.
    on_disk: Vec<String>,
}

/// What the saves that wrote the record files at `paths` left, with `folders` the folders
/// whose state changed, for the listing of `kind`: `read` gives the action in a file as a
/// full load would take it, `names_in_actions` the files in the actions folder. `None` when
/// a save did more than change follow-ups (see [`rows_after_saves`]).
pub fn read_saves(
    kind: Kind,
    paths: &[String],
    folders: &[&str],
    names_in_actions: impl FnOnce() -> Option<Vec<String>>,
    read: impl Fn(&str) -> Option<Action>,
) -> Option<Saves> {
    let actions = Kind::Action.folder();
    let in_actions = |p: &str| {
        p.strip_prefix(actions)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|name| !name.contains('/'))
    };
    if !paths.iter().all(|p| in_actions(p)) || folders.iter().any(|f| *f != actions) {
        return None;
    }
    if kind != Kind::Action {
        // no other listing reads an action
        return Some(Saves {
            changed: Vec::new(),
            on_disk: Vec::new(),
        });
    }
    let changed = paths
        .iter()
        .map(|p| read(p).map(|a| (p.clone(), a)))
        .collect::<Option<_>>()?;
    Some(Saves {
        changed,
        on_disk: names_in_actions()?,
    })
}

/// Rows of `kind` after the saves in `saves`. `None` when only the agenda can tell: a
/// record added, removed, renamed or moved to a meeting no row names, a reference changed,
/// a folder changed that the saves did not write, or a file in the actions folder that no
/// row accounts for.
pub fn rows_after_saves(rows: Vec<Row>, kind: Kind, saves: Saves) -> Option<Vec<Row>> {
    if kind != Kind::Action {
        return Some(rows);
    }
    let patched = actions_after(rows, saves.changed)?;
    // a file created or removed by another program in the moment of a save leaves no other
    // trace in the folders' state (see `store::journal`)
    let mut listed: Vec<&str> = patched.iter().map(|r| r.path.as_str()).collect();
    listed.sort_unstable();
    let on_disk = &saves.on_disk;
    (on_disk.len() == listed.len() && on_disk.iter().zip(&listed).all(|(a, b)| a == b))
        .then_some(patched)
}

/// Changes up to this many are put in place one by one: a scan of the rows for each, and
/// no table of every id or second list of rows (fresh memory is much of what a listing
/// costs at 100,000 records).
const ONE_BY_ONE: usize = 16;

/// The order `rows_of` lists actions in: by due date and reference, then (it sorts the
/// agenda stably, which holds the files in name order) by file.
fn order(x: &Row, y: &Row) -> Ordering {
    (listed_due(x.due_end), x.cells.first(), &x.path).cmp(&(
        listed_due(y.due_end),
        y.cells.first(),
        &y.path,
    ))
}

/// The action rows (in listing order) with the actions in `changed`, each with the file it
/// was read from, put in place of their rows; see [`rows_after_saves`].
fn actions_after(rows: Vec<Row>, changed: Vec<(String, Action)>) -> Option<Vec<Row>> {
    if changed.len() <= ONE_BY_ONE {
        one_by_one(rows, changed)
    } else {
        merged(rows, changed)
    }
}

/// The row of `a`, saved to `path`, in place of `rows[i]`; `None` when the save did more
/// than the rows can follow (see [`rows_after_saves`]).
fn row_after(rows: &[Row], i: usize, path: &str, a: &Action) -> Option<Row> {
    let old = &rows[i];
    if old.path != path || old.cells.first() != Some(&a.reference) {
        return None;
    }
    let body = if old.meeting.as_deref() == Some(a.meeting.as_str()) {
        old.body.clone()
    } else {
        rows.iter()
            .find(|r| r.meeting.as_deref() == Some(a.meeting.as_str()))?
            .body
            .clone()
    };
    Some(action_row(a, body, old.reference.clone(), old.path.clone()))
}

fn one_by_one(mut rows: Vec<Row>, changed: Vec<(String, Action)>) -> Option<Vec<Row>> {
    for (path, a) in changed {
        let mut of_id = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.id == a.id)
            .map(|(i, _)| i);
        let i = of_id.next()?;
        if of_id.next().is_some() {
            return None; // an id twice: the agenda's rules decide which counts
        }
        rows[i] = row_after(&rows, i, &path, &a)?;
        // to its place by turning the rows it passes; the others are in order
        if i > 0 && order(&rows[i], &rows[i - 1]) == Ordering::Less {
            let j = rows[..i].partition_point(|r| order(r, &rows[i]) == Ordering::Less);
            rows[j..=i].rotate_right(1);
        } else if i + 1 < rows.len() && order(&rows[i + 1], &rows[i]) == Ordering::Less {
            let j = i + 1 + rows[i + 1..].partition_point(|r| order(r, &rows[i]) == Ordering::Less);
            rows[i..j].rotate_left(1);
        }
    }
    Some(rows)
}

fn merged(rows: Vec<Row>, changed: Vec<(String, Action)>) -> Option<Vec<Row>> {
    let mut at: HashMap<&str, usize> = HashMap::default();
    at.reserve(rows.len());
    for (i, r) in rows.iter().enumerate() {
        if at.insert(r.id.as_str(), i).is_some() {
            return None; // an id twice: the agenda's rules decide which counts
        }
    }
    let mut gone = vec![false; rows.len()];
    let mut fresh: Vec<Row> = Vec::with_capacity(changed.len());
    for (path, a) in changed {
        let &i = at.get(a.id.as_str())?;
        fresh.push(row_after(&rows, i, &path, &a)?);
        gone[i] = true;
    }
    drop(at);
    fresh.sort_by(order);
    // both in listing order: one merge
    let mut out = Vec::with_capacity(rows.len());
    let mut fresh = fresh.into_iter().peekable();
    for (i, r) in rows.into_iter().enumerate() {
        if gone[i] {
            continue;
        }
        while fresh.peek().is_some_and(|f| order(f, &r) == Ordering::Less) {
            out.extend(fresh.next());
        }
        out.push(r);
    }
    out.extend(fresh);
    Some(out)
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
