//! `overleg search QUERY`: the workbench's search (fuzzy text with accents folded, plus field
//! filters such as `status:open dept:EZK due<2021-04 body:beraad type:action`) for scripts.

use crate::catalog::Catalog;
use crate::model::Lookup;
use crate::search;
use crate::store::Store;

use super::output::{Table, print_json, terminal_width};
use super::{Cli, repo_dir};

pub fn run(cli: &Cli, query: &[String], json: bool, limit: usize) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let catalog = Catalog::open(&store);
    let entries: Vec<search::Entry> = catalog.derived(crate::catalog::SEARCH, search::index);
    let (hits, problems) = search::run(&entries, &query.join(" "));
    for p in &problems {
        eprintln!("warning: {}", crate::text::line(p));
    }
    let hits = hits.into_iter().take(limit);
    if json {
        let refs = catalog.refs().table;
        let v: Vec<serde_json::Value> = hits
            .map(|h| {
                let e = &entries[h.entry];
                serde_json::json!({
                    "id": e.id, "kind": e.kind.as_str(), "ref": refs.reference(&e.id),
                    "text": e.line, "score": h.score, "matched_in": h.via,
                })
            })
            .collect();
        print_json(&serde_json::Value::Array(v));
        std::mem::forget(entries);
        return Ok(0);
    }
    let mut t = Table::new(&["KIND", "TEXT"]);
    for h in hits {
        let e = &entries[h.entry];
        let text = match h.via {
            Some(field) => format!("{}  (in {field})", e.line),
            None => e.line.clone(),
        };
        t.row(vec![e.kind.as_str().to_string(), text]);
    }
    print!("{}", t.render(terminal_width()));
    // the process ends here: freeing 100,000 entries one by one would only cost time
    std::mem::forget(entries);
    Ok(0)
}
