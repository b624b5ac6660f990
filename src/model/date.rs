//! Calendar dates and the fuzzy dates a secretariat plans with ("medio april 2020", "Q3 2020").
//! Own small type instead of a date crate: we need civil dates, Dutch month names and windows,
//! nothing with time zones.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

pub const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const WEEKDAYS_NL: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
pub const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`, strictly.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let y = s.get(0..4)?.parse().ok()?;
        let m = s.get(5..7)?.parse().ok()?;
        let d = s.get(8..10)?.parse().ok()?;
        Date::new(y, m, d)
    }

    /// Days since 1970-01-01 (Howard Hinnant's civil algorithm).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    pub fn from_days(z: i64) -> Date {
        let z = z + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (y + i64::from(m <= 2)) as i32;
        Date {
            year,
            month: m,
            day: d,
        }
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// 0 = Monday.
    pub fn weekday(self) -> usize {
        (self.to_days() + 3).rem_euclid(7) as usize
    }

    pub fn last_of_month(year: i32, month: u8) -> Date {
        Date {
            year,
            month,
            day: days_in_month(year, month),
        }
    }

    /// Today, from the system clock (UTC date), or `OVERLEG_TODAY` when set: tests and demos
    /// of 2021 data need a fixed "now".
    pub fn today() -> Date {
        if let Ok(s) = std::env::var("OVERLEG_TODAY")
            && let Some(d) = Date::parse_iso(&s)
        {
            return d;
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// "maandag 8 februari 2021"
    pub fn long_nl(self) -> String {
        format!(
            "{} {} {} {}",
            WEEKDAYS_NL[self.weekday()],
            self.day,
            MONTHS_NL[usize::from(self.month - 1)],
            self.year
        )
    }

    /// "8 feb 2021"
    pub fn short_nl(self) -> String {
        let m = MONTHS_NL[usize::from(self.month - 1)];
        format!("{} {} {}", self.day, m.get(..3).unwrap_or(m), self.year)
    }

    pub fn long_en(self) -> String {
        format!(
            "{} {} {} {}",
            WEEKDAYS_EN[self.weekday()],
            self.day,
            MONTHS_EN[usize::from(self.month - 1)],
            self.year
        )
    }
}

/// ISO text (`"2021-02-08"`) in JSON and TOML; three numbers in the binary cache.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            (self.year, self.month, self.day).serialize(s)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            Date::parse_iso(&s)
                .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a date")))
        } else {
            let (year, month, day) = <(i32, u8, u8)>::deserialize(d)?;
            Date::new(year, month, day)
                .ok_or_else(|| serde::de::Error::custom("invalid date in cache"))
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    #[test]
    fn days_round_trip() {
        for n in [-1000, 0, 1, 18_000, 20_000, 2_000_000] {
            assert_eq!(Date::from_days(n).to_days(), n);
        }
        assert_eq!(d("2021-02-08").weekday(), 0);
        assert_eq!(d("2021-02-08").long_nl(), "maandag 8 februari 2021");
    }

    #[test]
    fn fuzzy_windows() {
        let f = FuzzyDate::parse("medio april 2020").expect("parse");
        assert_eq!(
            (f.start, f.end),
            (Some(d("2020-04-11")), Some(d("2020-04-20")))
        );
        let f = FuzzyDate::parse("8 februari 2021").expect("parse");
        assert_eq!(f.end, Some(d("2021-02-08")));
        let f = FuzzyDate::parse("Q3 2020").expect("parse");
        assert_eq!(
            (f.start, f.end),
            (Some(d("2020-07-01")), Some(d("2020-09-30")))
        );
        let f = FuzzyDate::parse("uiterlijk begin 2021").expect("parse");
        assert_eq!(f.end, Some(d("2021-03-31")));
        let f = FuzzyDate::parse("voor 16 maart 2020").expect("parse");
        assert_eq!(f.end, Some(d("2020-03-16")));
        assert_eq!(
            FuzzyDate::parse("doorlopend").expect("p").precision,
            Precision::Continuous
        );
        assert_eq!(
            FuzzyDate::parse("Z.s.m.").expect("p").precision,
            Precision::Asap
        );
        assert!(FuzzyDate::parse("30 februari 2021").is_err());
        let f = FuzzyDate::parse("week 6 2021").expect("parse");
        assert_eq!(f.start, Some(d("2021-02-08")));
        let f = FuzzyDate::parse("feb 2021").expect("parse");
        assert_eq!(f.end, Some(d("2021-02-28")));
        assert_eq!(
            FuzzyDate::parse("8-2-2021").expect("p").end,
            Some(d("2021-02-08"))
        );
    }
}
