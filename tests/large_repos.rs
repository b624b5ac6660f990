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
