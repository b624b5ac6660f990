//! Accent and case folding, one char for one char, so the positions the matcher reports in a
//! folded line are positions in the original line too. Plus a 64-bit summary of which chars a
//! text holds, a cheap necessary condition checked before any real matching.

use unicode_normalization::UnicodeNormalization;

/// One character folded: first char of its canonical decomposition, lowercased. 1:1, so the
/// indices the matcher returns are indices into the original string's chars.
pub fn fold_char(c: char) -> char {
    // ASCII has no decomposition: skip the (costly) NFD iterator for the common case.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let base = c.nfd().next().unwrap_or(c);
    base.to_lowercase().next().unwrap_or(base)
}

pub fn fold(s: &str) -> String {
    // Most record text is plain ASCII: lowercase it byte-wise in one pass.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(fold_char).collect()
}

/// The bit standing for a char in a [`mask`]. Letters and digits get a bit each; other chars
/// share bits, which only makes the mask a weaker (never a wrong) filter. ASCII upper case
/// counts as lower case, as the matcher compares ASCII letters without case.
fn bit(c: char) -> u64 {
    let n = c.to_ascii_lowercase() as u32;
    let b = match c.to_ascii_lowercase() {
        'a'..='z' => n - 'a' as u32,
        '0'..='9' => 26 + n - '0' as u32,
        _ if n < 128 => 36 + n % 14,
        _ => 50 + n % 14,
    };
    1 << b
}

/// Which chars occur in `s`: text `t` can only contain (or fuzzily match) a needle when every
/// bit of the needle's mask is set in `t`'s mask.
pub(crate) fn mask(s: &str) -> u64 {
    s.chars().fold(0, |m, c| m | bit(c))
}

/// `mask`, leaving whitespace out (for words matched one by one).
pub(crate) fn mask_no_space(s: &str) -> u64 {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .fold(0, |m, c| m | bit(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fast_path_agrees_with_the_general_fold() {
        for c in (0u8..128).map(char::from) {
            let base = c.nfd().next().unwrap_or(c);
            let general = base.to_lowercase().next().unwrap_or(base);
            assert_eq!(fold_char(c), general, "{c:?}");
        }
        assert_eq!(fold("Financiën OP Orde"), "financien op orde");
        assert_eq!(fold("ABC def"), "abc def");
    }

    #[test]
    fn masks_are_necessary_conditions() {
        let hay = mask("coordinatie van de inzet");
        assert_eq!(mask("inzet") & !hay, 0);
        assert_ne!(mask("quorum") & !hay, 0);
        assert_eq!(
            mask("INZET") & !hay,
            0,
            "ASCII case is ignored like the matcher does"
        );
    }
}
