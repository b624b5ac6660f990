//! An upper bound of the skim score of a pattern on a line, cheap to compute (one pass over
//! the line's bytes, no allocation). A line whose bound cannot reach the current top
//! [`super::MAX_HITS`] is counted as a hit without being scored: the count stays exact and
//! the shown hits the same, while most skim calls of a short pattern are saved.
//!
//! Derivation, from `SkimMatcherV2::fuzzy` in fuzzy-matcher 0.3.7 with the default scores
//! (match 16, gap start -3, gap extension -1, head bonus 8, break 7, camel 6, first column
//! doubled, consecutive at least 4). Let R(i) be the best score of the first i pattern chars,
//! S(i) the best of R(1..=i), and `first(i)` where char i sits in the greedy left-to-right
//! match (the column row i starts at).
//! * R(1) = 15 + the in-place bonus where char 1 sits (row 0 skip score -1, plus the match).
//! * Any bonus the matcher uses, including values its reused buffers carry over, is at most
//!   16 (the head bonus doubled in the first column).
//! * R(i) <= 16 + max(R(i-1) + c, S(i-1) - 1 + in-place bonus of char i), where the first
//!   (consecutive) term needs chars i-1 and i next to each other in the line, and a skip score
//!   is a match score less at least one gap extension.
//! * The consecutive bonus c is max(carried, in-place, 4). The carried bonus is what the
//!   previous column of the same row holds: 0 when that column (char i-1) was tried against
//!   char i and did not match, i.e. unless chars i-1 and i are the same letter or the pair
//!   sits at `first(i)` (that column was not tried in this row); then take 16. Except for
//!   i = 2: the two-row buffer puts row 2 in row 0's place, which is reset on every call and
//!   written by row 2 only after it is read, so nothing is carried there.
//!
//! Only for ASCII patterns of up to 64 chars; the tests compare it with skim on many lines
//! and patterns.

/// The bound for one query pattern, prepared once per keystroke.
pub(crate) struct Bound {
    /// For each byte: the pattern positions holding it (ASCII case ignored, as skim does).
    at: Box<[u64; 256]>,
    /// The pattern, lowercased.
    pattern: Vec<u8>,
    /// Positions whose char is the same as the one before (a carried bonus is possible).
    repeated: u64,
    /// Positions `k` whose char, or the one before, is the same as the char at `k - 2`: only
    /// these can carry a bonus at their greedy position (see `Bound::new`).
    echo: u64,
}

/// The in-place bonus a char can get, at most: 16 in the first column, 0 inside a word of
/// lower case letters and digits (a non-ASCII char counts as lower case), else 8.
fn bonus(col: usize, prev: u8, cur: u8) -> i64 {
    let in_word = prev.is_ascii_lowercase() || prev.is_ascii_digit() || prev >= 0x80;
    if col == 0 {
        16
    } else if in_word && !cur.is_ascii_uppercase() {
        0
    } else {
        8
    }
}

impl Bound {
    /// `None` when the pattern is not ASCII or longer than 64 chars: no bound, score all.
    pub fn new(pattern: &str) -> Option<Bound> {
        if !pattern.is_ascii() || pattern.is_empty() || pattern.len() > 64 {
            return None;
        }
        let mut at = Box::new([0u64; 256]);
        let (mut repeated, mut echo) = (0, 0);
        let bytes: Vec<u8> = pattern.bytes().map(|b| b.to_ascii_lowercase()).collect();
        for (k, &b) in bytes.iter().enumerate() {
            at[usize::from(b)] |= 1 << k;
            at[usize::from(b.to_ascii_uppercase())] |= 1 << k;
            if k > 0 && bytes[k - 1] == b {
                repeated |= 1 << k;
            }
            // At char k's greedy column g, the cell read as carried is column g - 1 of row k,
            // not visited by row k; the row buffer last held row k - 2, which visited it (it
            // starts further left) and left 0 there unless that char (pattern char k - 1)
            // matched char k - 2, or the next one (char k) did and wrote it as its "last".
            if k >= 2 && (bytes[k - 2] == b || bytes[k - 2] == bytes[k - 1]) {
                echo |= 1 << k;
            }
        }
        Some(Bound {
            at,
            pattern: bytes,
            repeated,
            echo,
        })
    }

    /// At least the score skim gives the pattern on `hay` (when it matches at all).
    pub fn of(&self, hay: &str) -> i64 {
        let len = self.pattern.len();
        // Per pattern position: best in-place bonus, best consecutive step.
        let mut best = [i64::MIN; 64];
        let mut step = [i64::MIN; 64];
        // The greedy match: the next pattern position it waits for.
        let mut greedy = 0;
        let mut prev = 0u8;
        for (col, &b) in hay.as_bytes().iter().enumerate() {
            let mut here = self.at[usize::from(b)];
            if here == 0 {
                prev = b;
                continue;
            }
            // Is this where the greedy match puts the pattern char it waits for?
            let first = if greedy < len && self.pattern[greedy] == b.to_ascii_lowercase() {
                greedy += 1;
                1u64 << (greedy - 1)
            } else {
                0
            };
            let ip = bonus(col, prev, b);
            if col == 0 {
                // Only the first pattern char can sit in the first column.
                here &= 1;
            } else {
                let mut pairs = here & (self.at[usize::from(prev)] << 1);
                while pairs != 0 {
                    let k = pairs.trailing_zeros() as usize;
                    // Row 2 of the matrix reuses row 0's buffer, which every call resets:
                    // nothing is carried into the second pattern char.
                    let carried = k >= 2 && (self.repeated | (first & self.echo)) & (1 << k) != 0;
                    let c = if carried { 16 } else { ip.max(4) };
                    step[k] = step[k].max(c);
                    pairs &= pairs - 1;
                }
            }
            while here != 0 {
                let k = here.trailing_zeros() as usize;
                best[k] = best[k].max(ip);
                here &= here - 1;
            }
            prev = b;
        }
        if best[..len].contains(&i64::MIN) {
            // A pattern char missing: no match, and nothing to bound.
            return i64::MIN;
        }
        let mut total = 15 + best[0];
        for k in 1..len {
            total += 16 + step[k].max(best[k] - 1);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fuzzy_matcher::FuzzyMatcher;
    use fuzzy_matcher::skim::SkimMatcherV2;
    use proptest::prelude::*;

    thread_local! {
        static MATCHER: SkimMatcherV2 = SkimMatcherV2::default();
    }

    fn check(hay: &str, pat: &str) -> Result<(), TestCaseError> {
        let score = MATCHER.with(|m| m.fuzzy_match(hay, pat));
        if let (Some(b), Some(score)) = (Bound::new(pat), score) {
            prop_assert!(
                score <= b.of(hay),
                "{hay:?} {pat:?}: {score} > {}",
                b.of(hay)
            );
        }
        Ok(())
    }

    #[test]
    fn bounds_fixed_cases() {
        for (hay, pat) in [
            ("financien op orde", "f"),
            ("2021-01-a5 financien op orde", "fin"),
            ("ffff fin-fin/fin", "ffin"),
            ("aaaaaaaaaaaaaaaaaaaaaa", "aaaaaaa"),
            ("kamerbrief over financiering", "financiering"),
            ("x/1 stukken (digitale zaken)", "dz"),
            ("ab ab ab", "ab ab"),
        ] {
            check(hay, pat).expect("bound holds");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// On lines and patterns from a small alphabet (many repeats, separators, case), the
        /// bound is never below skim's score; the matcher is shared so its reused buffers carry
        /// whatever an earlier call left in them, as in a real scan.
        #[test]
        fn never_below_skim(hay in "[abfin /.\\-A1é]{0,40}", pat in "[abfin /.A1-]{1,8}") {
            check(&hay, &pat)?;
        }

        /// Two letters and a space: patterns that repeat a char one or two places back (the
        /// bonus a row can carry over from the row two above).
        #[test]
        fn never_below_skim_on_echoes(hay in "[abAB ]{0,30}", pat in "[ab ]{1,7}") {
            check(&hay, &pat)?;
        }
    }
}
