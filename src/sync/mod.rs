//! Sync between departments through an ordinary git server: fetch, merge record by record,
//! push, and retry when someone pushed in between. Conflicts that need a person wait in
//! `conflicts`; nothing is pushed until they are resolved.
//!
//! - [`sync`] runs one sync and reports progress through a closure (the workbench runs it on
//!   a worker thread and forwards the events over a channel).
//! - [`status`] is cheap (no network): ahead/behind, last sync, open conflicts.
//! - [`merge::merge`] is the pure record merge; [`conflicts`] the plain-data conflict API.

pub mod conflicts;
mod folder;
mod http;
mod http_client;
pub mod merge;
mod own_fetch;
mod own_push;
mod preflight;
mod receive_pack;
pub mod remote;
mod remote_text;
mod round;
pub mod seq;
mod status;
mod tidy;
pub mod tree;
mod upload_pack;
mod wire;

use git2::{Oid, Repository, Signature, build::CheckoutBuilder};
use serde::Serialize;

use crate::store::write::message;
use crate::store::{Identity, Store, StoreError};
pub use preflight::{marker_files, preflight, uncommitted};
pub use status::{SyncRecord, SyncStatus, read_record, status, status_of};
use status::{current_branch, now, write_record};

/// What can stop a sync, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "records have changes that are not committed: {}. Save them in overleg or commit them with git (`git status` shows them), then sync again; nothing was synced",
        .0.join(", ")
    )]
    Dirty(Vec<String>),
    #[error(
        "files still hold conflict markers from a git merge outside overleg:\n{}\nEdit each file: keep the right lines and remove the <<<<<<<, ======= and >>>>>>> lines, commit it (`git commit -a`), then sync again; nothing was synced",
        .0.iter().map(|(f, l)| format!("  {f}:{l}")).collect::<Vec<_>>().join("\n")
    )]
    Markers(Vec<(String, usize)>),
    #[error(
        "cannot reach the server {url}: {detail}. Your work is kept and committed in this clone; run `overleg sync` again when the server can be reached"
    )]
    Unreachable { url: String, detail: String },
    #[error("authentication failed for {url}: {detail}. Nothing was changed")]
    Auth { url: String, detail: String },
    #[error("the server refused to update {reference}: {reason}")]
    Rejected { reference: String, reason: String },
    #[error("this clone has no remote `{0}`; add one with `git remote add {0} URL`")]
    NoRemote(String),
    #[error(
        "others kept pushing while we merged (tried {0} times). Your work is merged and committed here; run `overleg sync` again"
    )]
    Busy(u32),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("{0}")]
    Other(String),
}

/// Progress of a sync, for a status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Fetching,
    Fetch {
        received_objects: usize,
        total_objects: usize,
        indexed_deltas: usize,
        total_deltas: usize,
        received_bytes: usize,
    },
    Merging,
    Pushing,
    Push {
        current: usize,
        total: usize,
        bytes: usize,
    },
    /// Someone pushed in between: fetching and merging again (attempt n).
    Retrying(u32),
    /// A line from the server (sanitised), for good.
    Remote(String),
    /// A step of the server's progress counter (sanitised), replaced by the next line.
    RemoteProgress(String),
    /// After the sync: the small packs of this clone (or of a folder server) are being joined
    /// into one (`store::packs`).
    JoiningPacks {
        packs: usize,
        bytes: u64,
    },
    /// After the sync: this clone's loose objects (about so many) are being packed
    /// (`store::loose`).
    PackingLoose {
        objects: usize,
        /// About how many bytes on disk, when counted.
        bytes: Option<u64>,
    },
}

#[derive(Clone, Debug)]
pub struct SyncOptions {
    pub remote: String,
    /// How often to fetch, merge and push again when the push is rejected as behind.
    pub retries: u32,
    /// Whether the sync packs the clone's loose objects and joins its packs when due
    /// (`sync::tidy`). The workbench leaves that to its idle moments, where it can stop
    /// for the user; a folder server's packs are joined either way.
    pub tidy_clone: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            remote: "origin".into(),
            retries: 5,
            tidy_clone: true,
        }
    }
}

/// What a sync did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    /// Files that came in from the server.
    pub incoming: usize,
    /// Records changed on both sides and merged field by field.
    pub merged: Vec<String>,
    /// Conflicts settled by earlier choices (`overleg resolve`).
    pub resolved: usize,
    /// Conflicting fields waiting for a person; nothing was pushed when this is not 0.
    pub conflicts: usize,
    pub fast_forward: bool,
    pub merge_commit: Option<String>,
    pub pushed: bool,
    pub retries: u32,
    pub ahead: usize,
    pub behind: usize,
    /// Small packs joined into one after the sync (`store::packs`); 0 when there were few.
    pub packs_joined: usize,
    /// Loose objects packed after the sync (`store::loose`); 0 when there were few.
    pub loose_packed: usize,
    /// Why packing loose objects or joining packs failed, if it did: every object is kept,
    /// and the next sync tries again.
    pub packs_error: Option<String>,
}

/// What `integrate_with` did.
#[derive(Default)]
pub(crate) struct Integrated {
    pub incoming: usize,
    pub merged: Vec<String>,
    pub resolved: usize,
    pub conflicts: usize,
    pub fast_forward: bool,
    pub merge_commit: Option<String>,
    /// The merge commit the branch and work tree still have to move to (`checkout_later`).
    pub pending: Option<Oid>,
}

/// [`move_work_tree`], with the folders it changed marked as changed and noted in the journal
/// of the snapshots like a save (`store::journal`): the command after a sync then sees what
/// came in, reading only those files again.
fn move_to(store: &Store, repo: &Repository, target: Oid) -> Result<(), SyncError> {
    let from = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let before = store.folder_key();
    if let Err(e) = move_work_tree(repo, target) {
        // what it wrote before it failed is not known here: every folder counts as changed
        store.mark_folders_changed(None);
        return Err(e);
    }
    let paths = from.and_then(|from| store.changed_since(from.id()));
    // files written over in place leave their folders' times alone
    store.mark_folders_changed(paths.as_deref());
    if let (Some(paths), Some(dir)) = (paths, store.snapshot_dir()) {
        crate::store::journal::record(&dir, store.root(), before, store.folder_key(), paths);
    }
    Ok(())
}

/// Move the branch (and the work tree) to `target`; the work tree is known to be clean.
fn move_work_tree(repo: &Repository, target: Oid) -> Result<(), SyncError> {
    let commit = repo.find_commit(target)?;
    let branch = || -> Result<String, SyncError> {
        let head = repo.find_reference("HEAD")?;
        Ok(head
            .symbolic_target()
            .ok()
            .flatten()
            .ok_or(SyncError::Store(StoreError::Detached))?
            .to_string())
    };
    if let Ok(head) = repo.head().and_then(|h| h.peel_to_tree()) {
        let name = branch()?;
        let mut move_branch = || {
            repo.reference(&name, target, true, "overleg sync")
                .map(|_| ())
        };
        if crate::store::checkout::switch(repo, &head, &commit.tree()?, &mut move_branch)? {
            return Ok(());
        }
    }
    let mut co = CheckoutBuilder::new();
    co.safe();
    // Only the files that differ: a checkout of the whole tree compares every file of the
    // work tree (seconds at 100,000 records) to change the thousand that came in.
    let changed = match repo.head().and_then(|h| h.peel_to_tree()) {
        Ok(head) => Some(
            repo.diff_tree_to_tree(Some(&head), Some(&commit.tree()?), None)?
                .deltas()
                .flat_map(|d| [d.old_file().path(), d.new_file().path()])
                .flatten()
                .map(std::path::Path::to_path_buf)
                .collect::<Vec<_>>(),
        ),
        Err(_) => None,
    };
    if let Some(paths) = &changed {
        co.disable_pathspec_match(true);
        for p in paths {
            co.path(p);
        }
    }
    // an empty path list would mean every file
    if changed.as_ref().is_none_or(|p| !p.is_empty()) {
        repo.checkout_tree(commit.as_object(), Some(&mut co))?;
    }
    repo.reference(&branch()?, target, true, "overleg sync")?;
    Ok(())
}

/// Move the branch and the work tree to a merge commit, and forget the merge's conflicts.
fn check_out(store: &Store, repo: &Repository, oid: Oid) -> Result<(), SyncError> {
    let t0 = std::time::Instant::now();
    move_to(store, repo, oid)?;
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!("sync: checked out {:?}", t0.elapsed());
    }
    conflicts::clear(repo)?;
    Ok(())
}

fn count_changes(repo: &Repository, from: Oid, to: Oid) -> Result<usize, git2::Error> {
    let a = repo.find_commit(from)?.tree()?;
    let b = repo.find_commit(to)?.tree()?;
    Ok(repo
        .diff_tree_to_tree(Some(&a), Some(&b), None)?
        .deltas()
        .len())
}

/// Bring `theirs` into the current branch: nothing, a fast-forward, or a merge commit. With
/// conflicts left, the state is saved for `conflicts` and the branch stays where it is.
/// The caller holds the write lock. `settled` is asked before anything but objects is
/// written (the sync's checks of the work tree run on while the trees are merged); an error
/// from it stops the merge with nothing changed. With `checkout_later` a clean merge is only
/// made (`pending`), and the caller asks `settled` before using it.
pub(crate) fn integrate_with(
    store: &Store,
    repo: &Repository,
    identity: &Identity,
    theirs: Oid,
    remote_ref: &str,
    checkout_later: bool,
    settled: &mut dyn FnMut() -> Result<(), SyncError>,
) -> Result<Integrated, SyncError> {
    let mut out = Integrated::default();
    let head = match repo.head() {
        Ok(h) => h.peel_to_commit()?,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
            settled()?;
            move_to(store, repo, theirs)?;
            out.fast_forward = true;
            return Ok(out);
        }
        Err(e) => return Err(e.into()),
    };
    if head.id() == theirs || repo.graph_descendant_of(head.id(), theirs)? {
        settled()?;
        conflicts::clear(repo)?;
        return Ok(out);
    }
    if repo.graph_descendant_of(theirs, head.id())? {
        out.incoming = count_changes(repo, head.id(), theirs)?;
        settled()?;
        move_to(store, repo, theirs)?;
        conflicts::clear(repo)?;
        out.fast_forward = true;
        return Ok(out);
    }
    let theirs_c = repo.find_commit(theirs)?;
    let previous = conflicts::load(repo.path())?;
    let resolutions = previous
        .as_ref()
        .map(|s| s.resolutions.clone())
        .unwrap_or_default();
    let t0 = std::time::Instant::now();
    let tm = tree::merge_commits(repo, &head, &theirs_c, &resolutions)?;
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!("sync: merged trees {:?}", t0.elapsed());
    }
    // The merge so far only read commits and wrote objects: nothing of the user's is touched
    // until `settled` says the work tree may be. A merge commit to check out later is only
    // an object too: its caller asks before it pushes it or moves the work tree.
    if !checkout_later || !tm.unresolved.is_empty() {
        settled()?;
    }
    out.incoming = tm.incoming;
    out.resolved = tm.resolved;
    if !tm.unresolved.is_empty() {
        repo.reference(
            conflicts::THEIRS_REF,
            theirs,
            true,
            "overleg sync: conflicts",
        )?;
        let mut records = Vec::new();
        for rc in &tm.unresolved {
            conflicts::save_files(repo.path(), rc)?;
            records.push(conflicts::RecordState {
                path: rc.path.clone(),
                conflicts: rc.conflicts.clone(),
                ours_by: conflicts::changed_by(repo, head.id(), tm.base, &rc.path),
                theirs_by: conflicts::changed_by(repo, theirs, tm.base, &rc.path),
            });
        }
        out.conflicts = records.iter().map(|r| r.conflicts.len()).sum();
        let state = conflicts::State {
            remote_ref: remote_ref.to_string(),
            ours: head.id().to_string(),
            theirs: theirs.to_string(),
            base: tm.base.map(|b| b.to_string()),
            started: previous.as_ref().map_or_else(now, |p| p.started),
            records,
            resolutions,
        };
        conflicts::save(repo.path(), &state)?;
        return Ok(out);
    }
    let tree = repo.find_tree(tm.tree)?;
    let sig = Signature::now(&identity.name, &identity.email)?;
    let from = remote_ref
        .strip_prefix("refs/remotes/")
        .unwrap_or(remote_ref);
    let mut summary = format!("samengevoegd met {from}");
    if !tm.merged.is_empty() {
        summary.push_str(&format!(
            " ({} records per veld samengevoegd",
            tm.merged.len()
        ));
        if tm.resolved > 0 {
            summary.push_str(&format!(", {} conflicten opgelost", tm.resolved));
        }
        summary.push(')');
    }
    let msg = message(&identity.department, &summary);
    let oid = repo.commit(None, &sig, &sig, &msg, &tree, &[&head, &theirs_c])?;
    if checkout_later {
        out.pending = Some(oid);
    } else {
        check_out(store, repo, oid)?;
    }
    out.merged = tm.merged;
    out.merge_commit = Some(oid.to_string());
    Ok(out)
}

/// One sync: check, fetch, merge, push; fetch and merge again when the push was behind.
pub fn sync(
    store: &Store,
    opts: &SyncOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<SyncReport, SyncError> {
    let repo = store.repo()?;
    let mut rec = read_record(&repo);
    rec.last_attempt = Some(now());
    let mut result = round::run(store, &repo, opts, progress);
    if let Ok(r) = &mut result {
        tidy::tidy(&repo, opts, r, progress);
    }
    match &result {
        Ok(r) if r.conflicts == 0 => {
            rec.last_success = Some(now());
            rec.last_result = Some(if r.pushed {
                "pushed".into()
            } else {
                "up to date".into()
            });
        }
        Ok(r) => rec.last_result = Some(format!("{} conflicts to resolve", r.conflicts)),
        Err(e) => {
            let msg = crate::text::line(&e.to_string());
            rec.last_result = Some(msg.chars().take(200).collect());
        }
    }
    write_record(&repo, &rec);
    result
}
