//! An upper bound of the skim score of a pattern on a line, cheap to compute (one pass over
//! the line's bytes, no allocation), and a ceiling of that bound over all folded lines (one
//! lookup). A line whose bound cannot reach the current top [`super::MAX_HITS`] is counted as
//! a hit without being scored: the count stays exact and the shown hits the same, while most
//! skim calls of a pattern are saved. On a large index the top soon holds only lines with the
//! best score the pattern can get (a word typed from its start); the ceiling then settles
//! every further line at once.
//!
//! Derivation, from `SkimMatcherV2::fuzzy` in fuzzy-matcher 0.3.7 with the default scores
//! (match 16, gap start -3, gap extension -1, head bonus 8, break 7, camel 6, first column
//! doubled, consecutive at least 4) and its two-row matrix. Let R(i) be the best match score
//! of the first i pattern chars (M in row i), P(i) the best skip score of row i, and
//! `first(i)` where char i sits in the greedy left-to-right match (the column row i starts
//! at).
//! * R(1) = 15 + the in-place bonus where char 1 sits (row 0 skip score -1, plus the match).
//! * Any bonus the matcher uses, including values its reused buffers carry over, is at most
//!   16 (the head bonus doubled in the first column).
//! * R(i) <= 16 + max(R(i-1) + c, P(i-1) + in-place bonus of char i), where the first
//!   (consecutive) term needs chars i-1 and i next to each other in the line.
//! * P(i) <= max(R(i) - 4, P(i-2) - 1, R(i-2) - 4): a skip follows a match less the gap
//!   start and an extension, or follows what the row two above left in the cell the row
//!   starts from (row 1 starts from row 0's reset -1).
//! * The consecutive bonus c is max(carried, in-place, 4). The carried bonus is what the
//!   previous column of the same row holds: 0 when that column (char i-1) was tried against
//!   char i and did not match, i.e. unless chars i-1 and i are the same letter or the pair
//!   sits at `first(i)` (that column was not tried in this row; see `Bound::new`); then take
//!   16. Except for i = 2: the two-row buffer puts row 2 in row 0's place, which is reset on
//!   every call and written by row 2 only after it is read, so nothing is carried there.
//! * The score is the best of the last row, whose first cell is the row two above's: at most
//!   max(R(m), R(m-2)).
//!
//! Only for ASCII patterns of up to 64 chars; the tests compare it with skim on many lines
//! and patterns (a step or a skip smaller by one, or a missing carry, each fail them).

/// The bound for one query pattern, prepared once per keystroke.
pub(crate) struct Bound {
    /// For each byte: the pattern positions holding it (ASCII case ignored, as skim does).
    at: Box<[u64; 256]>,
    /// The pattern, lowercased.
    pattern: Vec<u8>,
    /// Positions whose char is the same as the one before (a carried bonus is possible).
    repeated: u64,
    /// Positions `k` whose previous char is the same as the char at `k - 2`: only these can
    /// carry a bonus at their greedy position (see `Bound::new`).
    echo: u64,
    /// What [`Bound::of`] gives at most on any folded line (no ASCII upper case): when the
    /// line does not begin with the first pattern char, and when it does.
    ceiling: [i64; 2],
}

/// The in-place bonus of a char, as skim gives it: 16 in the first column; else by the char
/// before: 8 after a hard separator (space, slash, bracket…), 7 after a soft one (other
/// punctuation), 6 for an upper case letter after a lower case one or a digit, else 0. A
/// byte of a non-ASCII char counts as lower case, as skim counts the char.
fn bonus(col: usize, prev: u8, cur: u8) -> i64 {
    if col == 0 {
        return 16;
    }
    match prev {
        0 | b' ' | b'/' | b'\\' | b'|' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => 8,
        b'!'..=b'\'' | b'*'..=b'.' | b':'..=b'@' | b'^'..=b'`' | b'~' => 7,
        b'a'..=b'z' | b'0'..=b'9' | 0x80.. if cur.is_ascii_uppercase() => 6,
        _ => 0,
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
            // matched char k - 2. When instead the next one (char k) matched char k - 2, row
            // k - 2 wrote its consecutive bonus there: the in-place bonus of this very column
            // or the least one, 4, as the cell it read was that 0. No more than the bound
            // gives without a carry.
            if k >= 2 && bytes[k - 2] == bytes[k - 1] {
                echo |= 1 << k;
            }
        }
        let ceiling = [false, true].map(|first_column| {
            let len = bytes.len();
            let (mut best, mut step) = ([8; 64], [i64::MIN; 64]);
            if first_column {
                best[0] = 16;
            }
            for k in 1..len {
                let carried = k >= 2 && (repeated | echo) & (1 << k) != 0;
                // a folded line holds the pattern's chars in lower case only
                let ip = bonus(1, bytes[k - 1], bytes[k]);
                step[k] = if carried { 16 } else { ip.max(4) };
            }
            combine(&best[..len], &step[..len])
        });
        Some(Bound {
            at,
            pattern: bytes,
            repeated,
            echo,
            ceiling,
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
        combine(&best[..len], &step[..len])
    }

    /// [`Bound::of`] at most, for any folded line (no ASCII upper case) beginning as `hay`
    /// does: one lookup.
    pub fn ceiling(&self, hay: &str) -> i64 {
        let first = hay
            .as_bytes()
            .first()
            .map_or(0, |&b| self.at[usize::from(b)]);
        self.ceiling[usize::from(first & 1 != 0)]
    }
}

/// The bound from each pattern char's best in-place bonus and best consecutive step
/// (`i64::MIN` where none), following the matrix row by row.
fn combine(best: &[i64], step: &[i64]) -> i64 {
    let len = best.len();
    // rb[k]: at least the best match score of the first k + 1 chars; pb[k]: at least the
    // best skip score of that row (a match score less the gap start and one extension, or a
    // cell the row reads from two rows above, see the module comment).
    let mut rb = [i64::MIN; 64];
    let mut pb = [i64::MIN; 64];
    rb[0] = 15 + best[0];
    pb[0] = rb[0] - 4;
    for k in 1..len {
        let consecutive = if step[k] == i64::MIN {
            i64::MIN
        } else {
            rb[k - 1] + step[k]
        };
        rb[k] = 16 + consecutive.max(pb[k - 1] + best[k]);
        let above = if k >= 2 {
            (pb[k - 2] - 1).max(rb[k - 2] - 4)
        } else {
            -1
        };
        pb[k] = (rb[k] - 4).max(above);
    }
    // The last row is searched from a cell it did not write: the row two above's.
    let above = if len >= 3 { rb[len - 3] } else { i64::MIN };
    rb[len - 1].max(above)
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
        let folded = hay.to_ascii_lowercase();
        if let Some(b) = Bound::new(pat) {
            let of = b.of(&folded);
            prop_assert!(
                of <= b.ceiling(&folded),
                "{folded:?} {pat:?}: {of} above the ceiling"
            );
        }
        Ok(())
    }

    /// A word typed from its start, on a line that has it (and has the pattern's chars at
    /// word starts elsewhere too): the bound is the score itself, so a full top of such
    /// lines lets every further one be counted without scoring it.
    #[test]
    fn exact_for_a_word_from_its_start() {
        let line = "2021-05-a3 notitie financiering en informatie naar de kamer";
        for pat in ["fin", "finan", "financie", "financiering", "kamer"] {
            let b = Bound::new(pat).expect("ascii");
            let score = MATCHER.with(|m| m.fuzzy_match(line, pat)).expect("matches");
            assert_eq!(b.of(line), score, "{pat}");
            assert_eq!(b.ceiling(line), score, "{pat}: no line scores higher");
        }
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

        /// Lines of words, with patterns typed from a word's start or across words: the
        /// repeats of real text (`fin` in `financiering`, `an` twice), at word starts and
        /// inside words.
        #[test]
        fn never_below_skim_on_words(
            hay in "((financi(e|ë)ring|informatie|naar|fin|an|de|nan|2021-0[1-9]|\\(bzk\\)|Ab-cd)[ /.\\-]?){1,8}",
            pat in "(f|fi|fin|finan|financie|nan|ie|an|in|fi n|a n|nn|ana|2021)",
        ) {
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
