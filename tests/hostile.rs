//! Hostile repository content: garbage files at volume, terminal escapes in every kind of text,
//! paths that try to leave the repository, and git hooks or commands planted in a clone. The
//! app keeps working, shows everything inert, loses nothing and executes nothing.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;
use overleg::model::Kind;
use overleg::model::parse::parse_record;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// helpers

/// A command ended normally: exit 0 or 1 (or 2 for a refused command), never a panic or signal.
fn assert_no_crash(o: &Output, what: &str) {
    assert!(
        o.status.signal().is_none(),
        "{what}: killed by signal {:?}\nstderr:\n{}",
        o.status.signal(),
        stderr(o)
    );
    let code = o.status.code().unwrap_or(-1);
    assert!(
        (0..=2).contains(&code),
        "{what}: exit code {code}\nstderr:\n{}",
        stderr(o)
    );
    assert!(
        !stderr(o).contains("panicked"),
        "{what}: panicked\n{}",
        stderr(o)
    );
}

/// Characters that must never reach a terminal live: C0 (but newline), DEL, C1, direction
/// overrides and isolates, and invisible characters that hide text.
fn is_live(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{200b}'..='\u{200d}'
                | '\u{2060}'
                | '\u{feff}'
        )
}

/// The raw bytes a command printed are valid UTF-8 without one live control character.
fn assert_inert(bytes: &[u8], what: &str) {
    for b in [0x1b_u8, 0x07, 0x00, 0x7f] {
        assert!(!bytes.contains(&b), "{what}: raw byte {b:#04x} in output");
    }
    let s = std::str::from_utf8(bytes)
        .unwrap_or_else(|e| panic!("{what}: output is not UTF-8 ({e}): {bytes:?}"));
    if let Some(c) = s.chars().find(|c| is_live(*c)) {
        panic!("{what}: live character U+{:04X} in output:\n{s}", c as u32);
    }
}

fn run_inert(env: &Env, dir: &Path, args: &[&str]) -> Output {
    let o = env.overleg(dir).args(args).output().expect("run overleg");
    assert_no_crash(&o, &format!("{args:?}"));
    assert_inert(&o.stdout, &format!("stdout of {args:?}"));
    assert_inert(&o.stderr, &format!("stderr of {args:?}"));
    o
}

/// The text of a TOML basic string holding `s` (escapes for what TOML needs escaped).
fn toml_str(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// Every record id in `list KIND --json`.
fn listed_ids(env: &Env, dir: &Path, kind: &str) -> Vec<String> {
    let o = env
        .overleg(dir)
        .args(["list", kind, "--json"])
        .output()
        .expect("list");
    assert_no_crash(&o, "list --json");
    json(&stdout(&o))
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}

/// The `list` word for the folder of a record path.
fn folder_kind(rel: &str) -> &'static str {
    let folder = rel.rsplit_once('/').map_or("", |(f, _)| f);
    match Kind::from_folder(folder) {
        Some(Kind::Meeting) => "meetings",
        Some(Kind::Item) => "items",
        Some(Kind::Action) => "actions",
        Some(Kind::Notes) => "notes",
        Some(Kind::Person) => "people",
        Some(Kind::Body) => "bodies",
        Some(Kind::Organisation) => "organisations",
        None => "",
    }
}

const KINDS: [&str; 7] = [
    "meetings",
    "items",
    "actions",
    "notes",
    "people",
    "bodies",
    "organisations",
];

// ---------------------------------------------------------------------------------------------
// 2. bad repository content

/// Fragments that break files the way people, editors and merges do.
const FRAGMENTS: &[&[u8]] = &[
    b"\0",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe\x00",
    b"\xe9t\xe9",
    b"<<<<<<< HEAD\n",
    b"=======\n",
    b">>>>>>> origin/main\n",
    b"[[[[[[[[",
    b"\"\"\"",
    b"\\u001b[2J",
    b"\x1b]0;titel\x07",
    b"\nid = 5\n",
    b"\n[annotation]\nadvies = 3\n",
    b"\nstatus = [\"open\"]\n",
    b"\nmeeting = \"m-bestaat-niet\"\n",
    b"\nx_onbekend = { a = [1, { b = 2 }] }\n",
    b"\ndate = 2021-02-30\n",
    b" = ",
    b"\n\n",
];

#[derive(Clone, Debug)]
enum Garbage {
    /// a bundled record, mutated
    Mutated {
        pick: usize,
        edits: Vec<(usize, usize, u8)>,
    },
    /// random bytes
    Random(Vec<u8>),
}

fn garbage() -> impl Strategy<Value = Garbage> {
    prop_oneof![
        3 => (any::<usize>(), proptest::collection::vec((any::<usize>(), 0..FRAGMENTS.len() + 3, any::<u8>()), 1..5))
            .prop_map(|(pick, edits)| Garbage::Mutated { pick, edits }),
        1 => proptest::collection::vec(any::<u8>(), 0..300).prop_map(Garbage::Random),
    ]
}

fn render(g: &Garbage, examples: &[(&str, &[u8])]) -> Vec<u8> {
    match g {
        Garbage::Random(b) => b.clone(),
        Garbage::Mutated { pick, edits } => {
            let mut b = examples[pick % examples.len()].1.to_vec();
            for &(at, what, byte) in edits {
                let at = at % (b.len() + 1);
                match what.checked_sub(FRAGMENTS.len()) {
                    None => {
                        b.splice(at..at, FRAGMENTS[what].iter().copied());
                    }
                    Some(0) => b.truncate(at),
                    Some(1) if at < b.len() => b[at] = byte,
                    _ => {
                        let end = (at + usize::from(byte % 32)).min(b.len());
                        b.drain(at..end);
                    }
                }
            }
            b
        }
    }
}

#[test]
fn garbage_files_at_volume_never_crash_check_or_list_and_are_reported_and_kept() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let examples: Vec<(&str, &[u8])> = overleg::store::bundled::FILES
        .iter()
        .filter(|(p, _)| p.ends_with(".toml") && p.contains('/'))
        .map(|(p, b)| (*p, *b))
        .collect();
    let baseline: Vec<Vec<String>> = KINDS.iter().map(|k| listed_ids(&env, &ezk, k)).collect();
    let tried = std::cell::Cell::new(0usize);
    let reported = std::cell::Cell::new(0usize);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 40,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = proptest::collection::vec((0..Kind::ALL.len(), garbage()), 1..5);
    runner
        .run(&strategy, |files| {
            let mut written: Vec<(String, Vec<u8>)> = Vec::new();
            for (n, (kind, g)) in files.iter().enumerate() {
                let kind = Kind::ALL[*kind];
                // names sort after the example's, so a copied id is the duplicate, not the original
                let rel = format!("{}/zz-garbage-{n}.toml", kind.folder());
                let bytes = render(g, &examples);
                std::fs::write(ezk.join(&rel), &bytes).expect("write garbage");
                written.push((rel, bytes));
            }
            tried.set(tried.get() + written.len());
            let o = env.overleg(&ezk).arg("check").output().expect("check");
            assert_no_crash(&o, "check");
            let report = stdout(&o);
            for (rel, bytes) in &written {
                let kind =
                    Kind::from_folder(rel.rsplit_once('/').expect("folder").0).expect("kind");
                let parsed = parse_record(kind, rel, bytes);
                for p in &parsed.problems {
                    let prefix = format!("{}:{}:", p.path, p.line);
                    prop_assert!(
                        report.lines().any(|l| l.starts_with(&prefix)),
                        "{prefix} not in the report:\n{report}"
                    );
                    reported.set(reported.get() + 1);
                }
            }
            // the kinds garbage went into (listing is where a crash would show)
            let touched: Vec<usize> = KINDS
                .iter()
                .enumerate()
                .filter(|(_, k)| written.iter().any(|(rel, _)| folder_kind(rel) == **k))
                .map(|(i, _)| i)
                .collect();
            for k in touched {
                let kind = KINDS[k];
                let ids = listed_ids(&env, &ezk, kind);
                for id in &baseline[k] {
                    prop_assert!(ids.contains(id), "{id} no longer listed");
                }
                let o = env
                    .overleg(&ezk)
                    .args(["list", kind])
                    .output()
                    .expect("list");
                assert_no_crash(&o, "list");
            }
            for (rel, bytes) in &written {
                prop_assert_eq!(
                    &std::fs::read(ezk.join(rel)).expect("read back"),
                    bytes,
                    "{} changed",
                    rel
                );
                std::fs::remove_file(ezk.join(rel)).expect("remove");
            }
            Ok(())
        })
        .expect("garbage property");
    eprintln!(
        "garbage files tried: {}, problems located in reports: {}",
        tried.get(),
        reported.get()
    );
    assert!(tried.get() >= 40);
}

/// Each named kind of bad file: reported with file and line, the rest loads, bytes untouched,
/// a good record still edits (keeping unknown fields), nothing outside is followed.
#[test]
fn named_bad_inputs_are_reported_kept_and_never_followed() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let actions_before = listed_ids(&env, &ezk, "actions");
    let head = "ref = \"2099-01-A1\"\ntitle = \"t\"\nowner = \"EZK\"\nstatus = \"open\"\n";
    let rec = |id: &str, extra: &str| format!("id = \"{id}\"\n{head}{extra}").into_bytes();
    let mut big = rec("a-big", "description = \"\"\"\n");
    big.extend(std::iter::repeat_n(b'x', 10 << 20));
    big.extend_from_slice(b"\"\"\"\n");
    // (path, bytes, line expected in the report, text expected on that line)
    let bad: Vec<(String, Vec<u8>, usize, &str)> = vec![
        ("actions/a-big.toml".into(), big, 1, "bytes"),
        (
            "actions/a-deep.toml".into(),
            [rec("a-deep", ""), format!("x = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()].concat(),
            6,
            "",
        ),
        (
            "actions/a-deepkey.toml".into(),
            [rec("a-deepkey", ""), format!("[{}]\nx = 1\n", vec!["a"; 10_000].join(".")).into_bytes()].concat(),
            6,
            "too deeply",
        ),
        ("actions/a-latin1.toml".into(), rec("a-latin1", "status_note = \"Financi\u{e9}n\"\n").iter().flat_map(|b| if *b == 0xc3 { vec![] } else if *b == 0xa9 { vec![0xe9] } else { vec![*b] }).collect(), 6, "UTF-8"),
        ("actions/a-nul.toml".into(), rec("a-nul", "status_note = \"a\0b\"\n"), 6, ""),
        ("actions/a-conflict.toml".into(), rec("a-conflict", "<<<<<<< HEAD\nstatus_note = \"x\"\n=======\nstatus_note = \"y\"\n>>>>>>> theirs\n"), 6, "conflict"),
        ("actions/a-type.toml".into(), rec("a-type", "contributors = 5\n"), 6, "contributors"),
        ("actions/a-empty.toml".into(), Vec::new(), 1, "empty"),
        ("actions/a-dangling.toml".into(), rec("a-dangling", "meeting = \"m-nergens\"\nitem = \"i-nergens\"\n"), 6, "m-nergens"),
        ("actions/a-zzz-kopie.toml".into(), std::fs::read(ezk.join("actions/a-2021-02-a3.toml")).unwrap_or_else(|_| rec("a-2021-02-a3", "")), 1, "duplicate id"),
        ("items/i-escape.toml".into(), b"id = \"i-escape\"\nmeeting = \"m-beraad-2021-02-08\"\nlabel = \"9\"\norder = 90\ntitle = \"t\"\ntreatment = \"mededeling\"\n[[attachments]]\nid = \"b-1\"\nlabel = \"b\"\ntitle = \"t\"\npath = \"../../../../../../etc/passwd\"\n".to_vec(), 11, "inside the repository"),
        ("items/i-absolute.toml".into(), b"id = \"i-absolute\"\nmeeting = \"m-beraad-2021-02-08\"\nlabel = \"9\"\norder = 91\ntitle = \"t\"\ntreatment = \"mededeling\"\n[[attachments]]\nid = \"b-1\"\nlabel = \"b\"\ntitle = \"t\"\npath = \"/etc/passwd\"\n".to_vec(), 11, "relative"),
        ("actions/a\u{1b}[2J\u{7}.toml".into(), rec("a-ctl", ""), 1, "control"),
        ("actions/a..b.toml".into(), rec("a-dots", ""), 1, "`..`"),
        ("actions/a-\u{202e}lmth.toml".into(), rec("a-bidi", ""), 1, "rename it"),
    ];
    for (rel, bytes, _, _) in &bad {
        std::fs::write(ezk.join(rel), bytes).expect("write bad file");
    }
    // Tolerated: a BOM, CRLF line ends. They load (with a warning for the BOM).
    let crlf = String::from_utf8(rec("a-crlf", ""))
        .expect("utf8")
        .replace('\n', "\r\n");
    std::fs::write(ezk.join("actions/a-crlf.toml"), format!("\u{feff}{crlf}")).expect("write");
    // A symlinked record and a symlinked record folder, both pointing outside: never followed.
    let outside = env.path().join("buiten");
    std::fs::create_dir_all(&outside).expect("outside");
    std::fs::write(
        outside.join("n-buiten.toml"),
        "id = \"n-buiten\"\nmeeting = \"m-beraad-2021-02-08\"\n",
    )
    .expect("write");
    std::fs::write(outside.join("a-buiten.toml"), rec("a-buiten", "")).expect("write");
    std::os::unix::fs::symlink(
        outside.join("a-buiten.toml"),
        ezk.join("actions/a-link.toml"),
    )
    .expect("symlink");
    std::fs::remove_dir_all(ezk.join("notes")).expect("rm notes");
    std::os::unix::fs::symlink(&outside, ezk.join("notes")).expect("symlink folder");
    // Unknown fields in a good record, to survive an edit.
    let keep = ezk.join("actions/a-2021-02-a2.toml");
    let mut text = std::fs::read_to_string(&keep).expect("read");
    text.push_str("\n# met de hand\nx_onbekend = \"blijft\"\n[x_tabel]\ndiep = { a = [1, 2] }\n");
    std::fs::write(&keep, &text).expect("write");
    run_ok(env.git(&ezk).args(["commit", "-qam", "onbekende velden"]));

    let o = run_inert(&env, &ezk, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let report = stdout(&o);
    for (rel, _, line, what) in &bad {
        let shown = overleg::text::line(rel);
        let prefix = format!("{shown}:{line}:");
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(what)),
            "no `{prefix} …{what}…` in the report:\n{report}"
        );
    }
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("actions/a-link.toml:1:1:") && l.contains("symbolic link")),
        "{report}"
    );
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("notes") && l.contains("symbolic link")),
        "{report}"
    );
    assert!(
        !report.contains("n-buiten") && !report.contains("a-buiten"),
        "followed a link:\n{report}"
    );
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("actions/a-crlf.toml:1:1: warning")),
        "{report}"
    );
    // The good records all load; the tolerated ones too; the links are not followed.
    let actions = listed_ids(&env, &ezk, "actions");
    for id in &actions_before {
        assert!(actions.contains(id), "{id} lost");
    }
    assert!(actions.contains(&"a-crlf".to_string()));
    assert!(!actions.contains(&"a-buiten".to_string()));
    assert!(listed_ids(&env, &ezk, "notes").is_empty());
    for k in KINDS {
        run_inert(&env, &ezk, &["list", k]);
    }
    // Editing a good record works and keeps the unknown fields and the comment.
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A2", "status=gereed"]),
    );
    let after = std::fs::read_to_string(&keep).expect("read");
    assert!(
        after
            .contains("# met de hand\nx_onbekend = \"blijft\"\n[x_tabel]\ndiep = { a = [1, 2] }\n"),
        "{after}"
    );
    assert_eq!(
        after,
        text.replace("status = \"open\"", "status = \"gereed\"")
    );
    // Bad files are byte for byte what they were.
    for (rel, bytes, _, _) in &bad {
        assert!(
            std::fs::read(ezk.join(rel)).expect("read") == *bytes,
            "{rel} changed"
        );
    }
    // Saving into a folder that is a link out of the repository is refused; nothing is written there.
    std::fs::rename(ezk.join("actions"), env.path().join("actions-echt")).expect("move actions");
    std::os::unix::fs::symlink(&outside, ezk.join("actions")).expect("symlink actions");
    let o = env
        .overleg(&ezk)
        .args(["new", "action", "--title", "via link", "--owner", "EZK"])
        .output()
        .expect("new");
    assert_no_crash(&o, "new");
    assert!(
        !o.status.success(),
        "saved through a link out of the repository"
    );
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    let outside_files = std::fs::read_dir(&outside).expect("outside").count();
    assert_eq!(
        outside_files, 2,
        "something was written outside the repository"
    );
    eprintln!("named bad inputs tried: {}", bad.len() + 4);
}

/// Attachment paths are never opened: a FIFO outside the repository would block a reader
/// for ever, so `check`, `show` and `list` finishing proves they never opened it.
#[test]
fn attachment_paths_are_refused_and_never_opened() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let fifo = env.path().join("fifo");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(ok.success());
    std::fs::create_dir_all(ezk.join("files")).expect("files");
    std::os::unix::fs::symlink(&fifo, ezk.join("files/link.pdf")).expect("symlink");
    let rel_up = format!(
        "../{}",
        "../".repeat(8) + fifo.to_str().expect("utf8").trim_start_matches('/')
    );
    let item = format!(
        "id = \"i-fifo\"\nmeeting = \"m-beraad-2021-02-08\"\nlabel = \"9\"\norder = 90\ntitle = \"t\"\ntreatment = \"mededeling\"\n\
         [[attachments]]\nid = \"b-1\"\nlabel = \"b\"\ntitle = \"t\"\npath = {}\n\
         [[attachments]]\nid = \"b-2\"\nlabel = \"b\"\ntitle = \"t\"\npath = {}\n\
         [[attachments]]\nid = \"b-3\"\nlabel = \"b\"\ntitle = \"t\"\npath = \"files/link.pdf\"\n",
        toml_str(fifo.to_str().expect("utf8")),
        toml_str(&rel_up)
    );
    std::fs::write(ezk.join("items/i-fifo.toml"), item).expect("write");
    for args in [
        vec!["check"],
        vec!["check", "--json"],
        vec!["show", "i-fifo"],
        vec!["show", "i-fifo", "--json"],
        vec!["list", "items", "--json"],
    ] {
        let mut child = env
            .overleg(&ezk)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{args:?} blocked: it opened the FIFO an attachment path points at");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.signal().is_none());
        let out = child.wait_with_output().expect("output");
        if args == ["check"] {
            let report = stdout(&out);
            assert!(
                report.contains("items/i-fifo.toml:11:") && report.contains("relative"),
                "{report}"
            );
            assert!(
                report.contains("items/i-fifo.toml:16:")
                    && report.contains("inside the repository"),
                "{report}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. hostile text

/// CSI, OSC 0 (title), OSC 52 (clipboard), OSC 8 (link), C1 CSI, NEL, bidi overrides and
/// isolates, zero-width characters, DEL and a BOM.
const HOSTILE: &str = "Kop\u{1b}]0;PWNED\u{7} \u{1b}]52;c;ZXZpbA==\u{7} \u{1b}]8;;https://kwaad.example/\u{1b}\\klik\u{1b}]8;;\u{1b}\\ \u{1b}[2J\u{1b}[31mrood \u{9b}31m \u{85} \u{202e}eman\u{202c} \u{2066}iso\u{2069} \u{200f}\u{200b}ver\u{200d}borgen\u{2060}\u{feff} \u{7f}einde";

fn plant_hostile_records(ezk: &Path) {
    let h = toml_str(HOSTILE);
    let files = [
        (
            "registry/people/p-kwaad.toml",
            format!(
                "id = \"p-kwaad\"\nname = {h}\nclass = \"ambtenaar\"\norganisation = \"EZK\"\nrole = {h}\n"
            ),
        ),
        (
            "registry/organisations/kwaad.toml",
            format!(
                "id = \"kwaad\"\ncode = \"KWD\"\nname = {h}\ntype = \"overig\"\nunits = [{h}]\n"
            ),
        ),
        (
            "registry/bodies/kwaad.toml",
            format!("id = \"kwaad\"\nname = {h}\nshort = {h}\ncadence = {h}\n"),
        ),
        (
            "meetings/m-kwaad.toml",
            format!(
                "id = \"m-kwaad\"\nbody = \"kwaad\"\ntitle = {h}\ndate = 2021-03-05\nstart = \"10:00\"\nend = \"11:00\"\nstatus = \"gepland\"\nvenue = {h}\nchair = \"p-kwaad\"\nmeta_question = {h}\n\n[[participants]]\nid = \"pt-1\"\nwho = {h}\nseat = {h}\n"
            ),
        ),
        (
            "items/i-kwaad.toml",
            format!(
                "id = \"i-kwaad\"\nmeeting = \"m-kwaad\"\nlabel = {h}\norder = 10\ntitle = {h}\ntreatment = \"ter_bespreking\"\nduration = 20\nlead = \"EZK\"\nobjective = {h}\n\n[[presenters]]\nid = \"pr-1\"\nwho = {h}\n\n[[attachments]]\nid = \"b-1\"\nlabel = {h}\ntitle = {h}\nkenmerk = {h}\n\n[annotation]\nadvies = {h}\nvragen = [{h}]\n"
            ),
        ),
        (
            "notes/n-kwaad.toml",
            format!(
                "id = \"n-kwaad\"\nmeeting = \"m-kwaad\"\n\n[[summaries]]\nitem = \"i-kwaad\"\ntext = {h}\n\n[[decisions]]\nid = \"d-1\"\nitem = \"i-kwaad\"\ntext = {h}\n\n[[agreements]]\nid = \"g-1\"\ntext = {h}\nparties = [{h}]\n"
            ),
        ),
        (
            "actions/a-kwaad.toml",
            format!(
                "id = \"a-kwaad\"\nref = \"2021-03-A99\"\ntitle = {h}\ndescription = {h}\nowner = \"EZK\"\nowner_role = {h}\ndue = {h}\nstatus = \"open\"\nstatus_note = {h}\nmeeting = \"m-kwaad\"\nx_onbekend = {h}\n"
            ),
        ),
        // problems whose messages quote hostile values
        (
            "actions/a-kwaad2.toml",
            format!(
                "id = \"a-kwaad2\"\nref = \"2021-03-A98\"\ntitle = \"t\"\nowner = {h}\nstatus = {h}\nmeeting = {h}\n"
            ),
        ),
        (
            "actions/a-kwaad3.toml",
            format!(
                "id = {h}\nref = \"2021-03-A97\"\ntitle = \"t\"\nowner = \"EZK\"\nstatus = \"open\"\n"
            ),
        ),
        (
            "actions/a-\u{202e}kwaad\u{200b}.toml",
            format!(
                "id = \"a-kwaad4\"\nref = \"2021-03-A96\"\ntitle = {h}\nowner = \"EZK\"\nstatus = \"open\"\n"
            ),
        ),
    ];
    for (rel, text) in files {
        std::fs::write(ezk.join(rel), text).expect("write hostile record");
    }
}

#[test]
fn hostile_text_never_reaches_the_terminal_live_and_json_keeps_it_exactly() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    plant_hostile_records(&ezk);
    // record loads and is commited, so `set` and `log` work on it
    run_ok(env.git(&ezk).args(["add", "-A"]));
    run_ok(env.git(&ezk).args(["commit", "-qm", "kwaad"]));
    let mut commands: Vec<Vec<String>> = Vec::new();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for k in KINDS {
        commands.push(s(&["list", k]));
        commands.push(s(&["list", k, "--json"]));
    }
    for id in [
        "p-kwaad",
        "kwaad",
        "m-kwaad",
        "i-kwaad",
        "n-kwaad",
        "a-kwaad",
        "2021-03-A99",
        "KWD",
    ] {
        commands.push(s(&["show", id]));
        commands.push(s(&["show", id, "--json"]));
    }
    commands.push(s(&["check"]));
    commands.push(s(&["check", "--json"]));
    // changes and refusals that quote hostile values
    commands.push(s(&[
        "set",
        "a-kwaad",
        &format!("status_note={HOSTILE} bijgewerkt"),
    ]));
    commands.push(s(&["set", "a-kwaad", &format!("title={HOSTILE}")]));
    commands.push(s(&["set", "a-kwaad", &format!("status={HOSTILE}")]));
    commands.push(s(&["set", "a-kwaad", &format!("owner={HOSTILE}")]));
    commands.push(s(&["set", "a-kwaad", &format!("{HOSTILE}=x")]));
    commands.push(s(&[
        "set",
        "i-kwaad",
        &format!("presenters[{HOSTILE}].who=x"),
    ]));
    commands.push(s(&["set", "i-kwaad", "annotation.advies", "--json"]));
    commands.push(s(&["show", HOSTILE]));
    commands.push(s(&["log", HOSTILE]));
    commands.push(s(&["delete", HOSTILE]));
    commands.push(s(&["list", HOSTILE]));
    commands.push(s(&["list", "items", "--meeting", HOSTILE]));
    commands.push(s(&["list", "actions", "--due-before", HOSTILE]));
    commands.push(s(&[
        "new",
        "action",
        "--title",
        HOSTILE,
        "--owner",
        "EZK",
        "--meeting",
        "m-kwaad",
    ]));
    commands.push(s(&[
        "new", "action", "--title", HOSTILE, "--owner", "EZK", "--json",
    ]));
    commands.push(s(&[
        "new",
        "item",
        "--title",
        HOSTILE,
        "--meeting",
        "m-kwaad",
        "--lead",
        "EZK",
    ]));
    commands.push(s(&[
        "new", "meeting", "--title", HOSTILE, "--body", "kwaad", "--date", HOSTILE,
    ]));
    commands.push(s(&["new", HOSTILE]));
    commands.push(s(&[
        "set",
        "a-kwaad",
        &format!("description={HOSTILE}\nregel twee"),
    ]));
    commands.push(s(&["log", "a-kwaad"]));
    commands.push(s(&["log", "a-kwaad", "--json"]));
    for c in &commands {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        run_inert(&env, &ezk, &args);
    }
    // JSON still carries the exact text (escaped), for every kind.
    let exact = |args: &[&str], field: &str| {
        let v = json(&run_ok(env.overleg(&ezk).args(args)));
        assert_eq!(v[field].as_str(), Some(HOSTILE), "{args:?} {field}");
    };
    exact(&["show", "p-kwaad", "--json"], "name");
    exact(&["show", "kwaad", "--json"], "name");
    exact(&["show", "m-kwaad", "--json"], "title");
    exact(&["show", "i-kwaad", "--json"], "title");
    exact(&["show", "a-kwaad", "--json"], "x_onbekend");
    let v = json(&run_ok(
        env.overleg(&ezk).args(["show", "a-kwaad", "--json"]),
    ));
    assert_eq!(
        v["status_note"].as_str(),
        Some(format!("{HOSTILE} bijgewerkt").as_str())
    );
    let v = json(&run_ok(
        env.overleg(&ezk).args(["show", "n-kwaad", "--json"]),
    ));
    assert_eq!(v["decisions"][0]["text"].as_str(), Some(HOSTILE));
    // Commit messages made from hostile titles and values are sanitised.
    let log = env
        .git(&ezk)
        .args(["log", "--format=%B%n%an%n%ae"])
        .output()
        .expect("git log");
    assert!(log.status.success());
    let ours: Vec<u8> = {
        let r = git2::Repository::open(&ezk).expect("open");
        let mut w = r.revwalk().expect("walk");
        w.push_head().expect("head");
        w.take(8)
            .flat_map(|oid| {
                r.find_commit(oid.expect("oid"))
                    .expect("commit")
                    .message_bytes()
                    .to_vec()
            })
            .collect()
    };
    assert_inert(&ours, "commit messages made by overleg");
    let text = String::from_utf8_lossy(&ours);
    assert!(
        text.contains("␛]0;PWNED"),
        "the hostile text is shown, inert: {text}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. nothing from the repository is executed

fn plant_hooks(hooks: &Path, marker: &Path) {
    std::fs::create_dir_all(hooks).expect("hooks dir");
    for hook in [
        "pre-commit",
        "prepare-commit-msg",
        "commit-msg",
        "post-commit",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
        "pre-auto-gc",
    ] {
        let p = hooks.join(hook);
        std::fs::write(
            &p,
            format!("#!/bin/sh\necho {hook} >> '{}'\nexit 0\n", marker.display()),
        )
        .expect("hook");
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    }
}

#[test]
fn hooks_fsmonitor_and_filters_in_a_clone_are_never_run() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let marker: PathBuf = env.path().join("uitgevoerd");
    plant_hooks(&ezk.join(".git/hooks"), &marker);
    let other_hooks = env.path().join("andere-hooks");
    plant_hooks(&other_hooks, &marker);
    let cfg = |k: &str, v: &str| run_ok(env.git(&ezk).args(["config", k, v]));
    cfg("core.hooksPath", other_hooks.to_str().expect("utf8"));
    cfg(
        "core.fsmonitor",
        &format!("echo fsmonitor >> '{}'; true", marker.display()),
    );
    cfg(
        "filter.kwaad.clean",
        &format!("sh -c \"echo clean >> '{}'; cat\"", marker.display()),
    );
    cfg(
        "filter.kwaad.smudge",
        &format!("sh -c \"echo smudge >> '{}'; cat\"", marker.display()),
    );
    cfg(
        "filter.kwaad.process",
        &format!("sh -c \"echo process >> '{}'\"", marker.display()),
    );
    cfg(
        "diff.external",
        &format!("sh -c \"echo diff >> '{}'\"", marker.display()),
    );
    cfg(
        "core.pager",
        &format!("sh -c \"echo pager >> '{}'\"", marker.display()),
    );
    cfg("gc.auto", "1");
    std::fs::write(
        ezk.join(".gitattributes"),
        "*.toml filter=kwaad diff=kwaad\n",
    )
    .expect("attributes");
    let id = run_ok(
        env.overleg(&ezk)
            .args(["new", "action", "--title", "Haak", "--owner", "EZK"]),
    );
    let id = id.trim();
    run_ok(env.overleg(&ezk).args(["set", id, "status=gereed"]));
    run_ok(
        env.overleg(&ezk)
            .args(["set", "2021-02-A2", "status_note=nagekeken"]),
    );
    for args in [
        vec!["check"],
        vec!["list", "actions"],
        vec!["show", id],
        vec!["log", id],
    ] {
        let o = env.overleg(&ezk).args(&args).output().expect("run");
        assert_no_crash(&o, "read command");
    }
    run_ok(env.overleg(&ezk).args(["delete", id]));
    assert!(
        !marker.exists(),
        "overleg ran something from the repository: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    // The trap is real: git itself runs these hooks and filters in this clone.
    // (the fsmonitor hook and the process filter do not speak git's protocols, which makes
    // git itself fail when the index needs refreshing; they are off for this proof only)
    run_ok(env.git(&ezk).args([
        "-c",
        "core.fsmonitor=false",
        "-c",
        "filter.kwaad.process=",
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "git zelf",
    ]));
    let ran = std::fs::read_to_string(&marker).unwrap_or_default();
    assert!(
        ran.contains("pre-commit") && ran.contains("post-commit"),
        "the planted hooks do not work: {ran:?}"
    );
}
