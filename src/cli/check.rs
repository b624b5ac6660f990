//! `overleg check`: every problem of the repository, one per line, non-zero exit when any is
//! an error. Usable as a CI step of an agenda repository.

use crate::model::Severity;
use crate::store::Store;

use super::{Cli, repo_dir};

pub fn run(cli: &Cli, json: bool) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let mut agenda = store.load();
    // what an interrupted save or a hand edit left behind: warnings, with what to do
    agenda.problems.extend(store.leftovers());
    let errors = agenda
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = agenda.problems.len() - errors;
    if json {
        let v: Vec<serde_json::Value> = agenda
            .problems
            .iter()
            .map(|p| {
                serde_json::json!({
                    "path": p.path, "line": p.line, "column": p.column, "field": p.field,
                    "message": p.message,
                    "severity": if p.severity == Severity::Error { "error" } else { "warning" },
                })
            })
            .collect();
        super::output::print_json(&serde_json::Value::Array(v));
    } else {
        for p in &agenda.problems {
            println!("{}", crate::text::line(&p.to_string()));
        }
        let records = agenda.meetings.len()
            + agenda.items.len()
            + agenda.notes.len()
            + agenda.actions.len()
            + agenda.bodies.len()
            + agenda.organisations.len()
            + agenda.people.len();
        eprintln!("{records} records checked: {errors} errors, {warnings} warnings");
    }
    Ok(if errors > 0 { 1 } else { 0 })
}
