//! Driving the workbench without a terminal, for tests and demos: key sequences in the same
//! notation as the config file, effects run synchronously on a `Runner`, screens rendered to
//! text with ratatui's `TestBackend`.

use crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::{Action, Effect};
use super::keys::Chord;
use super::state::State;
use super::update::update;
use super::views;
use super::worker::Runner;

/// A key in config notation (`j`, `enter`, `ctrl-s`) as a terminal event.
pub fn key(token: &str) -> KeyEvent {
    let c = Chord::parse(token).unwrap_or_else(|e| panic!("{e}"));
    let mut m = KeyModifiers::NONE;
    if c.ctrl {
        m |= KeyModifiers::CONTROL;
    }
    if c.alt {
        m |= KeyModifiers::ALT;
    }
    KeyEvent::new(c.code, m)
}

/// Apply an action and run what it asks for: jobs on `runner` (when given), results fed
/// back until nothing is left. External editors are not run. Returns every effect seen.
pub fn apply(s: &mut State, mut runner: Option<&mut Runner>, a: Action) -> Vec<Effect> {
    let mut seen = Vec::new();
    let mut queue = update(s, a);
    while let Some(e) = queue.pop() {
        seen.push(e.clone());
        if let (Effect::Run(id, job), Some(r)) = (&e, runner.as_deref_mut()) {
            // as the workbench sends them with every job
            r.list_keys = Some(s.list_keys());
            let mut progress = Vec::new();
            let result = r.run_with(*id, job.clone(), &mut |a| progress.push(a));
            for p in progress {
                queue.extend(update(s, p));
            }
            queue.extend(update(s, result));
        }
    }
    seen
}

/// Press keys, space-separated: `2 j space s down enter`. `"…"` types text char by char.
pub fn press(s: &mut State, mut runner: Option<&mut Runner>, keys: &str) -> Vec<Effect> {
    let mut seen = Vec::new();
    for tok in tokens(keys) {
        if let Some(text) = tok.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            for ch in text.chars() {
                let k = KeyEvent::new(crossterm::event::KeyCode::Char(ch), KeyModifiers::NONE);
                seen.extend(apply(s, runner.as_deref_mut(), Action::Key(k)));
            }
        } else {
            seen.extend(apply(s, runner.as_deref_mut(), Action::Key(key(&tok))));
        }
    }
    seen
}

fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                cur.push(c);
                quoted = !quoted;
            }
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The screen as text, one line per row, trailing spaces cut.
pub fn render(s: &mut State, w: u16, h: u16) -> String {
    let mut t = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    s.size = (w, h);
    let mut hits = Default::default();
    if let Err(e) = t.draw(|f| hits = views::draw(f, s)) {
        panic!("{e}");
    }
    s.apply_hits(hits);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
