//! `sync`, `conflicts` and `resolve`: exchanging work with the other departments.

use std::io::{IsTerminal, Write};

use clap::Args;

use crate::model::Date;
use crate::store::Store;
use crate::sync::conflicts::{self, ChangedBy, FieldConflict};
use crate::sync::merge::{ConflictKind, Side, Take};
use crate::sync::{self as engine, Event, SyncOptions};

use super::output::print_json;
use super::{Cli, repo_dir};

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The remote to sync with
    #[arg(long, default_value = "origin")]
    pub remote: String,
    /// How often to fetch, merge and push again when others pushed in between
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
    /// Only show ahead/behind, the last sync and open conflicts (no network)
    #[arg(long)]
    pub status: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ResolveArgs {
    /// The record: id, reference (2021-02-A3) or file path
    pub id: String,
    /// The field as `overleg conflicts` shows it: status, annotation.advies, decisions[d-1].text, *
    pub field: String,
    /// `ours`, `theirs`, or the value to write
    #[arg(long, required_unless_present = "value", conflicts_with = "value")]
    pub take: Option<String>,
    /// A value to write, taken literally (also when it is the word ours or theirs)
    #[arg(long)]
    pub value: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// `2021-02-08 14:05 UTC`
pub fn when(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let d = Date::from_days(days);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        d.year,
        d.month,
        d.day,
        rest / 3600,
        (rest % 3600) / 60
    )
}

fn who(by: &Option<ChangedBy>) -> String {
    match by {
        Some(b) => format!("{}, {}, {}", b.department, b.author, when(b.time)),
        None => "unknown".into(),
    }
}

/// How a progress event shows on stderr: a line for good, a step that the next line
/// replaces (shown only on a terminal), or nothing.
#[derive(Debug, PartialEq, Eq)]
enum Shown {
    Line(String),
    Step(String),
}

/// Sync progress on stderr, the way git shows it: on a terminal the counters rewrite one line;
/// elsewhere (a log, a pipe) only whole lines and every quarter of a fetch are written.
struct ProgressOut {
    terminal: bool,
    /// A step is on screen and must be cleared before the next line.
    step_shown: bool,
    last_step: Option<usize>,
}

impl ProgressOut {
    fn shown(&mut self, e: &Event) -> Option<Shown> {
        match e {
            Event::Fetching => Some(Shown::Line("fetching…".into())),
            Event::Merging => Some(Shown::Line("merging…".into())),
            Event::Pushing => Some(Shown::Line("pushing…".into())),
            Event::Retrying(n) => Some(Shown::Line(format!(
                "someone pushed in between: fetching and merging again (attempt {})",
                n + 1
            ))),
            Event::Remote(m) => Some(Shown::Line(format!("remote: {m}"))),
            Event::PackingLoose { objects, bytes } => Some(Shown::Line(
                super::record::packing_loose_line(*objects, *bytes),
            )),
            Event::JoiningPacks { packs, bytes } => Some(Shown::Line(
                super::record::joining_packs_line(*packs, *bytes),
            )),
            Event::RemoteProgress(m) => Some(Shown::Step(format!("remote: {m}"))),
            Event::Fetch {
                received_objects,
                total_objects,
                ..
            } if *total_objects > 0 => {
                // a terminal gets every percent, a log every quarter
                let pct = received_objects * 100 / total_objects;
                let step = if self.terminal { pct } else { pct / 25 };
                if self.last_step == Some(step) {
                    return None;
                }
                self.last_step = Some(step);
                let text = format!("received {received_objects}/{total_objects} objects");
                Some(if self.terminal && received_objects < total_objects {
                    Shown::Step(text)
                } else {
                    Shown::Line(text)
                })
            }
            _ => None,
        }
    }

    fn write(&mut self, e: &Event) {
        let Some(shown) = self.shown(e) else {
            return;
        };
        let mut err = std::io::stderr().lock();
        let clear = if self.step_shown { "\r\x1b[K" } else { "" };
        match shown {
            Shown::Line(l) => {
                let _ = writeln!(err, "{clear}{}", crate::text::line(&l));
                self.step_shown = false;
            }
            Shown::Step(l) if self.terminal => {
                let _ = write!(err, "{clear}{}", crate::text::line(&l));
                let _ = err.flush();
                self.step_shown = true;
            }
            Shown::Step(_) => {}
        }
    }

    fn done(&mut self) {
        if self.step_shown {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            self.step_shown = false;
        }
    }
}

pub fn sync(cli: &Cli, args: &SyncArgs) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    if args.status {
        let s = engine::status_of(&store, &args.remote)?;
        if args.json {
            print_json(&serde_json::to_value(&s)?);
        } else {
            print_status(&s);
        }
        return Ok(0);
    }
    let opts = SyncOptions {
        remote: args.remote.clone(),
        retries: args.retries,
        ..SyncOptions::default()
    };
    let quiet = args.json;
    let mut out = ProgressOut {
        terminal: std::io::stderr().is_terminal(),
        step_shown: false,
        last_step: None,
    };
    let mut progress = |e: &Event| {
        if !quiet {
            out.write(e);
        }
    };
    let result = engine::sync(&store, &opts, &mut progress);
    out.done();
    let report = result?;
    if args.json {
        print_json(&serde_json::to_value(&report)?);
    } else {
        if report.incoming > 0 {
            println!("{} files came in from the server", report.incoming);
        }
        if !report.merged.is_empty() {
            println!(
                "{} records changed on both sides, merged field by field: {}",
                report.merged.len(),
                report.merged.join(", ")
            );
        }
        if let Some(e) = &report.packs_error {
            eprintln!(
                "could not pack this clone's objects ({e}); every object is kept and nothing is lost. The next sync tries again; `git gc` does the same work"
            );
        }
        if report.resolved > 0 {
            println!("{} conflicts settled as you chose", report.resolved);
        }
        if report.conflicts > 0 {
            println!(
                "{} conflicting fields need a choice; nothing was pushed. `overleg conflicts` shows them, `overleg resolve ID FIELD --take ours|theirs|VALUE` settles one",
                report.conflicts
            );
        } else if report.pushed {
            println!("pushed; in sync with {}", args.remote);
        } else {
            println!("in sync with {}", args.remote);
        }
    }
    Ok(if report.conflicts > 0 { 1 } else { 0 })
}

fn print_status(s: &engine::SyncStatus) {
    println!(
        "branch {}  remote {}",
        s.branch.as_deref().unwrap_or("?"),
        s.remote.as_deref().unwrap_or("(none)")
    );
    println!("ahead {}  behind {}", s.ahead, s.behind);
    match s.last_success {
        Some(t) => println!("last sync {}", when(t)),
        None => println!("never synced"),
    }
    if let Some(r) = &s.last_result {
        println!("last attempt: {}", crate::text::line(r));
    }
    if s.open_conflicts > 0 {
        println!(
            "{} conflicting fields wait for a choice (`overleg conflicts`)",
            s.open_conflicts
        );
    }
}

fn kind_note(c: &FieldConflict) -> &'static str {
    match c.conflict {
        ConflictKind::Value => "both changed this field",
        ConflictKind::Text => "both changed the same lines of this text",
        ConflictKind::EntryDeleted { by: Side::Ours } => {
            "we removed this entry, they changed it (their version is kept until you choose)"
        }
        ConflictKind::EntryDeleted { by: Side::Theirs } => {
            "they removed this entry, we changed it (ours is kept until you choose)"
        }
        ConflictKind::RecordDeleted { by: Side::Ours } => {
            "we deleted this record, they changed it (their version is kept until you choose)"
        }
        ConflictKind::RecordDeleted { by: Side::Theirs } => {
            "they deleted this record, we changed it (ours is kept until you choose)"
        }
        ConflictKind::Unreadable => "one version is not readable; choose a whole version",
    }
}

fn shown(v: &Option<String>) -> String {
    match v {
        None => "(absent)".into(),
        Some(s) if s.contains('\n') => {
            let body: Vec<String> = s
                .lines()
                .map(|l| format!("      │ {}", crate::text::line(l)))
                .collect();
            format!("\n{}", body.join("\n"))
        }
        Some(s) => crate::text::line(s),
    }
}

pub fn list(cli: &Cli, json: bool) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let all = conflicts::list(&store)?;
    if json {
        print_json(&serde_json::to_value(&all)?);
        return Ok(0);
    }
    if all.is_empty() {
        println!("no conflicts");
        return Ok(0);
    }
    let open = all.iter().filter(|c| c.resolved.is_none()).count();
    println!(
        "{} conflicting fields, {} still open; nothing is pushed until all are resolved\n",
        all.len(),
        open
    );
    for c in &all {
        let state = match &c.resolved {
            None => "open".to_string(),
            Some(Take::Ours) => "resolved: ours".into(),
            Some(Take::Theirs) => "resolved: theirs".into(),
            Some(Take::Value(v)) => format!("resolved: {}", crate::text::line(v)),
        };
        println!(
            "{}  {}  [{}]",
            crate::text::line(&c.path),
            crate::text::line(&c.field),
            state
        );
        println!("  {}", kind_note(c));
        println!("  ours   ({}): {}", who(&c.ours_by), shown(&c.ours));
        println!("  theirs ({}): {}", who(&c.theirs_by), shown(&c.theirs));
        println!(
            "  → overleg resolve {} '{}' --take ours|theirs{}\n",
            crate::text::line(&c.id),
            crate::text::line(&c.field),
            if matches!(c.conflict, ConflictKind::Value | ConflictKind::Text) {
                "|VALUE"
            } else {
                ""
            }
        );
    }
    Ok(if open > 0 { 1 } else { 0 })
}

pub fn resolve(cli: &Cli, args: &ResolveArgs) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let take = match (&args.take, &args.value) {
        (_, Some(v)) => Take::Value(v.clone()),
        (Some(t), None) if t == "ours" => Take::Ours,
        (Some(t), None) if t == "theirs" => Take::Theirs,
        (Some(t), None) => Take::Value(t.clone()),
        (None, None) => anyhow::bail!("give --take ours|theirs|VALUE"),
    };
    let r = conflicts::resolve(&store, &args.id, &args.field, take)?;
    if args.json {
        print_json(&serde_json::to_value(&r)?);
    } else if r.completed {
        println!(
            "{} {}: resolved. All conflicts are resolved and the merge is committed; `overleg sync` sends it",
            crate::text::line(&r.path),
            crate::text::line(&r.field)
        );
    } else {
        println!(
            "{} {}: resolved; {} conflicting fields left",
            crate::text::line(&r.path),
            crate::text::line(&r.field),
            r.remaining
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(received_objects: usize) -> Event {
        Event::Fetch {
            received_objects,
            total_objects: 200,
            indexed_deltas: 0,
            total_deltas: 0,
            received_bytes: 0,
        }
    }

    fn shown(terminal: bool, events: &[Event]) -> Vec<Shown> {
        let mut out = ProgressOut {
            terminal,
            step_shown: false,
            last_step: None,
        };
        events.iter().filter_map(|e| out.shown(e)).collect()
    }

    #[test]
    fn a_log_gets_whole_lines_and_quarters_of_a_fetch() {
        let events: Vec<Event> = (0..=200).step_by(10).map(fetch).collect();
        let got = shown(false, &events);
        let want: Vec<Shown> = [0, 50, 100, 150, 200]
            .iter()
            .map(|n| Shown::Line(format!("received {n}/200 objects")))
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            shown(
                false,
                &[
                    Event::RemoteProgress("Resolving deltas:  50% (1/2)".into()),
                    Event::Remote("Resolving deltas: 100% (2/2), done.".into())
                ]
            ),
            vec![
                Shown::Step("remote: Resolving deltas:  50% (1/2)".into()),
                Shown::Line("remote: Resolving deltas: 100% (2/2), done.".into())
            ]
        );
    }

    #[test]
    fn a_terminal_gets_every_percent_as_a_step_and_the_last_as_a_line() {
        let got = shown(
            true,
            &[fetch(1), fetch(2), fetch(3), fetch(199), fetch(200)],
        );
        assert_eq!(
            got,
            vec![
                Shown::Step("received 1/200 objects".into()),
                Shown::Step("received 2/200 objects".into()),
                Shown::Step("received 199/200 objects".into()),
                Shown::Line("received 200/200 objects".into()),
            ]
        );
    }
}
