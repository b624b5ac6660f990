//! Key sequences against state, without a terminal and without git: the effects `update`
//! asks for are checked, not run.

use crate::model::agenda::LoadedFile;
use crate::model::parse::parse_record;
use crate::model::{Agenda, Date, Kind};

use super::action::{Action, Effect, Job, Op};
use super::i18n::Lang;
use super::keys::Keymap;
use super::state::{Overlay, Screen, State, StatusFilter};
use super::testing::{apply, press};
use super::theme::Theme;

/// The bundled example, parsed in memory.
fn agenda() -> Agenda {
    let mut files = Vec::new();
    for (path, bytes) in crate::store::bundled::FILES {
        let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
        let Some(kind) = Kind::from_folder(folder) else {
            continue;
        };
        if let Some(record) = parse_record(kind, path, bytes).record {
            files.push(LoadedFile {
                path: path.to_string(),
                text: String::from_utf8_lossy(bytes).into(),
                record,
            });
        }
    }
    Agenda::build(files, Vec::new())
}

fn state() -> State {
    let mut s = State::new(
        Lang::Nl,
        Theme::default_dark(),
        Keymap::default(),
        Date::new(2021, 1, 20).expect("date"),
    );
    s.dept = "EZK".into();
    apply(
        &mut s,
        None,
        Action::Loaded {
            agenda: Box::new(agenda()),
            unshared: Some(0),
        },
    );
    s
}

fn saves(effects: &[Effect]) -> Vec<Op> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Run(_, Job::Save(op)) => Some(op.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn tabs_open_and_back() {
    let mut s = state();
    assert!(
        !s.agenda.actions.is_empty(),
        "the bundled example is embedded"
    );
    press(&mut s, None, "3 enter");
    assert!(matches!(s.view().screen, Screen::Agenda(_)));
    press(&mut s, None, "enter");
    assert!(matches!(s.view().screen, Screen::Item(_)));
    press(&mut s, None, "esc esc");
    assert_eq!(s.view().screen, Screen::Meetings);
    press(&mut s, None, "esc");
    assert_eq!(s.stack.len(), 1, "the first screen stays");
}

#[test]
fn filters_cycle_and_done_asks_for_one_change() {
    let mut s = state();
    press(&mut s, None, "2");
    let active = super::rows::actions(&s).len();
    press(&mut s, None, "f");
    assert_eq!(s.filter.status, StatusFilter::All);
    assert!(super::rows::actions(&s).len() > active);
    press(&mut s, None, "f m o");
    assert!(super::rows::actions(&s).iter().all(|a| s.is_mine(&a.owner)));
    press(&mut s, None, "f f f f f f");
    assert_eq!(s.filter.status, StatusFilter::Active);
    let first = super::rows::actions(&s)[0].id.clone();
    let ops = saves(&press(&mut s, None, "g d"));
    assert_eq!(
        ops,
        vec![Op::Set {
            id: first,
            fields: vec![("status".into(), "gereed".into())]
        }]
    );
    assert_eq!(
        s.pending.len(),
        1,
        "shown as saving until the worker answers"
    );
}

#[test]
fn marked_rows_become_one_multi_change() {
    let mut s = state();
    let ops = saves(&press(&mut s, None, "2 space space r \"BZK\" enter"));
    match &ops[..] {
        [Op::Multi { sets, .. }] => {
            assert_eq!(sets.len(), 2);
            assert!(
                sets.iter()
                    .all(|(_, f)| f == &vec![("owner".to_string(), "BZK".to_string())])
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn search_types_filters_and_jumps() {
    let mut s = state();
    press(&mut s, None, "/ \"type:action status:gereed\"");
    assert!(!s.search.hits.is_empty());
    assert!(
        s.search
            .hits
            .iter()
            .all(|h| s.index[h.entry].kind == Kind::Action && s.index[h.entry].status == "gereed")
    );
    press(&mut s, None, "enter");
    assert_eq!(s.view().screen, Screen::Actions);
    let sel = super::rows::actions(&s)[s.view().sel[0]].status;
    assert_eq!(sel.as_str(), "gereed", "filters opened up to show it");
}

#[test]
fn help_and_palette_come_from_the_keymap() {
    let mut s = state();
    press(&mut s, None, "2 ?");
    assert!(matches!(s.overlays.last(), Some(Overlay::Help)));
    press(&mut s, None, "esc :");
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!("no palette")
    };
    assert!(p.choices.iter().any(|(n, _)| n == "set_status"));
    // Choosing by name runs the command: here the status pick list opens.
    press(&mut s, None, "\"set_status\" enter");
    assert!(matches!(s.overlays.last(), Some(Overlay::Picker(_))));
}

#[test]
fn forms_check_fields_and_do_not_save_when_wrong() {
    let mut s = state();
    let effects = press(
        &mut s,
        None,
        "2 n \"Iets\" tab end ctrl-j \"NIETBESTAAND\" ctrl-s",
    );
    assert!(saves(&effects).is_empty());
    let Some(Overlay::Form(f)) = s.overlays.last() else {
        panic!("form closed")
    };
    assert!(f.fields[1].error.is_some());
    let effects = press(
        &mut s,
        None,
        "end ctrl-j \"EZK/DE\" tab tab \"medio april\" ctrl-s",
    );
    match &saves(&effects)[..] {
        [
            Op::Create {
                kind: Kind::Action,
                fields,
            },
        ] => {
            assert!(
                fields.contains(&("due".into(), "medio april 2021".into())),
                "{fields:?}"
            );
            assert!(fields.contains(&("owner".into(), "EZK/DE".into())));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn undo_needs_an_own_change_and_confirmation() {
    let mut s = state();
    press(&mut s, None, "u");
    assert!(s.overlays.is_empty());
    s.last_own = Some(("abc".into(), "EZK: actie x".into()));
    assert!(saves(&press(&mut s, None, "u n")).is_empty());
    assert_eq!(
        saves(&press(&mut s, None, "u y")),
        vec![Op::Undo {
            commit: "abc".into()
        }]
    );
}
