//! Fuzzy dates: the phrase a secretariat plans with ("medio april 2020", "Q3 2020", "z.s.m.")
//! and the window of days it stands for.

use super::{Date, MONTHS_EN, MONTHS_NL, days_in_month};

/// How precise a fuzzy date is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Precision {
    Day,
    Week,
    Month,
    Quarter,
    HalfYear,
    Season,
    Year,
    Asap,
    Continuous,
    Unknown,
}

/// A date as planned: the phrase as typed, and the window it stands for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FuzzyDate {
    pub text: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub precision: Precision,
}

impl FuzzyDate {
    pub fn exact(d: Date) -> FuzzyDate {
        FuzzyDate {
            text: d.to_string(),
            start: Some(d),
            end: Some(d),
            precision: Precision::Day,
        }
    }

    /// The day a phrase stands for, when it stands for exactly one day ("8 februari 2021");
    /// used where a field takes a plain date.
    pub fn one_day(text: &str) -> Option<Date> {
        FuzzyDate::parse(text)
            .ok()
            .filter(|f| f.start == f.end)
            .and_then(|f| f.start)
    }

    /// The date used to sort: the end of the window (deadlines are "by then").
    pub fn sort_key(&self) -> Option<Date> {
        self.end
    }

    /// Parse a Dutch (or English) date phrase. Phrases without a usable window ("pm",
    /// "in de week voor de Conferentie") are accepted with `Precision::Unknown`; only empty
    /// text and impossible dates ("30 februari 2021") are errors.
    pub fn parse(text: &str) -> Result<FuzzyDate, String> {
        let raw = text.trim();
        if raw.is_empty() {
            return Err("empty date".into());
        }
        let mk = |s: Date, e: Date, p: Precision| FuzzyDate {
            text: raw.to_string(),
            start: Some(s),
            end: Some(e),
            precision: p,
        };
        let unknown = |p: Precision| FuzzyDate {
            text: raw.to_string(),
            start: None,
            end: None,
            precision: p,
        };
        if let Some(d) = Date::parse_iso(raw) {
            return Ok(mk(d, d, Precision::Day));
        }
        let lower = raw.to_lowercase().replace(['(', ')', ','], " ");
        let mut words: Vec<&str> = lower.split_whitespace().collect();
        // Qualifiers that do not change the window.
        while let Some(w) = words.first() {
            if matches!(
                *w,
                "uiterlijk" | "voor" | "vóór" | "rond" | "circa" | "ca." | "by" | "before" | "op"
            ) {
                words.remove(0);
            } else {
                break;
            }
        }
        let joined = words.join(" ");
        match joined.as_str() {
            "doorlopend" | "continu" | "ongoing" | "continuous" => {
                return Ok(unknown(Precision::Continuous));
            }
            "z.s.m." | "zsm" | "z.s.m" | "zo snel mogelijk" | "asap" => {
                return Ok(unknown(Precision::Asap));
            }
            "pm" | "p.m." | "onbekend" | "nader te bepalen" | "ntb" | "n.t.b." | "tbd" | "" => {
                return Ok(unknown(Precision::Unknown));
            }
            _ => {}
        }
        // d-m-yyyy or d/m/yyyy
        if words.len() == 1 {
            let parts: Vec<&str> = words[0].split(['-', '/']).collect();
            if parts.len() == 3
                && let (Ok(d), Ok(m), Ok(y)) = (
                    parts[0].parse::<u8>(),
                    parts[1].parse::<u8>(),
                    parts[2].parse::<i32>(),
                )
            {
                let y = if y < 100 { 2000 + y } else { y };
                return Date::new(y, m, d)
                    .map(|x| mk(x, x, Precision::Day))
                    .ok_or_else(|| format!("no such date: {raw}"));
            }
        }
        let year_of = |w: &str| -> Option<i32> {
            let y: i32 = w.trim_matches('\'').parse().ok()?;
            if (1900..=2200).contains(&y) {
                Some(y)
            } else {
                None
            }
        };
        let Some(year) = words.last().and_then(|w| year_of(w)) else {
            return Ok(unknown(Precision::Unknown));
        };
        let rest = &words[..words.len() - 1];
        let first = |m: u8| Date {
            year,
            month: m,
            day: 1,
        };
        let last = |m: u8| Date::last_of_month(year, m);
        let span = |a: u8, b: u8, p| Ok(mk(first(a), last(b), p));
        match rest {
            [] => return span(1, 12, Precision::Year),
            ["begin"] | ["start"] | ["early"] => return span(1, 3, Precision::Season),
            ["medio"] | ["half"] | ["midden"] | ["mid"] => return span(5, 8, Precision::Season),
            ["eind"] | ["einde"] | ["end"] | ["late"] => return span(10, 12, Precision::Season),
            ["voorjaar"] | ["lente"] | ["spring"] => return span(3, 5, Precision::Season),
            ["zomer"] | ["summer"] => return span(6, 8, Precision::Season),
            ["najaar"] | ["herfst"] | ["autumn"] | ["fall"] => {
                return span(9, 11, Precision::Season);
            }
            ["winter"] => return span(1, 2, Precision::Season),
            ["h1"] | ["eerste", "helft"] | ["first", "half"] => {
                return span(1, 6, Precision::HalfYear);
            }
            ["h2"] | ["tweede", "helft"] | ["second", "half"] => {
                return span(7, 12, Precision::HalfYear);
            }
            _ => {}
        }
        if let [q] = rest
            && let Some(n) = q.strip_prefix('q').and_then(|n| n.parse::<u8>().ok())
            && (1..=4).contains(&n)
        {
            return span(n * 3 - 2, n * 3, Precision::Quarter);
        }
        if let ["week", n] = rest
            && let Ok(n) = n.parse::<i64>()
            && (1..=53).contains(&n)
        {
            // ISO week: the week with January 4th is week 1.
            let jan4 = Date {
                year,
                month: 1,
                day: 4,
            };
            let monday = jan4
                .add_days(-(jan4.weekday() as i64))
                .add_days((n - 1) * 7);
            return Ok(mk(monday, monday.add_days(6), Precision::Week));
        }
        // [modifier] [day] month
        let (modifier, rest) = match rest.first() {
            Some(&w)
                if matches!(
                    w,
                    "begin" | "medio" | "half" | "eind" | "einde" | "start" | "mid" | "end"
                ) =>
            {
                (Some(w), &rest[1..])
            }
            _ => (None, rest),
        };
        let month_of = |w: &str| -> Option<u8> {
            let w = w.trim_end_matches('.');
            if w.len() < 3 {
                return None;
            }
            MONTHS_NL
                .iter()
                .position(|m| m.starts_with(w))
                .or_else(|| {
                    MONTHS_EN
                        .iter()
                        .position(|m| m.to_lowercase().starts_with(w))
                })
                .or(match w {
                    "mrt" => Some(2),
                    "okt" => Some(9),
                    _ => None,
                })
                .map(|i| i as u8 + 1)
        };
        match (modifier, rest) {
            (None, [m]) => {
                if let Some(m) = month_of(m) {
                    return span(m, m, Precision::Month);
                }
            }
            (None, [d, m]) => {
                if let (Ok(d), Some(m)) = (d.trim_end_matches('.').parse::<u8>(), month_of(m)) {
                    return Date::new(year, m, d)
                        .map(|x| mk(x, x, Precision::Day))
                        .ok_or_else(|| format!("no such date: {raw}"));
                }
            }
            (Some(md), [m]) => {
                if let Some(m) = month_of(m) {
                    let (a, b) = match md {
                        "begin" | "start" => (1, 10),
                        "medio" | "half" | "mid" => (11, 20),
                        _ => (21, days_in_month(year, m)),
                    };
                    return Ok(mk(
                        Date {
                            year,
                            month: m,
                            day: a,
                        },
                        Date {
                            year,
                            month: m,
                            day: b,
                        },
                        Precision::Week,
                    ));
                }
            }
            _ => {}
        }
        Ok(unknown(Precision::Unknown))
    }
}
