//! Comparing two trees, and changing many files of a tree at once, on the trees' stored bytes.
//! A sync compares its base with both sides and builds the merged tree; libgit2 does each of
//! these by turning every entry of a 46,000-record folder into an allocated object (diff) or
//! a tree builder entry (update). Here an unchanged subtree is skipped by its id, and an
//! unchanged entry is copied as the bytes it already is.
//!
//! Only plain files and folders are handled. Anything else on the way (a link, a submodule,
//! a file that becomes a folder) returns `None`, and the caller lets libgit2 do it.

use std::cmp::Ordering;

use git2::Oid;

use super::tree_patch::Trees;

const TREE: u32 = 0o40000;

fn plain(mode: u32) -> bool {
    mode == 0o100644 || mode == 0o100755
}

/// One file that differs between two trees: blob before (`None`: new) and blob and mode after
/// (`None`: deleted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiff {
    pub path: String,
    pub old: Option<(Oid, u32)>,
    pub new: Option<(Oid, u32)>,
}

/// A change to one file: its new blob and mode, or `None` to remove it.
pub type FileEdit = Option<(Oid, u32)>;

/// One entry of a stored tree, pointing into its bytes.
struct Entry<'a> {
    mode: u32,
    name: &'a [u8],
    id: &'a [u8],
    /// The whole entry, to copy unchanged.
    bytes: &'a [u8],
}

impl Entry<'_> {
    fn oid(&self) -> Option<Oid> {
        Oid::from_bytes(self.id).ok()
    }
}

/// The entries of a tree (`<octal mode> <name>\0<20-byte id>` after each other).
fn entries(data: &[u8]) -> Option<Vec<Entry<'_>>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let space = at + data.get(at..)?.iter().position(|b| *b == b' ')?;
        let nul = space + data.get(space..)?.iter().position(|b| *b == 0)?;
        let mut mode = 0u32;
        for d in &data[at..space] {
            if !(b'0'..=b'7').contains(d) {
                return None;
            }
            mode = mode.checked_mul(8)? + u32::from(d - b'0');
        }
        let end = nul + 21;
        out.push(Entry {
            mode,
            name: &data[space + 1..nul],
            id: data.get(nul + 1..end)?,
            bytes: &data[at..end],
        });
        at = end;
    }
    Some(out)
}

/// Git's order of tree entries: by name, a folder's name read as if it ended in `/`.
fn git_order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {}
        o => return o,
    }
    let end = |dir: bool| if dir { b'/' } else { 0 };
    let ca = a.get(n).copied().unwrap_or(end(a_dir));
    let cb = b.get(n).copied().unwrap_or(end(b_dir));
    ca.cmp(&cb)
}

fn push_entry(out: &mut Vec<u8>, mode: u32, name: &[u8], id: Oid) {
    out.extend_from_slice(format!("{mode:o} ").as_bytes());
    out.extend_from_slice(name);
    out.push(0);
    out.extend_from_slice(id.as_bytes());
}

/// What happens under one name of a tree: its file changes, or edits inside its folder.
enum Group<'p> {
    File(FileEdit),
    Folder(Vec<(&'p [u8], FileEdit)>),
}

impl Trees<'_> {
    /// Every file that differs between `from` (`None`: nothing) and `to`, in git's order;
    /// `None` when a name changes kind (a file becomes a folder) or is not a plain file.
    pub fn diff_files(&mut self, from: Option<Oid>, to: Oid) -> Option<Vec<FileDiff>> {
        let mut out = Vec::new();
        self.diff(from, Some(to), &mut Vec::new(), &mut out)?;
        Some(out)
    }

    fn diff(
        &mut self,
        a: Option<Oid>,
        b: Option<Oid>,
        path: &mut Vec<u8>,
        out: &mut Vec<FileDiff>,
    ) -> Option<()> {
        let da = match a {
            Some(t) => Some(self.raw(t)?),
            None => None,
        };
        let db = match b {
            Some(t) => Some(self.raw(t)?),
            None => None,
        };
        let ea = match &da {
            Some(d) => entries(d)?,
            None => Vec::new(),
        };
        let eb = match &db {
            Some(d) => entries(d)?,
            None => Vec::new(),
        };
        let base = path.len();
        let (mut i, mut j) = (0, 0);
        loop {
            let ord = match (ea.get(i), eb.get(j)) {
                (Some(x), Some(y)) => git_order(x.name, x.mode == TREE, y.name, y.mode == TREE),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            path.truncate(base);
            // a name that is a file on one side and a folder on the other: libgit2's
            let kind_changed = |e: &Entry<'_>, other: &[Entry<'_>]| {
                other
                    .binary_search_by(|o| git_order(o.name, o.mode == TREE, e.name, e.mode != TREE))
                    .is_ok()
            };
            match ord {
                Ordering::Less => {
                    if kind_changed(&ea[i], &eb) {
                        return None;
                    }
                    self.one_side(&ea[i], path, out, true)?;
                    i += 1;
                }
                Ordering::Greater => {
                    if kind_changed(&eb[j], &ea) {
                        return None;
                    }
                    self.one_side(&eb[j], path, out, false)?;
                    j += 1;
                }
                Ordering::Equal => {
                    let (x, y) = (&ea[i], &eb[j]);
                    if x.id != y.id || x.mode != y.mode {
                        path.extend_from_slice(x.name);
                        if x.mode == TREE {
                            path.push(b'/');
                            self.diff(x.oid(), y.oid(), path, out)?;
                        } else if plain(x.mode) && plain(y.mode) {
                            out.push(FileDiff {
                                path: String::from_utf8(path.clone()).ok()?,
                                old: Some((x.oid()?, x.mode)),
                                new: Some((y.oid()?, y.mode)),
                            });
                        } else {
                            return None;
                        }
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        path.truncate(base);
        Some(())
    }

    /// An entry only one side has: every file in it, removed (`old`) or added.
    fn one_side(
        &mut self,
        e: &Entry<'_>,
        path: &mut Vec<u8>,
        out: &mut Vec<FileDiff>,
        old: bool,
    ) -> Option<()> {
        let mut ok = true;
        let mut add = |p: &[u8], id: Oid, mode: u32| match String::from_utf8(p.to_vec()) {
            Ok(path) if plain(mode) => out.push(if old {
                FileDiff {
                    path,
                    old: Some((id, mode)),
                    new: None,
                }
            } else {
                FileDiff {
                    path,
                    old: None,
                    new: Some((id, mode)),
                }
            }),
            _ => ok = false,
        };
        if e.mode == TREE {
            path.extend_from_slice(e.name);
            path.push(b'/');
            self.walk_files(e.oid()?, path, &mut add)?;
        } else {
            path.extend_from_slice(e.name);
            add(path, e.oid()?, e.mode);
        }
        ok.then_some(())
    }

    /// `root` with each file of `edits` added, replaced or removed, as libgit2's tree update
    /// makes it (a folder left empty goes). `None`: something here does not handle (see the
    /// module), or a path is given twice.
    pub fn edit_files(&mut self, root: Oid, edits: &[(String, FileEdit)]) -> Option<Oid> {
        let edits: Vec<(&[u8], FileEdit)> = edits.iter().map(|(p, e)| (p.as_bytes(), *e)).collect();
        match self.edit(Some(root), &edits)? {
            Some(id) => Some(id),
            None => self.write_tree(Vec::new()),
        }
    }

    /// The edited tree's id; `Some(None)` when nothing is left in it.
    fn edit(&mut self, tree: Option<Oid>, edits: &[(&[u8], FileEdit)]) -> Option<Option<Oid>> {
        // group by the first part of the path, in git's order
        let mut groups: Vec<(&[u8], Group<'_>)> = Vec::new();
        let mut sorted = edits.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (path, edit) in sorted {
            let (name, rest) = match path.iter().position(|b| *b == b'/') {
                Some(at) => (&path[..at], Some(&path[at + 1..])),
                None => (path, None),
            };
            if name.is_empty() || rest.is_some_and(<[u8]>::is_empty) {
                return None;
            }
            match (groups.last_mut(), rest) {
                (Some((n, Group::Folder(inner))), Some(rest)) if *n == name => {
                    inner.push((rest, edit));
                }
                (Some((n, _)), _) if *n == name => return None,
                (_, Some(rest)) => groups.push((name, Group::Folder(vec![(rest, edit)]))),
                (_, None) => groups.push((name, Group::File(edit))),
            }
        }
        let is_dir = |g: &Group<'_>| matches!(g, Group::Folder(_));
        groups.sort_by(|a, b| git_order(a.0, is_dir(&a.1), b.0, is_dir(&b.1)));
        let data = match tree {
            Some(t) => Some(self.raw(t)?),
            None => None,
        };
        let old = match &data {
            Some(d) => entries(d)?,
            None => Vec::new(),
        };
        // a name that is a file on one side and a folder on the other: libgit2's
        let clash = |name: &[u8], dir: bool| {
            old.binary_search_by(|e| git_order(e.name, e.mode == TREE, name, !dir))
                .is_ok()
        };
        if groups.iter().any(|(n, g)| clash(n, is_dir(g))) {
            return None;
        }
        let mut out = Vec::with_capacity(data.as_ref().map_or(0, |d| d.len() + 64 * edits.len()));
        let mut i = 0;
        for (name, group) in groups {
            let dir = is_dir(&group);
            while let Some(e) = old.get(i) {
                if git_order(e.name, e.mode == TREE, name, dir) != Ordering::Less {
                    break;
                }
                out.extend_from_slice(e.bytes);
                i += 1;
            }
            let existing = old
                .get(i)
                .filter(|e| git_order(e.name, e.mode == TREE, name, dir) == Ordering::Equal);
            if existing.is_some() {
                i += 1;
            }
            match group {
                Group::File(edit) => {
                    if existing.is_some_and(|e| !plain(e.mode)) {
                        return None;
                    }
                    match edit {
                        Some((id, mode)) if plain(mode) => push_entry(&mut out, mode, name, id),
                        Some(_) => return None,
                        // removing what is not there: libgit2 refuses
                        None if existing.is_none() => return None,
                        None => {}
                    }
                }
                Group::Folder(inner) => {
                    let sub = match existing {
                        Some(e) => Some(e.oid()?),
                        None => None,
                    };
                    if let Some(id) = self.edit(sub, &inner)? {
                        push_entry(&mut out, TREE, name, id);
                    }
                }
            }
        }
        for e in &old[i..] {
            out.extend_from_slice(e.bytes);
        }
        if out.is_empty() {
            return Some(None);
        }
        Some(Some(self.write_tree(out)?))
    }
}

#[cfg(test)]
#[path = "tree_edit_tests.rs"]
mod tests;
