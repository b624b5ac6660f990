//! The record-aware three-way merge (sync) on arbitrary base/ours/theirs texts, each possibly
//! absent, and the line merge under it: never a panic; a merge without conflicts whose inputs
//! all parse gives text that parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overleg::sync::merge::merge;
use overleg::sync::seq::merge_text;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // base \0 ours \0 theirs; an empty part stands for "no such file" when its flag bit is set
    let Some((flags, rest)) = s.split_at_checked(1) else {
        return;
    };
    let flags = flags.as_bytes()[0];
    let mut parts = rest.splitn(3, '\0');
    let mut side = |bit: u8| {
        let p = parts.next().unwrap_or("");
        (flags & bit == 0 || !p.is_empty()).then_some(p)
    };
    let (base, ours, theirs) = (side(1), side(2), side(4));
    let m = merge(base, ours, theirs);
    let parses = |t: Option<&str>| t.is_none_or(|t| t.parse::<toml_edit::DocumentMut>().is_ok());
    if m.conflicts.is_empty() && parses(base) && parses(ours) && parses(theirs) {
        assert!(
            parses(m.text.as_deref()),
            "clean merge gave unparseable TOML:\n{:?}",
            m.text
        );
    }
    let _ = merge_text(base.unwrap_or(""), ours.unwrap_or(""), theirs.unwrap_or(""));
});
