//! `overleg list KIND` with the filters a secretariat needs.

use clap::Args;

use std::io::Write;

use crate::catalog::{Catalog, Source, record_files_in};
use crate::model::{Date, FuzzyDate, Kind, Lookup, Record};
use crate::store::Store;

use super::output::{Table, terminal_width};
use super::{Cli, repo_dir};

mod patch;
mod rows;
pub use rows::{Row, json_array, rows_of};

#[derive(Args, Debug, Default)]
pub struct ListArgs {
    /// meetings, items, actions, notes, people, bodies or organisations (Dutch words work too)
    pub kind: String,
    /// Only this status (actions: open, lopend, gereed …; meetings: gepland, gehouden …)
    #[arg(long)]
    pub status: Option<String>,
    /// Only records of this owner/lead department (EZK matches EZK/DE too)
    #[arg(long, alias = "dept", alias = "department")]
    pub owner: Option<String>,
    /// Only records of this meeting (id or reference)
    #[arg(long)]
    pub meeting: Option<String>,
    /// Only records of this body (id)
    #[arg(long)]
    pub body: Option<String>,
    /// Only actions due before this date (2021-04-01, "april 2021")
    #[arg(long)]
    pub due_before: Option<String>,
    /// Only actions due after this date
    #[arg(long)]
    pub due_after: Option<String>,
    /// Only overdue actions (open, lopend or geblokkeerd, and past their due date)
    #[arg(long)]
    pub overdue: bool,
    #[arg(long)]
    pub json: bool,
}

fn dept_matches(value: &str, dept: &str) -> bool {
    let code = value.split('/').next().unwrap_or("").trim();
    code.eq_ignore_ascii_case(dept) || value.eq_ignore_ascii_case(dept)
}

fn parse_bound(s: &str, start: bool) -> anyhow::Result<Date> {
    let f = FuzzyDate::parse(s).map_err(|e| anyhow::anyhow!("`{s}`: {e}"))?;
    (if start { f.start } else { f.end }).ok_or_else(|| anyhow::anyhow!("`{s}` is not a date"))
}

/// The records of `kind` that pass the filters, in display order. `resolve_meeting` finds a
/// meeting's id by id or reference.
pub fn select<'r>(
    rows: &'r [Row],
    kind: Kind,
    a: &ListArgs,
    today: Date,
    resolve_meeting: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<&'r Row>> {
    let meeting = match &a.meeting {
        Some(m) => Some(resolve_meeting(m).ok_or_else(|| anyhow::anyhow!("no meeting `{m}`"))?),
        None => None,
    };
    let before = a
        .due_before
        .as_deref()
        .map(|s| parse_bound(s, true))
        .transpose()?;
    let after = a
        .due_after
        .as_deref()
        .map(|s| parse_bound(s, false))
        .transpose()?;
    // the due filters concern actions only
    let dated = kind == Kind::Action;
    Ok(rows
        .iter()
        .filter(|r| {
            let Some(row_meeting) = &r.meeting else {
                return true;
            };
            meeting.as_ref().is_none_or(|m| m == row_meeting)
                && a.body
                    .as_ref()
                    .is_none_or(|b| r.body.eq_ignore_ascii_case(b))
        })
        .filter(|r| {
            r.status
                .as_ref()
                .is_none_or(|s| a.status.as_ref().is_none_or(|x| x.eq_ignore_ascii_case(s)))
        })
        .filter(|r| {
            r.owner
                .as_ref()
                .is_none_or(|o| a.owner.as_ref().is_none_or(|d| dept_matches(o, d)))
        })
        .filter(|r| {
            !dated
                || ((!a.overdue || is_overdue(r, today))
                    && before.is_none_or(|b| r.due_end.is_some_and(|e| e < b))
                    && after.is_none_or(|b| r.due_end.is_some_and(|e| e > b)))
        })
        .collect())
}

fn is_overdue(r: &Row, today: Date) -> bool {
    r.active && r.due_end.is_some_and(|end| end < today)
}

/// The listing rows of `kind`, from the snapshot when it is fresh.
pub fn rows(catalog: &Catalog<'_>, kind: Kind) -> Vec<Row> {
    rows_from(catalog, kind).0
}

/// The listing rows of `kind` and where they came from: the snapshot when it is fresh, the
/// snapshot brought up to date when overleg's own saves of follow-ups are all that changed
/// since (`patch`), else the agenda.
pub fn rows_from(catalog: &Catalog<'_>, kind: Kind) -> (Vec<Row>, Source) {
    let store = catalog.store();
    catalog.derived_patching(
        &format!("rows-{}", kind.as_str()),
        |a| rows_of(a, kind),
        |paths, folders| {
            patch::read_saves(
                kind,
                paths,
                folders,
                || record_files_in(store.root(), Kind::Action.folder()),
                |p| match store.read_clean_record(p) {
                    Some(Record::Action(a)) => Some(a),
                    _ => None,
                },
            )
        },
        |rows, saves| patch::rows_after_saves(rows, kind, saves),
    )
}

pub fn run(cli: &Cli, args: &ListArgs) -> anyhow::Result<i32> {
    let kind = Kind::parse(&args.kind).ok_or_else(|| {
        anyhow::anyhow!("unknown kind `{}`; use meetings, items, actions, notes, people, bodies or organisations", args.kind)
    })?;
    let store = Store::open(&repo_dir(cli))?;
    let catalog = Catalog::open(&store);
    let (rows, source) = rows_from(&catalog, kind);
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!("list: rows {source:?}");
    }
    let today = Date::today();
    let resolve_meeting = |m: &str| {
        catalog
            .refs()
            .table
            .resolve(m)
            .filter(|(k, _)| *k == Kind::Meeting)
            .map(|(_, id)| id)
    };
    let selected = select(&rows, kind, args, today, &resolve_meeting)?;
    if args.json {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", json_array(&selected));
        // the process ends here: freeing every row one by one would only cost time
        std::mem::forget(rows);
        return Ok(0);
    }
    let mut t = match kind {
        Kind::Action => Table::new(&["REF", "STATUS", "OWNER", "DUE", "TITLE"]),
        Kind::Meeting => Table::new(&["REF", "DATE", "STATUS", "TITLE"]),
        Kind::Item => Table::new(&["REF", "TREATMENT", "MIN", "LEAD", "TITLE"]),
        Kind::Notes => Table::new(&["REF", "STATUS", "DECISIONS", "AGREEMENTS"]),
        Kind::Person => Table::new(&["ID", "CLASS", "ORGANISATION", "NAME"]),
        Kind::Body => Table::new(&["ID", "LEVEL", "NAME"]),
        Kind::Organisation => Table::new(&["CODE", "KIND", "NAME"]),
    };
    for r in selected {
        let mut cells = r.cells.clone();
        if kind == Kind::Action && is_overdue(r, today) {
            cells[1] = format!("{} (te laat)", cells[1]);
        }
        t.row(cells);
    }
    print!("{}", t.render(terminal_width()));
    Ok(0)
}
