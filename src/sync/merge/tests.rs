use std::collections::BTreeMap;

use super::*;
use crate::model::Kind;

const BASE: &str = r#"# Actie uit het Beraad
id = "a-1"
ref = "2021-02-A1"
title = "Webex-gegevens sturen"
owner = "EZK/DE" # trekker
contributors = ["BZK"]
status = "open"
description = """
Regel een.
Regel twee.
Regel drie.
Regel vier.
"""
"#;

fn conflicts_of(m: &Merged) -> Vec<String> {
    m.conflicts.iter().map(Conflict::field_name).collect()
}

fn table(s: &str) -> toml::Table {
    s.parse().expect("valid toml")
}

#[test]
fn adjacent_fields_merge_and_keep_comments() {
    let ours = BASE.replace("owner = \"EZK/DE\"", "owner = \"BZK\"");
    let theirs = BASE.replace("status = \"open\"", "status = \"gereed\"");
    let m = merge(Some(BASE), Some(&ours), Some(&theirs));
    assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    let text = m.text.expect("text");
    assert!(text.starts_with("# Actie uit het Beraad\n"));
    assert!(text.contains("owner = \"BZK\" # trekker\n"), "{text}");
    assert!(text.contains("status = \"gereed\""));
}

#[test]
fn same_field_is_a_conflict_and_keeps_ours() {
    let ours = BASE.replace("status = \"open\"", "status = \"lopend\"");
    let theirs = BASE.replace("status = \"open\"", "status = \"gereed\"");
    let m = merge(Some(BASE), Some(&ours), Some(&theirs));
    assert_eq!(conflicts_of(&m), vec!["status"]);
    let c = &m.conflicts[0];
    assert_eq!(c.kind, ConflictKind::Value);
    assert_eq!(c.base.as_deref(), Some("open"));
    assert_eq!(c.ours.as_deref(), Some("lopend"));
    assert_eq!(c.theirs.as_deref(), Some("gereed"));
    assert_eq!(m.text.as_deref(), Some(ours.as_str()));
    // resolving takes theirs, or a typed value that is checked against the field's type
    let r = resolve(
        Some(Kind::Action),
        m.text.as_deref(),
        Some(&ours),
        Some(&theirs),
        &c.field,
        &Take::Theirs,
    )
    .expect("resolve")
    .expect("text");
    assert_eq!(table(&r)["status"].as_str(), Some("gereed"));
    let bad = resolve(
        Some(Kind::Action),
        m.text.as_deref(),
        Some(&ours),
        Some(&theirs),
        &c.field,
        &Take::Value("klaar".into()),
    );
    assert!(bad.is_err());
    let r = resolve(
        Some(Kind::Action),
        m.text.as_deref(),
        Some(&ours),
        Some(&theirs),
        &c.field,
        &Take::Value("vervallen".into()),
    )
    .expect("resolve")
    .expect("text");
    assert!(r.contains("status = \"vervallen\""));
}

#[test]
fn long_text_merges_by_line() {
    let ours = BASE.replace("Regel twee.", "Regel twee, aangepast door EZK.");
    let theirs = BASE.replace("Regel drie.", "Regel drie, aangepast door BZK.");
    let m = merge(Some(BASE), Some(&ours), Some(&theirs));
    assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    let text = m.text.expect("text");
    let d = table(&text)["description"]
        .as_str()
        .expect("str")
        .to_string();
    assert_eq!(
        d,
        "Regel een.\nRegel twee, aangepast door EZK.\nRegel drie, aangepast door BZK.\nRegel vier.\n"
    );
    assert!(text.contains("description = \"\"\""), "{text}");
    // the same line: a conflict on that text
    let theirs2 = BASE.replace("Regel twee.", "Regel twee volgens BZK.");
    let m = merge(Some(BASE), Some(&ours), Some(&theirs2));
    assert_eq!(conflicts_of(&m), vec!["description"]);
    assert_eq!(m.conflicts[0].kind, ConflictKind::Text);
}

#[test]
fn plain_lists_keep_both_additions() {
    let ours = BASE.replace("[\"BZK\"]", "[\"BZK\", \"JenV\"]");
    let theirs = BASE.replace("[\"BZK\"]", "[\"BZK\", \"OCW\"]");
    let a = merge(Some(BASE), Some(&ours), Some(&theirs));
    let b = merge(Some(BASE), Some(&theirs), Some(&ours));
    assert!(a.conflicts.is_empty());
    let ta = table(a.text.as_deref().expect("t"));
    assert_eq!(ta, table(b.text.as_deref().expect("t")));
    let list: Vec<&str> = ta["contributors"]
        .as_array()
        .expect("arr")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(list, vec!["BZK", "JenV", "OCW"]);
}

const NOTES: &str = r#"id = "n-1"
meeting = "m-1"
status = "concept"

# besluiten
[[decisions]]
id = "d-1"
text = "Akkoord met de nota."

[[decisions]]
id = "d-2"
text = "Uitstel van het plan."
kind = "uitstel"

[[agreements]]
id = "g-1"
text = "EZK schrijft de brief."
"#;

#[test]
fn entries_merge_by_id() {
    // ours adds d-3 and edits d-1; theirs adds d-4, removes d-2 and edits g-1
    let ours = NOTES
        .replace(
            "Akkoord met de nota.",
            "Akkoord met de nota, met wijzigingen.",
        )
        .replace(
            "[[agreements]]",
            "[[decisions]]\nid = \"d-3\"\ntext = \"Nieuw besluit EZK.\"\n\n[[agreements]]",
        );
    let theirs = NOTES
        .replace(
            "[[decisions]]\nid = \"d-2\"\ntext = \"Uitstel van het plan.\"\nkind = \"uitstel\"\n\n",
            "",
        )
        .replace("EZK schrijft de brief.", "EZK en BZK schrijven de brief.")
        .replace(
            "[[agreements]]",
            "[[decisions]]\nid = \"d-4\"\ntext = \"Nieuw besluit BZK.\"\n\n[[agreements]]",
        );
    let m = merge(Some(NOTES), Some(&ours), Some(&theirs));
    assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    let text = m.text.expect("text");
    assert!(text.contains("# besluiten\n[[decisions]]"), "{text}");
    let t = table(&text);
    let ids: Vec<&str> = t["decisions"]
        .as_array()
        .expect("arr")
        .iter()
        .map(|d| d["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec!["d-1", "d-4", "d-3"]);
    assert_eq!(
        t["decisions"][0]["text"].as_str(),
        Some("Akkoord met de nota, met wijzigingen.")
    );
    assert_eq!(
        t["agreements"][0]["text"].as_str(),
        Some("EZK en BZK schrijven de brief.")
    );
    // symmetric
    let m2 = merge(Some(NOTES), Some(&theirs), Some(&ours));
    assert_eq!(t, table(m2.text.as_deref().expect("t")));
}

#[test]
fn entry_deleted_and_edited_keeps_the_edit_and_asks() {
    let ours = NOTES.replace("Uitstel van het plan.", "Uitstel tot mei.");
    let theirs = NOTES.replace(
        "[[decisions]]\nid = \"d-2\"\ntext = \"Uitstel van het plan.\"\nkind = \"uitstel\"\n\n",
        "",
    );
    for (o, t, by) in [(&ours, &theirs, Side::Theirs), (&theirs, &ours, Side::Ours)] {
        let m = merge(Some(NOTES), Some(o), Some(t));
        assert_eq!(conflicts_of(&m), vec!["decisions[d-2]"]);
        assert_eq!(m.conflicts[0].kind, ConflictKind::EntryDeleted { by });
        let text = m.text.clone().expect("text");
        assert!(text.contains("Uitstel tot mei."), "{text}");
        // taking the deleting side removes the entry
        let take = if by == Side::Theirs {
            Take::Theirs
        } else {
            Take::Ours
        };
        let r = resolve(
            Some(Kind::Notes),
            Some(&text),
            Some(o),
            Some(t),
            &m.conflicts[0].field,
            &take,
        )
        .expect("resolve")
        .expect("text");
        assert!(!r.contains("d-2"), "{r}");
    }
}

#[test]
fn record_deleted_and_edited_keeps_the_edit_and_asks() {
    let ours = BASE.replace("status = \"open\"", "status = \"gereed\"");
    let m = merge(Some(BASE), Some(&ours), None);
    assert_eq!(conflicts_of(&m), vec!["*"]);
    assert_eq!(
        m.conflicts[0].kind,
        ConflictKind::RecordDeleted { by: Side::Theirs }
    );
    assert_eq!(m.text.as_deref(), Some(ours.as_str()));
    let m = merge(Some(BASE), None, Some(&ours));
    assert_eq!(m.text.as_deref(), Some(ours.as_str()));
    // deleted on one side, untouched on the other: deleted
    assert_eq!(merge(Some(BASE), None, Some(BASE)).text, None);
    assert!(merge(Some(BASE), Some(BASE), None).conflicts.is_empty());
}

#[test]
fn both_created_and_unreadable() {
    let a = "id = \"a-9\"\ntitle = \"x\"\n";
    let b = "id = \"a-9\"\ntitle = \"y\"\nstatus = \"open\"\n";
    let m = merge(None, Some(a), Some(b));
    assert_eq!(conflicts_of(&m), vec!["title"]);
    assert!(m.text.expect("t").contains("status = \"open\""));
    let bad = "<<<<<<< HEAD\nid = 1\n=======\nid = 2\n>>>>>>> x\n";
    let m = merge(
        Some(BASE),
        Some(BASE.replace("open", "gereed").as_str()),
        Some(bad),
    );
    assert_eq!(m.conflicts[0].kind, ConflictKind::Unreadable);
    assert!(!m.text.expect("t").contains("<<<<<<<"));
}

#[test]
fn new_table_from_theirs_lands_in_a_sane_place() {
    let base = "id = \"i-1\"\ntitle = \"T\"\n\n[[presenters]]\nid = \"pr-1\"\nwho = \"EZK\"\n";
    let ours = "id = \"i-1\"\ntitle = \"T2\"\n\n[[presenters]]\nid = \"pr-1\"\nwho = \"EZK\"\n";
    let theirs = "id = \"i-1\"\ntitle = \"T\"\n\n[[presenters]]\nid = \"pr-1\"\nwho = \"EZK\"\n\n[annotation]\nadvies = \"\"\"\nJa.\n\"\"\"\n";
    let m = merge(Some(base), Some(ours), Some(theirs));
    assert!(m.conflicts.is_empty());
    let t = m.text.expect("t");
    assert_eq!(
        t,
        "id = \"i-1\"\ntitle = \"T2\"\n\n[[presenters]]\nid = \"pr-1\"\nwho = \"EZK\"\n\n[annotation]\nadvies = \"\"\"\nJa.\n\"\"\"\n"
    );
}

#[test]
fn paths_round_trip() {
    for s in [
        "status",
        "annotation.advies",
        "decisions[d-1].text",
        "decisions[d-1]",
        "*",
    ] {
        assert_eq!(path_display(&path_parse(s).expect("parse")), s);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    struct Rec {
        fields: BTreeMap<String, String>,
        desc: Vec<String>,
        contrib: Vec<String>,
        entries: Vec<(String, String, Option<String>)>,
    }

    const KEYS: [&str; 5] = ["title", "owner", "status", "due", "status_note"];
    const VALS: [&str; 4] = ["a", "b", "c", "d"];
    const LINES: [&str; 6] = ["een", "twee", "drie", "vier", "vijf", "zes"];
    const ORGS: [&str; 4] = ["EZK", "BZK", "JenV", "OCW"];

    fn render(r: &Rec) -> String {
        let mut s = String::from("# record\nid = \"a-1\"\n");
        for (k, v) in &r.fields {
            s.push_str(&format!("{k} = \"{v}\"\n"));
        }
        if !r.desc.is_empty() {
            s.push_str("description = \"\"\"\n");
            for l in &r.desc {
                s.push_str(l);
                s.push('\n');
            }
            s.push_str("\"\"\"\n");
        }
        let c: Vec<String> = r.contrib.iter().map(|c| format!("\"{c}\"")).collect();
        s.push_str(&format!("contributors = [{}]\n", c.join(", ")));
        for (id, text, kind) in &r.entries {
            s.push_str(&format!(
                "\n[[decisions]]\nid = \"{id}\"\ntext = \"{text}\"\n"
            ));
            if let Some(k) = kind {
                s.push_str(&format!("kind = \"{k}\" # soort\n"));
            }
        }
        s
    }

    #[derive(Clone, Debug)]
    enum Op {
        Set(usize, usize),
        Unset(usize),
        LineIns(usize, usize),
        LineDel(usize),
        LineSet(usize, usize),
        Contrib(usize),
        EntryAdd(usize, usize),
        EntryDel(usize),
        EntryText(usize, usize),
        EntryKind(usize, Option<usize>),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..5usize, 0..4usize).prop_map(|(a, b)| Op::Set(a, b)),
            (0..5usize).prop_map(Op::Unset),
            (0..8usize, 0..6usize).prop_map(|(a, b)| Op::LineIns(a, b)),
            (0..8usize).prop_map(Op::LineDel),
            (0..8usize, 0..6usize).prop_map(|(a, b)| Op::LineSet(a, b)),
            (0..4usize).prop_map(Op::Contrib),
            (0..10usize, 0..4usize).prop_map(|(a, b)| Op::EntryAdd(a, b)),
            (0..8usize).prop_map(Op::EntryDel),
            (0..8usize, 0..4usize).prop_map(|(a, b)| Op::EntryText(a, b)),
            (0..8usize, proptest::option::of(0..4usize)).prop_map(|(a, b)| Op::EntryKind(a, b)),
        ]
    }

    fn apply(r: &Rec, ops: &[Op]) -> Rec {
        let mut r = r.clone();
        for o in ops {
            match *o {
                Op::Set(k, v) => {
                    r.fields.insert(KEYS[k].into(), VALS[v].into());
                }
                Op::Unset(k) => {
                    r.fields.remove(KEYS[k]);
                }
                Op::LineIns(i, l) => {
                    let i = i % (r.desc.len() + 1);
                    r.desc.insert(i, LINES[l].into());
                }
                Op::LineDel(i) if !r.desc.is_empty() => {
                    let i = i % r.desc.len();
                    r.desc.remove(i);
                }
                Op::LineSet(i, l) if !r.desc.is_empty() => {
                    let i = i % r.desc.len();
                    r.desc[i] = LINES[l].into();
                }
                Op::Contrib(c) => {
                    let c = ORGS[c].to_string();
                    if let Some(p) = r.contrib.iter().position(|x| *x == c) {
                        r.contrib.remove(p);
                    } else {
                        r.contrib.push(c);
                    }
                }
                Op::EntryAdd(id, t) => {
                    let id = format!("d-{id}");
                    if !r.entries.iter().any(|e| e.0 == id) {
                        r.entries.push((id, VALS[t].into(), None));
                    }
                }
                Op::EntryDel(i) if !r.entries.is_empty() => {
                    let i = i % r.entries.len();
                    r.entries.remove(i);
                }
                Op::EntryText(i, t) if !r.entries.is_empty() => {
                    let i = i % r.entries.len();
                    r.entries[i].1 = VALS[t].into();
                }
                Op::EntryKind(i, k) if !r.entries.is_empty() => {
                    let i = i % r.entries.len();
                    r.entries[i].2 = k.map(|k| VALS[k].to_string());
                }
                _ => {}
            }
        }
        r
    }

    fn rec() -> impl Strategy<Value = Rec> {
        (
            proptest::collection::btree_map(0..5usize, 0..4usize, 0..5),
            proptest::collection::vec(0..6usize, 0..6),
            proptest::collection::btree_set(0..4usize, 0..3),
            proptest::collection::btree_map(
                0..6usize,
                (0..4usize, proptest::option::of(0..4usize)),
                0..4,
            ),
        )
            .prop_map(|(f, d, c, e)| Rec {
                fields: f
                    .into_iter()
                    .map(|(k, v)| (KEYS[k].to_string(), VALS[v].to_string()))
                    .collect(),
                desc: d.into_iter().map(|l| LINES[l].to_string()).collect(),
                contrib: c.into_iter().map(|c| ORGS[c].to_string()).collect(),
                entries: e
                    .into_iter()
                    .map(|(id, (t, k))| {
                        (
                            format!("d-{id}"),
                            VALS[t].to_string(),
                            k.map(|k| VALS[k].to_string()),
                        )
                    })
                    .collect(),
            })
    }

    fn case() -> impl Strategy<Value = (String, String, String)> {
        (
            rec(),
            proptest::collection::vec(op(), 0..6),
            proptest::collection::vec(op(), 0..6),
        )
            .prop_map(|(b, x, y)| (render(&b), render(&apply(&b, &x)), render(&apply(&b, &y))))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

        #[test]
        fn identity_laws((b, x, _y) in case()) {
            prop_assert_eq!(merge(Some(&b), Some(&x), Some(&b)).text, Some(x.clone()));
            prop_assert_eq!(merge(Some(&b), Some(&b), Some(&x)).text, Some(x.clone()));
            prop_assert_eq!(merge(Some(&b), Some(&x), Some(&x)).text, Some(x.clone()));
            prop_assert!(merge(Some(&b), Some(&x), Some(&b)).conflicts.is_empty());
        }

        #[test]
        fn symmetric_and_faithful((b, x, y) in case()) {
            let m1 = merge(Some(&b), Some(&x), Some(&y));
            let m2 = merge(Some(&b), Some(&y), Some(&x));
            prop_assert_eq!(m1.conflicts.len(), m2.conflicts.len());
            let t1 = table(m1.text.as_deref().expect("text"));
            let t2 = table(m2.text.as_deref().expect("text"));
            if m1.conflicts.is_empty() {
                prop_assert_eq!(&t1, &t2);
            }
            // every top-level field changed on one side only has that side's value
            let (tb, tx, ty) = (table(&b), table(&x), table(&y));
            let conflicted: Vec<String> = m1.conflicts.iter().map(|c| c.field_name()).collect();
            for k in KEYS {
                if conflicted.iter().any(|c| c == k) { continue; }
                let (vb, vx, vy, vm) = (tb.get(k), tx.get(k), ty.get(k), t1.get(k));
                if vx == vb { prop_assert_eq!(vm, vy, "field {}", k); }
                else if vy == vb { prop_assert_eq!(vm, vx, "field {}", k); }
                else { prop_assert_eq!(vx, vy); prop_assert_eq!(vm, vx); }
            }
            // resolving every conflict with theirs gives theirs' values at those fields
            let mut text = m1.text.clone();
            for c in &m1.conflicts {
                text = resolve(Some(Kind::Action), text.as_deref(), Some(&x), Some(&y), &c.field, &Take::Theirs)
                    .expect("resolve");
            }
            let done = table(text.as_deref().expect("text"));
            for c in &m1.conflicts {
                if let [Seg::Key(k)] = c.field.as_slice() {
                    prop_assert_eq!(done.get(k), ty.get(k));
                }
            }
        }
    }
}
