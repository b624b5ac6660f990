//! The Woo release: personal data replaced by the ground's marker (domain note §5).
//!
//! Masked: names of people whose class is not a public office (wherever they stand: a
//! registry reference, or typed into free text in any of its variants), e-mail local parts
//! (the domain stays), direct phone numbers and paraaf initials. Kept: public office holders,
//! organisations, kenmerken and dates. Every replacement is recorded as a [`Finding`] so the
//! secretariat can check the release before it goes out.

use std::cell::RefCell;
use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

use crate::model::Agenda;
use crate::model::records::Person;

/// The legal ground cited by the marker.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Ground {
    /// Woo art. 5.1 lid 2 sub e (since 1 May 2022)
    #[default]
    Woo,
    /// Wob art. 10 lid 2 sub e (the old style, as in the released dossier)
    Wob,
}

impl Ground {
    pub fn marker(self) -> &'static str {
        match self {
            Ground::Woo => "5.1.2e",
            Ground::Wob => "10.2.e",
        }
    }

    /// Accepts the marker itself or the name of the act.
    pub fn parse(s: &str) -> Option<Ground> {
        match s.trim().to_lowercase().as_str() {
            "5.1.2e" | "5.1.2.e" | "woo" => Some(Ground::Woo),
            "10.2.e" | "10.2e" | "wob" => Some(Ground::Wob),
            _ => None,
        }
    }
}

/// What a finding is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Category {
    /// a person's name from a registry reference
    Person,
    /// a registry name (or a variant of it) found in free text
    Name,
    Email,
    Phone,
    /// paraaf initials
    Initials,
    /// a match that was NOT masked because it is also (part of) a public office holder's name
    Doubt,
    /// content of a confidential meeting left out or marked
    Confidential,
}

impl Category {
    pub fn word_nl(self) -> &'static str {
        match self {
            Category::Person => "persoon",
            Category::Name => "naam in tekst",
            Category::Email => "e-mailadres",
            Category::Phone => "telefoonnummer",
            Category::Initials => "paraaf",
            Category::Doubt => "TWIJFEL, niet gemaskeerd",
            Category::Confidential => "vertrouwelijk",
        }
    }
}

/// One thing masked (or withheld) in one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// where in the document: "agendapunt 4 / spreekpunten"
    pub place: String,
    pub category: Category,
    /// the registry person it belongs to, when known
    pub person: Option<String>,
    /// the text that was replaced (internal: the report is for the secretariat, not for release)
    pub original: String,
}

/// What was masked where; printed to stderr or written with `--woo-report`.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub marker: String,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, c: Category) -> usize {
        self.findings.iter().filter(|f| f.category == c).count()
    }

    /// Plain text, one finding per line, sanitised.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("Woo-rapportage (INTERN, niet openbaar maken)\n");
        out.push_str(&format!("Markering: {}\n", self.marker));
        let masked = self
            .findings
            .iter()
            .filter(|f| !matches!(f.category, Category::Doubt | Category::Confidential))
            .count();
        out.push_str(&format!(
            "Gemaskeerd: {masked} (personen {}, namen in tekst {}, e-mail {}, telefoon {}, paraaf {}); vertrouwelijk: {}; twijfel: {}\n",
            self.count(Category::Person),
            self.count(Category::Name),
            self.count(Category::Email),
            self.count(Category::Phone),
            self.count(Category::Initials),
            self.count(Category::Confidential),
            self.count(Category::Doubt),
        ));
        for f in &self.findings {
            let who = f
                .person
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            out.push_str(&crate::text::line(&format!(
                "{}: {}{}: {}",
                f.place,
                f.category.word_nl(),
                who,
                f.original
            )));
            out.push('\n');
        }
        out
    }
}

/// Dutch surname particles (tussenvoegsels), lowercase.
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "het", "'t", "ter", "ten", "te", "op", "in", "aan", "bij",
    "uit", "voor", "over", "onder", "'s", "d'", "la", "le", "du", "di", "da", "del", "della",
    "des", "dos", "el", "al", "vd", "v.d.", "zu",
];

/// Words that are first names too but far more often something else at the start of a
/// sentence; a first name alone is not masked when it is one of these.
const COMMON_WORDS: &[&str] = &[
    "wil", "dan", "mag", "kan", "zal", "door", "ook", "maar", "want", "als", "met", "dat", "deze",
];

/// Abbreviations that are never paraaf initials.
const NOT_INITIALS: &[&str] = &[
    "EU", "NL", "ICT", "AI", "MR", "TK", "EK", "DG", "NDS", "BWO", "DO", "PM", "OK", "CC", "BHM",
    "BBR", "MT", "DE", "VZ", "IT", "HR", "CEO", "CIO", "CTO", "KPI", "Q1", "Q2", "Q3", "Q4", "H1",
    "H2", "NB", "ZSM", "CET", "CEST", "UTC", "PDF", "MKB", "RVO", "SER", "OESO", "VN", "VS", "UK",
];

/// Fold one character for matching: accents off, lowercase, every space a plain space,
/// typographic apostrophes straight. Always one char for one char, so positions map back.
fn fold(c: char) -> char {
    if c.is_whitespace() {
        return ' ';
    }
    if matches!(c, '\u{2019}' | '\u{2018}' | '`' | '\u{b4}') {
        return '\'';
    }
    let base = c.nfd().next().unwrap_or(c);
    let mut low = base.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => base,
    }
}

/// A name variant to look for.
#[derive(Clone, Debug)]
struct Pattern {
    chars: Vec<char>,
    /// positions in `chars` where the text must have an uppercase letter
    capitals: Vec<usize>,
    person: String,
}

/// Try to match `p` at `start` of the folded text; returns the end (exclusive).
fn match_at(folded: &[char], orig: &[char], start: usize, p: &Pattern) -> Option<usize> {
    let mut i = start;
    let mut j = 0;
    let n = folded.len();
    while j < p.chars.len() {
        let pc = p.chars[j];
        if pc == ' ' {
            // one or more spaces (none needed after a dot: "J.Jansen")
            let after_dot = j > 0 && p.chars[j - 1] == '.';
            let s = i;
            while i < n && folded[i] == ' ' {
                i += 1;
            }
            if i == s && !after_dot {
                return None;
            }
            j += 1;
            continue;
        }
        if i >= n || folded[i] != pc {
            return None;
        }
        if p.capitals.contains(&j) && !orig[i].is_uppercase() {
            return None;
        }
        i += 1;
        j += 1;
        // after an initial's dot, spaces are optional ("J. W." = "J.W.")
        if pc == '.' && j < p.chars.len() && p.chars[j] != ' ' {
            while i < n && folded[i] == ' ' {
                i += 1;
            }
        }
    }
    Some(i)
}

fn boundary_ok(folded: &[char], start: usize, end: usize) -> bool {
    let before = start == 0 || !folded[start - 1].is_alphanumeric();
    let after = end >= folded.len() || !folded[end].is_alphanumeric();
    before && after
}

/// The variants a name can be written in. `first_alone`: also the first name by itself
/// (not for public office holders: they are not named by first name in official text, and a
/// greeting "Beste Mona" is about someone else).
fn variants(p: &Person, first_alone: bool, out: &mut Vec<Pattern>) {
    let name: Vec<&str> = p.name.split_whitespace().collect();
    let mut push = |text: String, capitals: Vec<usize>| {
        let chars: Vec<char> = text.chars().map(fold).collect();
        if chars.iter().filter(|c| c.is_alphanumeric()).count() < 2 {
            return;
        }
        out.push(Pattern {
            chars,
            capitals,
            person: p.id.clone(),
        });
    };
    if name.is_empty() {
        return;
    }
    push(name.join(" "), vec![]);
    if name.len() == 1 {
        return;
    }
    let is_particle = |w: &str| PARTICLES.contains(&fold_str(w).as_str());
    // The surname starts at the first particle after the first name, else it is the last word.
    let s = (1..name.len())
        .find(|&k| is_particle(name[k]) && k + 1 < name.len())
        .unwrap_or(name.len() - 1);
    let given = &name[..s];
    let surname = name[s..].join(" ");
    let core_start = (s..name.len())
        .find(|&k| !is_particle(name[k]))
        .unwrap_or(name.len() - 1);
    let core = name[core_start..].join(" ");
    let particle_len = surname.chars().count() - core.chars().count();
    let first = given[0];
    // first name + surname (middle names left out)
    push(format!("{first} {surname}"), vec![]);
    // initials + surname: "J.W. van der Berg", "J. van der Berg"
    let initials: Vec<char> = given
        .iter()
        .flat_map(|g| g.split('-'))
        .filter_map(|g| g.chars().find(|c| c.is_alphabetic()))
        .collect();
    if !initials.is_empty() {
        let dotted: String = initials.iter().map(|c| format!("{c}.")).collect();
        push(format!("{dotted} {surname}"), vec![]);
        push(format!("{}. {surname}", initials[0]), vec![]);
        // without dots: "JW van der Berg" needs the capitals to tell it from words
        let bare: String = initials.iter().collect();
        let caps: Vec<usize> = (0..bare.chars().count()).collect();
        push(format!("{bare} {surname}"), caps);
    }
    // surname with particles ("van der Berg", "Van der Berg"): the core must be capitalised
    if particle_len > 0 {
        push(surname.clone(), vec![particle_len]);
        // Flemish/old style without spaces between particle and name is rare: not covered.
    }
    // the core alone ("Berg", "mevrouw Verzinsma"), capitalised, from three letters
    if core.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
        push(core.clone(), vec![0]);
    }
    // the first name alone ("Beste Annelies"), capitalised, from three letters
    let f = fold_str(first);
    if first_alone
        && first.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !COMMON_WORDS.contains(&f.as_str())
    {
        push(first.to_string(), vec![0]);
        if first.contains('-') {
            // "Jan-Willem" also as "Jan Willem"
            push(first.replace('-', " "), vec![0]);
        }
    }
}

fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

#[derive(Clone, Copy)]
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
mod tests {
    use super::*;
    use crate::model::enums::PersonClass;

    fn person(id: &str, name: &str, class: PersonClass, initials: &str) -> Person {
        Person {
            id: id.into(),
            name: name.into(),
            class,
            organisation: "EZK".into(),
            role: String::new(),
            initials: initials.into(),
            email: String::new(),
            phone: String::new(),
        }
    }

    fn masker(people: Vec<Person>) -> Masker {
        let mut a = Agenda::default();
        a.people = people;
        Masker::new(&a, Ground::Woo)
    }

    #[test]
    fn variants_are_masked() {
        let m = masker(vec![
            person(
                "p-1",
                "Jan-Willem van der Berg",
                PersonClass::CivilServant,
                "JWvdB",
            ),
            person("p-2", "Mona Keijzer", PersonClass::Minister, "MK"),
        ]);
        for (input, want) in [
            ("Jan-Willem van der Berg belt", "5.1.2e belt"),
            ("J.W. van der Berg belt", "5.1.2e belt"),
            ("J. W. Van der Berg", "5.1.2e"),
            ("door mw. Van der\n  Berg.", "door mw. 5.1.2e."),
            ("Beste Jan-Willem,", "Beste 5.1.2e,"),
            ("Berg zei", "5.1.2e zei"),
            ("de berg op", "de berg op"),
            (
                "Mona Keijzer en JAN-WILLEM VAN DER BERG",
                "Mona Keijzer en 5.1.2e",
            ),
            ("paraaf JWvdB 2/2/21", "paraaf 5.1.2e 2/2/21"),
            ("paraaf MK", "paraaf MK"),
            (
                "mail j.vdberg@minezk.nl of bel 070-379 8911",
                "mail 5.1.2e@minezk.nl of bel 5.1.2e",
            ),
            ("+31 6 1234 5678.", "5.1.2e."),
            (
                "DGBI-DE / 21025076 op 2021-02-08, 12.000 bedrijven",
                "DGBI-DE / 21025076 op 2021-02-08, 12.000 bedrijven",
            ),
        ] {
            assert_eq!(m.text("t", input), want, "input: {input}");
        }
    }

    #[test]
    fn public_names_are_shields() {
        let m = masker(vec![
            person("p-1", "Mona Jansen", PersonClass::CivilServant, ""),
            person("p-2", "Mona Keijzer", PersonClass::Minister, ""),
        ]);
        assert_eq!(m.text("t", "Mona Keijzer opent"), "Mona Keijzer opent");
        assert_eq!(m.text("t", "Mona Jansen opent"), "5.1.2e opent");
        assert_eq!(m.text("t", "Beste Mona,"), "Beste 5.1.2e,");
        assert!(
            m.report()
                .findings
                .iter()
                .any(|f| f.category == Category::Doubt)
        );
    }
}
