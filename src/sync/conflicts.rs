//! Conflicts that wait for a person. The state lives in `.git/overleg-conflicts/`, so quitting
//! and starting again keeps every choice made so far:
//!
//! - `state.json`: the two commits being merged, the conflicting fields with who changed each
//!   side (department, author, time), and the resolutions chosen so far;
//! - `files/<record>.{base,ours,theirs}.toml`: the three versions of every conflicting record,
//!   readable without overleg;
//! - the ref `refs/overleg/conflict-theirs` keeps their commit alive (`git show` works on it).
//!
//! Until every conflict is resolved nothing is merged into the branch and nothing is pushed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::merge::{self, Conflict, ConflictKind, Take};
use super::tree::{RecordConflicts, Resolution, kind_of_path};
use super::{SyncError, integrate_with};
use crate::store::Store;
use crate::store::lock::WriteLock;

pub const THEIRS_REF: &str = "refs/overleg/conflict-theirs";

/// Who made the last change to one side of a conflicting record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedBy {
    pub department: String,
    pub author: String,
    pub email: String,
    /// Seconds since 1970 (commit time).
    pub time: i64,
    pub commit: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordState {
    pub path: String,
    pub conflicts: Vec<Conflict>,
    pub ours_by: Option<ChangedBy>,
    pub theirs_by: Option<ChangedBy>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    /// The remote-tracking ref merged in (`refs/remotes/origin/main`).
    pub remote_ref: String,
    pub ours: String,
    pub theirs: String,
    pub base: Option<String>,
    /// Seconds since 1970.
    pub started: i64,
    pub records: Vec<RecordState>,
    pub resolutions: Vec<Resolution>,
}

/// One conflicting field, as plain data for the command line and the workbench.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldConflict {
    /// The record's file (`actions/a-3kq9m2x7fd.toml`) and id.
    pub path: String,
    pub id: String,
    pub kind: Option<String>,
    /// `status`, `annotation.advies`, `decisions[d-1].text`, `decisions[d-1]`, `*`.
    pub field: String,
    pub conflict: ConflictKind,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub ours_by: Option<ChangedBy>,
    pub theirs_by: Option<ChangedBy>,
    /// The choice made so far, when there is one.
    pub resolved: Option<Take>,
}

pub fn dir(git_dir: &Path) -> PathBuf {
    git_dir.join("overleg-conflicts")
}

pub fn load(git_dir: &Path) -> Result<Option<State>, SyncError> {
    let p = dir(git_dir).join("state.json");
    match std::fs::read(&p) {
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| {
            SyncError::Other(format!(
                "{} cannot be read ({e}); the conflicting versions are in {}",
                p.display(),
                dir(git_dir).join("files").display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SyncError::Other(format!("{}: {e}", p.display()))),
    }
}

fn write_atomic(p: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    let tmp = p.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, p))
        .map_err(|e| SyncError::Other(format!("{}: {e}", p.display())))
}

pub(crate) fn save(git_dir: &Path, state: &State) -> Result<(), SyncError> {
    let d = dir(git_dir);
    std::fs::create_dir_all(d.join("files"))
        .map_err(|e| SyncError::Other(format!("{}: {e}", d.display())))?;
    let json = serde_json::to_vec_pretty(state).map_err(|e| SyncError::Other(e.to_string()))?;
    write_atomic(&d.join("state.json"), &json)
}

pub(crate) fn save_files(git_dir: &Path, rc: &RecordConflicts) -> Result<(), SyncError> {
    let d = dir(git_dir).join("files");
    std::fs::create_dir_all(&d).map_err(|e| SyncError::Other(format!("{}: {e}", d.display())))?;
    let stem = rc.path.replace('/', "__");
    for (side, text) in [
        ("base", &rc.base),
        ("ours", &rc.ours),
        ("theirs", &rc.theirs),
    ] {
        let p = d.join(format!("{stem}.{side}"));
        match text {
            Some(t) => write_atomic(&p, t.as_bytes())?,
            None => {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    Ok(())
}

pub(crate) fn clear(repo: &Repository) -> Result<(), SyncError> {
    let d = dir(repo.path());
    if d.exists() {
        std::fs::remove_dir_all(&d)
            .map_err(|e| SyncError::Other(format!("{}: {e}", d.display())))?;
    }
    if let Ok(mut r) = repo.find_reference(THEIRS_REF) {
        let _ = r.delete();
    }
    Ok(())
}

/// The last commit between `base` and `head` that changed `path`.
pub(crate) fn changed_by(
    repo: &Repository,
    head: Oid,
    base: Option<Oid>,
    path: &str,
) -> Option<ChangedBy> {
    let mut walk = repo.revwalk().ok()?;
    walk.push(head).ok()?;
    if let Some(b) = base {
        walk.hide(b).ok()?;
    }
    let p = Path::new(path);
    for (n, oid) in walk.flatten().enumerate() {
        if n > 5000 {
            break;
        }
        let c = repo.find_commit(oid).ok()?;
        let mine = c.tree().ok()?.get_path(p).ok().map(|e| e.id());
        let parent = c
            .parent(0)
            .ok()
            .and_then(|pc| pc.tree().ok())
            .and_then(|t| t.get_path(p).ok().map(|e| e.id()));
        if mine != parent {
            let msg = c.message().unwrap_or("").to_string();
            let department = msg
                .lines()
                .find_map(|l| l.strip_prefix("Overleg-Department:"))
                .map(|d| d.trim().to_string())
                .or_else(|| msg.split_once(':').map(|(d, _)| d.trim().to_string()))
                .unwrap_or_default();
            let a = c.author();
            return Some(ChangedBy {
                department: crate::text::line(&department),
                author: crate::text::line(a.name().unwrap_or("")),
                email: crate::text::line(a.email().unwrap_or("")),
                time: a.when().seconds(),
                commit: oid.to_string(),
            });
        }
    }
    None
}

fn id_of(path: &str) -> String {
    crate::model::parse::id_from_path(path)
        .unwrap_or(path)
        .to_string()
}

/// Every conflicting field of the merge waiting for a person (empty when there is none).
pub fn list(store: &Store) -> Result<Vec<FieldConflict>, SyncError> {
    let repo = store.repo()?;
    let Some(state) = load(repo.path())? else {
        return Ok(Vec::new());
    };
    Ok(fields_of(&state))
}

fn fields_of(state: &State) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    for r in &state.records {
        for c in &r.conflicts {
            let resolved = state
                .resolutions
                .iter()
                .find(|x| x.matches(&r.path, c))
                .map(|x| x.take.clone());
            out.push(FieldConflict {
                path: r.path.clone(),
                id: id_of(&r.path),
                kind: kind_of_path(&r.path).map(|k| k.as_str().to_string()),
                field: c.field_name(),
                conflict: c.kind.clone(),
                base: c.base.clone(),
                ours: c.ours.clone(),
                theirs: c.theirs.clone(),
                ours_by: r.ours_by.clone(),
                theirs_by: r.theirs_by.clone(),
                resolved,
            });
        }
    }
    out
}

/// What `resolve` did.
#[derive(Clone, Debug, Serialize)]
pub struct Resolved {
    pub path: String,
    pub field: String,
    /// Conflicting fields still without a choice.
    pub remaining: usize,
    /// True when this was the last one and the merge commit was made (push with `sync`).
    pub completed: bool,
}

fn blob_at(repo: &Repository, commit: &str, path: &str) -> Result<Option<String>, SyncError> {
    let c = repo.find_commit(Oid::from_str(commit)?)?;
    let tree = c.tree()?;
    match tree.get_path(Path::new(path)) {
        Ok(e) => {
            let b = repo.find_blob(e.id())?;
            Ok(Some(String::from_utf8_lossy(b.content()).into_owned()))
        }
        Err(_) => Ok(None),
    }
}

/// Choose the value of one conflicting field. `record` is the record's id, reference or path;
/// `field` as `overleg conflicts` shows it. When no conflict is left, the merge is completed
/// (the next `overleg sync` pushes it).
pub fn resolve(
    store: &Store,
    record: &str,
    field: &str,
    take: Take,
) -> Result<Resolved, SyncError> {
    let repo = store.repo()?;
    let mut state = load(repo.path())?.ok_or_else(|| {
        SyncError::Other("there are no conflicts to resolve (`overleg conflicts`)".into())
    })?;
    let wanted = record.trim();
    let mut candidates: Vec<&RecordState> = state
        .records
        .iter()
        .filter(|r| r.path == wanted || id_of(&r.path) == wanted)
        .collect();
    if candidates.is_empty() {
        let agenda = store.load();
        if let Some((_, id)) = agenda.resolve(wanted) {
            candidates = state
                .records
                .iter()
                .filter(|r| id_of(&r.path) == id)
                .collect();
        }
    }
    let rec = match candidates.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(SyncError::Other(format!(
                "no conflict in a record `{}`; `overleg conflicts` lists them",
                crate::text::line(wanted)
            )));
        }
        _ => {
            return Err(SyncError::Other(format!(
                "`{}` matches more than one record; give the file path",
                crate::text::line(wanted)
            )));
        }
    };
    let path_segs = merge::path_parse(field).map_err(SyncError::Other)?;
    let shown = merge::path_display(&path_segs);
    let conflict = rec
        .conflicts
        .iter()
        .find(|c| c.field_name() == shown)
        .cloned()
        .ok_or_else(|| {
            let fields: Vec<String> = rec.conflicts.iter().map(|c| c.field_name()).collect();
            SyncError::Other(format!(
                "{} has no conflict in `{}`; conflicting: {}",
                rec.path,
                crate::text::line(field),
                fields.join(", ")
            ))
        })?;
    if matches!(take, Take::Value(_))
        && matches!(
            conflict.kind,
            ConflictKind::RecordDeleted { .. } | ConflictKind::EntryDeleted { .. }
        )
    {
        return Err(SyncError::Other(
            "this conflict is about keeping or deleting: take ours or theirs".into(),
        ));
    }
    // Check the choice against the record now, so a bad value is refused at once.
    let base = match &state.base {
        Some(b) => blob_at(&repo, b, &rec.path)?,
        None => None,
    };
    let ours = blob_at(&repo, &state.ours, &rec.path)?;
    let theirs = blob_at(&repo, &state.theirs, &rec.path)?;
    if rec.path.ends_with(".toml") {
        let m = merge::merge(base.as_deref(), ours.as_deref(), theirs.as_deref());
        merge::resolve(
            kind_of_path(&rec.path),
            m.text.as_deref(),
            ours.as_deref(),
            theirs.as_deref(),
            &conflict.field,
            &take,
        )
        .map_err(|e| SyncError::Other(format!("{}: {e}", rec.path)))?;
    } else if matches!(take, Take::Value(_)) {
        return Err(SyncError::Other(
            "a file that is not a record is chosen with ours or theirs".into(),
        ));
    }
    state
        .resolutions
        .retain(|r| !(r.path == rec.path && r.field == shown));
    state.resolutions.push(Resolution {
        path: rec.path.clone(),
        field: shown.clone(),
        ours: conflict.ours.clone(),
        theirs: conflict.theirs.clone(),
        take,
    });
    save(repo.path(), &state)?;
    let remaining = fields_of(&state)
        .iter()
        .filter(|f| f.resolved.is_none())
        .count();
    let mut completed = false;
    if remaining == 0 {
        let identity = store.identity()?;
        let _lock = WriteLock::acquire(repo.path(), Duration::from_secs(30))?;
        let theirs_oid = Oid::from_str(&state.theirs)?;
        let out = integrate_with(
            store,
            &repo,
            &identity,
            theirs_oid,
            &state.remote_ref,
            false,
            &mut || Ok(()),
        )?;
        completed = out.conflicts == 0;
    }
    let remaining = list(store)?.iter().filter(|f| f.resolved.is_none()).count();
    Ok(Resolved {
        path: rec.path,
        field: shown,
        remaining,
        completed,
    })
}
