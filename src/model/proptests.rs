//! Property tests at volume: the record parser, fuzzy dates and the format-preserving edit on
//! garbage, on mutated real records (the bundled example) and on hostile fragments. Bounded
//! case counts so that `cargo test` stays quick; the fuzz targets in `fuzz/` go further.

use proptest::prelude::*;
use toml_edit::DocumentMut;

use super::edit::{FieldPath, describe, diff, set_field};
use super::parse::{MAX_RECORD_BYTES, parse_record};
use super::problem::Severity;
use super::records::Kind;
use super::schema::{self, FieldType};
use super::{Date, FuzzyDate};

/// Every record file of the bundled example, with its kind.
fn examples() -> Vec<(Kind, &'static str, &'static [u8])> {
    crate::store::bundled::FILES
        .iter()
        .filter_map(|(path, bytes)| {
            let (folder, _) = path.rsplit_once('/')?;
            let kind = Kind::from_folder(folder)?;
            Some((kind, *path, *bytes))
        })
        .collect()
}

/// Fragments people, editors, merges and attackers put into files.
const FRAGMENTS: &[&[u8]] = &[
    b"\0",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe9",
    b"\xc3",
    b"<<<<<<< HEAD\n",
    b"=======\n",
    b">>>>>>> origin/main\n",
    b"[[[[[[[[[[[[",
    b"]]]]",
    b"{a={b={c=",
    b"\"\"\"",
    b"'''",
    b"\\u001b",
    b"\\u0000",
    b"\\ud800",
    b"\x1b[2J",
    b"\x1b]52;c;ZXZpbA==\x07",
    b"\xc2\x9b31m",
    b"\xe2\x80\xae",
    b"\xe2\x80\x8b",
    b"\nid = 5\n",
    b"\nid = \"a-andere\"\n",
    b"\n[annotation]\n",
    b"\n[[decisions]]\nid = \"d-1\"\n",
    b"\n[[participants]]\n",
    b"\nstatus = [1, 2]\n",
    b"\ndate = 1979-05-27T07:32:00Z\n",
    b"\ndate = 0000-00-00\n",
    b"\ndue = \"31 februari 2021\"\n",
    b"\nduration = 99999999999999999999\n",
    b"\norder = -9223372036854775808\n",
    b"\nstart = \"24:60\"\n",
    b"\nonbekend_veld = { diep = [1, { x = 2 }] }\n",
    b" = ",
    b"#",
    b"\t",
    b"\n\n\n",
];

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, usize),
    Truncate(usize),
    Delete(usize, usize),
    DupLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(i, f)| Mutation::Insert(i, f)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::DupLine),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match *m {
        Mutation::Flip(i, b) => {
            if !bytes.is_empty() {
                bytes[i % len] = b;
            }
        }
        Mutation::Insert(i, f) => {
            let at = i % (bytes.len() + 1);
            bytes.splice(at..at, FRAGMENTS[f].iter().copied());
        }
        Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
        Mutation::Delete(i, n) => {
            let at = i % (bytes.len() + 1);
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::DupLine(i) => {
            let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
            let l = lines[i % lines.len()].to_vec();
            bytes.extend_from_slice(b"\n");
            bytes.extend_from_slice(&l);
            bytes.extend_from_slice(b"\n");
        }
    }
}

/// What must hold for any input: problems point into the file, an unreadable file has an
/// error, a file without errors gives a record.
fn check_parsed(kind: Kind, path: &str, bytes: &[u8]) {
    let parsed = parse_record(kind, path, bytes);
    let lines = bytes.split(|b| *b == b'\n').count().max(1);
    for p in &parsed.problems {
        assert_eq!(p.path, path);
        assert!(
            p.line >= 1 && p.line <= lines + 1,
            "line {} of {lines}: {p}",
            p.line
        );
        assert!(p.column >= 1, "{p}");
        let _ = p.to_string();
    }
    let errors = parsed
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if parsed.record.is_none() {
        assert!(
            errors > 0,
            "no record and no error for {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parser_survives_garbage(kind in 0..Kind::ALL.len(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let kind = Kind::ALL[kind];
        check_parsed(kind, &super::parse::path_for(kind, "a-x"), &bytes);
    }

    #[test]
    fn parser_survives_mutated_real_records(pick in any::<usize>(), muts in proptest::collection::vec(mutation(), 1..6)) {
        let ex = examples();
        let (kind, path, original) = ex[pick % ex.len()];
        let mut bytes = original.to_vec();
        for m in &muts {
            apply(&mut bytes, m);
        }
        check_parsed(kind, path, &bytes);
        // the same bytes read as every other kind (a file in the wrong folder)
        for other in Kind::ALL {
            check_parsed(other, path, &bytes);
        }
    }

    #[test]
    fn fuzzy_dates_never_panic_and_windows_are_ordered(s in "\\PC{0,40}") {
        if let Ok(f) = FuzzyDate::parse(&s)
            && let (Some(a), Some(b)) = (f.start, f.end)
        {
            prop_assert!(a <= b, "{s:?}: {a} > {b}");
        }
    }

    #[test]
    fn fuzzy_date_phrases(
        q in prop_oneof![Just(""), Just("voor "), Just("uiterlijk "), Just("begin "), Just("medio "), Just("eind "), Just("week "), Just("Q"), Just("H")],
        n in 0i64..70,
        m in prop_oneof![Just(""), Just(" januari"), Just(" februari"), Just(" feb"), Just(" voorjaar"), Just(" zomer"), Just(" najaar"), Just(" december")],
        y in prop_oneof![Just(-1i64), 0i64..3000, Just(9999), Just(10000), Just(i64::MAX)],
    ) {
        let s = format!("{q}{n}{m} {y}");
        if let Ok(f) = FuzzyDate::parse(&s)
            && let (Some(a), Some(b)) = (f.start, f.end)
        {
            prop_assert!(a <= b, "{s:?}: {a} > {b}");
            prop_assert_eq!(Date::from_days(a.to_days()), a);
        }
    }

    #[test]
    fn diff_survives_garbage(a in "\\PC{0,200}", b in "\\PC{0,200}") {
        let _ = describe(&diff(Some(&a), Some(&b)));
    }
}

/// A value of the right shape for a field, or hostile text.
pub(crate) fn value_for(ty: FieldType, n: usize, junk: &str) -> String {
    let pick = |opts: &[&str]| opts[n % opts.len()].to_string();
    match n % 5 {
        0 => junk.to_string(),
        _ => match ty {
            FieldType::Text | FieldType::OrgRef | FieldType::PersonRef | FieldType::Ref(_) => {
                pick(&[
                    "Nieuwe titel",
                    "EZK/DE",
                    "p-keijzer",
                    "",
                    "a\u{1b}]0;x\u{7}b",
                ])
            }
            FieldType::LongText => pick(&["regel 1\nregel 2", "\"\"\"", "'''\n'''", "x\r\ny"]),
            FieldType::Int => pick(&["30", "-1", "99999999999999999999", "x"]),
            FieldType::Bool => pick(&["ja", "nee", "true", "misschien"]),
            FieldType::Date => pick(&["2021-02-08", "8 februari 2021", "31 februari 2021", "pm"]),
            FieldType::Time => pick(&["16:00", "25:00", "9:5"]),
            FieldType::Fuzzy => pick(&["medio april 2021", "Q3 2020", "", "31-2-2021"]),
            FieldType::Enum(words) => words[n % words.len()].to_string(),
            FieldType::List | FieldType::OrgList => pick(&["EZK, BZK", "", ",,,", "a"]),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    /// An edit changes the one field it is about: comments, unknown fields and every other
    /// value survive, the result parses again, and `diff` names only that field.
    #[test]
    fn edits_touch_only_their_field(pick in any::<usize>(), field in any::<usize>(), n in any::<usize>(), junk in "\\PC{0,30}") {
        let ex = examples();
        let (kind, _, original) = ex[pick % ex.len()];
        let original = std::str::from_utf8(original).expect("bundled files are UTF-8");
        let text = format!("# kop van de hand\n{original}\nx_onbekend = \"blijft\" # staat er\n");
        let fields = schema::fields(kind);
        let f = &fields[field % fields.len()];
        let mut doc: DocumentMut = text.parse().expect("bundled record parses");
        let path = FieldPath::parse(f.name).expect("field path");
        let value = value_for(f.ty, n, &junk);
        let result = set_field(&mut doc, kind, &path, &value);
        let out = doc.to_string();
        if result.is_err() {
            prop_assert_eq!(&out, &text, "a refused edit changed the document");
            return Ok(());
        }
        prop_assert!(out.starts_with("# kop van de hand\n"));
        prop_assert!(out.contains("x_onbekend = \"blijft\" # staat er"));
        let before: toml::Table = text.parse().expect("before");
        let after: toml::Table = out.parse().expect("an edit must leave valid TOML");
        let top = f.name.split('.').next().unwrap_or(f.name);
        for (k, v) in &before {
            if k != top {
                prop_assert_eq!(after.get(k), Some(v), "{} changed by editing {}", k, f.name);
            }
        }
        for c in diff(Some(&text), Some(&out)) {
            prop_assert!(c.field == f.name || c.field.starts_with(&format!("{top}.")), "diff names {} for an edit of {}", c.field, f.name);
        }
    }
}

#[test]
fn deep_nesting_is_reported_not_a_stack_overflow() {
    for depth in [100usize, 10_000, 200_000] {
        let cases = [
            format!(
                "id = \"a-x\"\na = {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            format!(
                "id = \"a-x\"\na = {}1{}\n",
                "{b=".repeat(depth),
                "}".repeat(depth)
            ),
            format!("id = \"a-x\"\n[{}]\nx = 1\n", vec!["a"; depth].join(".")),
            format!("id = \"a-x\"\n{} = 1\n", vec!["a"; depth].join(".")),
            format!("id = \"a-x\"\na = {}", "[".repeat(depth)),
        ];
        for text in &cases {
            let parsed = parse_record(Kind::Action, "actions/a-x.toml", text.as_bytes());
            assert!(parsed.record.is_none());
            let p = &parsed.problems[0];
            assert_eq!(p.line, 2, "{depth}: {p}");
            assert!(p.field != "id", "{depth}: blamed on the id: {p}");
            // the editor's parser refuses it too, without overflowing
            assert!(text.parse::<DocumentMut>().is_err());
        }
    }
}

#[test]
fn enormous_fields_are_refused_or_loaded_without_trouble() {
    let head =
        "id = \"a-x\"\nref = \"2099-01-A1\"\ntitle = \"t\"\nowner = \"EZK\"\nstatus = \"open\"\n";
    let big = format!(
        "{head}description = \"\"\"\n{}\"\"\"\n",
        "x".repeat(10 << 20)
    );
    let parsed = parse_record(Kind::Action, "actions/a-x.toml", big.as_bytes());
    assert!(parsed.record.is_none());
    assert!(parsed.problems[0].message.contains("bytes"));
    let ok = format!(
        "{head}description = \"\"\"\n{}\"\"\"\n",
        "lang verhaal\n".repeat((MAX_RECORD_BYTES - 200) / 13)
    );
    let parsed = parse_record(Kind::Action, "actions/a-x.toml", ok.as_bytes());
    assert!(parsed.record.is_some(), "{:?}", parsed.problems);
}

#[test]
fn the_bundled_example_is_seen() {
    assert!(examples().len() > 200);
}
