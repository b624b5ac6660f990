//! The agenda repository through the real binary: demo set-up, scripted CLI, one commit per
//! change, bad files reported precisely, hand-written text kept.

mod common;

use common::*;

#[test]
fn demo_sets_up_server_and_department_clones_and_never_clobbers() {
    let env = Env::new();
    let ws = env.demo();
    assert!(ws.join("server.git/HEAD").is_file());
    for (dir, dept) in [("ezk", "EZK"), ("bzk", "BZK"), ("jenv", "JenV")] {
        let clone = ws.join(dir);
        let cfg = run_ok(env.git(&clone).args(["config", "overleg.department"]));
        assert_eq!(cfg.trim(), dept);
        let origin = run_ok(env.git(&clone).args(["remote", "get-url", "origin"]));
        assert!(origin.trim().ends_with("server.git"), "{origin}");
        assert!(clean(&env, &clone));
    }
    // Work in a clone survives a second demo run.
    let ezk = ws.join("ezk");
    let first_action = std::fs::read_dir(ezk.join("actions"))
        .expect("actions")
        .next()
        .expect("one")
        .expect("entry")
        .path();
    std::fs::write(&first_action, "# hand edit in progress\n").expect("write");
    let out = env
        .overleg(env.path())
        .args(["demo", "--no-open", "--dir"])
        .arg(&ws)
        .output()
        .expect("demo again");
    assert_ok(&out);
    assert!(stdout(&out).contains("already there, kept"));
    assert_eq!(
        std::fs::read_to_string(&first_action).expect("read"),
        "# hand edit in progress\n"
    );
}

#[test]
fn bundled_example_passes_check_and_has_the_promised_size() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let o = env.overleg(&ezk).arg("check").output().expect("check");
    assert_ok(&o);
    assert!(stdout(&o).trim().is_empty(), "problems: {}", stdout(&o));
    let count = |kind: &str| {
        json(&run_ok(env.overleg(&ezk).args(["list", kind, "--json"])))
            .as_array()
            .map_or(0, Vec::len)
    };
    assert!(count("meetings") >= 6);
    assert!(count("items") >= 25);
    assert!(count("actions") >= 30);
    assert!(count("notes") >= 4);
    let bodies: std::collections::HashSet<String> = json(&run_ok(
        env.overleg(&ezk).args(["list", "meetings", "--json"]),
    ))
    .as_array()
    .expect("array")
    .iter()
    .filter_map(|m| m["body"].as_str().map(str::to_string))
    .collect();
    for b in ["do-nds", "bwo", "beraad"] {
        assert!(bodies.contains(b), "no meeting of {b}");
    }
}

#[test]
fn set_makes_exactly_one_commit_touching_one_file_with_author_and_department() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let before = commit_count(&ezk);
    let out = run_ok(env.overleg(&ezk).args([
        "set",
        "2021-02-A2",
        "status=gereed",
        "status_note=Knops bevestigd",
    ]));
    assert!(out.contains("actie 2021-02-A2"), "{out}");
    assert_eq!(commit_count(&ezk), before + 1);
    let files = head_changed_files(&ezk);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("actions/"));
    let repo = git2::Repository::open(&ezk).expect("open");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    assert_eq!(head.author().name().ok(), Some("Secretariaat EZK (demo)"));
    let msg = head.message().expect("msg");
    assert!(msg.starts_with("EZK: actie 2021-02-A2"), "{msg}");
    assert!(msg.contains("Overleg-Department: EZK"));
    assert!(clean(&env, &ezk), "work tree not clean after set");
    let shown = json(&run_ok(env.overleg(&ezk).args([
        "show",
        "2021-02-A2",
        "--json",
    ])));
    assert_eq!(shown["status"], "gereed");
    assert_eq!(shown["kind"], "action");
    // The department override from the environment is used for the message.
    run_ok(env.overleg(&ezk).env("OVERLEG_DEPARTMENT", "BZK").args([
        "set",
        "2021-02-A2",
        "status=lopend",
    ]));
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    assert!(
        head.message()
            .expect("msg")
            .starts_with("BZK: actie 2021-02-A2 status gereed → lopend")
    );
}

#[test]
fn invalid_values_are_refused_and_nothing_is_committed() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let before = commit_count(&ezk);
    for args in [
        vec!["set", "2021-02-A2", "status=klaar"],
        vec!["set", "2021-02-A2", "due=31 februari 2021"],
        vec!["set", "2021-02-A2", "owner=XYZ"],
        vec!["set", "2021-02-A2", "nonsense=1"],
        vec!["set", "2021-02-A2", "id=a-other"],
        vec!["set", "no-such-record", "status=open"],
    ] {
        let o = env.overleg(&ezk).args(&args).output().expect("run");
        assert!(!o.status.success(), "{args:?} was accepted");
        assert!(stderr(&o).contains("error:"), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(commit_count(&ezk), before);
    assert!(clean(&env, &ezk));
}

#[test]
fn new_records_round_trip_through_show_and_list() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let meeting = run_ok(env.overleg(&ezk).args([
        "new",
        "meeting",
        "--body",
        "do-nds",
        "--title",
        "DO NDS voorjaar",
        "--date",
        "21 april 2021",
        "--start",
        "10:00",
        "--end",
        "11:30",
    ]))
    .trim()
    .to_string();
    assert!(meeting.starts_with("m-"), "{meeting}");
    let item = run_ok(env.overleg(&ezk).args([
        "new",
        "item",
        "--meeting",
        "do-nds-2021-04-21",
        "--title",
        "Stand NDS2021",
        "--duration",
        "30",
        "--lead",
        "EZK/DE",
        "--set",
        "annotation.advies=Kennisnemen van de stand.\nInstemmen met de planning.",
    ]))
    .trim()
    .to_string();
    let action = run_ok(env.overleg(&ezk).args([
        "new",
        "action",
        "--meeting",
        &meeting,
        "--item",
        &item,
        "--title",
        "Planning rondsturen",
        "--owner",
        "EZK/DE",
        "--due",
        "eind april 2021",
    ]))
    .trim()
    .to_string();
    let m = json(&run_ok(
        env.overleg(&ezk).args(["show", &meeting, "--json"]),
    ));
    assert_eq!(m["date"], "2021-04-21");
    assert_eq!(m["status"], "gepland");
    let i = json(&run_ok(env.overleg(&ezk).args([
        "show",
        "do-nds-2021-04-21/1",
        "--json",
    ])));
    assert_eq!(i["id"], item.as_str());
    assert_eq!(
        i["annotation"]["advies"],
        "Kennisnemen van de stand.\nInstemmen met de planning."
    );
    let a = json(&run_ok(env.overleg(&ezk).args(["show", &action, "--json"])));
    assert_eq!(a["ref"], "2021-04-A1");
    assert_eq!(a["status"], "open");
    assert_eq!(a["meeting"], meeting.as_str());
    let listed = json(&run_ok(env.overleg(&ezk).args([
        "list",
        "actions",
        "--meeting",
        "do-nds-2021-04-21",
        "--json",
    ])));
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    // Registries, notes: every kind shows as JSON with id and kind.
    for (kind, word) in [
        ("bodies", "body"),
        ("organisations", "organisation"),
        ("people", "person"),
        ("notes", "notes"),
    ] {
        let v = json(&run_ok(env.overleg(&ezk).args(["list", kind, "--json"])));
        let first = &v.as_array().expect("array")[0];
        assert_eq!(first["kind"], word);
        let id = first["id"].as_str().expect("id");
        let shown = json(&run_ok(env.overleg(&ezk).args(["show", id, "--json"])));
        // A listing carries the same fields as show (which also has unknown fields).
        for (k, v) in first.as_object().expect("object") {
            assert_eq!(&shown[k], v, "{kind} {id}: field {k}");
        }
    }
    let o = env.overleg(&ezk).arg("check").output().expect("check");
    assert_ok(&o);
    // One commit per new record, files named by id.
    assert!(ezk.join(format!("actions/{action}.toml")).is_file());
}

#[test]
fn comments_order_and_unknown_fields_survive_an_edit() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let id = json(&run_ok(env.overleg(&ezk).args([
        "show",
        "2021-02-A2",
        "--json",
    ])))["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = ezk.join(format!("actions/{id}.toml"));
    let original = std::fs::read_to_string(&path).expect("read");
    let hand = format!(
        "# Door BZK met de hand aangevuld\n{original}prioriteit_v2 = \"hoog\" # veld van een nieuwere versie\n[extra_v2]\nbron = \"x\"\n"
    );
    std::fs::write(&path, &hand).expect("write");
    run_ok(env.git(&ezk).args([
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qam",
        "hand edit",
    ]));
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A2", "status=gereed"]),
    );
    let after = std::fs::read_to_string(&path).expect("read");
    let expected = hand.replacen("status = \"open\"", "status = \"gereed\"", 1);
    assert_ne!(hand, expected, "fixture must contain status = \"open\"");
    assert_eq!(after, expected);
    let shown = json(&run_ok(env.overleg(&ezk).args(["show", &id, "--json"])));
    assert_eq!(shown["prioriteit_v2"], "hoog");
    // check mentions the unknown field as a warning (a typo would otherwise go unnoticed),
    // and still passes.
    let o = env.overleg(&ezk).arg("check").output().expect("check");
    assert_ok(&o);
    assert!(
        stdout(&o).contains("prioriteit_v2: warning: unknown field"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn list_filters_overdue_owner_status_and_due() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut a = vec!["list", "actions", "--json"];
        a.extend_from_slice(args);
        json(&run_ok(env.overleg(&ezk).args(&a)))
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let all = list(&[]);
    let overdue = list(&["--overdue"]);
    assert!(!overdue.is_empty() && overdue.len() < all.len());
    for a in &overdue {
        assert!(
            ["open", "lopend", "geblokkeerd"].contains(&a["status"].as_str().unwrap_or("")),
            "{a}"
        );
    }
    let jenv = list(&["--owner", "JenV"]);
    assert!(!jenv.is_empty());
    assert!(
        jenv.iter()
            .all(|a| a["owner"].as_str().unwrap_or("").starts_with("JenV"))
    );
    let done = list(&["--status", "gereed"]);
    assert!(!done.is_empty() && done.iter().all(|a| a["status"] == "gereed"));
    let early = list(&["--due-before", "2020-06-01"]);
    assert!(!early.is_empty() && early.len() < all.len());
    // Today moved back before every due date: nothing is overdue.
    let o = env
        .overleg(&ezk)
        .env("OVERLEG_TODAY", "2019-01-01")
        .args(["list", "actions", "--overdue", "--json"])
        .output()
        .expect("run");
    assert_eq!(json(&stdout(&o)).as_array().map(Vec::len), Some(0));
    let table = run_ok(env.overleg(&ezk).args(["list", "actions", "--overdue"]));
    assert!(table.contains("te laat"));
}

#[test]
fn log_shows_who_which_department_and_fields() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A2", "owner=EZK/DE"]),
    );
    let log = json(&run_ok(env.overleg(&ezk).args([
        "log",
        "2021-02-A2",
        "--json",
    ])));
    let entries = log.as_array().expect("array");
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[0]["department"], "EZK");
    assert_eq!(entries[0]["author"], "Secretariaat EZK (demo)");
    assert_eq!(entries[0]["changes"][0]["field"], "owner");
    assert_eq!(entries[0]["changes"][0]["new"], "EZK/DE");
    assert_eq!(entries[1]["department"], "EZK");
    let text = run_ok(env.overleg(&ezk).args(["log", "2021-02-A2"]));
    assert!(text.contains("owner: "), "{text}");
}

#[test]
fn init_makes_an_empty_repository_that_accepts_records() {
    let env = Env::new();
    let dir = env.path().join("nieuw");
    run_ok(
        env.git(env.path())
            .args(["config", "--global", "user.name", "Secretariaat BZK"]),
    );
    run_ok(
        env.git(env.path())
            .args(["config", "--global", "user.email", "s@bzk.invalid"]),
    );
    run_ok(
        env.overleg(env.path())
            .args(["init"])
            .arg(&dir)
            .args(["--department", "BZK"]),
    );
    assert!(dir.join("overleg.toml").is_file());
    assert_eq!(commit_count(&dir), 1);
    let o = env.overleg(&dir).arg("check").output().expect("check");
    assert_ok(&o);
    // No body or organisation registered yet: a reference to one is refused with a reason.
    let o = env
        .overleg(&dir)
        .args(["new", "action", "--title", "x", "--owner", "BZK"])
        .output()
        .expect("new");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no organisation with code `BZK`"),
        "{}",
        stderr(&o)
    );
    // A second init is refused.
    let o = env
        .overleg(env.path())
        .args(["init"])
        .arg(&dir)
        .args(["--department", "BZK"])
        .output()
        .expect("init");
    assert!(!o.status.success());
}

#[test]
fn unsafe_repository_states_are_refused_and_change_nothing() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let before = commit_count(&ezk);
    let try_set = |expect: &str| {
        let o = env
            .overleg(&ezk)
            .args(["set", "2021-02-A2", "status=gereed"])
            .output()
            .expect("run");
        assert!(!o.status.success(), "accepted while {expect}");
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    };
    // a held index lock
    let lock = ezk.join(".git/index.lock");
    std::fs::write(&lock, "").expect("lock");
    try_set("index is locked");
    std::fs::remove_file(&lock).expect("unlock");
    // an unfinished merge
    let head = run_ok(env.git(&ezk).args(["rev-parse", "HEAD"]));
    std::fs::write(ezk.join(".git/MERGE_HEAD"), head).expect("merge head");
    try_set("middle of a merge");
    std::fs::remove_file(ezk.join(".git/MERGE_HEAD")).expect("rm");
    // a detached HEAD
    run_ok(env.git(&ezk).args(["checkout", "-q", "--detach"]));
    try_set("detached");
    run_ok(env.git(&ezk).args(["checkout", "-q", "main"]));
    // uncommitted edits in the same file are never swept into our commit
    let id = json(&run_ok(env.overleg(&ezk).args([
        "show",
        "2021-02-A2",
        "--json",
    ])))["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = ezk.join(format!("actions/{id}.toml"));
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str("# nog niet vastgelegd\n");
    std::fs::write(&path, &text).expect("write");
    try_set("not committed");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    assert_eq!(commit_count(&ezk), before);
    // an unrelated uncommitted edit elsewhere is not swept up either
    std::fs::write(&path, text.replace("# nog niet vastgelegd\n", "")).expect("restore");
    let other = ezk.join("overleg.toml");
    let mut settings = std::fs::read_to_string(&other).expect("read");
    settings.push_str("# lokaal\n");
    std::fs::write(&other, &settings).expect("write");
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A2", "status=gereed"]),
    );
    assert_eq!(head_changed_files(&ezk).len(), 1);
    assert_eq!(std::fs::read_to_string(&other).expect("read"), settings);
}

#[test]
fn concurrent_sets_from_two_processes_both_land() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let before = commit_count(&ezk);
    let refs = [
        "2021-02-A1",
        "2021-02-A2",
        "2021-02-A3",
        "2021-02-A4",
        "2021-02-A5",
        "2021-02-A6",
    ];
    let children: Vec<_> = refs
        .iter()
        .map(|r| {
            env.overleg(&ezk)
                .args(["set", r, "status_note=parallel bijgewerkt"])
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert!(
            o.status.success(),
            "a concurrent set failed: {}",
            stderr(&o)
        );
    }
    assert_eq!(commit_count(&ezk), before + refs.len());
    assert!(clean(&env, &ezk));
    let o = env.overleg(&ezk).arg("check").output().expect("check");
    assert_ok(&o);
    let fsck = env
        .git(&ezk)
        .args(["fsck", "--strict"])
        .output()
        .expect("fsck");
    assert!(fsck.status.success(), "{}", stderr(&fsck));
}

/// A save leaves its objects loose, as `git commit` does; once they are past the clone's
/// limit by size the save packs them, says so, and every object stays readable.
#[test]
fn a_save_packs_loose_objects_past_the_limit() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let set = |status: &str| {
        env.overleg(&ezk)
            .args(["set", "2021-02-A2", &format!("status={status}")])
            .output()
            .expect("overleg")
    };
    let out = set("gereed");
    assert_ok(&out);
    assert!(!stderr(&out).contains("packing"), "{}", stderr(&out));
    let loose = loose_objects(env.git(&ezk));
    assert!(loose >= 4, "{loose}");
    run_ok(
        env.git(&ezk)
            .args(["config", "overleg.autoPackBytes", "1k"]),
    );
    let out = set("lopend");
    assert_ok(&out);
    let said = stderr(&out);
    assert!(
        said.contains("packing") && said.contains("into a pack of"),
        "{said}"
    );
    assert!(stdout(&out).contains("actie 2021-02-A2"));
    // nothing loose, git finds every object sound, and the saved value reads back
    let all_packed_with = |field: &str, value: &str| {
        assert_eq!(loose_objects(env.git(&ezk)), 0);
        run_ok(env.git(&ezk).args(["fsck", "--full", "--strict"]));
        let shown = json(&run_ok(env.overleg(&ezk).args([
            "show",
            "2021-02-A2",
            "--json",
        ])));
        assert_eq!(shown[field], value);
    };
    all_packed_with("status", "lopend");
    // each later save packs its own few objects: the small packs are joined once there are
    // more than git's gc.autoPackLimit
    run_ok(env.git(&ezk).args(["config", "gc.autoPackLimit", "2"]));
    let packs = || {
        std::fs::read_dir(ezk.join(".git/objects/pack"))
            .expect("pack dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".pack"))
            })
            .count()
    };
    let mut joined = 0;
    for note in ["een", "twee", "drie", "vier"] {
        let out = env
            .overleg(&ezk)
            .args(["set", "2021-02-A2", &format!("status_note={note}")])
            .output()
            .expect("overleg");
        assert_ok(&out);
        joined += usize::from(stderr(&out).contains("joining"));
        assert!(packs() <= 3, "{}", packs());
    }
    assert!(joined >= 1, "no join announced");
    all_packed_with("status_note", "vier");
    // git's gc.auto 0 turns overleg's packing off too
    run_ok(env.git(&ezk).args(["config", "gc.auto", "0"]));
    let out = env
        .overleg(&ezk)
        .args(["set", "2021-02-A2", "status_note=nog los"])
        .output()
        .expect("overleg");
    assert_ok(&out);
    assert!(!stderr(&out).contains("packing"), "{}", stderr(&out));
    assert!(loose_objects(env.git(&ezk)) >= 4);
}
