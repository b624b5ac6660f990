//! Making repositories: `overleg init` (a new, empty agenda repository) and `overleg demo`
//! (a scratch workspace with a stand-in server and one clone per department).

use std::path::{Path, PathBuf};

use git2::{FileMode, Repository, RepositoryInitOptions, Signature, build::TreeUpdateBuilder};

use super::error::{Result, StoreError};
use super::write::{Change, message};
use super::{Identity, Store};

pub const SETTINGS_FILE: &str = "overleg.toml";

fn init_opts(bare: bool) -> RepositoryInitOptions {
    let mut o = RepositoryInitOptions::new();
    o.bare(bare).initial_head("main").mkpath(true);
    o
}

/// A new, empty agenda repository in `dir` for `department`, with one first commit.
pub fn init(dir: &Path, department: &str, name: Option<&str>) -> Result<Store> {
    if dir.join(SETTINGS_FILE).exists() {
        return Err(StoreError::Rejected(format!(
            "{} is already an agenda repository",
            dir.display()
        )));
    }
    let dept = department.trim();
    if dept.is_empty() || dept.contains(char::is_whitespace) || dept.contains('/') {
        return Err(StoreError::Rejected(format!(
            "`{department}` is not a department code (e.g. EZK)"
        )));
    }
    let repo = match Repository::open(dir) {
        Ok(r) => r,
        Err(_) => Repository::init_opts(dir, &init_opts(false))?,
    };
    repo.config()?.set_str("overleg.department", dept)?;
    let store = Store::open(dir)?;
    let title = name.unwrap_or("Agenda");
    let settings = format!(
        "# Settings of this agenda repository (shared by every department).\nformat = 1\nname = {}\n",
        toml_edit::Value::from(title)
    );
    let id = store.identity()?;
    store.transact_as(&id, |_| {
        Ok((
            vec![Change {
                path: SETTINGS_FILE.into(),
                text: Some(settings),
            }],
            "nieuwe agendarepository".to_string(),
        ))
    })?;
    Ok(store)
}

/// What `demo` made or found.
pub struct DemoReport {
    pub dir: PathBuf,
    pub server: PathBuf,
    pub server_created: bool,
    /// (department, clone path, created now)
    pub clones: Vec<(String, PathBuf, bool)>,
}

pub const DEMO_DEPARTMENTS: [&str; 3] = ["EZK", "BZK", "JenV"];

/// The default place for the demo workspace.
pub fn default_demo_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("overleg").join("demo");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".local/share/overleg/demo");
    }
    PathBuf::from("overleg-demo")
}

/// Fill a new bare repository with the bundled example as its first commit.
fn seed_server(server: &Path) -> Result<()> {
    let repo = Repository::init_opts(server, &init_opts(true))?;
    let empty = repo.treebuilder(None)?.write()?;
    let base = repo.find_tree(empty)?;
    let mut b = TreeUpdateBuilder::new();
    for (path, bytes) in super::bundled::FILES {
        let blob = repo.blob(bytes)?;
        b.upsert(path, blob, FileMode::Blob);
    }
    let tree = repo.find_tree(b.create_updated(&repo, &base)?)?;
    let sig = Signature::now(
        "Secretariaat DE (voorbeeld)",
        "secretariaat-de@ezk.example.invalid",
    )?;
    let msg = message("EZK", "voorbeeldagenda NDS 2020–2021 ingeladen");
    repo.commit(Some("refs/heads/main"), &sig, &sig, &msg, &tree, &[])?;
    Ok(())
}

/// Set up (or find) the demo workspace in `dir`. Never overwrites anything that exists.
pub fn demo(dir: &Path) -> Result<DemoReport> {
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let dir = dir.canonicalize().map_err(|e| StoreError::io(dir, e))?;
    let server = dir.join("server.git");
    let server_created = !server.exists();
    if server_created {
        seed_server(&server)?;
    } else {
        Repository::open_bare(&server).map_err(|_| {
            StoreError::Rejected(format!(
                "{} exists but is not a bare git repository; choose another --dir",
                server.display()
            ))
        })?;
    }
    let mut clones = Vec::new();
    for dept in DEMO_DEPARTMENTS {
        let path = dir.join(dept.to_lowercase());
        if path.exists() {
            clones.push((dept.to_string(), path, false));
            continue;
        }
        let url = server.to_string_lossy().to_string();
        let repo = git2::build::RepoBuilder::new()
            .branch("main")
            .clone(&url, &path)?;
        let mut cfg = repo.config()?;
        cfg.set_str("overleg.department", dept)?;
        cfg.set_str("user.name", &format!("Secretariaat {dept} (demo)"))?;
        cfg.set_str(
            "user.email",
            &format!("secretariaat@{}.example.invalid", dept.to_lowercase()),
        )?;
        clones.push((dept.to_string(), path, true));
    }
    Ok(DemoReport {
        dir,
        server,
        server_created,
        clones,
    })
}

/// An identity for tests and tools that do not read git config.
pub fn identity(name: &str, email: &str, department: &str) -> Identity {
    Identity {
        name: name.into(),
        email: email.into(),
        department: department.into(),
    }
}

/// Make `dir` a repository for `department` and commit everything in it as one first commit,
/// followed by `history` small commits that each change one action's status (so history
/// walks have something to walk). For synthetic benchmark repositories.
pub fn commit_generated(dir: &Path, department: &str, history: usize) -> Result<Store> {
    let repo = Repository::init_opts(dir, &init_opts(false))?;
    let mut cfg = repo.config()?;
    cfg.set_str("overleg.department", department)?;
    cfg.set_str(
        "user.name",
        &format!("Secretariaat {department} (synthetisch)"),
    )?;
    cfg.set_str("user.email", "secretariaat@example.invalid")?;
    let mut index = repo.index()?;
    index.add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = Signature::now("Secretariaat (synthetisch)", "secretariaat@example.invalid")?;
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        &message(department, "synthetische agenda"),
        &tree,
        &[],
    )?;
    let store = Store::open(dir)?;
    let actions: Vec<String> = std::fs::read_dir(dir.join("actions"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| format!("actions/{}", e.file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    let id = store.identity()?;
    for (n, path) in actions
        .iter()
        .step_by((actions.len() / history.max(1)).max(1))
        .take(history)
        .enumerate()
    {
        let status = ["lopend", "gereed", "open"][n % 3];
        store.transact_as(&id, |r| {
            let old = r.read(path)?.unwrap_or_default();
            let mut doc: toml_edit::DocumentMut = old
                .parse()
                .map_err(|e| StoreError::Rejected(format!("{path}: {e}")))?;
            doc["status"] = toml_edit::value(status);
            Ok((
                vec![Change {
                    path: path.clone(),
                    text: Some(doc.to_string()),
                }],
                format!("status → {status}"),
            ))
        })?;
    }
    Ok(store)
}
