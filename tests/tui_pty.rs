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
    cmd.arg(&repo);
    cmd.cwd(tmp.path());
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
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("OVERLEG_DEPARTMENT");
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        NonZeroU16::new(24).expect("rows"),
        NonZeroU16::new(80).expect("cols"),
        0,
    )));
    let writer: Arc<Mutex<Box<dyn Write + Send>>> =
        Arc::new(Mutex::new(pair.master.take_writer().expect("writer")));
    let mut reader = pair.master.try_clone_reader().expect("reader");
    {
        let (parser, writer) = (parser.clone(), writer.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let chunk = &buf[..n];
                let Ok(mut p) = parser.lock() else { break };
                p.process(chunk);
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
    };

    screen.wait_for("Komende vergaderingen");
    assert!(parser.lock().expect("parser").screen().alternate_screen());
    // 1. search for a follow-up and open it in the follow-ups list
    screen.send("/");
    screen.wait_for("typ om te zoeken");
    screen.send("type:action terugkoppeling beraad");
    screen.wait_for("2021-02-A6");
    screen.send("\r");
    screen.wait_for("Acties (");
    // 2. change its status
    screen.send("s");
    screen.wait_for("Status kiezen");
    screen.send("gereed");
    screen.send("\r");
    screen.wait_for("opgeslagen: actie 2021-02-A6 status");
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
