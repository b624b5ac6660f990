//! `show`, `log`, `new`, `set` and `delete`: one record at a time.

use clap::Args;

use crate::catalog::Catalog;
use crate::model::agenda::is_overdue;
use crate::model::{Date, Kind};
use crate::ops;
use crate::store::{Store, StoreError};

use super::output::{print_json, record_json};
use super::{Cli, repo_dir};

fn open(cli: &Cli) -> anyhow::Result<(Store, std::sync::Arc<crate::model::Agenda>)> {
    let store = Store::open(&repo_dir(cli))?;
    let agenda = Catalog::open(&store).agenda();
    Ok((store, agenda))
}

pub fn show(cli: &Cli, id: &str, json: bool) -> anyhow::Result<i32> {
    let (store, agenda) = open(cli)?;
    let (kind, id) = agenda
        .resolve(id)
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    if json {
        print_json(&record_json(store.root(), &agenda, &id));
        return Ok(0);
    }
    let path = agenda.path_of(&id).unwrap_or_default();
    println!(
        "{} {}  ({})",
        kind.word_nl(),
        crate::text::line(&agenda.reference(&id)),
        crate::text::line(&path)
    );
    let text = store.read_text(&path)?;
    println!("{}", crate::text::sanitize(&text, true).trim_end());
    match kind {
        Kind::Meeting => {
            if let Some(m) = agenda.meeting(&id) {
                let items = agenda.items_of(&id);
                if !items.is_empty() {
                    println!("\nagenda:");
                    let mut total = 0;
                    for i in &items {
                        total += i.duration.unwrap_or(0);
                        println!(
                            "  {:>3}  {:<40}  {:>3} min  {}",
                            crate::text::line(&i.label),
                            crate::text::line(&i.title),
                            i.duration.unwrap_or(0),
                            i.treatment
                        );
                    }
                    let slot = crate::model::validate::minutes_of(&m.end)
                        .zip(crate::model::validate::minutes_of(&m.start))
                        .map(|(e, s)| e.saturating_sub(s));
                    match slot {
                        Some(s) if total > s => println!(
                            "  total {total} min of a {s} min slot: {} min over",
                            total - s
                        ),
                        Some(s) => println!("  total {total} min of a {s} min slot"),
                        None => println!("  total {total} min"),
                    }
                }
            }
        }
        Kind::Action => {
            if let Some(a) = agenda.action(&id)
                && is_overdue(a, Date::today())
            {
                println!("\n(te laat: due {} has passed)", crate::text::line(&a.due));
            }
        }
        _ => {}
    }
    Ok(0)
}

pub fn log(cli: &Cli, id: &str, json: bool) -> anyhow::Result<i32> {
    let (store, agenda) = open(cli)?;
    let (_, id) = agenda
        .resolve(id)
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    let path = agenda.path_of(&id).unwrap_or_default();
    let entries = store.history(&path, 100_000)?;
    if json {
        let v: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "commit": e.commit, "author": e.author, "email": e.email, "department": e.department,
                    "time": e.time, "summary": e.summary,
                    "changes": e.changes.iter().map(|c| serde_json::json!({"field": c.field, "old": c.old, "new": c.new})).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&serde_json::Value::Array(v));
        return Ok(0);
    }
    for e in &entries {
        let local = e.time + i64::from(e.offset_minutes) * 60;
        let day = Date::from_days(local.div_euclid(86_400));
        let secs = local.rem_euclid(86_400);
        println!(
            "{} {:02}:{:02}  {:<5} {}  {}",
            day,
            secs / 3600,
            (secs % 3600) / 60,
            crate::text::line(&e.department),
            crate::text::line(&e.author),
            e.commit
        );
        for c in &e.changes {
            let show = |v: &Option<String>| {
                v.as_deref().map_or("—".to_string(), |s| {
                    crate::text::line(s).chars().take(60).collect()
                })
            };
            println!(
                "    {}: {} → {}",
                crate::text::line(&c.field),
                show(&c.old),
                show(&c.new)
            );
        }
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// meeting, item or action
    pub kind: String,
    #[arg(long)]
    pub title: Option<String>,
    /// meeting: the body (id)
    #[arg(long)]
    pub body: Option<String>,
    /// meeting: exact date; (2021-02-08 or "8 februari 2021")
    #[arg(long)]
    pub date: Option<String>,
    /// meeting: fuzzy planning ("medio april 2021")
    #[arg(long)]
    pub planned: Option<String>,
    #[arg(long)]
    pub start: Option<String>,
    #[arg(long)]
    pub end: Option<String>,
    #[arg(long)]
    pub status: Option<String>,
    /// item or action: the meeting (id or reference)
    #[arg(long)]
    pub meeting: Option<String>,
    /// action: the item it came from (id or reference)
    #[arg(long)]
    pub item: Option<String>,
    #[arg(long)]
    pub label: Option<String>,
    #[arg(long)]
    pub treatment: Option<String>,
    #[arg(long)]
    pub duration: Option<String>,
    /// item: lead department
    #[arg(long)]
    pub lead: Option<String>,
    /// action: owner department (EZK, EZK/DE)
    #[arg(long)]
    pub owner: Option<String>,
    /// action: due date, fuzzy ("medio april 2021")
    #[arg(long)]
    pub due: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// any other field: --set field=value (repeatable)
    #[arg(long = "set")]
    pub extra: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

fn split_assignment(s: &str) -> anyhow::Result<(String, String)> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("`{s}`: write field=value"))?;
    Ok((k.trim().to_string(), v.to_string()))
}

pub fn new(cli: &Cli, a: &NewArgs) -> anyhow::Result<i32> {
    let kind = match Kind::parse(&a.kind) {
        Some(k @ (Kind::Meeting | Kind::Item | Kind::Action)) => k,
        _ => anyhow::bail!(
            "`overleg new` makes a meeting, item or action, not `{}`",
            a.kind
        ),
    };
    let (store, agenda) = open(cli)?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            fields.push((k.to_string(), v.clone()));
        }
    };
    add("title", &a.title);
    add("body", &a.body);
    add("date", &a.date);
    add("planned", &a.planned);
    add("start", &a.start);
    add("end", &a.end);
    add("meeting", &a.meeting);
    add("item", &a.item);
    add("label", &a.label);
    add("treatment", &a.treatment);
    add("duration", &a.duration);
    add("lead", &a.lead);
    add("owner", &a.owner);
    add("due", &a.due);
    add("description", &a.description);
    add("status", &a.status);
    for e in &a.extra {
        fields.push(split_assignment(e)?);
    }
    let (id, saved) = ops::create(&store, &agenda, kind, &fields)?;
    if a.json {
        let agenda = store.load();
        print_json(&record_json(store.root(), &agenda, &id));
    } else {
        println!("{id}");
        eprintln!(
            "{} ({})",
            crate::text::line(&saved.summary),
            &saved.commit[..10.min(saved.commit.len())]
        );
    }
    tidy_after_save(&store);
    Ok(0)
}

pub fn set(cli: &Cli, id: &str, assignments: &[String], json: bool) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let pairs: Vec<(String, String)> = assignments
        .iter()
        .map(|s| split_assignment(s))
        .collect::<anyhow::Result<_>>()?;
    let t0 = std::time::Instant::now();
    let catalog = Catalog::open(&store);
    let refs = catalog.refs();
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!("set: refs {:?} fresh {}", t0.elapsed(), refs.fresh);
    }
    let saved = match ops::set_fields(&store, refs.lookup(&store).as_ref(), id, &pairs) {
        // a table behind the work tree did not know something: ask every record
        Err(StoreError::NotFound(_) | StoreError::Rejected(_)) if !refs.fresh => {
            ops::set_fields(&store, catalog.agenda().as_ref(), id, &pairs)?
        }
        other => other?,
    };
    if json {
        print_json(&serde_json::json!({"commit": saved.commit, "summary": saved.summary}));
    } else {
        println!("{}", crate::text::line(&saved.summary));
    }
    tidy_after_save(&store);
    Ok(0)
}

pub fn delete(cli: &Cli, id: &str) -> anyhow::Result<i32> {
    let (store, agenda) = open(cli)?;
    let saved = ops::delete(&store, &agenda, id)?;
    println!("{}", crate::text::line(&saved.summary));
    tidy_after_save(&store);
    Ok(0)
}

/// After a save, once its result is out: pack the clone's loose objects when they are past
/// its limits and join its small packs when there are too many, as `git commit` starts
/// `git gc --auto`; each step said on stderr. A failure is told and changes nothing (every
/// object stays); the save stands.
pub(super) fn tidy_after_save(store: &Store) {
    use crate::store::housekeeping::Step;
    use std::io::Write;
    let mut announce = |step| {
        let _ = std::io::stdout().flush();
        eprintln!(
            "{}",
            match step {
                Step::PackingLoose(d) => packing_loose_line(d.objects, d.bytes),
                Step::JoiningPacks { packs, bytes } => joining_packs_line(packs, bytes),
            }
        );
    };
    let failed = match store.tidy(&mut announce, &mut || false) {
        Ok(t) => {
            if let Some(p) = &t.packed {
                eprintln!(
                    "packed {} loose objects ({:.1} MB) into a pack of {:.1} MB",
                    p.objects,
                    p.loose_bytes as f64 / 1e6,
                    p.pack_bytes as f64 / 1e6
                );
            }
            t.failed
        }
        Err(e) => Some(e.to_string()),
    };
    if let Some(e) = failed {
        eprintln!(
            "warning: packing the repository's objects failed, and every object is kept as it was: {}. \
             Your change is saved; the next save or sync tries again (`git gc` does the same work)",
            crate::text::line(&e)
        );
    }
}

/// What `overleg` says before it joins packs.
pub(super) fn joining_packs_line(packs: usize, bytes: u64) -> String {
    format!(
        "joining {packs} small packs ({:.1} MB) into one, as git gc would…",
        bytes as f64 / 1e6
    )
}

/// What `overleg` says before it packs loose objects.
pub(super) fn packing_loose_line(objects: usize, bytes: Option<u64>) -> String {
    match bytes {
        Some(b) => format!(
            "packing {objects} loose objects ({:.1} MB) into one pack, as git gc would…",
            b as f64 / 1e6
        ),
        None => format!("packing about {objects} loose objects into one pack, as git gc would…"),
    }
}
