//! The Woo release: personal data replaced by the ground's marker (domain note §5).
//!
//! Masked: names of people whose class is not a public office (wherever they stand: a
//! registry reference, or typed into free text in any of its variants), e-mail local parts
//! (the domain stays), direct phone numbers and paraaf initials. Kept: public office holders,
//! organisations, kenmerken and dates. Every replacement is recorded as a [`Finding`] so the
//! secretariat can check the release before it goes out.

use std::cell::RefCell;
use std::collections::HashSet;

use crate::model::Agenda;
use crate::model::records::Person;
use names::{Pattern, boundary_ok, fold, match_at, variants};
pub use report::{Category, Finding, Ground, Report};

mod names;
mod report;

/// Abbreviations that are never paraaf initials.
const NOT_INITIALS: &[&str] = &[
    "EU", "NL", "ICT", "AI", "MR", "TK", "EK", "DG", "NDS", "BWO", "DO", "PM", "OK", "CC", "BHM",
    "BBR", "MT", "DE", "VZ", "IT", "HR", "CEO", "CIO", "CTO", "KPI", "Q1", "Q2", "Q3", "Q4", "H1",
    "H2", "NB", "ZSM", "CET", "CEST", "UTC", "PDF", "MKB", "RVO", "SER", "OESO", "VN", "VS", "UK",
];

struct Span {
    start: usize,
    end: usize,
    idx: usize,
}

/// The masking engine for one export. Findings accumulate while the document is built.
pub struct Masker {
    marker: String,
    masked: Vec<Pattern>,
    protected: Vec<Pattern>,
    /// (initials, person id), of people who are masked
    initials: Vec<(String, String)>,
    public_initials: HashSet<String>,
    findings: RefCell<Vec<Finding>>,
}

impl Masker {
    pub fn new(agenda: &Agenda, ground: Ground) -> Masker {
        let mut masked = Vec::new();
        let mut protected = Vec::new();
        let mut initials = Vec::new();
        let mut public_initials = HashSet::new();
        let mut keep: HashSet<String> = NOT_INITIALS.iter().map(|s| s.to_string()).collect();
        for o in &agenda.organisations {
            keep.insert(o.code.to_uppercase());
            for u in &o.units {
                keep.insert(u.to_uppercase());
            }
        }
        for b in &agenda.bodies {
            keep.insert(b.id.to_uppercase());
            keep.insert(b.short.to_uppercase());
        }
        for p in &agenda.people {
            let ini: String = p.initials.chars().filter(|c| c.is_alphabetic()).collect();
            if p.class.is_public_office() {
                variants(p, false, &mut protected);
                if ini.chars().count() >= 2 {
                    public_initials.insert(ini);
                }
            } else {
                variants(p, true, &mut masked);
                if ini.chars().count() >= 2 && !keep.contains(&ini.to_uppercase()) {
                    initials.push((ini, p.id.clone()));
                }
            }
        }
        // longest first, so "Jan de Vries" wins over "Vries" at the same place
        masked.sort_by_key(|p| std::cmp::Reverse(p.chars.len()));
        protected.sort_by_key(|p| std::cmp::Reverse(p.chars.len()));
        Masker {
            marker: ground.marker().to_string(),
            masked,
            protected,
            initials,
            public_initials,
            findings: RefCell::new(Vec::new()),
        }
    }

    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// Record something that was not text masking (a person reference, withheld content).
    pub fn note(&self, place: &str, category: Category, person: Option<&str>, original: &str) {
        self.findings.borrow_mut().push(Finding {
            place: place.to_string(),
            category,
            person: person.map(str::to_string),
            original: original.to_string(),
        });
    }

    pub fn report(&self) -> Report {
        Report {
            marker: self.marker.clone(),
            findings: self.findings.borrow().clone(),
        }
    }

    /// The person reference as it may be released: a masked person becomes the marker,
    /// followed by the organisation ("5.1.2e (NLdigital)"), as in the released dossier.
    pub fn person(&self, place: &str, p: &Person) -> String {
        if p.class.is_public_office() {
            return if p.role.is_empty() {
                p.name.clone()
            } else {
                format!("{} ({})", p.name, p.role)
            };
        }
        self.note(place, Category::Person, Some(&p.id), &p.name);
        if p.organisation.is_empty() {
            self.marker.clone()
        } else {
            format!("{} ({})", self.marker, p.organisation)
        }
    }

    /// Free text with every personal datum replaced by the marker.
    pub fn text(&self, place: &str, s: &str) -> String {
        let s = self.emails(place, s);
        let s = self.phones(place, &s);
        let s = self.names(place, &s);
        self.paraafs(place, &s)
    }

    fn emails(&self, place: &str, s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let local_ok = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
        let domain_ok = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
        let mut out = String::new();
        let mut i = 0;
        let mut last = 0; // chars before `last` are already in `out`
        while i < chars.len() {
            if chars[i] == '@' {
                let mut a = i;
                while a > 0 && local_ok(chars[a - 1]) {
                    a -= 1;
                }
                let mut b = i + 1;
                while b < chars.len() && domain_ok(chars[b]) {
                    b += 1;
                }
                while b > i + 1 && matches!(chars[b - 1], '.' | '-') {
                    b -= 1;
                }
                let domain: String = chars[i + 1..b].iter().collect();
                // the marker itself ("5.1.2e@…") is not a local part to mask again
                let local: String = chars[a.max(last)..i].iter().collect();
                if a >= last && a < i && domain.contains('.') && local != self.marker {
                    out.extend(&chars[last..a]);
                    out.push_str(&self.marker);
                    self.note(place, Category::Email, None, &format!("{local}@{domain}"));
                    last = i;
                }
                i = b.max(i + 1);
                continue;
            }
            i += 1;
        }
        out.extend(&chars[last..]);
        out
    }

    fn phones(&self, place: &str, s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let mut out = String::new();
        let mut last = 0;
        let mut i = 0;
        while i < n {
            let c = chars[i];
            let starts = (c == '+' || c == '0' || c == '(')
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
            if !starts {
                i += 1;
                continue;
            }
            let mut j = i;
            let mut digits = String::new();
            let mut end = i;
            while j < n {
                let d = chars[j];
                if d.is_ascii_digit() {
                    digits.push(d);
                    j += 1;
                    end = j;
                } else if (d == '+' && j == i) || d == '(' || d == ')' {
                    j += 1;
                    if d == ')' {
                        end = j;
                    }
                } else if (d == ' ' || d == '-' || d == '\u{a0}')
                    && j + 1 < n
                    && (chars[j + 1].is_ascii_digit() || chars[j + 1] == '(')
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let after_ok = end >= n || !(chars[end].is_alphanumeric());
            let intl = chars[i] == '+' || digits.starts_with("00");
            let ok = after_ok
                && ((digits.starts_with('0') && !intl && (10..=11).contains(&digits.len()))
                    || (intl && (10..=15).contains(&digits.len())));
            if ok {
                out.extend(&chars[last..i]);
                out.push_str(&self.marker);
                let orig: String = chars[i..end].iter().collect();
                self.note(place, Category::Phone, None, &orig);
                last = end;
                i = end;
            } else {
                i = j.max(i + 1);
            }
        }
        out.extend(&chars[last..]);
        out
    }

    fn find_all(&self, folded: &[char], orig: &[char], pats: &[Pattern]) -> Vec<Span> {
        let mut spans = Vec::new();
        for start in 0..folded.len() {
            if start > 0 && folded[start - 1].is_alphanumeric() {
                continue;
            }
            for (idx, p) in pats.iter().enumerate() {
                if p.chars.first() != Some(&folded[start]) {
                    continue;
                }
                if let Some(end) = match_at(folded, orig, start, p)
                    && boundary_ok(folded, start, end)
                {
                    spans.push(Span { start, end, idx });
                    break; // longest pattern first
                }
            }
        }
        spans
    }

    fn names(&self, place: &str, s: &str) -> String {
        if self.masked.is_empty() {
            return s.to_string();
        }
        let orig: Vec<char> = s.chars().collect();
        let folded: Vec<char> = orig.iter().map(|&c| fold(c)).collect();
        let hits = self.find_all(&folded, &orig, &self.masked);
        if hits.is_empty() {
            return s.to_string();
        }
        let shields = self.find_all(&folded, &orig, &self.protected);
        let mut out = String::new();
        let mut last = 0;
        for h in hits {
            if h.start < last {
                continue; // inside an earlier, longer match
            }
            let text: String = orig[h.start..h.end].iter().collect();
            let person = &self.masked[h.idx].person;
            // a public office holder's name covering it at least as long: keep, but report
            if shields
                .iter()
                .any(|p| p.start <= h.start && p.end >= h.end && p.end - p.start >= h.end - h.start)
            {
                self.note(place, Category::Doubt, Some(person), &text);
                continue;
            }
            out.extend(&orig[last..h.start]);
            out.push_str(&self.marker);
            self.note(place, Category::Name, Some(person), &text);
            last = h.end;
        }
        out.extend(&orig[last..]);
        out
    }

    /// Paraaf initials of masked people, as a word of their own ("AV", "A.V.").
    fn paraafs(&self, place: &str, s: &str) -> String {
        if self.initials.is_empty() {
            return s.to_string();
        }
        let orig: Vec<char> = s.chars().collect();
        let n = orig.len();
        let mut out = String::new();
        let mut last = 0;
        let mut i = 0;
        while i < n {
            if !orig[i].is_uppercase() || (i > 0 && orig[i - 1].is_alphanumeric()) {
                i += 1;
                continue;
            }
            // read a word of letters, optionally dotted: "AV", "A.V.", "UvdL"
            let mut j = i;
            let mut letters = String::new();
            while j < n && (orig[j].is_alphabetic() || (orig[j] == '.' && j > i)) {
                if orig[j].is_alphabetic() {
                    letters.push(orig[j]);
                }
                j += 1;
            }
            let mut end = j;
            // "A.V." keeps its last dot; a sentence's full stop after "AV." is not ours
            if end > i && orig[end - 1] == '.' && !orig[i..end - 1].contains(&'.') {
                end -= 1;
            }
            if end < n && orig[end].is_alphanumeric() {
                i = j;
                continue;
            }
            let hit = self
                .initials
                .iter()
                .find(|(ini, _)| *ini == letters && !self.public_initials.contains(ini));
            if let Some((ini, person)) = hit {
                out.extend(&orig[last..i]);
                out.push_str(&self.marker);
                let text: String = orig[i..end].iter().collect();
                let _ = ini;
                self.note(place, Category::Initials, Some(person), &text);
                last = end;
            }
            i = j.max(i + 1);
        }
        out.extend(&orig[last..]);
        out
    }
}

#[cfg(test)]
mod tests;
