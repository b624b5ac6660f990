//! Merging two commits into a tree, in memory: every file changed on one side only takes that
//! side; every record changed on both sides goes through the record-aware merge, with the
//! resolutions people already chose applied. Nothing touches the work tree here.

use std::collections::HashMap;

use git2::{Commit, Delta, DiffOptions, FileMode, Oid, Repository, Tree, build::TreeUpdateBuilder};
use serde::{Deserialize, Serialize};

use super::merge::{self, Conflict, ConflictKind, Take};
use crate::model::Kind;
use crate::store::tree_edit::FileEdit;
use crate::store::tree_patch::Trees;

/// A choice made by a person for one conflicting field. It applies as long as the conflict
/// it was made for is the same (same field, same two values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub path: String,
    pub field: String,
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub take: Take,
}

impl Resolution {
    pub fn matches(&self, path: &str, c: &Conflict) -> bool {
        self.path == path
            && self.field == c.field_name()
            && self.ours == c.ours
            && self.theirs == c.theirs
    }
}

/// A record with conflicts left after the merge.
#[derive(Clone, Debug)]
pub struct RecordConflicts {
    pub path: String,
    pub conflicts: Vec<Conflict>,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

pub struct TreeMerge {
    pub tree: Oid,
    pub base: Option<Oid>,
    /// Records changed on both sides and merged (cleanly or with resolutions).
    pub merged: Vec<String>,
    /// Files that came from theirs unchanged on our side.
    pub incoming: usize,
    pub unresolved: Vec<RecordConflicts>,
    pub resolved: usize,
}

/// The record kind for a path (`actions/a-1.toml` → action).
pub fn kind_of_path(path: &str) -> Option<Kind> {
    let (folder, _) = path.rsplit_once('/')?;
    Kind::from_folder(folder)
}

fn blob_text(repo: &Repository, id: Option<Oid>) -> Result<Option<Vec<u8>>, git2::Error> {
    match id {
        Some(id) if !id.is_zero() => Ok(Some(repo.find_blob(id)?.content().to_vec())),
        _ => Ok(None),
    }
}

/// One file that differs between two trees: its blob before (`None`: new) and after
/// (`None`: deleted), with the mode after.
#[derive(Clone, Copy)]
struct FileChange {
    old: Option<Oid>,
    new: Option<(Oid, i32)>,
}

/// Every file that differs between the two trees. The diff gives both blob ids, so no tree
/// has to be searched by path afterwards. Compared on the stored trees where they hold only
/// plain files and folders (see `store::tree_edit`), else by libgit2.
fn changes(
    repo: &Repository,
    trees: Option<&mut Trees<'_>>,
    from: Option<&Tree<'_>>,
    to: &Tree<'_>,
) -> Result<HashMap<String, FileChange>, git2::Error> {
    if let Some(list) = trees.and_then(|t| t.diff_files(from.map(Tree::id), to.id())) {
        let mut out = HashMap::with_capacity(list.len());
        for d in list {
            let change = FileChange {
                old: d.old.map(|o| o.0),
                new: d
                    .new
                    .and_then(|(id, mode)| Some((id, i32::try_from(mode).ok()?))),
            };
            out.insert(d.path, change);
        }
        return Ok(out);
    }
    let mut opts = DiffOptions::new();
    opts.ignore_submodules(true);
    let diff = repo.diff_tree_to_tree(from, Some(to), Some(&mut opts))?;
    let mut out = HashMap::new();
    for d in diff.deltas() {
        let path = d
            .new_file()
            .path()
            .or_else(|| d.old_file().path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let old = Some(d.old_file().id()).filter(|id| !id.is_zero());
        let new = match d.status() {
            Delta::Deleted => None,
            _ => Some((d.new_file().id(), i32::from(d.new_file().mode()))),
        };
        out.insert(path, FileChange { old, new });
    }
    Ok(out)
}

/// The mode as the stored tree writes it (what [`mode_of`] makes of it).
fn file_mode(m: i32) -> u32 {
    if m == i32::from(FileMode::BlobExecutable) {
        0o100755
    } else {
        0o100644
    }
}

fn mode_of(m: i32) -> FileMode {
    if m == i32::from(FileMode::BlobExecutable) {
        FileMode::BlobExecutable
    } else {
        FileMode::Blob
    }
}

/// Merge `theirs` into `ours`. `resolutions` settle conflicts chosen before.
pub fn merge_commits(
    repo: &Repository,
    ours: &Commit<'_>,
    theirs: &Commit<'_>,
    resolutions: &[Resolution],
) -> Result<TreeMerge, git2::Error> {
    let base = repo.merge_base(ours.id(), theirs.id()).ok();
    let base_tree = base.map(|b| repo.find_commit(b)?.tree()).transpose()?;
    let (ours_tree, theirs_tree) = (ours.tree()?, theirs.tree()?);
    let mut trees = Trees::new(repo);
    let ours_changes = changes(repo, trees.as_mut(), base_tree.as_ref(), &ours_tree)?;
    let mut theirs_changes: Vec<_> =
        changes(repo, trees.as_mut(), base_tree.as_ref(), &theirs_tree)?
            .into_iter()
            .collect();
    theirs_changes.sort_by(|a, b| a.0.cmp(&b.0));
    // the same edits for both ways of making the tree: stored bytes first, libgit2 after
    let mut builder = TreeUpdateBuilder::new();
    let mut edits: Vec<(String, FileEdit)> = Vec::new();
    let mut out = TreeMerge {
        tree: ours_tree.id(),
        base,
        merged: Vec::new(),
        incoming: 0,
        unresolved: Vec::new(),
        resolved: 0,
    };
    let mut touched = false;
    for (path, t) in theirs_changes {
        let Some(oc) = ours_changes.get(&path) else {
            match t.new {
                Some((id, mode)) => builder.upsert(&path, id, mode_of(mode)),
                None => builder.remove(&path),
            };
            edits.push((path.clone(), t.new.map(|(id, mode)| (id, file_mode(mode)))));
            out.incoming += 1;
            touched = true;
            continue;
        };
        let o = oc.new;
        if o.map(|x| x.0) == t.new.map(|x| x.0) {
            continue; // the same change on both sides
        }
        let b_id = t.old;
        let t = t.new;
        let (b, ob, tb) = (
            blob_text(repo, b_id)?,
            blob_text(repo, o.map(|x| x.0))?,
            blob_text(repo, t.map(|x| x.0))?,
        );
        let mode = o.or(t).map_or(FileMode::Blob, |x| mode_of(x.1));
        let as_text = |v: &Option<Vec<u8>>| -> Option<Option<String>> {
            match v {
                None => Some(None),
                Some(bytes) => String::from_utf8(bytes.clone()).ok().map(Some),
            }
        };
        let texts = (as_text(&b), as_text(&ob), as_text(&tb));
        let (merged_text, conflicts, bt, ot, tt) = match texts {
            (Some(bt), Some(ot), Some(tt)) if path.ends_with(".toml") => {
                let m = merge::merge(bt.as_deref(), ot.as_deref(), tt.as_deref());
                let mut text = m.text;
                let mut left = Vec::new();
                for c in m.conflicts {
                    match resolutions.iter().find(|r| r.matches(&path, &c)) {
                        Some(r) => {
                            match merge::resolve(
                                kind_of_path(&path),
                                text.as_deref(),
                                ot.as_deref(),
                                tt.as_deref(),
                                &c.field,
                                &r.take,
                            ) {
                                Ok(t) => {
                                    text = t;
                                    out.resolved += 1;
                                }
                                Err(_) => left.push(c),
                            }
                        }
                        None => left.push(c),
                    }
                }
                (text.map(String::into_bytes), left, bt, ot, tt)
            }
            _ => {
                // Not a record (an attachment, a file we cannot read as text): both changed
                // it, so it is one whole-file conflict; ours stays until someone chooses.
                let c = Conflict {
                    field: Vec::new(),
                    kind: ConflictKind::Value,
                    base: None,
                    ours: ob.as_ref().map(|_| "(bestand, onze versie)".to_string()),
                    theirs: tb.as_ref().map(|_| "(bestand, hun versie)".to_string()),
                };
                let resolved = resolutions.iter().find(|r| r.matches(&path, &c));
                match resolved.map(|r| &r.take) {
                    Some(Take::Theirs) => {
                        out.resolved += 1;
                        (tb.clone(), Vec::new(), None, None, None)
                    }
                    Some(Take::Ours) => {
                        out.resolved += 1;
                        (ob.clone(), Vec::new(), None, None, None)
                    }
                    _ => (ob.clone(), vec![c], None, None, None),
                }
            }
        };
        if !conflicts.is_empty() {
            out.unresolved.push(RecordConflicts {
                path: path.clone(),
                conflicts,
                base: bt,
                ours: ot,
                theirs: tt,
            });
            continue;
        }
        out.merged.push(path.clone());
        match merged_text {
            Some(bytes) => {
                let id = repo.blob(&bytes)?;
                builder.upsert(&path, id, mode);
                edits.push((path.clone(), Some((id, file_mode(i32::from(mode))))));
            }
            None => {
                if o.is_some() {
                    builder.remove(&path);
                    edits.push((path.clone(), None));
                }
            }
        }
        touched = true;
    }
    if touched {
        out.tree = match trees.and_then(|mut t| t.edit_files(ours_tree.id(), &edits)) {
            Some(id) => id,
            None => builder.create_updated(repo, &ours_tree)?,
        };
    }
    Ok(out)
}
