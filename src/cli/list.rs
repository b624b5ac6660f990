//! `overleg list KIND` with the filters a secretariat needs.

use clap::Args;

use crate::model::agenda::{due_of, is_overdue, meeting_when};
use crate::model::{Agenda, Date, FuzzyDate, Kind};
use crate::store::Store;

use super::output::{Table, print_json, record_json_parsed, terminal_width};
use super::{Cli, repo_dir};

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

/// The ids of the records of `kind` that pass the filters, in display order.
pub fn select(
    agenda: &Agenda,
    kind: Kind,
    a: &ListArgs,
    today: Date,
) -> anyhow::Result<Vec<String>> {
    let meeting = match &a.meeting {
        Some(m) => Some(
            agenda
                .resolve(m)
                .filter(|(k, _)| *k == Kind::Meeting)
                .map(|(_, id)| id)
                .ok_or_else(|| anyhow::anyhow!("no meeting `{m}`"))?,
        ),
        None => None,
    };
    let body_of = |meeting_id: &str| {
        agenda
            .meeting(meeting_id)
            .map(|m| m.body.clone())
            .unwrap_or_default()
    };
    let body_ok = |meeting_id: &str| {
        a.body
            .as_ref()
            .is_none_or(|b| body_of(meeting_id).eq_ignore_ascii_case(b))
    };
    let meeting_ok = |meeting_id: &str| meeting.as_ref().is_none_or(|m| m == meeting_id);
    let status_ok = |s: &str| a.status.as_ref().is_none_or(|x| x.eq_ignore_ascii_case(s));
    let owner_ok = |o: &str| a.owner.as_ref().is_none_or(|d| dept_matches(o, d));
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
    Ok(match kind {
        Kind::Action => {
            let mut v: Vec<_> = agenda
                .actions
                .iter()
                .filter(|x| status_ok(x.status.as_str()))
                .filter(|x| a.owner.as_ref().is_none_or(|d| dept_matches(&x.owner, d)))
                .filter(|x| meeting_ok(&x.meeting) && body_ok(&x.meeting))
                .filter(|x| !a.overdue || is_overdue(x, today))
                .filter(|x| {
                    let end = due_of(x).and_then(|d| d.end);
                    before.is_none_or(|b| end.is_some_and(|e| e < b))
                        && after.is_none_or(|b| end.is_some_and(|e| e > b))
                })
                .collect();
            v.sort_by_key(|x| {
                (
                    due_of(x).and_then(|d| d.end).unwrap_or(Date {
                        year: 9999,
                        month: 12,
                        day: 31,
                    }),
                    x.reference.clone(),
                )
            });
            v.into_iter().map(|x| x.id.clone()).collect()
        }
        Kind::Meeting => agenda
            .meetings_by_date()
            .into_iter()
            .filter(|m| status_ok(m.status.as_str()) && body_ok(&m.id) && meeting_ok(&m.id))
            .map(|m| m.id.clone())
            .collect(),
        Kind::Item => {
            let mut order: Vec<_> = agenda
                .meetings_by_date()
                .into_iter()
                .map(|m| m.id.clone())
                .collect();
            order.dedup();
            let mut out = Vec::new();
            for m in order {
                if !meeting_ok(&m) || !body_ok(&m) {
                    continue;
                }
                for i in agenda.items_of(&m) {
                    if status_ok(i.status.map_or("gepland", |s| s.as_str())) && owner_ok(&i.lead) {
                        out.push(i.id.clone());
                    }
                }
            }
            out
        }
        Kind::Notes => agenda
            .notes
            .iter()
            .filter(|n| meeting_ok(&n.meeting) && body_ok(&n.meeting))
            .filter(|n| status_ok(n.status.map_or("concept", |s| s.as_str())))
            .map(|n| n.id.clone())
            .collect(),
        Kind::Person => agenda
            .people
            .iter()
            .filter(|p| owner_ok(&p.organisation))
            .map(|p| p.id.clone())
            .collect(),
        Kind::Body => agenda.bodies.iter().map(|b| b.id.clone()).collect(),
        Kind::Organisation => agenda.organisations.iter().map(|o| o.id.clone()).collect(),
    })
}

pub fn run(cli: &Cli, args: &ListArgs) -> anyhow::Result<i32> {
    let kind = Kind::parse(&args.kind).ok_or_else(|| {
        anyhow::anyhow!("unknown kind `{}`; use meetings, items, actions, notes, people, bodies or organisations", args.kind)
    })?;
    let store = Store::open(&repo_dir(cli))?;
    let agenda = store.load();
    let today = Date::today();
    let ids = select(&agenda, kind, args, today)?;
    if args.json {
        let v: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| record_json_parsed(&agenda, id))
            .collect();
        print_json(&serde_json::Value::Array(v));
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
    for id in &ids {
        match kind {
            Kind::Action => {
                if let Some(a) = agenda.action(id) {
                    let status = if is_overdue(a, today) {
                        format!("{} (te laat)", a.status)
                    } else {
                        a.status.to_string()
                    };
                    t.row(vec![
                        a.reference.clone(),
                        status,
                        a.owner.clone(),
                        a.due.clone(),
                        a.title.clone(),
                    ]);
                }
            }
            Kind::Meeting => {
                if let Some(m) = agenda.meeting(id) {
                    let when = m.date.map_or_else(|| m.planned.clone(), |d| d.to_string());
                    let _ = meeting_when(m);
                    t.row(vec![
                        agenda.reference(id),
                        when,
                        m.status.to_string(),
                        m.title.clone(),
                    ]);
                }
            }
            Kind::Item => {
                if let Some(i) = agenda.item(id) {
                    t.row(vec![
                        agenda.reference(id),
                        i.treatment.to_string(),
                        i.duration.map(|d| d.to_string()).unwrap_or_default(),
                        i.lead.clone(),
                        i.title.clone(),
                    ]);
                }
            }
            Kind::Notes => {
                if let Some(n) = agenda.notes.iter().find(|n| &n.id == id) {
                    t.row(vec![
                        agenda.reference(id),
                        n.status.map_or("concept".into(), |s| s.to_string()),
                        n.decisions.len().to_string(),
                        n.agreements.len().to_string(),
                    ]);
                }
            }
            Kind::Person => {
                if let Some(p) = agenda.person(id) {
                    t.row(vec![
                        p.id.clone(),
                        p.class.to_string(),
                        p.organisation.clone(),
                        p.name.clone(),
                    ]);
                }
            }
            Kind::Body => {
                if let Some(b) = agenda.body(id) {
                    t.row(vec![
                        b.id.clone(),
                        b.level.map(|l| l.to_string()).unwrap_or_default(),
                        b.name.clone(),
                    ]);
                }
            }
            Kind::Organisation => {
                if let Some(o) = agenda.organisations.iter().find(|o| &o.id == id) {
                    t.row(vec![
                        o.code.clone(),
                        o.kind.map(|k| k.to_string()).unwrap_or_default(),
                        o.name.clone(),
                    ]);
                }
            }
        }
    }
    print!("{}", t.render(terminal_width()));
    Ok(0)
}
