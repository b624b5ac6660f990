//! Key sequences against state, without a terminal and without git: the effects `update`
//! asks for are checked, not run.

use crate::model::{Agenda, Date, Kind};

use super::action::{Action, Effect, Job, Op, ResolvedOutcome, SyncFailure, SyncSnapshot};
use super::i18n::Lang;
use super::keys::Keymap;
use super::state::Level;
use super::state::{Overlay, Screen, State, StatusFilter};
use super::testing::{apply, press};
use super::theme::Theme;
use crate::sync::SyncStatus;
use crate::sync::conflicts::{ChangedBy, FieldConflict};

/// The bundled example, parsed in memory.
fn agenda() -> Agenda {
    crate::store::bundled::agenda()
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
            agenda: crate::tui::state::Loaded::new(agenda()),
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
    let first = super::rows::actions(&s)
        .get(0)
        .expect("a follow-up")
        .id
        .clone();
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
    assert!(s.search.hits.iter().all(|h| {
        s.index.get(h.entry).is_some_and(|e| e.kind == Kind::Action)
            && s.index.status_of(h.entry) == "gereed"
    }));
    press(&mut s, None, "enter");
    assert_eq!(s.view().screen, Screen::Actions);
    let sel = super::rows::actions(&s)
        .get(s.view().sel[0])
        .expect("the selected follow-up")
        .status;
    assert_eq!(sel.as_str(), "gereed", "filters opened up to show it");
}

/// With a search thread attached, typing only sends queries; answers arrive as actions and
/// only the newest is shown; keys for the results wait for it.
#[test]
fn search_on_a_thread_shows_only_the_newest_answer() {
    let mut s = state();
    let (link, requests, _) = super::search_worker::channel_pair();
    s.search.thread = Some(link);
    press(&mut s, None, "/ \"type:action status:gereed\"");
    assert!(s.search.pending);
    let sent: Vec<_> = requests.try_iter().collect();
    let (old, new) = (&sent[sent.len() - 2], &sent[sent.len() - 1]);
    assert_eq!(new.query, "type:action status:gereed");
    // Enter before the answer: held, not run on the stale (empty-query) hits.
    press(&mut s, None, "enter");
    assert_eq!(s.view().screen, Screen::Search);
    let answer = |r: &super::search_worker::Request| Action::Searched {
        generation: r.generation,
        results: r.index.search(&r.query),
    };
    // A late answer to an older query is dropped.
    apply(&mut s, None, answer(old));
    assert!(s.search.pending);
    assert_eq!(s.view().screen, Screen::Search);
    apply(&mut s, None, answer(new));
    assert!(!s.search.pending);
    assert!(s.search.hits.iter().all(|h| {
        s.index.get(h.entry).is_some_and(|e| e.kind == Kind::Action)
            && s.index.status_of(h.entry) == "gereed"
    }));
    assert_eq!(s.search.total, s.search.hits.len());
    assert_eq!(
        s.view().screen,
        Screen::Actions,
        "the held Enter ran on the answer"
    );
    // A reload: until the new answer, the hits keep numbering into the index they came from.
    let shown = s.search.index.clone();
    let reloaded = crate::tui::state::Loaded::new(agenda());
    apply(
        &mut s,
        None,
        Action::Loaded {
            agenda: reloaded,
            unshared: Some(0),
        },
    );
    assert!(s.search.pending);
    assert!(std::sync::Arc::ptr_eq(&s.search.index, &shown));
    let again = requests.try_iter().last().expect("asked again");
    apply(&mut s, None, answer(&again));
    assert!(std::sync::Arc::ptr_eq(&s.search.index, &s.index));
}

/// The thread itself: every request answered or superseded, the last one always answered.
#[test]
fn the_search_thread_answers_the_newest_request() {
    let s = state();
    let (tx, rx) = std::sync::mpsc::channel();
    let (link, handle) = super::search_worker::spawn(tx).expect("thread");
    for (n, q) in ["f", "fi", "fin", "fina"].iter().enumerate() {
        assert!(link.send(super::search_worker::Request {
            generation: n as u64 + 1,
            query: q.to_string(),
            index: s.index.clone(),
        }));
    }
    let last = loop {
        match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(Action::Searched {
                generation: 4,
                results,
            }) => break results,
            Ok(_) => {}
            Err(e) => panic!("no answer to the newest request: {e}"),
        }
    };
    assert_eq!(last, s.index.search("fina"));
    drop(link);
    handle.join().expect("thread ends when the link is dropped");
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
    // A new record asks first; No returns to the form with everything typed.
    let effects = press(
        &mut s,
        None,
        "end ctrl-j \"EZK/DE\" tab tab \"medio april\" ctrl-s",
    );
    assert!(saves(&effects).is_empty());
    assert!(
        matches!(s.overlays.last(), Some(Overlay::Confirm { text, .. }) if text.contains("Iets"))
    );
    press(&mut s, None, "n");
    assert!(matches!(s.overlays.last(), Some(Overlay::Form(_))));
    let effects = press(&mut s, None, "ctrl-s y");
    assert!(s.overlays.is_empty(), "the form closes with the yes");
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

fn conflict(field: &str, kind: crate::sync::merge::ConflictKind) -> FieldConflict {
    let by = |dept: &str| ChangedBy {
        department: dept.into(),
        author: format!("Secretariaat {dept}"),
        email: String::new(),
        time: 1_611_136_800,
        commit: "c0ffee".into(),
    };
    FieldConflict {
        path: "actions/a-1.toml".into(),
        id: "a-1".into(),
        kind: Some("action".into()),
        field: field.into(),
        conflict: kind,
        base: Some("open".into()),
        ours: Some("gereed".into()),
        theirs: Some("vervallen".into()),
        ours_by: Some(by("EZK")),
        theirs_by: Some(by("BZK")),
        resolved: None,
    }
}

fn snapshot(conflicts: Vec<FieldConflict>, ahead: usize, behind: usize) -> Box<SyncSnapshot> {
    Box::new(SyncSnapshot {
        status: Some(SyncStatus {
            ahead,
            behind,
            open_conflicts: conflicts.len(),
            ..SyncStatus::default()
        }),
        conflicts,
        offset_minutes: 60,
    })
}

fn jobs(effects: &[Effect]) -> Vec<Job> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Run(_, j) => Some(j.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn sync_runs_on_the_worker_with_progress_and_plain_errors() {
    let mut s = state();
    apply(&mut s, None, Action::SyncState(snapshot(Vec::new(), 3, 2)));
    let line = super::testing::render(&mut s, 100, 24);
    let status = line.lines().last().unwrap_or("");
    assert!(
        status.contains("3 wijzigingen nog niet gedeeld") && status.contains("2 binnen te halen"),
        "{status}"
    );
    assert!(status.contains("nog nooit gesynchroniseerd"), "{status}");
    // S starts one sync; a second S while it runs does not start another.
    let effects = press(&mut s, None, "S");
    assert_eq!(jobs(&effects), vec![Job::Sync]);
    let job = s.syncing.as_ref().map(|(j, _)| *j).expect("syncing");
    assert!(jobs(&press(&mut s, None, "S")).is_empty());
    apply(
        &mut s,
        None,
        Action::SyncProgress {
            job,
            event: crate::sync::Event::Fetch {
                received_objects: 12,
                total_objects: 40,
                indexed_deltas: 0,
                total_deltas: 0,
                received_bytes: 0,
            },
        },
    );
    let screen = super::testing::render(&mut s, 80, 24);
    assert!(screen.contains("ophalen… 12/40 objecten"), "{screen}");
    // The UI keeps working meanwhile.
    press(&mut s, None, "2 j");
    assert_eq!(s.view().screen, Screen::Actions);
    apply(
        &mut s,
        None,
        Action::SyncProgress {
            job,
            event: crate::sync::Event::Retrying(1),
        },
    );
    assert!(super::testing::render(&mut s, 80, 24).contains("opnieuw ophalen, poging 1"));
    let agenda = crate::tui::state::Loaded::of(&s.agenda);
    let effects = apply(
        &mut s,
        None,
        Action::Synced {
            job,
            outcome: Err(SyncFailure::Unreachable {
                url: "https://git.example.invalid/overleg.git".into(),
                detail: "connection refused".into(),
            }),
            agenda,
            unshared: Some(3),
            snapshot: snapshot(Vec::new(), 3, 0),
        },
    );
    assert!(effects.is_empty());
    assert!(s.syncing.is_none());
    let Some((Level::Error, m)) = &s.message else {
        panic!("{:?}", s.message)
    };
    assert!(
        m.contains("niet bereikbaar") && m.contains("bewaard"),
        "{m}"
    );
    s.lang = Lang::En;
    s.info(
        Level::Error,
        super::syncing::failure_text(
            Lang::En,
            &SyncFailure::Auth {
                url: "https://x.invalid".into(),
                detail: "401".into(),
            },
        ),
    );
    assert!(matches!(&s.message, Some((_, m)) if m.contains("authentication failed")));
    // A sync that worked says what it did, and the palette knows the command.
    s.lang = Lang::Nl;
    let (job, agenda) = (
        press(&mut s, None, "S"),
        crate::tui::state::Loaded::of(&s.agenda),
    );
    let Some(Effect::Run(job, _)) = job.first().cloned() else {
        panic!("no job")
    };
    apply(
        &mut s,
        None,
        Action::Synced {
            job,
            outcome: Ok(crate::sync::SyncReport {
                incoming: 4,
                pushed: true,
                ..Default::default()
            }),
            agenda,
            unshared: Some(0),
            snapshot: snapshot(Vec::new(), 0, 0),
        },
    );
    assert!(
        matches!(&s.message, Some((Level::Ok, m)) if m.contains("4 bestanden binnengehaald, gedeeld")),
        "{:?}",
        s.message
    );
    let effects = press(&mut s, None, ": \"sync\" enter");
    assert_eq!(jobs(&effects), vec![Job::Sync]);
}

#[test]
fn conflicts_are_chosen_with_keys_and_the_merge_completes() {
    use crate::sync::merge::{ConflictKind, Take};
    let mut s = state();
    let list = vec![
        conflict("status", ConflictKind::Value),
        conflict("description", ConflictKind::Text),
        conflict("*", ConflictKind::Unreadable),
    ];
    apply(&mut s, None, Action::SyncState(snapshot(list, 1, 1)));
    let overview = super::testing::render(&mut s, 80, 24);
    assert!(
        overview.contains("3 conflicten bij synchroniseren wachten op een keuze — druk c"),
        "{overview}"
    );
    press(&mut s, None, "c");
    assert_eq!(s.view().screen, Screen::Conflicts);
    let screen = super::testing::render(&mut s, 80, 24);
    assert!(
        screen.contains("Ons EZK") && screen.contains("Hun BZK"),
        "{screen}"
    );
    assert!(screen.contains("gereed") && screen.contains("vervallen"));
    // o and t take a side of the selected field, on the worker.
    let take = |effects: &[Effect]| match jobs(effects).as_slice() {
        [Job::Resolve { field, take, .. }] => (field.clone(), take.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        take(&press(&mut s, None, "o")),
        ("status".into(), Take::Ours)
    );
    assert_eq!(
        take(&press(&mut s, None, "j t")),
        ("description".into(), Take::Theirs)
    );
    // e edits a combination: a text starts as both versions.
    press(&mut s, None, "e");
    let Some(Overlay::Editor(e)) = s.overlays.last() else {
        panic!("no editor")
    };
    assert_eq!(e.text(), "gereed\n\nvervallen");
    let effects = press(&mut s, None, "ctrl-a \"Beide: \" ctrl-s");
    let (field, chosen) = take(&effects);
    assert_eq!(field, "description");
    assert!(matches!(chosen, Take::Value(v) if v.starts_with("Beide: gereed")));
    assert!(s.overlays.is_empty());
    // A whole-record conflict is ours or theirs only.
    press(&mut s, None, "j e");
    assert!(s.overlays.is_empty());
    assert!(matches!(&s.message, Some((_, m)) if m.contains("ons of hun")));
    // The last choice completes the merge; the screen and the overview say the next sync shares.
    let agenda = crate::tui::state::Loaded::of(&s.agenda);
    apply(
        &mut s,
        None,
        Action::Resolved {
            job: 99,
            outcome: Ok(ResolvedOutcome {
                field: "*".into(),
                remaining: 0,
                completed: true,
            }),
            agenda,
            unshared: Some(2),
            snapshot: snapshot(Vec::new(), 2, 0),
        },
    );
    assert!(s.merge_done);
    let screen = super::testing::render(&mut s, 80, 24);
    assert!(screen.contains("Alle conflicten zijn opgelost"), "{screen}");
    press(&mut s, None, "1");
    let overview = super::testing::render(&mut s, 80, 24);
    assert!(
        overview.contains("Samenvoegen voltooid — druk S"),
        "{overview}"
    );
}

#[test]
fn duplicate_asks_first() {
    let mut s = state();
    let effects = press(&mut s, None, "2 y");
    assert!(saves(&effects).is_empty());
    assert!(
        matches!(s.overlays.last(), Some(Overlay::Confirm { text, .. }) if text.starts_with("Dupliceren"))
    );
    let effects = press(&mut s, None, "y");
    assert!(matches!(
        &saves(&effects)[..],
        [Op::Create {
            kind: Kind::Action,
            ..
        }]
    ));
}
