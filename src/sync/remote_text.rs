//! The server's messages as whole lines. A server's side band arrives in packets that end
//! anywhere, mid-line or mid-character, and its progress counters rewrite one line with `\r`
//! ("Resolving deltas:  31% (21/66)\r…"). Shown packet by packet, one server line became
//! several broken ones and every counter step a line of its own. This keeps the bytes until a
//! line ends and says whether it ended as a progress step (`\r`, to be overwritten) or for
//! good (`\n`, or `\r\n`), the way git's own side-band demultiplexer does.

/// One line of the server's text, sanitised for a terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteLine {
    pub text: String,
    /// Ended by `\r`: a step of a counter that the next line replaces.
    pub progress: bool,
}

/// A line longer than this is passed on without waiting for its end, so a server cannot
/// make us hold an unbounded amount of text.
const MAX_LINE: usize = 4096;

/// The side band's bytes not yet ended by `\n` or `\r`.
#[derive(Debug, Default)]
pub struct RemoteText {
    pending: Vec<u8>,
    /// The pending line ended with `\r` as the last byte of a packet: it is a progress step
    /// unless the next packet starts with `\n`.
    after_cr: bool,
}

impl RemoteText {
    /// Take one packet; returns the lines it ended, empty ones left out.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<RemoteLine> {
        let mut out = Vec::new();
        let mut rest = bytes;
        if self.after_cr {
            self.after_cr = false;
            let progress = rest.first() != Some(&b'\n');
            if !progress {
                rest = &rest[1..];
            }
            self.end_line(progress, &mut out);
        }
        while let Some(i) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.pending.extend_from_slice(&rest[..i]);
            if rest[i] == b'\n' {
                rest = &rest[i + 1..];
                self.end_line(false, &mut out);
            } else if i + 1 == rest.len() {
                self.after_cr = true;
                return out;
            } else {
                let crlf = rest[i + 1] == b'\n';
                rest = &rest[i + 1 + usize::from(crlf)..];
                self.end_line(!crlf, &mut out);
            }
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_LINE {
            self.end_line(false, &mut out);
        }
        out
    }

    /// What is left when the server is done: the last words it said, unended.
    pub fn finish(&mut self) -> Option<RemoteLine> {
        self.after_cr = false;
        let mut out = Vec::new();
        self.end_line(false, &mut out);
        out.pop()
    }

    fn end_line(&mut self, progress: bool, out: &mut Vec<RemoteLine>) {
        let text = crate::text::line(&String::from_utf8_lossy(&self.pending))
            .trim()
            .to_string();
        self.pending.clear();
        if !text.is_empty() {
            out.push(RemoteLine { text, progress });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(packets: &[&[u8]]) -> Vec<(String, bool)> {
        let mut t = RemoteText::default();
        let mut out: Vec<(String, bool)> = packets
            .iter()
            .flat_map(|p| t.feed(p))
            .map(|l| (l.text, l.progress))
            .collect();
        out.extend(t.finish().map(|l| (l.text, l.progress)));
        out
    }

    fn own(v: &[(&str, bool)]) -> Vec<(String, bool)> {
        v.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    #[test]
    fn a_line_split_over_packets_comes_out_whole() {
        assert_eq!(
            lines(&[
                b"Resolving deltas:  31",
                b"% (21/66)\rResolving deltas: 100% (66/66), done.\n"
            ]),
            own(&[
                ("Resolving deltas:  31% (21/66)", true),
                ("Resolving deltas: 100% (66/66), done.", false)
            ])
        );
    }

    #[test]
    fn a_character_split_over_packets_is_kept() {
        let text = "Prüfung geslaagd\n".as_bytes();
        let cut = 3; // inside the two bytes of "ü"
        assert_eq!(
            lines(&[&text[..cut], &text[cut..]]),
            own(&[("Prüfung geslaagd", false)])
        );
    }

    #[test]
    fn crlf_ends_a_line_for_good_even_across_packets() {
        assert_eq!(
            lines(&[b"een\r\ntwee\r", b"\ndrie\r", b"vier\n"]),
            own(&[
                ("een", false),
                ("twee", false),
                ("drie", true),
                ("vier", false)
            ])
        );
    }

    #[test]
    fn unended_text_is_given_at_the_end_and_empty_lines_are_dropped() {
        assert_eq!(
            lines(&[b"\n\r\n  \nlaatste woorden"]),
            own(&[("laatste woorden", false)])
        );
        assert_eq!(lines(&[b"stap 1\r"]), own(&[("stap 1", false)]));
    }

    #[test]
    fn escape_sequences_are_made_visible() {
        let got = lines(&[b"\x1b]52;c;aGk=\x07\x1b[31mrood\n"]);
        assert_eq!(got.len(), 1);
        assert!(!got[0].0.contains('\u{1b}') && got[0].0.ends_with("rood"));
    }

    #[test]
    fn an_endless_line_is_passed_on_in_bounded_pieces() {
        let mut t = RemoteText::default();
        let mut seen = 0;
        for _ in 0..100 {
            for l in t.feed(&[b'x'; 1000]) {
                assert!(l.text.len() <= MAX_LINE + 1000);
                seen += l.text.len();
            }
            assert!(t.pending.len() <= MAX_LINE);
        }
        seen += t.finish().map_or(0, |l| l.text.len());
        assert_eq!(seen, 100_000);
    }
}
