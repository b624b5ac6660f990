//! A tree as a git delta on an earlier version of it, built from the entries the two share
//! (no delta search: both are in git's order, so they are walked side by side) and checked
//! by applying it. Used for the trees of record folders, megabytes each at 100,000 records,
//! when loose objects are packed (`store::loose`).

use std::rc::Rc;

use super::pack_index::ID;

/// A tree stored whole, with where its entries are.
pub(super) struct Base {
    pub(super) data: Rc<[u8]>,
    /// Its entry's offset in the pack.
    pub(super) at: u64,
    /// Each entry's byte range, in the tree's order.
    entries: Vec<(usize, usize)>,
}

impl Base {
    pub(super) fn new(data: Rc<[u8]>, at: u64) -> Option<Base> {
        let entries = entries(&data)?;
        Some(Base { data, at, entries })
    }
}

/// A tree entry's name, and whether it names a folder.
fn entry_name(e: &[u8]) -> (&[u8], bool) {
    let sp = e.iter().position(|c| *c == b' ').unwrap_or(0);
    let nul = e.iter().position(|c| *c == 0).unwrap_or(e.len());
    (&e[(sp + 1).min(nul)..nul], e.starts_with(b"40000 "))
}

/// How git orders two tree entries: by name, a folder's name as if it ended in `/`.
fn tree_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    // an entry: mode, space, name, NUL, id; a folder's mode is `40000`
    let ((an, at), (bn, bt)) = (entry_name(a), entry_name(b));
    let n = an.len().min(bn.len());
    an[..n].cmp(&bn[..n]).then_with(|| {
        let next = |name: &[u8], folder: bool| name.get(n).copied().or(folder.then_some(b'/'));
        next(an, at).cmp(&next(bn, bt))
    })
}

/// A tree's entries as byte ranges: mode, space, name, NUL, 20-byte id.
fn entries(tree: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < tree.len() {
        let nul = tree[at..].iter().position(|b| *b == 0)?;
        let end = at + nul + 1 + ID;
        if end > tree.len() {
            return None;
        }
        out.push((at, end));
        at = end;
    }
    Some(out)
}

/// `target` as a git delta on `base`: runs of entries the two share become copies, the rest
/// is inserted. `None` when it would not be much smaller than the tree itself, or does not
/// rebuild `target` exactly.
pub(super) fn tree_delta(base: &Base, target: &[u8]) -> Option<Vec<u8>> {
    let mut d = Vec::new();
    size_varint(&mut d, base.data.len());
    size_varint(&mut d, target.len());
    let mut insert: Vec<u8> = Vec::new();
    let mut copy: Option<(usize, usize)> = None;
    // Both trees are in git's order, so the entries they share are found walking the two
    // side by side (a hash of the base's 465,000 entries at 1,000,000 records cost most of
    // the packing). Should a tree not be in order, less is found and more inserted: the
    // delta is only larger, and it is checked below either way.
    let mut j = 0;
    let base_entry = |j: usize| base.entries.get(j).map(|&(s, e)| (s, &base.data[s..e]));
    for (s, e) in entries(target)? {
        let bytes = &target[s..e];
        while base_entry(j).is_some_and(|(_, b)| tree_order(b, bytes).is_lt()) {
            j += 1;
        }
        let found = base_entry(j).filter(|(_, b)| *b == bytes).map(|(at, _)| at);
        if found.is_some() {
            j += 1;
        }
        match found {
            Some(at) => {
                flush_insert(&mut d, &mut insert);
                copy = match copy {
                    Some((from, len)) if from + len == at => Some((from, len + bytes.len())),
                    Some(run) => {
                        copy_op(&mut d, run);
                        Some((at, bytes.len()))
                    }
                    None => Some((at, bytes.len())),
                };
            }
            None => {
                if let Some(run) = copy.take() {
                    copy_op(&mut d, run);
                }
                insert.extend_from_slice(bytes);
            }
        }
    }
    if let Some(run) = copy {
        copy_op(&mut d, run);
    }
    flush_insert(&mut d, &mut insert);
    (d.len() < target.len() / 2 && apply(&base.data, &d).as_deref() == Some(target)).then_some(d)
}

fn size_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn flush_insert(d: &mut Vec<u8>, insert: &mut Vec<u8>) {
    for chunk in insert.chunks(0x7f) {
        d.push(chunk.len() as u8);
        d.extend_from_slice(chunk);
    }
    insert.clear();
}

/// Copy instructions for a run of the base, at most 64 KiB each (as git writes them).
fn copy_op(d: &mut Vec<u8>, (mut from, mut len): (usize, usize)) {
    while len > 0 {
        let n = len.min(0x10000);
        let mut op = 0x80u8;
        let at = d.len();
        d.push(0);
        for k in 0..4 {
            let b = ((from >> (8 * k)) & 0xff) as u8;
            if b != 0 {
                op |= 1 << k;
                d.push(b);
            }
        }
        // a size of 0x10000 is written as no size bytes
        let size = if n == 0x10000 { 0 } else { n };
        for k in 0..3 {
            let b = ((size >> (8 * k)) & 0xff) as u8;
            if b != 0 {
                op |= 0x10 << k;
                d.push(b);
            }
        }
        d[at] = op;
        from += n;
        len -= n;
    }
}

/// `base` with git delta `d` applied; `None` if the delta is malformed. The delta may come
/// from a server: every length in it is checked, none is trusted for an allocation.
pub(super) fn apply(base: &[u8], d: &[u8]) -> Option<Vec<u8>> {
    fn varint(d: &[u8], at: &mut usize) -> Option<usize> {
        let (mut n, mut shift) = (0usize, 0);
        loop {
            if shift >= usize::BITS {
                return None;
            }
            let b = *d.get(*at)?;
            *at += 1;
            n |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
    }
    let mut at = 0;
    if varint(d, &mut at)? != base.len() {
        return None;
    }
    let size = varint(d, &mut at)?;
    // no instruction byte makes more than 64 kB (a copy without a size is that long)
    let most = (d.len() - at).saturating_mul(0x10000);
    if size > most {
        return None;
    }
    let mut out = Vec::with_capacity(size);
    while at < d.len() {
        let op = d[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, count: usize| -> Option<usize> {
                let mut v = 0usize;
                for k in 0..count {
                    if bits & (1 << k) != 0 {
                        v |= usize::from(*d.get(at)?) << (8 * k);
                        at += 1;
                    }
                }
                Some(v)
            };
            let from = field(op & 0x0f, 4)?;
            let n = match field((op >> 4) & 0x07, 3)? {
                0 => 0x10000,
                n => n,
            };
            out.extend_from_slice(base.get(from..from.checked_add(n)?)?);
        } else if op != 0 {
            let n = usize::from(op);
            out.extend_from_slice(d.get(at..at + n)?);
            at += n;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
#[path = "tree_delta_tests.rs"]
mod tests;
