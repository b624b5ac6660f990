//! End to end: the real binary in a pseudo-terminal on a demo workspace. Search for a
//! follow-up, change its status, add a decision to a meeting's notes, quit; then check the two
//! commits and that the terminal was given back.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_overleg");

fn isolated(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("OVERLEG_DEPARTMENT")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL");
}

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    /// Every byte the program wrote to the terminal.
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    fn send(&self, bytes: &str) {
        let mut w = self.writer.lock().expect("writer");
        w.write_all(bytes.as_bytes()).expect("write");
        w.flush().expect("flush");
    }

    /// Poll the screen until `what` shows, or fail with the screen as it is.
    fn wait_for(&self, what: &str) {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if self.text().contains(what) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("`{what}` did not appear; screen:\n{}", self.text());
    }
}

/// The workbench in a 80×24 pseudo-terminal, on `repo`, with `extra` environment.
fn start(
    cwd: &Path,
    home: &Path,
    repo: &Path,
    extra: &[(&str, String)],
) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    let tmp_path = cwd;
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args(["--lang", "nl", "--theme", "dark", "--repo"]);
    cmd.arg(repo);
    cmd.cwd(tmp_path);
    for (k, v) in [
        ("HOME", home.to_string_lossy().to_string()),
        (
            "XDG_CONFIG_HOME",
            home.join(".config").to_string_lossy().to_string(),
        ),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("OVERLEG_TODAY", "2021-01-20".into()),
        ("TERM", "xterm-256color".into()),
        ("LANG", "C.UTF-8".into()),
    ] {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("OVERLEG_DEPARTMENT");
    let child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        NonZeroU16::new(24).expect("rows"),
        NonZeroU16::new(80).expect("cols"),
        0,
    )));
    let writer: Arc<Mutex<Box<dyn Write + Send>>> =
        Arc::new(Mutex::new(pair.master.take_writer().expect("writer")));
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let raw_all = Arc::new(Mutex::new(Vec::new()));
    {
        let (parser, writer, raw) = (parser.clone(), writer.clone(), raw_all.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let chunk = &buf[..n];
                let Ok(mut p) = parser.lock() else { break };
                p.process(chunk);
                if let Ok(mut r) = raw.lock() {
                    r.extend_from_slice(chunk);
                }
                // vt100 is only a screen: answer cursor-position queries like a terminal would.
                if chunk.windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = p.screen().cursor_position();
                    if let Ok(mut w) = writer.lock() {
                        let _ = write!(w, "\x1b[{};{}R", row + 1, col + 1);
                        let _ = w.flush();
                    }
                }
            }
        });
    }
    let screen = Screen {
        parser: parser.clone(),
        writer,
        raw: raw_all,
    };

    (screen, child)
}

/// Search for the follow-up 2021-02-A6, open it in the follow-ups list and set its status to
/// `gereed`, until the workbench says it is saved.
fn set_a6_done(screen: &Screen) {
    screen.send("/");
    screen.wait_for("typ om te zoeken");
    screen.send("type:action terugkoppeling beraad");
    screen.wait_for("2021-02-A6");
    screen.send("\r");
    screen.wait_for("Acties (");
    screen.send("s");
    screen.wait_for("Status kiezen");
    screen.send("gereed");
    screen.send("\r");
    screen.wait_for("opgeslagen: actie 2021-02-A6 status");
}

/// Quit with `q`; the workbench must end, successfully, within ten seconds.
fn quit(screen: &Screen, child: &mut Box<dyn portable_pty::Child + Send + Sync>) {
    screen.send("q");
    let end = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        assert!(
            Instant::now() < end,
            "overleg did not quit; screen:\n{}",
            screen.text()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn search_change_status_add_decision_quit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let demo = tmp.path().join("demo");
    let mut setup = Command::new(BIN);
    setup.args(["demo", "--dir"]).arg(&demo).arg("--no-open");
    isolated(&mut setup, &home);
    let out = setup.output().expect("demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repo = demo.join("ezk");
    let before = git2::Repository::open(&repo)
        .expect("repo")
        .head()
        .expect("head")
        .target()
        .expect("oid");

    let (screen, mut child) = start(tmp.path(), &home, &repo, &[]);
    let parser = screen.parser.clone();
    screen.wait_for("Komende vergaderingen");
    assert!(parser.lock().expect("parser").screen().alternate_screen());
    // 1. search for a follow-up, open it in the follow-ups list, 2. change its status
    set_a6_done(&screen);
    // 3. add a decision to the notes of the Beraad of 8 February 2021
    screen.send("1");
    screen.wait_for("Komende vergaderingen");
    screen.send("j");
    screen.send("\r");
    screen.wait_for("VERTROUWELIJK");
    screen.send("v");
    screen.wait_for("Verslag —");
    screen.send("j");
    screen.send("b");
    screen.wait_for("Besluit toevoegen");
    screen.send("De leden stemmen in met de aanpak.");
    screen.wait_for("stemmen in met de aanpak");
    screen.send("\x13");
    screen.wait_for("[akkoord] De leden stemmen in");
    // 4. quit
    quit(&screen, &mut child);
    // The terminal is given back: the reader may still be draining the last bytes.
    let end = Instant::now() + Duration::from_secs(5);
    while parser.lock().expect("parser").screen().alternate_screen() {
        assert!(Instant::now() < end, "still on the alternate screen");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !parser.lock().expect("parser").screen().hide_cursor(),
        "cursor left hidden"
    );

    // Exactly two new commits, by this clone's identity and department.
    let r = git2::Repository::open(&repo).expect("repo");
    let mut walk = r.revwalk().expect("walk");
    walk.push_head().expect("head");
    let new: Vec<git2::Oid> = walk
        .map(|o| o.expect("oid"))
        .take_while(|o| *o != before)
        .collect();
    assert_eq!(new.len(), 2);
    let expect = [
        ("notes/n-beraad-2021-02-08.toml", "decisions + "),
        ("actions/a-2021-02-a6.toml", "status lopend → gereed"),
    ];
    for (oid, (file, what)) in new.iter().zip(expect) {
        let c = r.find_commit(*oid).expect("commit");
        let msg = c.message().expect("utf-8").to_string();
        assert_eq!(c.author().name().expect("name"), "Secretariaat EZK (demo)");
        assert_eq!(
            c.author().email().expect("email"),
            "secretariaat@ezk.example.invalid"
        );
        assert!(msg.starts_with("EZK: ") && msg.contains(what), "{msg}");
        assert!(msg.contains("Overleg-Department: EZK"), "{msg}");
        let diff = r
            .diff_tree_to_tree(
                Some(&c.parent(0).expect("parent").tree().expect("tree")),
                Some(&c.tree().expect("tree")),
                None,
            )
            .expect("diff");
        let files: Vec<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path().map(|p| p.to_string_lossy().to_string()))
            .collect();
        assert_eq!(files, vec![file.to_string()]);
    }
    let notes =
        std::fs::read_to_string(repo.join("notes/n-beraad-2021-02-08.toml")).expect("notes");
    assert!(notes.contains("De leden stemmen in met de aanpak."));
}

/// A demo workspace in a temp dir: (the dir, an isolated home, the EZK clone).
fn demo_workspace() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let demo = tmp.path().join("demo");
    let mut setup = Command::new(BIN);
    setup.args(["demo", "--dir"]).arg(&demo).arg("--no-open");
    isolated(&mut setup, &home);
    let out = setup.output().expect("demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repo = demo.join("ezk");
    (tmp, home, repo)
}

#[test]
fn a_panic_restores_the_terminal_logs_and_keeps_the_text_being_typed() {
    let (tmp, home, repo) = demo_workspace();
    let state = home.join("state");
    let env = [
        ("OVERLEG_CRASH_KEY", "§".to_string()),
        ("XDG_STATE_HOME", state.to_string_lossy().to_string()),
    ];
    let (screen, mut child) = start(tmp.path(), &home, &repo, &env);
    screen.wait_for("Komende vergaderingen");
    screen.send("2");
    screen.wait_for("Acties (");
    screen.send("n");
    screen.wait_for("Titel");
    screen.send("Brief over de herijking nog niet opgeslagen");
    screen.wait_for("herijking nog niet");
    screen.send("§");
    let end = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        assert!(Instant::now() < end, "no crash; screen:\n{}", screen.text());
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let end = Instant::now() + Duration::from_secs(5);
    while screen
        .parser
        .lock()
        .expect("parser")
        .screen()
        .alternate_screen()
    {
        assert!(
            Instant::now() < end,
            "terminal not restored after the panic"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown = screen.text();
    assert!(shown.contains("internal error"), "{shown}");
    assert!(
        !shown.contains("panicked at"),
        "panic text went over the screen:\n{shown}"
    );
    let log = std::fs::read_to_string(state.join("overleg/panic.log")).expect("panic log");
    assert!(log.contains("crash test"), "{log}");
    let recovered: Vec<_> = std::fs::read_dir(state.join("overleg"))
        .expect("state dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains("recovered-"))
        .collect();
    assert_eq!(recovered.len(), 1);
    let text = std::fs::read_to_string(&recovered[0]).expect("recovered");
    assert!(
        text.contains("Brief over de herijking nog niet opgeslagen"),
        "{text}"
    );
    // The next start says where the text is.
    let (screen, mut child) = start(tmp.path(), &home, &repo, &env[1..]);
    screen.wait_for("afgebroken sessie");
    screen.send("q");
    let end = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < end, "did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn hostile_text_in_records_is_shown_inert_in_the_workbench() {
    let (tmp, home, repo) = demo_workspace();
    // A follow-up from "another department" whose title tries to set the window title, write
    // the clipboard (OSC 52), clear the screen, ring the bell, use a C1 CSI and reverse text.
    let evil = "id = \"a-kwaad\"\nref = \"2021-02-A99\"\ntitle = \"Kwaad \\u001b]0;GEHACKT\\u0007 \\u001b]52;c;ZXZpbA==\\u0007 \\u001b[2J \\u009b31m \\u202eLAATZICHTBAAR\"\nowner = \"EZK\"\nstatus = \"open\"\ndue = \"maart 2021\"\n";
    std::fs::write(repo.join("actions/a-kwaad.toml"), evil).expect("write");
    let mut git = Command::new("git");
    isolated(&mut git, &home);
    let ok = git
        .current_dir(&repo)
        .args(["-c", "user.name=x", "-c", "user.email=x@x", "add", "-A"])
        .status()
        .expect("git add")
        .success()
        && {
            let mut c = Command::new("git");
            isolated(&mut c, &home);
            c.current_dir(&repo)
                .args([
                    "-c",
                    "user.name=x",
                    "-c",
                    "user.email=x@x",
                    "commit",
                    "-qm",
                    "BZK: kwaad",
                ])
                .status()
                .expect("git commit")
                .success()
        };
    assert!(ok);
    let (screen, mut child) = start(tmp.path(), &home, &repo, &[]);
    screen.wait_for("Komende vergaderingen");
    screen.send("/");
    screen.wait_for("typ om te zoeken");
    screen.send("kwaad");
    screen.wait_for("2021-02-A99");
    // Open it: the title is shown in full in the follow-ups screen's detail pane.
    screen.send("\r");
    screen.wait_for("GEHACKT");
    screen.send("q");
    let end = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < end, "did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let raw = screen.raw.lock().expect("raw").clone();
    let has = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(
        !has(b"\x1b]0;"),
        "an OSC 0 (window title) reached the terminal"
    );
    assert!(
        !has(b"\x1b]52;"),
        "an OSC 52 (clipboard) reached the terminal"
    );
    assert!(
        !has(b"\x1b[2J\x1b[2J") && !has(b" \x1b[2J "),
        "the record's clear-screen reached the terminal"
    );
    assert!(!has(b"\x07"), "a BEL reached the terminal");
    assert!(!has("\u{9b}".as_bytes()), "a C1 CSI reached the terminal");
    assert!(
        !has("\u{202e}".as_bytes()),
        "a bidi override reached the terminal"
    );
}

/// Loose objects in the clone at `repo`.
fn loose_objects(repo: &Path) -> usize {
    (0..=255u8)
        .filter_map(|fan| std::fs::read_dir(repo.join(format!(".git/objects/{fan:02x}"))).ok())
        .map(|rd| rd.flatten().count())
        .sum()
}

/// A save leaves its objects loose; the workbench packs them once it has sat idle a moment,
/// and is as responsive after as before.
#[test]
fn the_idle_workbench_packs_what_its_saves_left_loose() {
    let (tmp, home, repo) = demo_workspace();
    let mut cfg = Command::new("git");
    cfg.args(["config", "overleg.autoPackBytes", "1"])
        .current_dir(&repo);
    isolated(&mut cfg, &home);
    assert!(cfg.status().expect("git").success());
    let (screen, mut child) = start(tmp.path(), &home, &repo, &[]);
    screen.wait_for("Komende vergaderingen");
    set_a6_done(&screen);
    // the save's commit, trees and blob were written loose, then packed behind the screen
    let end = Instant::now() + Duration::from_secs(60);
    while loose_objects(&repo) > 0 {
        assert!(
            Instant::now() < end,
            "{} loose objects left; screen:\n{}",
            loose_objects(&repo),
            screen.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    screen.send("1");
    screen.wait_for("Komende vergaderingen");
    assert!(!screen.text().contains("mislukt"), "{}", screen.text());
    quit(&screen, &mut child);
    let mut fsck = Command::new("git");
    fsck.args(["fsck", "--full", "--strict"]).current_dir(&repo);
    isolated(&mut fsck, &home);
    let out = fsck.output().expect("git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let action = std::fs::read_to_string(repo.join("actions/a-2021-02-a6.toml")).expect("read");
    assert!(action.contains("status = \"gereed\""), "{action}");
}
