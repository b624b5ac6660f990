//! The pure heart of the workbench: `update(&mut State, Action) -> Vec<Effect>`. No I/O here:
//! git work is asked for as effects and comes back as actions.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, EditTarget, Effect, Job, Op};
use super::commands;
use super::forms::FormKey;
use super::i18n::Msg;
use super::keys::{Chord, Cmd, Ctx};
use super::state::{Level, Overlay, Screen, State, View};
use super::syncing;
use super::widgets::{EditorSave, PickOutcome, Picker, Purpose};

pub fn update(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
        Action::Key(k) => key(s, &k),
        Action::Mouse(m) => super::mouse::mouse(s, &m),
        Action::Paste(text) => {
            let searching = s.ctx() == Ctx::Search;
            match s.overlays.last_mut() {
                Some(Overlay::Form(f)) => f.paste(&text),
                Some(Overlay::Editor(e)) => {
                    e.area.insert_str(text);
                }
                _ if searching => {
                    s.search.query.push_str(&text.replace('\n', " "));
                    s.rerun_search();
                }
                _ => {}
            }
            Vec::new()
        }
        Action::Resize(w, h) => {
            s.size = (w, h);
            Vec::new()
        }
        Action::Loaded { agenda, unshared } => {
            s.set_agenda(agenda);
            s.unshared = unshared;
            let mut e = history_for_top(s);
            e.extend(sync_state(s));
            e
        }
        Action::SyncState(snapshot) => {
            s.sync = *snapshot;
            Vec::new()
        }
        Action::SyncProgress { job, event } => {
            if let Some((j, last)) = &mut s.syncing
                && *j == job
            {
                *last = Some(event);
            }
            Vec::new()
        }
        Action::Synced {
            job,
            outcome,
            agenda,
            unshared,
            snapshot,
        } => {
            after_remote(s, agenda, unshared, *snapshot);
            syncing::synced(s, job, outcome);
            history_for_top(s)
        }
        Action::Resolved {
            job,
            outcome,
            agenda,
            unshared,
            snapshot,
        } => {
            after_remote(s, agenda, unshared, *snapshot);
            syncing::resolved(s, job, outcome);
            history_for_top(s)
        }
        Action::Saved {
            job,
            summary,
            commit,
            agenda,
            unshared,
            created,
            undoable,
        } => {
            s.pending.retain(|(j, _)| *j != job);
            s.set_agenda(agenda);
            s.unshared = unshared;
            s.last_own = undoable.then(|| (commit, summary.clone()));
            // The department is on screen already; the status line has little room.
            let short = summary
                .split_once(": ")
                .map_or(summary.as_str(), |(_, x)| x);
            s.info(
                Level::Ok,
                format!("{}: {}", s.t(Msg::Saved), crate::text::line(short)),
            );
            if let Some(id) = created
                && s.agenda.meeting(&id).is_some()
            {
                s.stack.push(View::new(Screen::Agenda(id)));
            }
            let mut e = history_for_top(s);
            e.extend(sync_state(s));
            let job = s.job_id();
            e.push(Effect::Run(job, Job::Index));
            e
        }
        // packing is housekeeping: only a failure is worth the status line
        Action::Tidied(outcome) => {
            let failed = match outcome {
                Ok(t) => t.failed,
                Err(e) => Some(e),
            };
            if let Some(e) = failed {
                let m = format!("{}: {}", s.t(Msg::TidyFailed), crate::text::line(&e));
                s.info(Level::Error, m);
            }
            Vec::new()
        }
        Action::Indexed { index } => {
            s.index = index;
            s.rerun_search();
            Vec::new()
        }
        Action::Failed { job, message } => {
            s.pending.retain(|(j, _)| *j != job);
            s.info(Level::Error, crate::text::line(&message));
            Vec::new()
        }
        Action::Searched {
            generation,
            results,
        } => {
            let mut effects = Vec::new();
            if s.searched(generation, results) {
                // Keys pressed while the answer was on its way act on it now.
                for k in std::mem::take(&mut s.search.held) {
                    effects.extend(key(s, &k));
                }
            }
            effects
        }
        Action::HistoryLoaded { id, entries } => {
            s.history.insert(id, entries);
            Vec::new()
        }
        Action::EditorDone {
            target,
            text,
            error,
        } => {
            if let Some(e) = error {
                s.info(Level::Error, e);
            }
            let Some(text) = text else { return Vec::new() };
            match (target, s.overlays.last_mut()) {
                (EditTarget::FormField(i), Some(Overlay::Form(f))) => f.set_value(i, &text),
                (EditTarget::Editor, Some(Overlay::Editor(e))) => e.set_text(&text),
                (EditTarget::Field { id, field }, _) => {
                    return save(
                        s,
                        Op::Set {
                            id,
                            fields: vec![(field, text)],
                        },
                    );
                }
                _ => {}
            }
            Vec::new()
        }
    }
}

/// Start a change on the worker and show it on the status line.
pub fn save(s: &mut State, op: Op) -> Vec<Effect> {
    let job = s.job_id();
    s.pending.push((job, s.t(Msg::Saving).to_string()));
    s.info(Level::Info, s.t(Msg::Saving));
    vec![Effect::Run(job, Job::Save(op))]
}

/// Ask the worker for ahead/behind and the conflicts (no network).
pub fn sync_state(s: &mut State) -> Vec<Effect> {
    let job = s.job_id();
    vec![Effect::Run(job, Job::SyncState)]
}

/// A sync or a resolution finished: the new agenda and the new sync state, both from the worker.
fn after_remote(
    s: &mut State,
    loaded: super::state::Loaded,
    unshared: Option<usize>,
    snapshot: super::action::SyncSnapshot,
) {
    s.set_agenda(loaded);
    s.unshared = unshared;
    s.sync = snapshot;
}

/// The history of the record on top, when that screen shows it and it is not loaded yet.
pub fn history_for_top(s: &mut State) -> Vec<Effect> {
    let id = match &s.view().screen {
        Screen::History(id) | Screen::Item(id) | Screen::Detail(id) => id.clone(),
        _ => return Vec::new(),
    };
    if s.history.contains_key(&id) {
        return Vec::new();
    }
    let Some(path) = s.agenda.path_of(&id) else {
        return Vec::new();
    };
    let job = s.job_id();
    vec![Effect::Run(job, Job::History { id, path })]
}

fn key(s: &mut State, k: &KeyEvent) -> Vec<Effect> {
    if !s.overlays.is_empty() {
        return overlay_key(s, k);
    }
    if s.ctx() == Ctx::Search && search_typing(s, k) {
        return Vec::new();
    }
    // Ctrl-C always quits, whatever the keymap says.
    if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
        return commands::run(s, Cmd::Quit);
    }
    // Other keys on the search screen act on the results: wait for those of the query typed.
    if s.ctx() == Ctx::Search && s.search.pending {
        s.search.held.push(*k);
        return Vec::new();
    }
    match s.keymap.lookup(s.ctx(), &Chord::from_event(k)) {
        Some(cmd) => commands::run(s, cmd),
        None => Vec::new(),
    }
}

/// Typing in the search box; arrows, Enter and Esc still go to the keymap.
fn search_typing(s: &mut State, k: &KeyEvent) -> bool {
    let ctrl =
        k.modifiers.contains(KeyModifiers::CONTROL) || k.modifiers.contains(KeyModifiers::ALT);
    match k.code {
        KeyCode::Char(c) if !ctrl => s.search.query.push(c),
        KeyCode::Char('u') if ctrl => s.search.query.clear(),
        KeyCode::Backspace if !s.search.query.is_empty() => {
            s.search.query.pop();
        }
        _ => return false,
    }
    s.rerun_search();
    let v = s.view_mut();
    v.sel = [0; 2];
    v.offset = [0; 2];
    true
}

fn overlay_key(s: &mut State, k: &KeyEvent) -> Vec<Effect> {
    let Some(ov) = s.overlays.pop() else {
        return Vec::new();
    };
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match ov {
        Overlay::Help => Vec::new(),
        Overlay::Confirm { text, op } => match k.code {
            KeyCode::Char('y' | 'j' | 'Y' | 'J') | KeyCode::Enter => {
                // A creation confirmed from its form closes the form too.
                if matches!(op, Op::Create { .. })
                    && matches!(s.overlays.last(), Some(Overlay::Form(_)))
                {
                    s.overlays.pop();
                }
                save(s, op)
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Vec::new(),
            _ => {
                s.overlays.push(Overlay::Confirm { text, op });
                Vec::new()
            }
        },
        Overlay::Palette(mut p) | Overlay::Picker(mut p) => match p.key(k) {
            PickOutcome::Stay => {
                let is_palette = p.purpose == Purpose::Command;
                s.overlays.push(if is_palette {
                    Overlay::Palette(p)
                } else {
                    Overlay::Picker(p)
                });
                Vec::new()
            }
            PickOutcome::Cancel => Vec::new(),
            PickOutcome::Chosen(v) => commands::picked(s, p.purpose, v),
        },
        Overlay::Form(mut f) => match f.key(k) {
            FormKey::Stay => {
                s.overlays.push(Overlay::Form(f));
                Vec::new()
            }
            FormKey::Cancel => Vec::new(),
            FormKey::Save => match f.to_op(&s.agenda) {
                // A new record is made only after a yes; No returns to the form.
                Some(op @ Op::Create { .. }) => {
                    let text = super::edits::confirm_create(s, &op);
                    s.overlays.push(Overlay::Form(f));
                    s.overlays.push(Overlay::Confirm { text, op });
                    Vec::new()
                }
                Some(op) => save(s, op),
                None => {
                    if f.error.is_none() {
                        s.info(Level::Error, s.t(Msg::FixErrors));
                    }
                    f.error = None;
                    s.overlays.push(Overlay::Form(f));
                    Vec::new()
                }
            },
            FormKey::Pick => {
                let (choices, value, label) = match f.focused() {
                    Some(ff) => (
                        ff.kind.choices().map(<[_]>::to_vec).unwrap_or_default(),
                        ff.value(),
                        ff.label.clone(),
                    ),
                    None => (Vec::new(), String::new(), String::new()),
                };
                let focus = f.focus;
                s.overlays.push(Overlay::Form(f));
                s.overlays.push(Overlay::Picker(
                    Picker::new(label, choices, Purpose::FormField(focus)).at(&value),
                ));
                Vec::new()
            }
            FormKey::External => {
                let (i, text) = (f.focus, f.focused().map(|x| x.value()).unwrap_or_default());
                s.overlays.push(Overlay::Form(f));
                vec![Effect::External {
                    target: EditTarget::FormField(i),
                    text,
                }]
            }
        },
        Overlay::Editor(mut e) => match k.code {
            KeyCode::Esc => Vec::new(),
            KeyCode::Char('s') if ctrl => {
                let text = e.text();
                if let EditorSave::Resolve { record, field } = e.save {
                    return syncing::resolve(
                        s,
                        record,
                        field,
                        crate::sync::merge::Take::Value(text),
                    );
                }
                if text.trim_end() == e.original.trim_end() {
                    return Vec::new();
                }
                let op = match e.save {
                    EditorSave::Resolve { .. } => return Vec::new(),
                    EditorSave::Field { id, field } => Op::Set {
                        id,
                        fields: vec![(field, text)],
                    },
                    EditorSave::Summary {
                        meeting,
                        item,
                        exists: true,
                    } => {
                        let id = s
                            .agenda
                            .notes_of(&meeting)
                            .map(|n| n.id.clone())
                            .unwrap_or_default();
                        Op::Set {
                            id,
                            fields: vec![(format!("summaries[{item}].text"), text)],
                        }
                    }
                    EditorSave::Summary {
                        meeting,
                        item,
                        exists: false,
                    } => Op::AddNotesEntry {
                        meeting,
                        list: "summaries".into(),
                        fields: vec![("item".into(), item), ("text".into(), text)],
                    },
                };
                save(s, op)
            }
            KeyCode::Char('e') if ctrl => {
                let text = e.text();
                s.overlays.push(Overlay::Editor(e));
                vec![Effect::External {
                    target: EditTarget::Editor,
                    text,
                }]
            }
            _ => {
                e.area.input(*k);
                s.overlays.push(Overlay::Editor(e));
                Vec::new()
            }
        },
    }
}
