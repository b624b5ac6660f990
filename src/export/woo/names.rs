//! Name variants: the ways a registry name can be written in free text, and matching them
//! against text folded for accents, case and typographic quotes.

use unicode_normalization::UnicodeNormalization;

use crate::model::records::Person;

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

/// Fold one character for matching: accents off, lowercase, every space a plain space,
/// typographic apostrophes straight. Always one char for one char, so positions map back.
pub(super) fn fold(c: char) -> char {
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
pub(super) struct Pattern {
    pub(super) chars: Vec<char>,
    /// positions in `chars` where the text must have an uppercase letter
    capitals: Vec<usize>,
    pub(super) person: String,
}

/// Try to match `p` at `start` of the folded text; returns the end (exclusive).
pub(super) fn match_at(folded: &[char], orig: &[char], start: usize, p: &Pattern) -> Option<usize> {
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

pub(super) fn boundary_ok(folded: &[char], start: usize, end: usize) -> bool {
    let before = start == 0 || !folded[start - 1].is_alphanumeric();
    let after = end >= folded.len() || !folded[end].is_alphanumeric();
    before && after
}

/// The variants a name can be written in. `first_alone`: also the first name by itself
/// (not for public office holders: they are not named by first name in official text, and a
/// greeting "Beste Mona" is about someone else).
pub(super) fn variants(p: &Person, first_alone: bool, out: &mut Vec<Pattern>) {
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
