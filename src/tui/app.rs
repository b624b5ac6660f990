//! The terminal shell around the pure core: set up and always restore the terminal (also on
//! panic), read input, feed actions to `update`, run effects (jobs to the worker, `$EDITOR`
//! with the terminal suspended), and draw.

use std::io::{Stdout, Write, stdout};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::action::{Action, EditTarget, Effect, Job};
use super::state::State;
use super::update::update;
use super::{search_worker, views, worker};

type Term = Terminal<CrosstermBackend<Stdout>>;

fn enter() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        crossterm::cursor::Hide
    )
}

/// Put the terminal back as it was; safe to call more than once.
pub fn leave() {
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = stdout().flush();
}

/// Restores the terminal when the loop ends in any way.
struct Guard;
impl Drop for Guard {
    fn drop(&mut self) {
        leave();
    }
}

/// On a panic: the terminal back first, then the log and the draft (see `recovery`); the
/// panic text goes to the log file, not over the user's screen.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(move |info| {
        leave();
        super::recovery::on_panic(info);
    }));
}

/// Edit `text` in `$VISUAL`/`$EDITOR` (else `vi`), with the terminal handed over meanwhile.
fn external_editor(terminal: &mut Term, text: &str) -> (Option<String>, Option<String>) {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("overleg-{}-{n}.txt", std::process::id()));
    if let Err(e) = std::fs::write(&path, text) {
        return (None, Some(format!("{}: {e}", path.display())));
    }
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".into());
    leave();
    // Through sh, so an EDITOR with arguments ("code --wait") works.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let _ = enter();
    let _ = terminal.clear();
    let result = match status {
        Ok(st) if st.success() => match std::fs::read_to_string(&path) {
            Ok(t) if t.trim_end() != text.trim_end() => {
                (Some(t.trim_end_matches('\n').to_string()), None)
            }
            Ok(_) => (None, None),
            Err(e) => (None, Some(format!("{}: {e}", path.display()))),
        },
        Ok(st) => (None, Some(format!("{editor}: {st}"))),
        Err(e) => (None, Some(format!("{editor}: {e}"))),
    };
    let _ = std::fs::remove_file(&path);
    result
}

fn to_action(ev: Event) -> Option<Action> {
    Some(match ev {
        Event::Key(k) => Action::Key(k),
        Event::Mouse(m) => Action::Mouse(m),
        Event::Paste(p) => Action::Paste(p),
        Event::Resize(w, h) => Action::Resize(w, h),
        _ => return None,
    })
}

/// Run the workbench until the user quits.
pub fn run(mut state: State, root: PathBuf) -> anyhow::Result<i32> {
    let (job_tx, job_rx) = mpsc::channel::<(u64, Job, super::lists::ListKeys)>();
    let (act_tx, act_rx) = mpsc::channel::<Action>();
    // Searches run on their own thread, answering through the same channel as the worker.
    let search_thread = search_worker::spawn(act_tx.clone()).map(|(link, handle)| {
        state.search.thread = Some(link);
        handle
    });
    let _worker = worker::spawn(root, job_rx, act_tx);
    let _ = job_tx.send((0, Job::Start, state.list_keys()));

    install_panic_hook();
    // Fault injection for the crash test (tests/tui_pty.rs): the key named here panics inside
    // the event loop, as a bug would. Unset in normal use.
    let crash_key = std::env::var("OVERLEG_CRASH_KEY")
        .ok()
        .and_then(|k| k.chars().next());
    enter()?;
    let _guard = Guard;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    let mut dirty = true;
    let timing = std::env::var_os("OVERLEG_TIMING").map(|_| std::time::Instant::now());
    loop {
        if dirty {
            let mut hits = Default::default();
            terminal.draw(|f| {
                hits = views::draw(f, &state);
            })?;
            if let Some(t0) = timing
                && state.loaded
            {
                eprintln!("ui: frame drawn {:?}", t0.elapsed());
            }
            state.apply_hits(hits);
            if let Ok(size) = terminal.size() {
                state.size = (size.width, size.height);
            }
            dirty = false;
        }
        // While a search is out, look for its answer often: it can only be drawn once it is
        // taken from the channel, and input polling is what the loop waits on.
        let wait = if state.search.pending {
            if search_thread.as_ref().is_some_and(|h| h.is_finished()) {
                // The search thread ended (a bug): search on this thread from now on. Keys
                // held for its answer are dropped rather than run on an unexpected one.
                state.search.thread = None;
                state.search.held.clear();
                state.rerun_search();
                dirty = true;
            }
            Duration::from_millis(2)
        } else if !state.loaded {
            // the first agenda is what the user waits for: draw it as soon as it is there
            Duration::from_millis(2)
        } else {
            Duration::from_millis(40)
        };
        let mut actions = Vec::new();
        if event::poll(wait)? {
            actions.extend(to_action(event::read()?));
            // Take everything already waiting, so a burst of keys costs one frame.
            while event::poll(Duration::ZERO)? {
                actions.extend(to_action(event::read()?));
            }
        }
        actions.extend(act_rx.try_iter());
        for a in actions {
            dirty = true;
            if let (Some(c), Action::Key(k)) = (crash_key, &a)
                && k.code == event::KeyCode::Char(c)
            {
                panic!("crash test: {c} pressed with OVERLEG_CRASH_KEY set");
            }
            let started = timing.map(|_| std::time::Instant::now());
            let what = timing.map(|_| match &a {
                Action::Loaded { .. } => "loaded",
                Action::Searched { .. } => "searched",
                Action::Key(_) => "key",
                _ => "other",
            });
            let mut effects = update(&mut state, a);
            if let (Some(t0), Some(started), Some(what)) = (timing, started, what) {
                eprintln!(
                    "ui: {what} in {:?} at {:?}",
                    started.elapsed(),
                    t0.elapsed()
                );
            }
            while let Some(e) = effects.pop() {
                match e {
                    Effect::Quit => return Ok(0),
                    Effect::Run(id, job) => {
                        if job_tx.send((id, job, state.list_keys())).is_err() {
                            anyhow::bail!("the background worker stopped; restart overleg");
                        }
                    }
                    Effect::External { target, text } => {
                        let (text, error) = external_editor(&mut terminal, &text);
                        effects.extend(update(
                            &mut state,
                            Action::EditorDone {
                                target: target.clone(),
                                text,
                                error,
                            },
                        ));
                        let _ = EditTarget::Editor;
                    }
                }
            }
        }
        super::recovery::remember(&state);
        if state.quit {
            return Ok(0);
        }
    }
}
