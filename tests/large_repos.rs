//! Snapshots, the way large repositories answer without reading every file, through the real
//! binary on the bundled example with `OVERLEG_FAST_FROM=0` (so the example counts as large).
//! What they must never do: show a state that a save, a new or removed file, a rename or a
//! `check` has since changed, or let a stale reference table edit the wrong record.

mod common;

use std::path::Path;

use common::*;

fn fast(env: &Env, dir: &Path) -> std::process::Command {
    let mut c = env.overleg(dir);
    c.env("OVERLEG_FAST_FROM", "0");
    c
}

fn actions(env: &Env, dir: &Path) -> Vec<serde_json::Value> {
    let out = run_ok(fast(env, dir).args(["list", "actions", "--json"]));
    json(&out).as_array().cloned().expect("array")
}

fn field(list: &[serde_json::Value], id: &str, name: &str) -> Option<String> {
    list.iter()
        .find(|a| a["id"] == id)
        .and_then(|a| a[name].as_str().map(str::to_string))
}

fn snapshots(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join(".git/overleg-cache"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.ends_with(".snap"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn listings_from_snapshots_follow_every_change_overleg_git_or_check_can_see() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    settle(&ezk);
    let full = run_ok(env.overleg(&ezk).args(["list", "actions", "--json"]));
    let first = actions(&env, &ezk);
    assert!(snapshots(&ezk).contains(&"rows-action.snap".to_string()));
    let again = run_ok(fast(&env, &ezk).args(["list", "actions", "--json"]));
    assert_eq!(
        again, full,
        "a listing from the snapshot equals a full load"
    );

    // A file rewritten in place by another program leaves its folder alone: the snapshot
    // still answers (this is the documented limit) until a full scan sees it.
    let a = first[0]["id"].as_str().expect("id").to_string();
    let path = ezk.join(first[0]["path"].as_str().expect("path"));
    let text = std::fs::read_to_string(&path).expect("read");
    let old_title = field(&first, &a, "title").expect("title");
    let edited = text.replacen(&old_title, "Handmatig aangepast", 1);
    std::fs::write(&path, &edited).expect("write in place");
    assert_eq!(
        field(&actions(&env, &ezk), &a, "title").as_deref(),
        Some(old_title.as_str())
    );
    run_ok(fast(&env, &ezk).arg("check"));
    settle(&ezk);
    assert_eq!(
        field(&actions(&env, &ezk), &a, "title").as_deref(),
        Some("Handmatig aangepast"),
        "check scans every file and drops the snapshots it proves wrong"
    );
    run_ok(env.git(&ezk).args(["checkout", "--", "."]));
    settle(&ezk);
    actions(&env, &ezk);

    // overleg's own save replaces the file: seen at once, with no settling in between.
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=opgeslagen"]));
    assert_eq!(
        field(&actions(&env, &ezk), &a, "status_note").as_deref(),
        Some("opgeslagen")
    );

    // A new record and a removed one.
    settle(&ezk);
    let before = actions(&env, &ezk).len();
    let meeting = first[0]["meeting"].as_str().expect("meeting").to_string();
    let id = run_ok(fast(&env, &ezk).args([
        "new",
        "action",
        "--title",
        "Nieuwe actie uit de snapshot-test",
        "--meeting",
        &meeting,
        "--owner",
        "EZK",
    ]));
    let id = id.trim().to_string();
    let now = actions(&env, &ezk);
    assert_eq!(now.len(), before + 1);
    assert!(field(&now, &id, "title").is_some());
    settle(&ezk);
    actions(&env, &ezk);
    run_ok(fast(&env, &ezk).args(["delete", &id]));
    assert_eq!(actions(&env, &ezk).len(), before);

    // A git operation that replaces files (a checkout of an older state).
    settle(&ezk);
    actions(&env, &ezk);
    run_ok(
        env.git(&ezk)
            .args(["checkout", "-q", "HEAD~3", "--", "actions"]),
    );
    assert_eq!(
        field(&actions(&env, &ezk), &a, "status_note"),
        field(&first, &a, "status_note")
    );
}

#[test]
fn a_damaged_snapshot_is_ignored() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    settle(&ezk);
    let full = run_ok(env.overleg(&ezk).args(["list", "actions", "--json"]));
    actions(&env, &ezk);
    let snap = ezk.join(".git/overleg-cache/rows-action.snap");
    let mut bytes = std::fs::read(&snap).expect("snapshot");
    let cut = bytes.len() / 2;
    bytes.truncate(cut);
    std::fs::write(&snap, &bytes).expect("damage");
    assert_eq!(
        run_ok(fast(&env, &ezk).args(["list", "actions", "--json"])),
        full
    );
    std::fs::write(&snap, b"OVLSNAP1\xff\xff\xff\xffgarbage").expect("damage");
    assert_eq!(
        run_ok(fast(&env, &ezk).args(["list", "actions", "--json"])),
        full
    );
}

#[test]
fn set_with_a_table_behind_the_files_acts_only_on_what_the_files_confirm() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    settle(&ezk);
    let list = actions(&env, &ezk);
    assert!(snapshots(&ezk).contains(&"refs.snap".to_string()));
    let (a, b) = (&list[0], &list[1]);
    let (a_id, a_ref) = (
        a["id"].as_str().expect("id"),
        a["ref"].as_str().expect("ref"),
    );
    let b_id = b["id"].as_str().expect("id");

    // After the first save the table is behind the actions folder: the next saves check
    // what they use against the files.
    run_ok(fast(&env, &ezk).args(["set", a_ref, "status_note=eerste"]));
    run_ok(fast(&env, &ezk).args(["set", a_ref, "status_note=tweede"]));
    let now = actions(&env, &ezk);
    assert_eq!(field(&now, a_id, "status_note").as_deref(), Some("tweede"));

    // An item by its reference (derived from its meeting: not confirmable from one file)
    // is found by a full load.
    let items = json(&run_ok(fast(&env, &ezk).args(["list", "items", "--json"])));
    let item = &items.as_array().expect("items")[0];
    let item_ref = item["ref"].as_str().expect("ref");
    run_ok(fast(&env, &ezk).args(["set", item_ref, "duration=17"]));
    let items = json(&run_ok(fast(&env, &ezk).args(["list", "items", "--json"])));
    let changed = items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == item["id"])
        .expect("item");
    assert_eq!(changed["duration"], 17);

    // A record removed since the table was built is not edited, under either name.
    settle(&ezk);
    actions(&env, &ezk);
    run_ok(fast(&env, &ezk).args(["delete", b_id]));
    let commits = commit_count(&ezk);
    let o = fast(&env, &ezk)
        .args(["set", b_id, "status=gereed"])
        .output()
        .expect("set");
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(stderr(&o).contains(b_id), "{}", stderr(&o));
    assert_eq!(commit_count(&ezk), commits);
    assert!(!ezk.join(format!("actions/{b_id}.toml")).exists());
}

#[test]
fn the_workbench_starts_from_snapshots_then_shows_what_a_full_scan_finds() {
    use overleg::tui::action::{Action, Job};
    use overleg::tui::worker::Runner;

    let env = Env::new();
    let ezk = env.demo().join("ezk");
    settle(&ezk);
    // leave an agenda and a search snapshot behind
    let list = actions(&env, &ezk);
    run_ok(fast(&env, &ezk).args(["show", list[0]["id"].as_str().expect("id")]));
    run_ok(fast(&env, &ezk).args(["search", "x"]));
    let names = snapshots(&ezk);
    assert!(names.contains(&"agenda.snap".to_string()), "{names:?}");
    assert!(names.contains(&"search.snap".to_string()), "{names:?}");

    let a = list[0]["id"].as_str().expect("id").to_string();
    let path = ezk.join(list[0]["path"].as_str().expect("path"));
    let old_title = field(&list, &a, "title").expect("title");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen(&old_title, "In place bewerkt", 1)).expect("write");

    // SAFETY: this test binary sets the variable before any thread of its own reads it, and
    // every test in it wants the same value.
    unsafe { std::env::set_var("OVERLEG_FAST_FROM", "0") };
    let store = overleg::store::Store::open(&ezk).expect("open");
    let mut runner = Runner::unloaded(store);
    let mut first = Vec::new();
    let last = runner.run_with(0, Job::Start, &mut |a| first.push(a));
    let first_title = first.iter().find_map(|x| match x {
        Action::Loaded { agenda, .. } => agenda.agenda.action(&a).map(|x| x.title.clone()),
        _ => None,
    });
    assert_eq!(
        first_title.as_deref(),
        Some(old_title.as_str()),
        "the first screen comes from the snapshot"
    );
    let last_title = match &last {
        Action::Loaded { agenda, .. } => {
            assert!(!agenda.index.is_empty());
            agenda.agenda.action(&a).map(|x| x.title.clone())
        }
        _ => None,
    };
    assert_eq!(last_title.as_deref(), Some("In place bewerkt"));
}

/// Every record file and folder of the agenda at `root` as old as in a working repository:
/// the record cache trusts no file changed within two seconds before it was written (a
/// load that finds such a file removes the snapshots).
fn aged(root: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for kind in overleg::model::Kind::ALL {
        for e in std::fs::read_dir(root.join(kind.folder()))
            .expect("folder")
            .flatten()
        {
            let f = std::fs::File::options()
                .write(true)
                .open(e.path())
                .expect("open");
            f.set_modified(past).expect("set time");
        }
    }
    settle(root);
}

/// The bundled example with a workbench's snapshots (agenda and search index) left behind
/// for its folders as they are, and the id of a follow-up.
fn with_workbench_snapshots(env: &Env) -> (std::path::PathBuf, String) {
    use overleg::tui::action::Job;
    use overleg::tui::worker::Runner;
    // SAFETY: as in the test above: set before any thread of this test reads it, the same
    // value for every test in this binary.
    unsafe { std::env::set_var("OVERLEG_FAST_FROM", "0") };
    let ezk = env.demo().join("ezk");
    aged(&ezk);
    let list = actions(env, &ezk);
    let a = list[0]["id"].as_str().expect("id").to_string();
    let store = overleg::store::Store::open(&ezk).expect("open");
    Runner::unloaded(store).run(0, Job::Start);
    assert!(snapshots(&ezk).contains(&"search-index.snap".to_string()));
    (ezk, a)
}

/// Whether an agenda came from its snapshot brought up to date by the journal of saves, and
/// the agenda.
fn replayed(dir: &Path) -> (bool, std::sync::Arc<overleg::model::Agenda>) {
    let store = overleg::store::Store::open(dir).expect("open");
    let catalog = overleg::catalog::Catalog::open(&store);
    let agenda = catalog.agenda();
    (
        catalog.from_snapshot() && catalog.behind_by().is_some(),
        agenda,
    )
}

#[test]
fn after_saves_the_workbench_starts_from_its_snapshots_and_the_saved_files() {
    use overleg::tui::action::{Action, Job};
    use overleg::tui::worker::Runner;

    let env = Env::new();
    let (ezk, a) = with_workbench_snapshots(&env);
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=voor de herstart"]));
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=na de herstart opgeslagen"]));
    let (from_journal, agenda) = replayed(&ezk);
    assert!(
        from_journal,
        "the snapshot and the journal of the saves, not a full load"
    );
    assert_eq!(
        agenda.action(&a).map(|x| x.status_note.as_str()),
        Some("na de herstart opgeslagen")
    );

    let open = || overleg::store::Store::open(&ezk).expect("open");
    let mut first = Vec::new();
    let last = Runner::unloaded(open()).run_with(0, Job::Start, &mut |x| first.push(x));
    let Some(Action::Loaded { agenda: loaded, .. }) = first.first() else {
        panic!("the first screen comes from the snapshots");
    };
    assert_eq!(
        loaded.agenda.action(&a).map(|x| x.status_note.as_str()),
        Some("na de herstart opgeslagen")
    );
    let hits = loaded.index.search("herstart");
    assert!(
        hits.hits
            .iter()
            .any(|h| loaded.index.get(h.entry).is_some_and(|e| e.id == a)),
        "the search index was patched for the saved record"
    );
    let fresh = overleg::search::Flat::of(&loaded.agenda);
    for q in ["herstart", "status:open", "fin"] {
        assert_eq!(loaded.index.search(q), fresh.search(q), "{q}");
    }
    // the check of every file behind the first screen confirmed it: the same agenda, and
    // the snapshots stay for the next start
    let Action::Loaded {
        agenda: checked, ..
    } = &last
    else {
        panic!("the check ends with the agenda");
    };
    assert!(std::sync::Arc::ptr_eq(&checked.agenda, &loaded.agenda));
    let store = open();
    let catalog = overleg::catalog::Catalog::open(&store);
    catalog.agenda();
    assert!(
        catalog.from_snapshot(),
        "the next start is as quick: from the journal, or from the snapshots the check kept \
         (when the folders had settled by then)"
    );
}

#[test]
fn a_start_that_replayed_saves_keeps_snapshots_so_the_next_needs_no_replay() {
    use overleg::tui::action::{Action, Job};
    use overleg::tui::worker::Runner;

    let env = Env::new();
    let (ezk, a) = with_workbench_snapshots(&env);
    let open = || overleg::store::Store::open(&ezk).expect("open");
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=voor het bewaren"]));
    // right after a save the folders have not settled: nothing could be proven fresh
    let mut runner = Runner::unloaded(open());
    runner.run(0, Job::Start);
    if !open().folder_key().settled_now() {
        // (a machine so slow that two seconds passed since the save proves nothing here)
        assert!(runner.keeping.is_none());
        assert!(replayed(&ezk).0);
    }

    // Two seconds on (the rule by which a snapshot proves itself fresh), the start that
    // replays the save keeps what it confirmed.
    let store = open();
    while !store.folder_key().settled_now() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut runner = Runner::unloaded(open());
    runner.run(0, Job::Start);
    runner
        .keeping
        .take()
        .expect("snapshots kept")
        .join()
        .expect("written");
    let catalog = overleg::catalog::Catalog::open(&store);
    let agenda = catalog.agenda();
    assert!(
        catalog.from_snapshot() && catalog.behind_by().is_none(),
        "fresh"
    );
    assert_eq!(
        agenda.action(&a).map(|x| x.status_note.as_str()),
        Some("voor het bewaren")
    );
    let index = catalog
        .fresh_derived::<overleg::search::Flat>(overleg::catalog::SEARCH_INDEX)
        .expect("a fresh index");
    assert_eq!(
        index.search("bewaren"),
        overleg::search::Flat::of(&agenda).search("bewaren")
    );
    assert!(!index.search("bewaren").hits.is_empty());

    // The check behind the first screen of such a start, and of one that replays a further
    // save from it, expects the saved files as the saves left them (the record cache still
    // has them as before): it confirms the agenda shown, rather than loading every file.
    let confirmed = |what: &str| {
        let mut first = Vec::new();
        let last = Runner::unloaded(open()).run_with(0, Job::Start, &mut |x| first.push(x));
        match (first.first(), &last) {
            (Some(Action::Loaded { agenda: a, .. }), Action::Loaded { agenda: b, .. }) => {
                assert!(std::sync::Arc::ptr_eq(&a.agenda, &b.agenda), "{what}");
                b.agenda.clone()
            }
            _ => panic!("{what}: the first screen comes from the snapshots"),
        }
    };
    confirmed("from the kept snapshots");
    // another follow-up: the first one's file is known only from what was kept
    let b = agenda
        .actions
        .iter()
        .map(|x| x.id.clone())
        .find(|id| *id != a)
        .expect("another follow-up");
    run_ok(fast(&env, &ezk).args(["set", &b, "status_note=daarna"]));
    assert!(replayed(&ezk).0);
    let agenda = confirmed("replayed from the kept snapshots");
    assert_eq!(
        agenda.action(&b).map(|x| x.status_note.as_str()),
        Some("daarna")
    );

    // A full load of every file finds the saved files changed since the record cache; as
    // the journal shows overleg's saves left them so, it keeps the snapshots.
    run_ok(fast(&env, &ezk).arg("check"));
    assert!(replayed(&ezk).0, "still from the snapshots and the journal");
    confirmed("after a full check");
}

/// The bundled example with workbench snapshots, after a save of a follow-up (its id) and
/// a file another program created while the save wrote its own (`a-ernaast-gemaakt`): made
/// here by putting the folder's time back to what the save left.
fn with_a_file_made_beside_a_save(env: &Env) -> (std::path::PathBuf, String) {
    let (ezk, a) = with_workbench_snapshots(env);
    run_ok(fast(env, &ezk).args(["set", &a, "status_note=opgeslagen"]));
    let folder = ezk.join("actions");
    let saved_time = std::fs::metadata(&folder)
        .expect("meta")
        .modified()
        .expect("mtime");
    let copy = std::fs::read_to_string(folder.join(format!("{a}.toml")))
        .expect("read")
        .replacen(&a, "a-ernaast-gemaakt", 1);
    std::fs::write(folder.join("a-ernaast-gemaakt.toml"), copy).expect("write");
    std::fs::File::open(&folder)
        .expect("open folder")
        .set_modified(saved_time)
        .expect("set time");
    (ezk, a)
}

#[test]
fn a_file_made_beside_a_save_is_not_taken_for_the_save() {
    let env = Env::new();
    let (ezk, a) = with_a_file_made_beside_a_save(&env);
    let (from_journal, agenda) = replayed(&ezk);
    assert!(!from_journal, "the names in the folder give it away");
    assert!(agenda.action("a-ernaast-gemaakt").is_some());
    assert_eq!(
        agenda.action(&a).map(|x| x.status_note.as_str()),
        Some("opgeslagen")
    );
}

#[test]
fn in_the_workbench_a_file_made_beside_a_save_is_found_by_the_check_behind_the_first_screen() {
    use overleg::tui::action::{Action, Job};
    use overleg::tui::worker::Runner;

    let env = Env::new();
    let (ezk, a) = with_a_file_made_beside_a_save(&env);
    let store = overleg::store::Store::open(&ezk).expect("open");
    let mut first = Vec::new();
    let last = Runner::unloaded(store).run_with(0, Job::Start, &mut |x| first.push(x));
    let agenda = |x: &Action| match x {
        Action::Loaded { agenda, .. } => Some(agenda.agenda.clone()),
        _ => None,
    };
    // the first screen is replayed from the snapshots without listing the folder first
    // (the check behind it does that)
    let shown = first.first().and_then(agenda).expect("a first screen");
    assert!(shown.action("a-ernaast-gemaakt").is_none());
    assert_eq!(
        shown.action(&a).map(|x| x.status_note.as_str()),
        Some("opgeslagen")
    );
    let checked = agenda(&last).expect("the check ends with the agenda");
    assert!(
        checked.action("a-ernaast-gemaakt").is_some(),
        "the check of every file finds it"
    );
    assert_eq!(
        checked.action(&a).map(|x| x.status_note.as_str()),
        Some("opgeslagen")
    );
}

#[test]
fn after_saves_a_file_rewritten_in_place_is_found_by_the_check_behind_the_first_screen() {
    use overleg::tui::action::{Action, Job};
    use overleg::tui::worker::Runner;

    let env = Env::new();
    let (ezk, a) = with_workbench_snapshots(&env);
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=opgeslagen"]));
    // another program rewrites another follow-up in place: no folder changes, and the
    // journal of saves knows nothing of it
    let other = actions(&env, &ezk)
        .iter()
        .map(|x| x["id"].as_str().expect("id").to_string())
        .find(|id| *id != a)
        .expect("another follow-up");
    // (the listing above read the journal too; it changed nothing on disk)
    let path = ezk.join("actions").join(format!("{other}.toml"));
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replacen("title = \"", "title = \"Ter plekke: ", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).expect("write");
    let store = overleg::store::Store::open(&ezk).expect("open");
    let mut first = Vec::new();
    let last = Runner::unloaded(store).run_with(0, Job::Start, &mut |x| first.push(x));
    let title = |x: &Action| match x {
        Action::Loaded { agenda, .. } => agenda.agenda.action(&other).map(|r| r.title.clone()),
        _ => None,
    };
    assert!(
        first
            .first()
            .and_then(title)
            .is_some_and(|t| !t.starts_with("Ter plekke")),
        "the first screen, from the snapshot and the journal, cannot know"
    );
    assert!(
        title(&last).is_some_and(|t| t.starts_with("Ter plekke: ")),
        "the check of every file finds it"
    );
}

#[test]
fn after_a_sync_the_next_command_reads_only_what_came_in() {
    let env = Env::new();
    let (ezk, a) = with_workbench_snapshots(&env);
    // another department changes a follow-up and shares it
    let other = ezk.parent().expect("workspace").join("bzk");
    run_ok(fast(&env, &other).args(["set", &a, "status_note=van BZK"]));
    run_ok(fast(&env, &other).arg("sync"));
    // it comes in here by a fast-forward, and with a save of our own, by a merge
    run_ok(fast(&env, &ezk).arg("sync"));
    // the sync writes files over in place: a listing from the snapshots still sees them
    assert_eq!(
        field(&actions(&env, &ezk), &a, "status_note").as_deref(),
        Some("van BZK")
    );
    let (from_journal, agenda) = replayed(&ezk);
    assert!(
        from_journal,
        "the snapshot and the journal of the sync, not a full load"
    );
    assert_eq!(
        agenda.action(&a).map(|x| x.status_note.as_str()),
        Some("van BZK")
    );
    let b = agenda
        .actions
        .iter()
        .map(|x| x.id.clone())
        .find(|id| *id != a)
        .expect("another follow-up");
    run_ok(fast(&env, &other).args(["set", &a, "status_note=weer van BZK"]));
    run_ok(fast(&env, &other).arg("sync"));
    run_ok(fast(&env, &ezk).args(["set", &b, "status_note=van EZK"]));
    run_ok(fast(&env, &ezk).arg("sync"));
    let (from_journal, agenda) = replayed(&ezk);
    assert!(from_journal, "after a merge too");
    assert_eq!(
        agenda.action(&a).map(|x| x.status_note.as_str()),
        Some("weer van BZK")
    );
    assert_eq!(
        agenda.action(&b).map(|x| x.status_note.as_str()),
        Some("van EZK")
    );
}

#[test]
fn a_listing_after_saved_follow_ups_patches_its_rows_as_a_full_load_would_list_them() {
    use overleg::catalog::{Catalog, Source};
    use overleg::model::Kind;

    let env = Env::new();
    let ezk = env.demo().join("ezk");
    aged(&ezk);
    run_ok(fast(&env, &ezk).args(["list", "meetings"]));
    let list = actions(&env, &ezk);
    let (a, b) = (
        list[0]["id"].as_str().expect("id").to_string(),
        list[5]["id"].as_str().expect("id").to_string(),
    );
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=na de snapshot"]));
    // due before every other: it moves to the front of the listing
    run_ok(fast(&env, &ezk).args(["set", &b, "due=2001-01-01"]));

    // SAFETY: as in the tests above: set before any thread of this test reads it, the same
    // value for every test in this binary.
    unsafe { std::env::set_var("OVERLEG_FAST_FROM", "0") };
    let store = overleg::store::Store::open(&ezk).expect("open");
    let source = |kind| overleg::cli::list::rows_from(&Catalog::open(&store), kind).1;
    assert_eq!(source(Kind::Action), Source::Patched);
    assert_eq!(source(Kind::Meeting), Source::Patched);
    let patched = run_ok(fast(&env, &ezk).args(["list", "actions", "--json"]));
    let now = json(&patched).as_array().cloned().expect("array");
    assert_eq!(
        field(&now, &a, "status_note").as_deref(),
        Some("na de snapshot")
    );
    assert_eq!(now[0]["id"], b.as_str());
    let table = run_ok(fast(&env, &ezk).args(["list", "actions", "--status", "open"]));
    // a full load (the example is small without OVERLEG_FAST_FROM) lists the same
    assert_eq!(
        patched,
        run_ok(env.overleg(&ezk).args(["list", "actions", "--json"]))
    );
    assert_eq!(
        table,
        run_ok(
            env.overleg(&ezk)
                .args(["list", "actions", "--status", "open"])
        )
    );

    // A saved meeting can change the rows of its follow-ups: built again.
    aged(&ezk);
    let meetings = json(&run_ok(
        fast(&env, &ezk).args(["list", "meetings", "--json"]),
    ));
    actions(&env, &ezk);
    assert_eq!(source(Kind::Action), Source::Snapshot);
    let m = meetings[0]["id"].as_str().expect("meeting").to_string();
    run_ok(fast(&env, &ezk).args(["set", &m, "title=Hernoemd overleg"]));
    assert_eq!(source(Kind::Action), Source::Built);
    assert_eq!(
        run_ok(fast(&env, &ezk).args(["list", "actions", "--json"])),
        run_ok(env.overleg(&ezk).args(["list", "actions", "--json"]))
    );
}

#[test]
fn a_value_built_right_after_a_save_leaves_the_snapshot_the_journal_can_bring_up_to_date() {
    let env = Env::new();
    let (ezk, a) = with_workbench_snapshots(&env);
    run_ok(fast(&env, &ezk).args(["set", &a, "status_note=net opgeslagen"]));
    let store = overleg::store::Store::open(&ezk).expect("open");
    let catalog = overleg::catalog::Catalog::open(&store);
    // built from the files (e.g. by a command that does not read the journal) while the
    // folders have not settled: such a snapshot could never be proven fresh
    let built = catalog.derived(overleg::catalog::SEARCH_INDEX, overleg::search::Flat::of);
    if store.folder_key().settled_now() {
        return; // (a machine so slow that two seconds passed since the save proves nothing)
    }
    assert!(!built.search("opgeslagen").hits.is_empty());
    let next = overleg::catalog::Catalog::open(&store);
    let Some((_, Some(base))) =
        next.derived_fresh_or_behind::<overleg::search::Flat>(overleg::catalog::SEARCH_INDEX)
    else {
        panic!("the older snapshot, with the journal of the save since");
    };
    next.agenda();
    assert_eq!(next.replayed_from(), Some(&base));
}

/// Ids of every kind, in the agenda's order, and the problems (path and message).
fn outline(a: &overleg::model::Agenda) -> (Vec<String>, Vec<String>) {
    let mut ids: Vec<String> = a.meetings.iter().map(|r| r.id.clone()).collect();
    ids.extend(a.items.iter().map(|r| r.id.clone()));
    ids.extend(a.notes.iter().map(|r| r.id.clone()));
    ids.extend(a.actions.iter().map(|r| r.id.clone()));
    ids.extend(a.bodies.iter().map(|r| r.id.clone()));
    ids.extend(a.organisations.iter().map(|r| r.id.clone()));
    ids.extend(a.people.iter().map(|r| r.id.clone()));
    let problems = a
        .problems
        .iter()
        .map(|p| format!("{} {}", p.path, p.message))
        .collect();
    (ids, problems)
}

#[test]
fn thousands_of_files_read_side_by_side_load_as_read_one_by_one() {
    use overleg::model::{Agenda, Kind, agenda::LoadedFile, parse::parse_record};
    let env = Env::new();
    let dir = env.path().join("groot");
    let out = dir.to_str().expect("path");
    run_ok(env.overleg(env.path()).args([
        "gen",
        "--records",
        "6000",
        "--out",
        out,
        "--history",
        "1",
    ]));
    // among them a file that does not parse, and one that is not a record file
    std::fs::write(
        dir.join("actions/zz-kapot.toml"),
        "id = \"zz-kapot\"\ntitle = [\n",
    )
    .expect("write");
    std::fs::write(dir.join("actions/leesmij.txt"), "geen record").expect("write");

    // every file read one by one, in the order a load takes them
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    for kind in Kind::ALL {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(kind.folder()))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for name in names.into_iter().filter(|n| n.ends_with(".toml")) {
            let rel = format!("{}/{name}", kind.folder());
            let bytes = std::fs::read(dir.join(&rel)).expect("read");
            let parsed = parse_record(kind, &rel, &bytes);
            problems.extend(parsed.problems);
            if let Some(record) = parsed.record {
                files.push(LoadedFile {
                    path: rel,
                    text: String::new(),
                    record,
                });
            }
        }
    }
    let (want_ids, want_problems) = outline(&Agenda::build(files, problems));
    assert!(want_ids.len() > 4_000);
    assert!(
        want_problems
            .iter()
            .any(|p| p.starts_with("actions/zz-kapot.toml"))
    );

    for what in ["no record cache yet", "from the record cache it wrote"] {
        let store = overleg::store::Store::open(&dir).expect("open");
        let (ids, problems) = outline(&store.load());
        assert_eq!(ids, want_ids, "{what}");
        assert_eq!(
            problems
                .iter()
                .filter(|p| p.contains("zz-kapot"))
                .collect::<Vec<_>>(),
            want_problems
                .iter()
                .filter(|p| p.contains("zz-kapot"))
                .collect::<Vec<_>>(),
            "{what}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("actions/leesmij.txt")),
            "{what}"
        );
        assert!(dir.join(".git/overleg-cache/records.bin").exists());
    }
}
