//! `overleg export`: the annotated agenda, the decisions and follow-ups list, the calendar and
//! the strategic calendar, optionally as a Woo release. The documents are made by
//! `crate::export` (pure); this file reads the repository, writes files and runs the PDF
//! converter.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, Subcommand};

use crate::export::{self, ConfidentialMode, Format, Ground, Options, Output, Woo};
use crate::model::Date;
use crate::store::Store;

use super::{Cli, repo_dir};

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The geannoteerde agenda of a meeting (md, html or pdf)
    Agenda {
        /// Meeting id or reference (beraad-2021-02-08)
        meeting: String,
        /// md, html or pdf (default: from --out, else md)
        #[arg(long, short)]
        format: Option<String>,
        /// The members' variant: without the spreekpunten
        #[arg(long)]
        members: bool,
        /// Addressee in the header block (default: the chair's office, or the members)
        #[arg(long)]
        aan: Option<String>,
        /// Kenmerk of the agenda paper, e.g. "DGBI-DE / 21025076"
        #[arg(long)]
        kenmerk: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Besluitenlijst en actielijst of a meeting (md, html or csv)
    Besluiten {
        meeting: String,
        /// md, html or csv (default: from --out, else md)
        #[arg(long, short)]
        format: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Calendar file (.ics) of the meetings, for Outlook and other calendar programs
    Ics {
        /// Also the due dates of open follow-ups, as all-day events
        #[arg(long)]
        actions: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// The strategic calendar: upcoming meetings and follow-up deadlines (md, html or csv)
    Kalender {
        #[arg(long, short)]
        format: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Write to this file instead of standard output
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Release version (Woo): personal data replaced by the marker
    #[arg(long)]
    pub woo: bool,
    /// Marker of the ground: 5.1.2e (Woo, default) or 10.2.e (Wob style)
    #[arg(long, requires = "woo", value_name = "5.1.2e|10.2.e")]
    pub marker: Option<String>,
    /// Meetings under Chatham House or "niet verder verspreiden": omit their content
    /// (default) or mark it
    #[arg(long, requires = "woo", value_name = "omit|mark")]
    pub confidential: Option<String>,
    /// Write the list of what was masked where to this file (default: standard error)
    #[arg(long, requires = "woo")]
    pub woo_report: Option<PathBuf>,
}

fn options(c: &CommonArgs) -> anyhow::Result<Options> {
    let mut o = Options {
        today: Date::today(),
        ..Options::default()
    };
    if c.woo {
        let ground = match &c.marker {
            None => Ground::Woo,
            Some(m) => Ground::parse(m)
                .ok_or_else(|| anyhow::anyhow!("unknown marker `{m}`: use 5.1.2e or 10.2.e"))?,
        };
        let confidential = match &c.confidential {
            None => ConfidentialMode::Omit,
            Some(m) => ConfidentialMode::parse(m)
                .ok_or_else(|| anyhow::anyhow!("unknown --confidential `{m}`: use omit or mark"))?,
        };
        o.woo = Some(Woo {
            ground,
            confidential,
        });
    }
    Ok(o)
}

/// The format asked for, else the one the --out file name suggests, else `default`.
fn pick_format(given: &Option<String>, out: &Option<PathBuf>, default: &str) -> String {
    if let Some(f) = given {
        return f.trim().to_lowercase();
    }
    out.as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_lowercase())
        .filter(|e| ["md", "html", "htm", "pdf", "csv", "ics", "markdown"].contains(&e.as_str()))
        .unwrap_or_else(|| default.to_string())
}

fn parse_format(s: &str, allowed: &[&str]) -> anyhow::Result<Format> {
    let f = Format::parse(s).filter(|f| allowed.contains(&f.as_str()));
    f.ok_or_else(|| anyhow::anyhow!("unknown format `{s}`: use {}", allowed.join(", ")))
}

pub fn run(cli: &Cli, cmd: &ExportCommand) -> anyhow::Result<i32> {
    let store = Store::open(&repo_dir(cli))?;
    let agenda = store.load();
    // exports work on what could be read; problems are for `overleg check`
    let (output, common, pdf) = match cmd {
        ExportCommand::Agenda {
            meeting,
            format,
            members,
            aan,
            kenmerk,
            common,
        } => {
            let mut o = options(common)?;
            o.members = *members;
            o.aan = aan.clone();
            o.kenmerk = kenmerk.clone();
            let f = pick_format(format, &common.out, "md");
            let pdf = f == "pdf";
            let fmt = if pdf {
                Format::Html
            } else {
                parse_format(&f, &["md", "html"])
                    .map_err(|_| anyhow::anyhow!("unknown format `{f}`: use md, html or pdf"))?
            };
            (
                export::agenda::export(&agenda, meeting, fmt, &o)?,
                common,
                pdf,
            )
        }
        ExportCommand::Besluiten {
            meeting,
            format,
            common,
        } => {
            let o = options(common)?;
            let f = pick_format(format, &common.out, "md");
            let fmt = parse_format(&f, &["md", "html", "csv"])?;
            (
                export::besluiten::export(&agenda, meeting, fmt, &o)?,
                common,
                false,
            )
        }
        ExportCommand::Ics { actions, common } => {
            let mut o = options(common)?;
            o.actions = *actions;
            (export::calendar::ics(&agenda, &o), common, false)
        }
        ExportCommand::Kalender { format, common } => {
            let o = options(common)?;
            let f = pick_format(format, &common.out, "md");
            let fmt = parse_format(&f, &["md", "html", "csv"])?;
            (export::calendar::kalender(&agenda, fmt, &o)?, common, false)
        }
    };
    write_report(&output, common)?;
    if pdf {
        let out = common
            .out
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("a PDF needs --out FILE.pdf"))?;
        html_to_pdf(&output.text, out)?;
        eprintln!("PDF geschreven: {}", out.display());
        return Ok(0);
    }
    match &common.out {
        Some(p) => {
            std::fs::write(p, output.text.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
            eprintln!("geschreven: {}", p.display());
        }
        None => print!("{}", output.text),
    }
    Ok(0)
}

fn write_report(output: &Output, common: &CommonArgs) -> anyhow::Result<()> {
    let Some(r) = &output.report else {
        return Ok(());
    };
    let text = r.render();
    match &common.woo_report {
        Some(p) => std::fs::write(p, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?,
        None => eprint!("{text}"),
    }
    Ok(())
}

/// The browsers that can print HTML to PDF headless, where Debian and others put them.
pub const PDF_CONVERTERS: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

pub fn pdf_converter() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("OVERLEG_CHROMIUM").map(PathBuf::from)
        && p.is_file()
    {
        return Some(p);
    }
    PDF_CONVERTERS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Arguments for a headless browser run that touches no network and no user profile.
pub fn chromium_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// Print the HTML to `out` with a real browser; a clear message when there is none.
pub fn html_to_pdf(html: &str, out: &Path) -> anyhow::Result<()> {
    let Some(browser) = pdf_converter() else {
        anyhow::bail!(
            "no PDF converter on this machine: install Chromium (Debian: apt-get install chromium), \
             or make HTML with --format html and print it to PDF from a browser"
        );
    };
    let dir = std::env::temp_dir().join(format!(
        "overleg-pdf-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir)?;
    let page = dir.join("agenda.html");
    std::fs::write(&page, html)?;
    let target = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()?.join(out)
    };
    let _ = std::fs::remove_file(&target);
    let result = Command::new(&browser)
        .args(chromium_args(&dir.join("profile")))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", target.display()))
        .arg(format!("file://{}", page.display()))
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let output = result.map_err(|e| anyhow::anyhow!("cannot run {}: {e}", browser.display()))?;
    let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    if !output.status.success() || size == 0 {
        anyhow::bail!(
            "{} did not make a PDF ({}): {}",
            browser.display(),
            output.status,
            crate::text::sanitize(&String::from_utf8_lossy(&output.stderr), true)
        );
    }
    Ok(())
}
