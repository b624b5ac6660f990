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

pub(super) const TREE: u32 = 0o40000;

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
#[derive(Clone, Copy)]
pub(super) struct Entry<'a> {
    pub(super) mode: u32,
    pub(super) name: &'a [u8],
    pub(super) id: &'a [u8],
    /// The whole entry, to copy unchanged.
    bytes: &'a [u8],
}

impl Entry<'_> {
    pub(super) fn oid(&self) -> Option<Oid> {
        Oid::from_bytes(self.id).ok()
    }
}

/// Where one entry lies in its tree's bytes.
#[derive(Clone, Copy)]
struct Spot {
    start: u32,
    name: u32,
    nul: u32,
    mode: u32,
}

/// The entries of a tree (`<octal mode> <name>\0<20-byte id>` after each other), found once
/// and kept as positions: 16 bytes each where an [`Entry`] takes 56. A sync parses its
/// 46,000-record folder several times over, and at that size the fresh memory of the larger
/// form cost more than the parsing.
pub(super) struct Entries<'a> {
    data: &'a [u8],
    spots: Vec<Spot>,
}

impl<'a> Entries<'a> {
    pub(super) fn none() -> Entries<'static> {
        Entries {
            data: &[],
            spots: Vec::new(),
        }
    }

    pub(super) fn of(data: &'a [u8]) -> Option<Entries<'a>> {
        u32::try_from(data.len()).ok()?;
        // the shortest entry git writes is 28 bytes (a five-digit mode, a one-letter name)
        let mut spots = Vec::with_capacity(data.len() / 28 + 1);
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
            if end > data.len() {
                return None;
            }
            // positions fit: the whole tree's length does
            spots.push(Spot {
                start: at as u32,
                name: (space + 1) as u32,
                nul: nul as u32,
                mode,
            });
            at = end;
        }
        Some(Entries { data, spots })
    }

    fn entry(&self, s: Spot) -> Entry<'a> {
        let (start, name, nul) = (s.start as usize, s.name as usize, s.nul as usize);
        Entry {
            mode: s.mode,
            name: &self.data[name..nul],
            id: &self.data[nul + 1..nul + 21],
            bytes: &self.data[start..nul + 21],
        }
    }

    pub(super) fn get(&self, i: usize) -> Option<Entry<'a>> {
        self.spots.get(i).map(|s| self.entry(*s))
    }

    fn binary_search_by(&self, mut f: impl FnMut(&Entry<'a>) -> Ordering) -> Result<usize, usize> {
        self.spots.binary_search_by(|s| f(&self.entry(*s)))
    }

    /// The id of the folder `name` in this tree.
    pub(super) fn folder(&self, name: &[u8]) -> Option<Oid> {
        let i = self
            .binary_search_by(|e| git_order(e.name, e.mode == TREE, name, true))
            .ok()?;
        self.get(i).filter(|e| e.mode == TREE)?.oid()
    }

    /// The bytes of entry `i` and all after it.
    fn bytes_from(&self, i: usize) -> &'a [u8] {
        match self.spots.get(i) {
            Some(s) => &self.data[s.start as usize..],
            None => &[],
        }
    }
}

/// Git's order of tree entries: by name, a folder's name read as if it ended in `/`.
pub(super) fn git_order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
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
            Some(d) => Entries::of(d)?,
            None => Entries::none(),
        };
        let eb = match &db {
            Some(d) => Entries::of(d)?,
            None => Entries::none(),
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
            let kind_changed = |e: &Entry<'_>, other: &Entries<'_>| {
                other
                    .binary_search_by(|o| git_order(o.name, o.mode == TREE, e.name, e.mode != TREE))
                    .is_ok()
            };
            match ord {
                Ordering::Less => {
                    let x = ea.get(i)?;
                    if kind_changed(&x, &eb) {
                        return None;
                    }
                    self.one_side(&x, path, out, true)?;
                    i += 1;
                }
                Ordering::Greater => {
                    let y = eb.get(j)?;
                    if kind_changed(&y, &ea) {
                        return None;
                    }
                    self.one_side(&y, path, out, false)?;
                    j += 1;
                }
                Ordering::Equal => {
                    let (x, y) = (ea.get(i)?, eb.get(j)?);
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
            Some(d) => Entries::of(d)?,
            None => Entries::none(),
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
        out.extend_from_slice(old.bytes_from(i));
        if out.is_empty() {
            return Some(None);
        }
        Some(Some(self.write_tree(out)?))
    }
}

#[cfg(test)]
#[path = "tree_edit_tests.rs"]
mod tests;
