//! Fuzzy Dutch dates on arbitrary text: never a panic, and a window never ends before it starts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overleg::model::FuzzyDate;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(f) = FuzzyDate::parse(s) {
        let _ = f.sort_key();
        for d in [f.start, f.end].into_iter().flatten() {
            let _ = (
                d.to_string(),
                d.long_nl(),
                d.short_nl(),
                d.long_en(),
                d.weekday(),
            );
            assert_eq!(overleg::model::Date::from_days(d.to_days()), d);
        }
        if let (Some(a), Some(b)) = (f.start, f.end) {
            assert!(a <= b, "window {a}..{b} of {s:?} ends before it starts");
        }
    }
});
