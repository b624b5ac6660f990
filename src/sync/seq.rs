//! A three-way merge of sequences (lines of a text, elements of a list), built on an LCS diff.
//! Each side's changes against the base become hunks (replace base[start..end] with these
//! elements); the two hunk lists are combined when no base element is touched by both sides.
//! Changes to neighbouring lines therefore merge; only changes to the same lines conflict.
//! Pure and allocation-light.

use std::cmp::Ordering;

/// How two insertions at the same place are treated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Lines of prose: the order matters, so two different insertions at one place conflict.
    Text,
    /// Elements of a list: both are kept, in a fixed order (so the merge is symmetric).
    List,
    /// Only the order of keys matters (the content is decided elsewhere): never fails; where
    /// both sides changed the same stretch, both sides' elements are kept in a fixed order.
    Order,
}

/// Elements that can be merged: equality decides matches, `order` breaks ties in list mode.
pub trait Elem: Clone + PartialEq {
    fn order(&self, other: &Self) -> Ordering;
}

impl Elem for &str {
    fn order(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl Elem for String {
    fn order(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// One change: base[start..end] becomes `side[from..to]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hunk {
    start: usize,
    end: usize,
    from: usize,
    to: usize,
}

/// Beyond this many DP cells the middle part is treated as one changed block.
const DP_LIMIT: usize = 4_000_000;

fn diff<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Hunk> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_end, b_end) = (a.len() - suf, b.len() - suf);
    let (am, bm) = (&a[pre..a_end], &b[pre..b_end]);
    if am.is_empty() && bm.is_empty() {
        return Vec::new();
    }
    let whole = Hunk {
        start: pre,
        end: a_end,
        from: pre,
        to: b_end,
    };
    if am.is_empty() || bm.is_empty() || am.len().saturating_mul(bm.len()) > DP_LIMIT {
        return vec![whole];
    }
    // lcs[i][j]: length of the LCS of am[i..] and bm[j..]
    let (n, m) = (am.len(), bm.len());
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if am[i] == bm[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut open: Option<(usize, usize)> = None;
    let close = |open: &mut Option<(usize, usize)>, i: usize, j: usize, hunks: &mut Vec<Hunk>| {
        if let Some((si, sj)) = open.take() {
            hunks.push(Hunk {
                start: pre + si,
                end: pre + i,
                from: pre + sj,
                to: pre + j,
            });
        }
    };
    while i < n || j < m {
        if i < n && j < m && am[i] == bm[j] {
            close(&mut open, i, j, &mut hunks);
            i += 1;
            j += 1;
        } else {
            open.get_or_insert((i, j));
            if j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    close(&mut open, i, j, &mut hunks);
    hunks
}

struct Edit<T> {
    start: usize,
    end: usize,
    elems: Vec<T>,
}

/// Merge `ours` and `theirs`, both derived from `base`. `None` when both sides changed the
/// same elements differently (a conflict).
pub fn merge<T: Elem>(base: &[T], ours: &[T], theirs: &[T], mode: Mode) -> Option<Vec<T>> {
    if ours == theirs || theirs == base {
        return Some(ours.to_vec());
    }
    if ours == base {
        return Some(theirs.to_vec());
    }
    let mut edits: Vec<Edit<T>> = Vec::new();
    for (side, hunks) in [(ours, diff(base, ours)), (theirs, diff(base, theirs))] {
        for h in hunks {
            edits.push(Edit {
                start: h.start,
                end: h.end,
                elems: side[h.from..h.to].to_vec(),
            });
        }
    }
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out: Vec<Edit<T>> = Vec::with_capacity(edits.len());
    for e in edits {
        if let Some(last) = out.last_mut() {
            if last.start == e.start && last.end == e.end && last.elems == e.elems {
                continue; // the same change on both sides
            }
            let overlap = last.start < e.end && e.start < last.end;
            let same_point = last.start == last.end && e.start == e.end && last.start == e.start;
            if overlap && mode == Mode::Order {
                let mut a = std::mem::take(&mut last.elems);
                let mut b = e.elems;
                if cmp_slices(&b, &a) == Ordering::Less {
                    std::mem::swap(&mut a, &mut b);
                }
                a.extend(b.into_iter().filter(|x| !a.contains(x)).collect::<Vec<_>>());
                last.elems = a;
                last.end = last.end.max(e.end);
                continue;
            }
            if overlap {
                return None; // both touched the same base elements
            }
            if same_point {
                // two different insertions at one place
                match mode {
                    Mode::Text => return None,
                    Mode::List | Mode::Order => {
                        let mut a = std::mem::take(&mut last.elems);
                        let mut b = e.elems;
                        if cmp_slices(&b, &a) == Ordering::Less {
                            std::mem::swap(&mut a, &mut b);
                        }
                        a.extend(b);
                        last.elems = a;
                        continue;
                    }
                }
            }
        }
        out.push(e);
    }
    let mut merged = Vec::with_capacity(ours.len().max(theirs.len()));
    let mut pos = 0;
    for e in out {
        merged.extend_from_slice(&base[pos..e.start]);
        merged.extend(e.elems);
        pos = e.end;
    }
    merged.extend_from_slice(&base[pos..]);
    Some(merged)
}

fn cmp_slices<T: Elem>(a: &[T], b: &[T]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.order(y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    a.len().cmp(&b.len())
}

fn lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

/// Merge texts line by line (line ends kept).
pub fn merge_text(base: &str, ours: &str, theirs: &str) -> Option<String> {
    if ours == theirs || theirs == base {
        return Some(ours.to_string());
    }
    if ours == base {
        return Some(theirs.to_string());
    }
    let (b, o, t) = (lines(base), lines(ours), lines(theirs));
    // A last line without its newline must not merge with a line added after it.
    let merged = merge(&b, &o, &t, Mode::Text)?;
    let text: String = merged.concat();
    let ok = merged
        .iter()
        .take(merged.len().saturating_sub(1))
        .all(|l| l.ends_with('\n'));
    ok.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(b: &str, o: &str, t: &str) -> Option<String> {
        merge_text(b, o, t)
    }

    #[test]
    fn adjacent_lines_merge() {
        let b = "a\nb\nc\nd\n";
        assert_eq!(
            m(b, "a\nB\nc\nd\n", "a\nb\nC\nd\n").as_deref(),
            Some("a\nB\nC\nd\n")
        );
    }

    #[test]
    fn same_line_conflicts() {
        let b = "a\nb\nc\n";
        assert_eq!(m(b, "a\nX\nc\n", "a\nY\nc\n"), None);
        assert_eq!(m(b, "a\nX\nc\n", "a\nX\nc\n").as_deref(), Some("a\nX\nc\n"));
    }

    #[test]
    fn insert_and_delete() {
        let b = "a\nb\nc\n";
        assert_eq!(
            m(b, "new\na\nb\nc\n", "a\nc\n").as_deref(),
            Some("new\na\nc\n")
        );
        // two different insertions at one place in prose: a conflict
        assert_eq!(m(b, "a\nb\nc\nX\n", "a\nb\nc\nY\n"), None);
        // a last line without newline and an added line after it
        assert_eq!(m("a", "a\nb", "A"), None);
    }

    #[test]
    fn lists_keep_both_insertions_in_fixed_order() {
        let b = vec!["EZK".to_string()];
        let o = vec!["EZK".to_string(), "JenV".to_string()];
        let t = vec!["EZK".to_string(), "BZK".to_string()];
        let x = merge(&b, &o, &t, Mode::List).expect("merge");
        let y = merge(&b, &t, &o, Mode::List).expect("merge");
        assert_eq!(x, vec!["EZK", "BZK", "JenV"]);
        assert_eq!(x, y);
    }

    #[test]
    fn diff_roundtrip() {
        let a: Vec<char> = "abcabba".chars().collect();
        let b: Vec<char> = "cbabac".chars().collect();
        let hunks = diff(&a, &b);
        let mut out = Vec::new();
        let mut pos = 0;
        for h in hunks {
            out.extend_from_slice(&a[pos..h.start]);
            out.extend_from_slice(&b[h.from..h.to]);
            pos = h.end;
        }
        out.extend_from_slice(&a[pos..]);
        assert_eq!(out, b);
    }
}
