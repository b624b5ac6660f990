//! The workbench without a terminal: key sequences against state, files and commits of a real
//! demo repository, and a snapshot of every screen at 80×24 on the bundled example.

mod common;

use std::path::Path;
use std::sync::Once;

use overleg::model::Date;
use overleg::store::Store;
use overleg::tui::action::Action;
use overleg::tui::i18n::Lang;
use overleg::tui::keys::Keymap;
use overleg::tui::state::{Screen, State};
use overleg::tui::testing::{apply, press, render};
use overleg::tui::theme::Theme;
use overleg::tui::worker::{Indexed, Runner};

static ENV: Once = Once::new();

/// Keep the developer's git configuration out, once, before any test touches git.
fn isolate() {
    ENV.call_once(|| {
        let home = std::env::temp_dir().join(format!("overleg-tui-home-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&home);
        // SAFETY: runs once, before any test thread reads the environment (every test calls
        // this first and `Once` blocks the others until it is done).
        unsafe {
            std::env::set_var("HOME", &home);
            std::env::set_var("XDG_CONFIG_HOME", home.join(".config"));
            std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
            std::env::set_var("GIT_CONFIG_GLOBAL", "/dev/null");
            std::env::remove_var("OVERLEG_DEPARTMENT");
            std::env::remove_var("GIT_AUTHOR_NAME");
            std::env::remove_var("GIT_AUTHOR_EMAIL");
        }
    });
}

struct Fixture {
    _dir: tempfile::TempDir,
    runner: Runner,
    state: State,
}

fn fixture() -> Fixture {
    isolate();
    let dir = tempfile::tempdir().expect("tempdir");
    overleg::store::setup::demo(dir.path()).expect("demo");
    let store = Store::open(&dir.path().join("ezk")).expect("open");
    let mut runner = Runner::new(store);
    let mut state = State::new(
        Lang::Nl,
        Theme::default_dark(),
        Keymap::default(),
        Date::new(2021, 1, 20).expect("date"),
    );
    state.dept = "EZK".into();
    let agenda = overleg::tui::state::Loaded::of(&runner.agenda);
    apply(
        &mut state,
        Some(&mut runner),
        Action::Loaded {
            agenda,
            unshared: Some(0),
        },
    );
    Fixture {
        _dir: dir,
        runner,
        state,
    }
}

impl Fixture {
    fn keys(&mut self, k: &str) {
        press(&mut self.state, Some(&mut self.runner), k);
    }
    fn screen(&mut self) -> String {
        render(&mut self.state, 80, 24)
    }
    fn root(&self) -> &Path {
        self.runner.store.root()
    }
    /// (author, message, changed files) of the newest commits, newest first.
    fn commits(&self, n: usize) -> Vec<(String, String, Vec<String>)> {
        let repo = git2::Repository::open(self.root()).expect("repo");
        let mut walk = repo.revwalk().expect("walk");
        walk.push_head().expect("head");
        walk.take(n)
            .map(|oid| {
                let c = repo.find_commit(oid.expect("oid")).expect("commit");
                let tree = c.tree().expect("tree");
                let parent = c.parent(0).ok().and_then(|p| p.tree().ok());
                let diff = repo
                    .diff_tree_to_tree(parent.as_ref(), Some(&tree), None)
                    .expect("diff");
                let files = diff
                    .deltas()
                    .filter_map(|d| d.new_file().path().map(|p| p.to_string_lossy().to_string()))
                    .collect();
                (
                    c.author().name().unwrap_or("").to_string(),
                    c.message().unwrap_or("").to_string(),
                    files,
                )
            })
            .collect()
    }
    fn count(&self) -> usize {
        let repo = git2::Repository::open(self.root()).expect("repo");
        let mut walk = repo.revwalk().expect("walk");
        walk.push_head().expect("head");
        walk.count()
    }
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).expect("read")
    }
}

/// Commit times and hashes vary: mask digits and long hex runs in screens that show them.
fn mask(s: &str) -> String {
    s.lines()
        .map(|l| match l.find("> · ") {
            Some(i) => format!("{}> · <commit>", &l[..i]),
            None => l
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn snapshots_of_every_screen() {
    let mut f = fixture();
    insta::assert_snapshot!("overview", f.screen());
    f.keys("2");
    insta::assert_snapshot!("actions", f.screen());
    f.keys("?");
    insta::assert_snapshot!("help_actions", f.screen());
    f.keys("esc 3");
    insta::assert_snapshot!("meetings", f.screen());
    f.keys("1 j enter");
    insta::assert_snapshot!("agenda", f.screen());
    f.keys("j j enter");
    insta::assert_snapshot!("item", f.screen());
    f.keys("j enter");
    insta::assert_snapshot!("item_section", f.screen());
    f.keys("esc esc v j");
    insta::assert_snapshot!("notes", f.screen());
    f.keys("n");
    insta::assert_snapshot!("form_new_follow_up", f.screen());
    f.keys("esc / \"financien\"");
    insta::assert_snapshot!("search", f.screen());
    f.keys("esc 2 d");
    f.keys("1 2 g H");
    insta::assert_snapshot!("history", mask(&f.screen()));
}

#[test]
fn small_terminals_never_panic() {
    let mut f = fixture();
    for keys in [
        "1",
        "2",
        "3",
        "3 enter",
        "3 enter enter",
        "3 enter v",
        "/ \"data\"",
        "2 ?",
        "2 n",
        "2 H",
        "c",
    ] {
        f.keys(&format!("esc esc esc {keys}"));
        for (w, h) in [
            (40, 12),
            (1, 1),
            (10, 3),
            (20, 5),
            (41, 13),
            (80, 24),
            (200, 60),
        ] {
            let _ = render(&mut f.state, w, h);
        }
    }
}

#[test]
fn status_change_for_a_selection_is_one_commit() {
    let mut f = fixture();
    let before = f.count();
    f.keys("2 space space s \"gereed\" enter");
    assert_eq!(f.count(), before + 1, "{:?}", f.state.message);
    let (author, msg, files) = f.commits(1).remove(0);
    assert_eq!(author, "Secretariaat EZK (demo)");
    assert!(
        msg.starts_with("EZK: ") && msg.contains("Overleg-Department: EZK"),
        "{msg}"
    );
    assert_eq!(files.len(), 2);
    for p in files {
        assert!(f.read(&p).contains("status = \"gereed\""), "{p}");
    }
    assert!(f.state.marked.is_empty());
}

#[test]
fn postpone_with_a_note_and_undo_it() {
    let mut f = fixture();
    f.keys("2");
    let id = overleg::tui::rows::actions(&f.state)
        .get(0)
        .expect("a follow-up")
        .id
        .clone();
    let path = f.state.agenda.path_of(&id).expect("path").to_string();
    let original = f.read(&path);
    f.keys("p end ctrl-j \"medio juni\" tab \"Wacht op de Kamerbrief\" ctrl-s");
    let text = f.read(&path);
    assert!(text.contains("due = \"medio juni 2021\""), "{text}");
    assert!(text.contains("Wacht op de Kamerbrief"));
    let n = f.count();
    f.keys("u y");
    assert_eq!(f.count(), n + 1);
    assert_eq!(f.read(&path), original);
    assert!(f.commits(1)[0].1.contains("ongedaan gemaakt"));
    // An undo is not itself undone by a second `u`.
    f.keys("u");
    assert_eq!(f.count(), n + 1);
}

#[test]
fn invalid_form_fields_block_saving() {
    let mut f = fixture();
    let n = f.count();
    f.keys("2 n ctrl-s");
    assert_eq!(f.count(), n, "an empty title must not save");
    assert!(matches!(
        f.state.overlays.last(),
        Some(overleg::tui::state::Overlay::Form(_))
    ));
    f.keys("\"Nieuwe actie\" tab end ctrl-j \"XYZ\" ctrl-s");
    assert_eq!(f.count(), n, "an unknown owner must not save");
    f.keys("end ctrl-j enter \"BZK\" enter tab tab \"8 februari 2021\" ctrl-s");
    assert_eq!(f.count(), n, "a new record waits for the confirmation");
    f.keys("y");
    assert_eq!(f.count(), n + 1, "{:?}", f.state.message);
    let files = &f.commits(1)[0].2;
    let text = f.read(&files[0]);
    assert!(
        text.contains("owner = \"BZK\"") && text.contains("due = \"8 februari 2021\""),
        "{text}"
    );
}

#[test]
fn notes_decision_and_follow_up_in_place() {
    let mut f = fixture();
    // DO NDS of 11 March 2021 has no notes yet: the first decision makes them.
    let m = f.state.agenda.resolve("do-nds-2021-03-11").map(|x| x.1);
    let Some(meeting) = m.or_else(|| {
        f.state
            .agenda
            .meetings
            .iter()
            .find(|m| {
                f.state.agenda.notes_of(&m.id).is_none()
                    && !f.state.agenda.items_of(&m.id).is_empty()
            })
            .map(|m| m.id.clone())
    }) else {
        panic!("no meeting without notes in the example");
    };
    assert!(f.state.agenda.notes_of(&meeting).is_none());
    f.state
        .stack
        .push(overleg::tui::state::View::new(Screen::Notes(
            meeting.clone(),
        )));
    let n = f.count();
    f.keys("b \"Ingestemd met de planning.\" ctrl-s");
    assert_eq!(f.count(), n + 1, "{:?}", f.state.message);
    let notes = f.state.agenda.notes_of(&meeting).expect("notes made");
    assert_eq!(notes.decisions.len(), 1);
    let item = f.state.agenda.items_of(&meeting)[0].id.clone();
    assert_eq!(notes.decisions[0].item, item);
    f.keys("n \"Planning rondsturen\"");
    if let Some(overleg::tui::state::Overlay::Form(form)) = f.state.overlays.last() {
        for x in &form.fields {
            eprintln!("{} = {:?} {:?}", x.name, x.value(), x.error);
        }
    }
    f.keys("ctrl-s y");
    assert_eq!(f.count(), n + 2, "{:?}", f.state.message);
    let a = f
        .state
        .agenda
        .actions
        .iter()
        .find(|a| a.title == "Planning rondsturen")
        .expect("action");
    assert_eq!(
        (a.meeting.as_str(), a.item.as_str(), a.owner.as_str()),
        (meeting.as_str(), item.as_str(), "EZK")
    );
}

#[test]
fn reorder_items_and_prepare_next_meeting() {
    let mut f = fixture();
    f.keys("1 j enter");
    let Screen::Agenda(m) = f.state.view().screen.clone() else {
        panic!("not on an agenda")
    };
    let first = f.state.agenda.items_of(&m)[0].id.clone();
    let n = f.count();
    f.keys("J");
    assert_eq!(f.count(), n + 1);
    assert_eq!(f.commits(1)[0].2.len(), 2, "both items in one commit");
    assert_eq!(f.state.agenda.items_of(&m)[1].id, first);
    f.keys("P ctrl-s");
    assert_eq!(f.count(), n + 2, "{:?}", f.state.message);
    let Screen::Agenda(new) = f.state.view().screen.clone() else {
        panic!("new agenda not shown")
    };
    assert_ne!(new, m);
    let items = f.state.agenda.items_of(&new);
    assert!(items[0].title.contains("Openstaande acties"));
    assert!(f.commits(1)[0].2.len() >= 2);
}

#[test]
fn delete_asks_first_and_search_jumps() {
    let mut f = fixture();
    let n = f.count();
    f.keys("2 D n");
    assert_eq!(f.count(), n);
    f.keys("D y");
    assert_eq!(f.count(), n + 1);
    f.keys("/ \"type:item kapitaal\" enter");
    assert!(
        matches!(f.state.view().screen, Screen::Item(_)),
        "{:?}",
        f.state.view().screen
    );
    f.keys("/ \"type:meeting beraad\" enter");
    assert!(matches!(f.state.view().screen, Screen::Agenda(_)));
}

/// A save puts its result on screen first and leaves the search index to a job of its own;
/// once that job is done, search finds what was saved.
#[test]
fn search_finds_what_was_just_saved() {
    let mut f = fixture();
    // the worker's own index, current: a save then leaves it behind by the saved records
    f.runner.run(0, overleg::tui::action::Job::Index);
    let id = f.state.agenda.actions[0].id.clone();
    let op = overleg::tui::action::Op::Set {
        id: id.clone(),
        fields: vec![("status_note".into(), "Kwartiermakersoverleg gepland".into())],
    };
    let saved = f.runner.run(1, overleg::tui::action::Job::Save(op));
    assert!(matches!(saved, Action::Saved { .. }), "the save failed");
    assert!(
        matches!(&f.runner.indexed, Indexed::Behind(ids) if ids.contains(&id)),
        "the index is to be patched for the saved record"
    );
    let effects = apply(&mut f.state, Some(&mut f.runner), saved);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            overleg::tui::action::Effect::Run(_, overleg::tui::action::Job::Index)
        )),
        "{effects:?}"
    );
    f.keys("/ \"kwartiermakersoverleg\"");
    let found: Vec<String> = f
        .state
        .search
        .hits
        .iter()
        .filter_map(|h| f.state.search.index.get(h.entry).map(|e| e.id.to_string()))
        .collect();
    assert_eq!(found, vec![id]);
    // the patched index answers as one built from scratch
    let fresh = overleg::search::Flat::of(&f.runner.agenda);
    assert!(matches!(f.runner.indexed, Indexed::Current));
    assert_eq!(f.runner.index.len(), fresh.len());
    for q in ["kwartiermakersoverleg", "status:open", "fin"] {
        assert_eq!(f.runner.index.search(q), fresh.search(q), "{q}");
    }
}

/// Times on the Conflicten screen and the status line come from the clock: pin them for the
/// snapshot.
fn freeze_times(s: &mut State) {
    let t = 1_611_136_800; // 20 January 2021 10:00 UTC
    s.sync.offset_minutes = 60;
    for c in &mut s.sync.conflicts {
        for by in [c.ours_by.as_mut(), c.theirs_by.as_mut()]
            .into_iter()
            .flatten()
        {
            by.time = t;
            by.commit = "<commit>".into();
        }
    }
    if let Some(st) = s.sync.status.as_mut() {
        st.last_attempt = st.last_attempt.map(|_| t);
        st.last_success = st.last_success.map(|_| t);
    }
}

fn server_main(dir: &Path) -> git2::Oid {
    let repo = git2::Repository::open_bare(dir.join("server.git")).expect("server");
    repo.refname_to_id("refs/heads/main").expect("main")
}

#[test]
fn same_field_conflict_is_resolved_in_the_workbench_and_pushed() {
    let mut f = fixture();
    let dir = f._dir.path().to_path_buf();
    let ezk = Store::open(&dir.join("ezk")).expect("ezk");
    let bzk = Store::open(&dir.join("bzk")).expect("bzk");
    let agenda = ezk.load();
    let id = f.state.agenda.actions[0].id.clone();
    let path = agenda.path_of(&id).expect("path").to_string();
    let set = |store: &Store, value: &str| {
        let a = store.load();
        overleg::ops::set_fields(store, &a, &id, &[("status".into(), value.into())]).expect("set");
    };
    let current = agenda
        .action(&id)
        .expect("action")
        .status
        .as_str()
        .to_string();
    let mut values = ["lopend", "geblokkeerd", "gereed", "vervallen"]
        .into_iter()
        .filter(|v| *v != current);
    let (ours, theirs) = (values.next().expect("one"), values.next().expect("two"));
    set(&ezk, ours);
    set(&bzk, theirs);
    let r = overleg::sync::sync(&bzk, &overleg::sync::SyncOptions::default(), &mut |_| {})
        .expect("bzk sync");
    assert!(r.pushed);
    let on_server = server_main(&dir);

    // S in the workbench of EZK: fetch, merge, a conflict; the Conflicten screen opens.
    f.keys("ctrl-r S");
    assert!(f.state.syncing.is_none(), "the sync has ended");
    assert_eq!(f.state.view().screen, Screen::Conflicts);
    let list = &f.state.sync.conflicts;
    assert_eq!(list.len(), 1, "{:?}", f.state.message);
    let c = &list[0];
    assert_eq!((c.id.as_str(), c.field.as_str()), (id.as_str(), "status"));
    assert_eq!(c.ours.as_deref(), Some(ours));
    assert_eq!(c.theirs.as_deref(), Some(theirs));
    assert_eq!(c.ours_by.as_ref().expect("ours").department, "EZK");
    assert_eq!(c.theirs_by.as_ref().expect("theirs").department, "BZK");
    assert_eq!(f.state.open_conflicts(), 1);
    assert_eq!(
        server_main(&dir),
        on_server,
        "nothing pushed with a conflict"
    );
    freeze_times(&mut f.state);
    insta::assert_snapshot!("conflicts", f.screen());
    for (w, h) in [(40, 12), (1, 1), (20, 5), (41, 13), (200, 60)] {
        let _ = render(&mut f.state, w, h);
    }

    // The overview cannot miss it; `c` leads back.
    f.keys("1");
    let overview = f.screen();
    assert!(
        overview.contains("conflicten bij synchroniseren"),
        "{overview}"
    );
    f.keys("c");
    assert_eq!(f.state.view().screen, Screen::Conflicts);

    // Take theirs: the merge commit is made, and the next sync pushes it.
    f.keys("t");
    assert!(f.state.merge_done, "{:?}", f.state.message);
    assert!(f.state.sync.conflicts.is_empty());
    assert!(f.read(&path).contains(&format!("status = \"{theirs}\"")));
    let repo = git2::Repository::open(f.root()).expect("repo");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    assert_eq!(head.parent_count(), 2, "a merge commit");
    assert!(head.message().unwrap_or("").contains("samengevoegd"));
    let merge = head.id();
    assert!(f.screen().contains("volgende synchronisatie"));
    f.keys("S");
    assert_eq!(server_main(&dir), merge, "{:?}", f.state.message);
    assert!(
        matches!(&f.state.message, Some((overleg::tui::state::Level::Ok, m)) if m.contains("gedeeld"))
    );
    let st = f.state.sync.status.as_ref().expect("status");
    assert_eq!((st.ahead, st.behind, st.open_conflicts), (0, 0, 0));
}

/// `docs/screens.md` is made of the snapshots above, so the captures there are real screens.
/// `OVERLEG_UPDATE_DOCS=1 cargo test --test tui_workbench screens_doc` rewrites it.
#[test]
fn screens_doc_is_made_of_the_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut doc = String::from(
        "# The workbench at 80×24\n\n\
         Text captures of the main screens on the bundled example (Dutch, default theme), taken\n\
         from the snapshot tests in `tests/tui_workbench.rs` (ratatui's `TestBackend`). Do not\n\
         edit by hand: `OVERLEG_UPDATE_DOCS=1 cargo test --test tui_workbench screens_doc`\n\
         rewrites this file from `tests/snapshots/`.\n",
    );
    for (name, title, what) in [
        (
            "overview",
            "Overzicht",
            "The start screen: next meetings with their preparation state, my department's open follow-ups; the status line shows what is not yet shared and when the last sync was",
        ),
        (
            "actions",
            "Acties",
            "The follow-ups, filtered to active work, overdue ones marked",
        ),
        (
            "agenda",
            "Agenda",
            "One meeting: items with treatment, lead, presenter and minutes, the running total against the time slot, participants",
        ),
        (
            "item",
            "Agendapunt",
            "One agenda item: the annotation sections on the left, the chosen one on the right",
        ),
        (
            "notes",
            "Verslag",
            "The notes of a meeting per item: summary, decisions, agreements, follow-ups",
        ),
        (
            "search",
            "Zoeken",
            "One box over all records; `financien` finds `financiën`",
        ),
        (
            "conflicts",
            "Conflicten",
            "After `S` ran into a field both EZK and BZK changed: ours and theirs side by side with who changed each, the common base below; `o`, `t` or `e` chooses",
        ),
    ] {
        let snap = std::fs::read_to_string(
            root.join(format!("tests/snapshots/tui_workbench__{name}.snap")),
        )
        .expect("snapshot");
        // The body follows the second `---` line of insta's header.
        let body = snap.splitn(3, "---\n").nth(2).expect("snapshot body");
        doc.push_str(&format!(
            "\n## {title}\n\n{what}.\n\n```text\n{}\n```\n",
            body.trim_end()
        ));
    }
    let path = root.join("docs/screens.md");
    if std::env::var_os("OVERLEG_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(root.join("docs")).expect("docs");
        std::fs::write(&path, &doc).expect("write");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == doc,
        "docs/screens.md is out of date with the snapshots; run with OVERLEG_UPDATE_DOCS=1"
    );
}

#[test]
fn a_sync_in_the_workbench_reads_again_only_what_came_in() {
    let mut f = fixture();
    let dir = f._dir.path().to_path_buf();
    let bzk = Store::open(&dir.join("bzk")).expect("bzk");
    // the worker's agenda and index current, as after a start
    f.keys("ctrl-r");
    assert!(matches!(f.runner.indexed, Indexed::Current));
    let before = f.runner.agenda.clone();
    let id = before.actions[1].id.clone();
    let a = bzk.load();
    overleg::ops::set_fields(
        &bzk,
        &a,
        &id,
        &[("status_note".into(), "Binnengekomen via de server".into())],
    )
    .expect("set");
    let r = overleg::sync::sync(&bzk, &overleg::sync::SyncOptions::default(), &mut |_| {})
        .expect("bzk sync");
    assert!(r.pushed);

    f.keys("S");
    assert!(f.state.syncing.is_none(), "the sync has ended");
    let after = f.runner.agenda.clone();
    assert_eq!(
        after.action(&id).map(|x| x.status_note.clone()).as_deref(),
        Some("Binnengekomen via de server")
    );
    // only the file that came in was read again: the other records are the same ones
    let other = before.actions[2].id.clone();
    assert!(
        std::sync::Arc::ptr_eq(&before.actions[2], &after.actions[2])
            && after.actions[2].id == other,
        "an unchanged record was read again"
    );
    // and the agenda and search index are what a full load and build give
    let ezk = Store::open(&dir.join("ezk")).expect("ezk");
    let full = ezk.load();
    assert_eq!(after.len(), full.len());
    assert!(matches!(f.runner.indexed, Indexed::Current));
    let fresh = overleg::search::Flat::of(&full);
    for q in ["binnengekomen", "status:open", "fin", "dept:BZK"] {
        assert_eq!(f.runner.index.search(q), fresh.search(q), "{q}");
    }
    assert!(
        std::sync::Arc::ptr_eq(&f.state.agenda, &after),
        "the workbench shows the synced agenda"
    );
}

#[test]
fn after_a_save_the_lists_come_from_the_worker_and_the_screen_computes_none() {
    let mut f = fixture();
    f.state.filter.body = Some("do-nds".into());
    let listed = |s: &State| -> Vec<String> {
        overleg::tui::rows::actions(s)
            .iter()
            .map(|a| a.id.clone())
            .collect()
    };
    let before = listed(&f.state);
    let id = before.first().cloned().expect("an active follow-up");
    let op = overleg::tui::action::Op::Set {
        id: id.clone(),
        fields: vec![("status".into(), "gereed".into())],
    };
    f.runner.list_keys = Some(f.state.list_keys());
    let saved = f.runner.run(1, overleg::tui::action::Job::Save(op));
    let Action::Saved { agenda, .. } = &saved else {
        panic!("the save failed");
    };
    let prepared = agenda
        .lists
        .as_ref()
        .expect("lists prepared beside the agenda");
    assert_eq!(prepared.keys(), &f.state.list_keys());
    apply(&mut f.state, Some(&mut f.runner), saved);
    for screen in [Screen::Overview, Screen::Actions, Screen::Meetings] {
        f.state
            .stack
            .push(overleg::tui::state::View::new(screen.clone()));
        f.screen();
    }
    assert_eq!(
        f.state.lists.computations(),
        0,
        "the overview, follow-ups and meetings were drawn from the worker's lists"
    );
    // the list shows the save: the finished follow-up left the active ones
    let after = listed(&f.state);
    assert!(!after.contains(&id), "{after:?}");
    assert_eq!(after.len() + 1, before.len());
}

/// The worker packs the clone's loose objects once the user has been idle a moment, after
/// the jobs that wrote them (a sync in the workbench leaves it to that moment); every object
/// stays readable.
#[test]
fn the_worker_packs_loose_objects_while_the_user_is_idle() {
    use overleg::tui::action::{Job, Op};
    isolate();
    let dir = tempfile::tempdir().expect("tempdir");
    overleg::store::setup::demo(dir.path()).expect("demo");
    let root = dir.path().join("ezk");
    let store = Store::open(&root).expect("open");
    store
        .repo()
        .expect("repo")
        .config()
        .expect("config")
        .set_i64("overleg.autoPackBytes", 1)
        .expect("set");
    let keys = State::new(
        Lang::Nl,
        Theme::default_dark(),
        Keymap::default(),
        Date::new(2021, 1, 20).expect("date"),
    )
    .list_keys();
    let (job_tx, job_rx) = std::sync::mpsc::channel();
    let (act_tx, act_rx) = std::sync::mpsc::channel();
    let _worker = overleg::tui::worker::spawn(root.clone(), job_rx, act_tx);
    let next = || {
        act_rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the worker answers")
    };
    job_tx.send((1, Job::Start, keys.clone())).expect("send");
    let id = loop {
        if let Action::Loaded { agenda, .. } = next() {
            break agenda.agenda.actions[0].id.clone();
        }
    };
    let op = Op::Set {
        id,
        fields: vec![("status_note".into(), "ingepakt na een pauze".into())],
    };
    // a save, and a sync right after it: the sync leaves the save's loose objects alone
    // (its housekeeping could not stop for the user), the idle moment after it packs them
    job_tx.send((2, Job::Save(op), keys.clone())).expect("send");
    job_tx.send((3, Job::Sync, keys)).expect("send");
    let mut synced = false;
    let packed = loop {
        match next() {
            Action::Synced { outcome, .. } => {
                let r = outcome.expect("synced");
                assert!(r.pushed, "{r:?}");
                assert_eq!((r.loose_packed, r.packs_joined), (0, 0), "{r:?}");
                synced = true;
            }
            Action::Failed { message, .. } => panic!("{message}"),
            Action::Tidied(outcome) if synced => break outcome.expect("tidied"),
            _ => {}
        }
    };
    // the save's commit, its trees and the record's blob at least
    let objects = packed.packed.as_ref().map_or(0, |p| p.objects);
    assert!(objects >= 4, "{packed:?}");
    assert_eq!(packed.failed, None);
    let mut git = std::process::Command::new("git");
    git.current_dir(&root);
    assert_eq!(common::loose_objects(git), 0);
    let fsck = std::process::Command::new("git")
        .args(["fsck", "--full", "--strict"])
        .current_dir(&root)
        .output()
        .expect("git");
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    let log = std::process::Command::new("git")
        .args(["log", "-1", "-p", "--format=%s"])
        .current_dir(&root)
        .output()
        .expect("git");
    assert!(String::from_utf8_lossy(&log.stdout).contains("ingepakt na een pauze"));
}
