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
