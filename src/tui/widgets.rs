//! Small interactive pieces that live in overlays: a filterable pick list and a multi-line
//! text editor (ratatui-textarea). Their key handling is here; drawing is in `views::dialogs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::search::fold;

/// What a pick list is for: decides what `update` does with the choice.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// New status for these actions.
    Status(Vec<String>),
    /// New owner for these actions.
    Reassign(Vec<String>),
    /// Move this item to the chosen meeting.
    MoveItem(String),
    /// A value for field `n` of the open form.
    FormField(usize),
    Theme,
    /// The body filter of the follow-ups (true) or meetings (false) list.
    FilterBody(bool),
    /// Which annotation section of this item to edit (external editor when true).
    Section(String, bool),
    /// Attendance of participant `pt` in meeting `m`.
    Attendance(String, String),
    /// The `:` palette: a command name.
    Command,
}

#[derive(Clone, Debug)]
pub struct Picker {
    pub title: String,
    /// (value, label)
    pub choices: Vec<(String, String)>,
    pub filter: String,
    pub sel: usize,
    pub purpose: Purpose,
}

pub enum PickOutcome {
    Stay,
    Cancel,
    Chosen(String),
}

impl Picker {
    pub fn new(
        title: impl Into<String>,
        choices: Vec<(String, String)>,
        purpose: Purpose,
    ) -> Picker {
        Picker {
            title: title.into(),
            choices,
            filter: String::new(),
            sel: 0,
            purpose,
        }
    }

    /// Start on the current value.
    pub fn at(mut self, value: &str) -> Picker {
        if let Some(i) = self
            .visible()
            .iter()
            .position(|&i| self.choices[i].0 == value)
        {
            self.sel = i;
        }
        self
    }

    /// Indices of the choices that contain every typed word (accents folded).
    pub fn visible(&self) -> Vec<usize> {
        let words: Vec<String> = fold(&self.filter)
            .split_whitespace()
            .map(String::from)
            .collect();
        (0..self.choices.len())
            .filter(|&i| {
                let (v, l) = &self.choices[i];
                let hay = fold(&format!("{v} {l}"));
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect()
    }

    pub fn key(&mut self, k: &KeyEvent) -> PickOutcome {
        let n = self.visible().len();
        match k.code {
            KeyCode::Esc => return PickOutcome::Cancel,
            KeyCode::Enter => {
                return match self.visible().get(self.sel) {
                    Some(&i) => PickOutcome::Chosen(self.choices[i].0.clone()),
                    None => PickOutcome::Stay,
                };
            }
            KeyCode::Up => self.sel = self.sel.saturating_sub(1),
            KeyCode::Down => self.sel = (self.sel + 1).min(n.saturating_sub(1)),
            KeyCode::Char('k') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.sel = self.sel.saturating_sub(1)
            }
            KeyCode::Char('j') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.sel = (self.sel + 1).min(n.saturating_sub(1))
            }
            KeyCode::PageUp => self.sel = self.sel.saturating_sub(10),
            KeyCode::PageDown => self.sel = (self.sel + 10).min(n.saturating_sub(1)),
            KeyCode::Backspace => {
                self.filter.pop();
                self.sel = 0;
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.push(c);
                self.sel = 0;
            }
            _ => {}
        }
        PickOutcome::Stay
    }
}

/// Where the text of the multi-line editor is saved.
#[derive(Clone, Debug, PartialEq)]
pub enum EditorSave {
    /// A field of a record (`annotation.advies`, `description`, `decisions[d-1].text`).
    Field { id: String, field: String },
    /// A combination typed for a sync conflict (record path, field as `conflicts` shows it).
    Resolve { record: String, field: String },
    /// The summary of an item in the notes of a meeting.
    Summary {
        meeting: String,
        item: String,
        exists: bool,
    },
}

pub struct Editor {
    pub title: String,
    pub area: TextArea<'static>,
    pub original: String,
    pub save: EditorSave,
}

impl Editor {
    pub fn new(title: impl Into<String>, text: &str, save: EditorSave) -> Editor {
        let lines: Vec<String> = if text.is_empty() {
            vec![String::new()]
        } else {
            text.lines().map(String::from).collect()
        };
        let mut area = TextArea::new(lines);
        area.set_cursor_line_style(ratatui::style::Style::default());
        Editor {
            title: title.into(),
            area,
            original: text.to_string(),
            save,
        }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn set_text(&mut self, text: &str) {
        let lines: Vec<String> = text.lines().map(String::from).collect();
        self.area = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        });
        self.area
            .set_cursor_line_style(ratatui::style::Style::default());
    }
}

/// A one-line text input with the same editing keys as the multi-line editor.
pub fn line_input(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.replace('\n', " ")]);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

pub fn multi_input(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = text.lines().map(String::from).collect();
    let mut t = TextArea::new(if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    });
    t.set_cursor_line_style(ratatui::style::Style::default());
    t
}
