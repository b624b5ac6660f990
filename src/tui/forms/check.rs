//! Checking one typed value: dates in Dutch or ISO, fuzzy dates, choices, organisations and
//! people from the registers.

use crate::model::edit::convert;
use crate::model::schema::FieldType;
use crate::model::{Date, FuzzyDate};

use super::FieldKind;

/// A fuzzy date, with the year added when it was left out ("medio april" → this year).
pub fn fuzzy_with_year(raw: &str, today: Date) -> Result<String, String> {
    let t = raw.trim();
    match FuzzyDate::parse(t) {
        Ok(f) if f.start.is_some() || !t.chars().any(|c| c.is_alphabetic()) => Ok(t.to_string()),
        first => {
            let with = format!("{t} {}", today.year);
            match FuzzyDate::parse(&with) {
                Ok(f) if f.start.is_some() => Ok(with),
                _ => first.map(|_| t.to_string()),
            }
        }
    }
}

/// Check one typed value: `Ok(Some(stored))` when it will be stored differently.
pub fn check(
    kind: &FieldKind,
    raw: &str,
    required: bool,
    today: Date,
) -> Result<Option<String>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return if required {
            Err("verplicht / required".into())
        } else {
            Ok(None)
        };
    }
    let code_ok = |c: &[(String, String)], v: &str| {
        let code = v.split('/').next().unwrap_or("").trim();
        c.iter().any(|(x, _)| x.split('/').next() == Some(code))
    };
    match kind {
        FieldKind::Text => convert(FieldType::Text, t).map(|_| None),
        FieldKind::Long => Ok(None),
        FieldKind::Int => convert(FieldType::Int, t).map(|_| None),
        FieldKind::Time => convert(FieldType::Time, t).map(|_| None),
        FieldKind::Date => {
            let d = Date::parse_iso(t)
                .or_else(|| FuzzyDate::one_day(t))
                .or_else(|| FuzzyDate::one_day(&format!("{t} {}", today.year)))
                .ok_or_else(|| format!("`{t}`: geen datum (2021-02-08, 8 februari 2021)"))?;
            Ok((d.to_string() != t).then(|| d.to_string()))
        }
        FieldKind::Fuzzy => {
            let v = fuzzy_with_year(t, today)?;
            Ok((v != t).then_some(v))
        }
        FieldKind::Choice(c) => {
            if c.iter().any(|(v, _)| v == t) {
                Ok(None)
            } else {
                Err(format!("`{t}`: kies uit de lijst (Enter)"))
            }
        }
        FieldKind::Org(c) => {
            if code_ok(c, t) {
                Ok(None)
            } else {
                Err(format!("`{t}`: onbekende organisatie (Enter: lijst)"))
            }
        }
        FieldKind::OrgList(c) => {
            for p in t.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !code_ok(c, p) {
                    return Err(format!("`{p}`: onbekende organisatie"));
                }
            }
            Ok(None)
        }
        FieldKind::Person(c) => {
            if t.starts_with("p-") && !c.iter().any(|(v, _)| v == t) {
                Err(format!("`{t}`: geen persoon in het register"))
            } else {
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2021, 2, 1).expect("date")
    }

    #[test]
    fn dates_accept_dutch_iso_and_fuzzy() {
        assert_eq!(
            check(&FieldKind::Date, "8 februari 2021", false, today()),
            Ok(Some("2021-02-08".into()))
        );
        assert_eq!(
            check(&FieldKind::Date, "2021-02-08", false, today()),
            Ok(None)
        );
        assert!(check(&FieldKind::Date, "30 februari 2021", false, today()).is_err());
        assert_eq!(
            check(&FieldKind::Fuzzy, "medio april", false, today()),
            Ok(Some("medio april 2021".into()))
        );
        assert_eq!(
            check(&FieldKind::Fuzzy, "medio april 2022", false, today()),
            Ok(None)
        );
        assert!(check(&FieldKind::Text, "", true, today()).is_err());
        let c = FieldKind::Choice(vec![("open".into(), "open".into())]);
        assert!(check(&c, "dicht", false, today()).is_err());
        let o = FieldKind::Org(vec![("EZK".into(), "EZK".into())]);
        assert!(check(&o, "EZK/DE", false, today()).is_ok());
        assert!(check(&o, "XYZ", false, today()).is_err());
    }
}
