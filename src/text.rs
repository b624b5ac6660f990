//! Making untrusted text safe to show: text from other departments must never drive the
//! terminal (escape sequences, OSC 52 clipboard writes) or hide itself (bidi overrides).
//! Also the one way to cut text to a display width, for the command line and the workbench.

use unicode_width::UnicodeWidthStr;

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

/// Characters that drive a terminal or hide or reorder text: controls (C0, DEL, C1), bidi
/// embeddings, overrides, isolates and marks, and zero-width characters.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{200b}'..='\u{200d}'
                | '\u{2060}'
                | '\u{feff}'
        )
}

/// JSON text with every hostile character inside its strings written as a `\uXXXX` escape, so
/// machines get the exact text and a terminal showing the JSON gets nothing live. (serde_json
/// escapes only C0; outside strings JSON is ASCII, so this only ever touches string contents.)
pub fn escape_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_hostile(c) && c != '\n' {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One line for tables and status lines.
pub fn line(s: &str) -> String {
    sanitize(s, false)
}

/// Cut a string to `width` columns (by display width, never inside a character), with "…".
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    if width > 0 {
        out.push('…');
    }
    out
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
