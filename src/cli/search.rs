//! `overleg search QUERY`: the workbench's search (fuzzy text with accents folded, plus field
//! filters such as `status:open dept:EZK due<2021-04 body:beraad type:action`) for scripts.
//!
//! From a fresh flat snapshot (`search::compact`) the index is scored where it lies in the
//! file's bytes; only without one (or with a damaged one) is the full index decoded or built,
//! and the flat snapshot written for the next search.

use crate::catalog::{Catalog, SEARCH, SEARCH_FLAT};
use crate::model::{Kind, Lookup};
use crate::search::{self, Hit, compact::Compact};
use crate::store::Store;

use super::output::{Table, print_json, terminal_width};
use super::{Cli, repo_dir};

pub fn run(cli: &Cli, query: &[String], json: bool, limit: usize) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let catalog = Catalog::open(&store);
    let query = query.join(" ");
    let timing = std::env::var_os("OVERLEG_TIMING").is_some();
    let t = std::time::Instant::now();
    if let Some(bytes) = catalog.fresh_raw(SEARCH_FLAT) {
        if timing {
            eprintln!("search: flat snapshot read {:?}", t.elapsed());
        }
        if let Some(flat) = Compact::new(&bytes) {
            let r = flat.search(&query);
            if !flat.damaged() {
                let rows = |i: usize| (flat.kind_of(i), flat.id(i), flat.line(i));
                // the lines printed are checked too, before anything is printed
                for h in r.hits.iter().take(limit) {
                    rows(h.entry);
                }
                if !flat.damaged() {
                    if timing {
                        eprintln!("search: scored {:?}", t.elapsed());
                    }
                    print_hits(&catalog, r.hits, &r.problems, json, limit, rows);
                    // the process ends here: freeing the bytes would only cost time
                    std::mem::forget(bytes);
                    return Ok(0);
                }
            }
        }
    }
    let entries: Vec<search::Entry> = catalog.derived(SEARCH, search::index);
    if let Some(flat) = search::compact::encode(&entries) {
        catalog.save_raw(SEARCH_FLAT, entries.len(), &flat);
    }
    let (hits, problems) = search::run(&entries, &query);
    print_hits(&catalog, hits, &problems, json, limit, |i| {
        let e = &entries[i];
        (e.kind, e.id.as_str(), e.line.as_str())
    });
    // the process ends here: freeing 100,000 entries one by one would only cost time
    std::mem::forget(entries);
    Ok(0)
}

/// The hits as a table or as JSON; `row` gives an entry's kind, id and line.
fn print_hits<'a>(
    catalog: &Catalog<'_>,
    hits: Vec<Hit>,
    problems: &[String],
    json: bool,
    limit: usize,
    row: impl Fn(usize) -> (Kind, &'a str, &'a str),
) {
    for p in problems {
        eprintln!("warning: {}", crate::text::line(p));
    }
    let hits = hits.into_iter().take(limit);
    if json {
        let refs = catalog.refs().table;
        let v: Vec<serde_json::Value> = hits
            .map(|h| {
                let (kind, id, line) = row(h.entry);
                serde_json::json!({
                    "id": id, "kind": kind.as_str(), "ref": refs.reference(id),
                    "text": line, "score": h.score, "matched_in": h.via,
                })
            })
            .collect();
        print_json(&serde_json::Value::Array(v));
        return;
    }
    let mut t = Table::new(&["KIND", "TEXT"]);
    for h in hits {
        let (kind, _, line) = row(h.entry);
        let text = match h.via {
            Some(field) => format!("{line}  (in {field})"),
            None => line.to_string(),
        };
        t.row(vec![kind.as_str().to_string(), text]);
    }
    print!("{}", t.render(terminal_width()));
}
