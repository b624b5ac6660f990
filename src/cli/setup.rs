//! `overleg demo` and `overleg init`.

use std::path::{Path, PathBuf};

use crate::store::setup::{self, default_demo_dir};

use super::Cli;

pub fn demo(cli: &Cli, dir: Option<PathBuf>, no_open: bool) -> anyhow::Result<i32> {
    let dir = dir.unwrap_or_else(default_demo_dir);
    let report = setup::demo(&dir)?;
    println!("overleg demo workspace: {}", report.dir.display());
    println!(
        "  server (bare repository, stands in for the departments' git server): {}{}",
        report.server.display(),
        if report.server_created {
            ""
        } else {
            "  (already there, kept)"
        }
    );
    for (dept, path, created) in &report.clones {
        println!(
            "  {dept:<5} clone: {}{}",
            path.display(),
            if *created {
                ""
            } else {
                "  (already there, kept)"
            }
        );
    }
    let first = report
        .clones
        .first()
        .map(|(_, p, _)| p.clone())
        .unwrap_or_else(|| report.dir.clone());
    println!(
        "\nTry:  overleg --repo {} list actions --overdue",
        first.display()
    );
    println!(
        "      overleg --repo {}            (the workbench)",
        first.display()
    );
    if no_open {
        return Ok(0);
    }
    let repo_cli = Cli {
        repo: Some(first),
        lang: cli.lang.clone(),
        theme: cli.theme.clone(),
        command: None,
    };
    crate::tui::open(&repo_cli)
}

pub fn init(dir: &Path, department: &str, name: Option<&str>) -> anyhow::Result<i32> {
    let store = setup::init(dir, department, name)?;
    println!(
        "new agenda repository in {} for department {}",
        store.root().display(),
        department
    );
    Ok(0)
}

pub fn generate(out: &Path, records: usize, seed: u64, history: usize) -> anyhow::Result<i32> {
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        anyhow::bail!(
            "{} exists and is not empty; choose a new --out",
            out.display()
        );
    }
    std::fs::create_dir_all(out)?;
    let files = crate::synthetic::generate(out, records, seed)?;
    setup::commit_generated(out, "EZK", history)?;
    println!(
        "{files} files in {} ({history} commits of history)",
        out.display()
    );
    // packed, as a repository of some years would be: every object loose would have the
    // first save pack them all
    let store = crate::store::Store::open(out)?;
    let p = store.pack_loose(&mut || false)?;
    println!(
        "{} objects packed ({:.1} MB loose, a pack of {:.1} MB)",
        p.objects,
        p.loose_bytes as f64 / 1e6,
        p.pack_bytes as f64 / 1e6
    );
    Ok(0)
}
