use super::*;
use crate::model::agenda::LoadedFile;
use crate::model::{Agenda, Record};

use super::super::rows::rows_of;

/// Every record of `agenda` as files of a full load, with `changed` put in place of theirs.
fn rebuilt(agenda: &Agenda, changed: &[Action]) -> Agenda {
    let mut files: Vec<LoadedFile> = Kind::ALL
        .into_iter()
        .flat_map(|k| agenda.ids_of(k).map(str::to_string).collect::<Vec<_>>())
        .filter_map(|id| {
            let record = match changed.iter().find(|a| a.id == id) {
                Some(a) => Record::Action(a.clone()),
                None => agenda.record(&id)?,
            };
            Some(LoadedFile {
                path: agenda.path_of(&id)?,
                text: String::new(),
                record,
            })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Agenda::build(files, Vec::new())
}

/// The action rows after saving `changed`, patched with everything on disk as the rows say.
fn patched(agenda: &Agenda, changed: &[Action], kind: Kind) -> Option<Vec<Row>> {
    let rows = rows_of(agenda, kind);
    let mut names: Vec<String> = rows_of(agenda, Kind::Action)
        .into_iter()
        .map(|r| r.path)
        .collect();
    names.sort();
    let paths: Vec<String> = changed
        .iter()
        .filter_map(|a| agenda.path_of(&a.id))
        .collect();
    after(rows, kind, &paths, &["actions"], names, |p| {
        changed
            .iter()
            .find(|a| agenda.path_of(&a.id).as_deref() == Some(p))
            .cloned()
    })
}

/// The rows after saves, read and applied as a listing does.
fn after(
    rows: Vec<Row>,
    kind: Kind,
    paths: &[String],
    folders: &[&str],
    names: Vec<String>,
    read: impl Fn(&str) -> Option<Action>,
) -> Option<Vec<Row>> {
    read_saves(kind, paths, folders, || Some(names), read)
        .and_then(|saves| rows_after_saves(rows, kind, saves))
}

fn agenda() -> Agenda {
    let a = crate::store::bundled::agenda();
    assert!(a.actions.len() > 10, "{} actions", a.actions.len());
    a
}

#[test]
fn saved_follow_ups_are_listed_as_a_full_build_would_list_them() {
    let a = agenda();
    let mut status = (*a.actions[0]).clone();
    status.status = crate::model::enums::ActionStatus::Done;
    status.status_note = "afgerond \u{1b}[31m".into();
    let mut title = (*a.actions[3]).clone();
    title.title = "Een nieuwe titel".into();
    // a due date that moves it from its place to the front, and one to the end
    let mut early = (*a.actions[5]).clone();
    early.due = "2001-01-01".into();
    let mut undated = (*a.actions[6]).clone();
    undated.due = String::new();
    // to another meeting, whose body it now lists
    let mut moved = (*a.actions[7]).clone();
    let other = a
        .actions
        .iter()
        .map(|x| x.meeting.clone())
        .find(|m| *m != moved.meeting && a.meeting(m).is_some())
        .expect("another meeting with follow-ups");
    moved.meeting = other;
    let few = vec![status, title, early, undated, moved];
    // and as many again as are put in place one by one, each due on another day
    let mut many = few.clone();
    for (n, x) in a.actions.iter().skip(8).take(ONE_BY_ONE).enumerate() {
        let mut x = (**x).clone();
        x.due = format!("2030-01-{:02}", 28 - n);
        many.push(x);
    }
    assert!(many.len() > ONE_BY_ONE, "{} actions", a.actions.len());
    for changed in [few, many] {
        let expected = rows_of(&rebuilt(&a, &changed), Kind::Action);
        let got = patched(&a, &changed, Kind::Action).expect("patched");
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e);
        }
        // and the change shows
        assert!(got.iter().any(|r| r.json.contains("Een nieuwe titel")));
        assert_ne!(got, rows_of(&a, Kind::Action));
    }
}

#[test]
fn no_other_listing_changes_with_a_follow_up() {
    let a = agenda();
    let mut x = (*a.actions[0]).clone();
    x.title = "Anders".into();
    for kind in [Kind::Meeting, Kind::Item, Kind::Notes, Kind::Person] {
        let expected = rows_of(&rebuilt(&a, std::slice::from_ref(&x)), kind);
        assert_eq!(
            patched(&a, std::slice::from_ref(&x), kind).as_deref(),
            Some(expected.as_slice()),
            "{kind:?}"
        );
    }
}

#[test]
fn what_only_the_agenda_can_tell_is_left_to_it() {
    let a = agenda();
    let base = (*a.actions[2]).clone();
    let cases: Vec<(&str, Action)> = vec![
        ("a new reference (it may now be shared)", {
            let mut x = base.clone();
            x.reference = "BNLD-999".into();
            x
        }),
        ("a meeting no row names", {
            let mut x = base.clone();
            x.meeting = "nergens".into();
            x
        }),
        ("another id in the file", {
            let mut x = base.clone();
            x.id = "een-ander-id".into();
            x
        }),
    ];
    for (what, x) in cases {
        let path = a.path_of(&base.id).expect("path");
        let rows = rows_of(&a, Kind::Action);
        let names = {
            let mut n: Vec<String> = rows.iter().map(|r| r.path.clone()).collect();
            n.sort();
            n
        };
        let got = after(
            rows,
            Kind::Action,
            std::slice::from_ref(&path),
            &["actions"],
            names,
            |_| Some(x.clone()),
        );
        assert!(got.is_none(), "{what}");
    }
    let path = a.path_of(&base.id).expect("path");
    let run = |paths: &[String], folders: &[&str], names: Vec<String>, readable: bool| {
        after(
            rows_of(&a, Kind::Action),
            Kind::Action,
            paths,
            folders,
            names,
            |_| readable.then(|| base.clone()),
        )
    };
    let mut names: Vec<String> = rows_of(&a, Kind::Action)
        .into_iter()
        .map(|r| r.path)
        .collect();
    names.sort();
    assert!(
        run(
            std::slice::from_ref(&path),
            &["actions"],
            names.clone(),
            true
        )
        .is_some()
    );
    assert!(
        run(
            std::slice::from_ref(&path),
            &["actions"],
            names.clone(),
            false
        )
        .is_none(),
        "a file that no longer reads cleanly"
    );
    assert!(
        run(
            std::slice::from_ref(&path),
            &["actions", "items"],
            names.clone(),
            true
        )
        .is_none(),
        "a folder the saves did not write changed"
    );
    let meeting = a.path_of(&a.meetings[0].id).expect("meeting");
    assert!(
        run(&[meeting], &["meetings"], names.clone(), true).is_none(),
        "a meeting was saved"
    );
    let mut more = names.clone();
    more.push("actions/zz-van-een-ander-programma.toml".into());
    more.sort();
    assert!(
        run(std::slice::from_ref(&path), &["actions"], more, true).is_none(),
        "a file no row accounts for"
    );
}
