//! The in-place patch of an agenda gives what a rebuild from every file gives.

use proptest::prelude::*;
use toml_edit::DocumentMut;

use super::{Agenda, LoadedFile, seen};
use crate::model::Kind;
use crate::model::edit::{FieldPath, set_field};
use crate::model::parse::parse_record;
use crate::model::problem::Problem;
use crate::model::schema;

/// Every bundled record file: (path, kind, text).
fn files() -> Vec<(String, Kind, String)> {
    crate::store::bundled::FILES
        .iter()
        .filter_map(|(path, bytes)| {
            let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
            let kind = Kind::from_folder(folder)?;
            Some((
                path.to_string(),
                kind,
                String::from_utf8_lossy(bytes).into(),
            ))
        })
        .collect()
}

/// A full build, as a load from disk makes it.
fn build(files: &[(String, Kind, String)]) -> Agenda {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for (path, kind, text) in files {
        let parsed = parse_record(*kind, path, text.as_bytes());
        problems.extend(parsed.problems);
        loaded.extend(parsed.record.map(|record| LoadedFile {
            path: path.clone(),
            text: text.clone(),
            record,
        }));
    }
    Agenda::build(loaded, problems)
}

/// One field of one file edited; what `reload_changed` hands to `with_changed`.
fn edit(
    files: &mut [(String, Kind, String)],
    pick: usize,
    field: usize,
    n: usize,
    junk: &str,
) -> Option<(String, Option<LoadedFile>, Vec<Problem>)> {
    let i = pick % files.len();
    let (path, kind, text) = &mut files[i];
    let fields = schema::fields(*kind);
    let f = &fields[field % fields.len()];
    let mut doc: DocumentMut = text.parse().ok()?;
    let value = crate::model::proptests::value_for(f.ty, n, junk);
    set_field(&mut doc, *kind, &FieldPath::parse(f.name).ok()?, &value).ok()?;
    *text = doc.to_string();
    let parsed = parse_record(*kind, path, text.as_bytes());
    let file = parsed.record.map(|record| LoadedFile {
        path: path.clone(),
        text: text.clone(),
        record,
    });
    Some((path.clone(), file, parsed.problems))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever one or two field edits do, the agenda after them is the agenda a full load
    /// of the edited files gives, whether or not the patch could take them.
    #[test]
    fn a_patched_agenda_is_a_rebuilt_one(
        edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>(), "\\PC{0,12}"), 1..3)
    ) {
        let mut now = files();
        let before = build(&now);
        let mut changed = Vec::new();
        for (pick, field, n, junk) in &edits {
            if let Some(c) = edit(&mut now, *pick, *field, *n, junk) {
                changed.retain(|(p, ..): &(String, _, _)| *p != c.0);
                changed.push(c);
            }
        }
        let texts: std::collections::HashMap<String, String> =
            now.iter().map(|(p, _, t)| (p.clone(), t.clone())).collect();
        let source = |p: &str| texts.get(p).cloned();
        let expected = seen(&build(&now));
        if let Some(patched) = before.patched(&changed, &source) {
            prop_assert_eq!(&seen(&patched), &expected);
        }
        let got = before.with_changed(changed, &source).map(|a| seen(&a));
        prop_assert_eq!(got.as_ref(), Some(&expected));
    }
}

#[test]
fn a_field_edit_is_patched_in_place_and_shares_the_other_records() {
    let mut now = files();
    let before = build(&now);
    let i = now
        .iter()
        .position(|(_, k, _)| *k == Kind::Action)
        .expect("an action");
    let mut doc: DocumentMut = now[i].2.parse().expect("toml");
    let path = FieldPath::parse("status_note").expect("field");
    set_field(&mut doc, Kind::Action, &path, "owner = \"nobody\"").expect("edit");
    now[i].2 = doc.to_string();
    let parsed = parse_record(Kind::Action, &now[i].0, now[i].2.as_bytes());
    let file = parsed.record.map(|record| LoadedFile {
        path: now[i].0.clone(),
        text: now[i].2.clone(),
        record,
    });
    let changed = vec![(now[i].0.clone(), file, parsed.problems)];
    let patched = before
        .patched(&changed, &|_| None)
        .expect("a field edit is patched");
    assert_eq!(seen(&patched), seen(&build(&now)));
    let shared = patched
        .actions
        .iter()
        .zip(&before.actions)
        .filter(|(x, y)| std::sync::Arc::ptr_eq(x, y))
        .count();
    assert_eq!(
        shared,
        before.actions.len() - 1,
        "only the edited record is new"
    );
    // a changed reference moves what refers to it: not a patch
    let mut doc: DocumentMut = now[i].2.parse().expect("toml");
    set_field(
        &mut doc,
        Kind::Action,
        &FieldPath::parse("ref").expect("f"),
        "2099-01-A1",
    )
    .expect("edit");
    let record = parse_record(Kind::Action, &now[i].0, doc.to_string().as_bytes()).record;
    let file = record.map(|record| LoadedFile {
        path: now[i].0.clone(),
        text: doc.to_string(),
        record,
    });
    assert!(
        before
            .patched(&[(now[i].0.clone(), file, Vec::new())], &|_| None)
            .is_none()
    );
}
