//! The command line: one file per subcommand, all printing through `output`.

pub mod check;
pub mod export;
pub mod list;
pub mod output;
pub mod record;
pub mod setup;
pub mod sync;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "overleg",
    version,
    about = "Werkbank voor het secretariaat van het directeurenoverleg NDS — agenda's, verslagen en acties in git"
)]
pub struct Cli {
    /// The agenda repository (default: the one containing the current directory)
    #[arg(long, global = true, env = "OVERLEG_REPO")]
    pub repo: Option<PathBuf>,
    /// Language of the workbench: nl or en (default: settings, else the locale)
    #[arg(long, global = true)]
    pub lang: Option<String>,
    /// Theme of the workbench (a name from themes/ or a file)
    #[arg(long, global = true)]
    pub theme: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Set up a scratch workspace from the bundled example: a stand-in server and one clone per department
    Demo {
        /// Where (default: ~/.local/share/overleg/demo)
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Only set up and print; do not open the workbench
        #[arg(long)]
        no_open: bool,
    },
    /// Make a new, empty agenda repository
    Init {
        dir: PathBuf,
        /// Department code of this clone, e.g. EZK
        #[arg(long)]
        department: String,
        /// Name of the repository
        #[arg(long)]
        name: Option<String>,
    },
    /// List records of one kind: meetings, items, actions, notes, people, bodies, organisations
    List(list::ListArgs),
    /// Show one record (id or reference)
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The history of one record: who, which department, when, which fields
    Log {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Create a meeting, item or action; prints the new id
    New(Box<record::NewArgs>),
    /// Change fields of a record, as one commit: `overleg set 2021-02-A3 status=gereed`
    Set {
        id: String,
        /// field=value pairs; `presenters[pr-1].status=bevestigd` for list entries
        #[arg(required = true)]
        assignments: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete a record, as one commit
    Delete { id: String },
    /// Generate a synthetic repository of about N records (for benchmarks)
    Gen {
        #[arg(long)]
        records: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of small commits after the first one
        #[arg(long, default_value_t = 200)]
        history: usize,
    },
    /// Validate the whole repository; lists every problem as file:line:column: field: message
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Make the papers: geannoteerde agenda, besluitenlijst, calendar (.ics), strategic calendar; --woo for a release
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Exchange work with the other departments: fetch, merge record by record, push
    Sync(sync::SyncArgs),
    /// List the conflicting fields of a merge that wait for a choice
    Conflicts {
        #[arg(long)]
        json: bool,
    },
    /// Settle one conflicting field: `overleg resolve 2021-02-A3 status --take theirs`
    Resolve(sync::ResolveArgs),
}

/// Where the repository is: --repo, else the current directory.
pub fn repo_dir(cli: &Cli) -> PathBuf {
    cli.repo.clone().unwrap_or_else(|| PathBuf::from("."))
}

/// Run a subcommand; returns the process exit code.
pub fn run(cli: &Cli, command: &Command) -> anyhow::Result<i32> {
    match command {
        Command::Demo { dir, no_open } => setup::demo(cli, dir.clone(), *no_open),
        Command::Init {
            dir,
            department,
            name,
        } => setup::init(dir, department, name.as_deref()),
        Command::List(args) => list::run(cli, args),
        Command::Show { id, json } => record::show(cli, id, *json),
        Command::Log { id, json } => record::log(cli, id, *json),
        Command::New(args) => record::new(cli, args),
        Command::Set {
            id,
            assignments,
            json,
        } => record::set(cli, id, assignments, *json),
        Command::Delete { id } => record::delete(cli, id),
        Command::Check { json } => check::run(cli, *json),
        Command::Gen {
            records,
            out,
            seed,
            history,
        } => setup::generate(out, *records, *seed, *history),
        Command::Export(cmd) => export::run(cli, cmd),
        Command::Sync(args) => sync::sync(cli, args),
        Command::Conflicts { json } => sync::list(cli, *json),
        Command::Resolve(args) => sync::resolve(cli, args),
    }
}
