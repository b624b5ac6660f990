//! Making untrusted text safe to show: text from other departments must never drive the
//! terminal (escape sequences, OSC 52 clipboard writes) or hide itself (bidi overrides).

/// Replace control characters (except newline and tab, which `keep_lines` decides) and
/// direction-changing or invisible characters with visible stand-ins.
pub fn sanitize(s: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' if keep_lines => out.push('\n'),
            '\n' | '\r' => out.push(' '),
            '\t' => out.push_str("    "),
            '\u{1b}' => out.push('␛'),
            c if c.is_control() => out.push('\u{fffd}'),
            '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}' => out.push('\u{fffd}'),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One line for tables and status lines.
pub fn line(s: &str) -> String {
    sanitize(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_inert() {
        let evil = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{9b}31mc\u{202e}d\u{200b}e";
        let s = line(evil);
        assert!(!s.chars().any(|c| c.is_control()));
        assert!(!s.contains('\u{202e}'));
        assert!(s.contains('␛'));
    }
}
