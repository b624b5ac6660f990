//! Forms: fields typed per the record schema, checked on every keystroke (dates in Dutch or
//! ISO, fuzzy dates, enums and references chosen from lists), turned into one `Op` on save.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::model::edit::convert;
use crate::model::schema::FieldType;
use crate::model::{Agenda, Date, FuzzyDate, Kind};

use super::action::Op;
use super::widgets::{line_input, multi_input};

/// How a field is typed and checked.
#[derive(Clone, Debug)]
pub enum FieldKind {
    Text,
    Long,
    Int,
    Date,
    Time,
    Fuzzy,
    /// One of these values exactly (enums, record references): (value, label).
    Choice(Vec<(String, String)>),
    /// An organisation code, optionally with a unit (`EZK/DE`).
    Org(Vec<(String, String)>),
    /// A person id from the list, or a role text.
    Person(Vec<(String, String)>),
    /// Comma-separated organisation references.
    OrgList(Vec<(String, String)>),
}

impl FieldKind {
    pub fn choices(&self) -> Option<&[(String, String)]> {
        match self {
            FieldKind::Choice(c)
            | FieldKind::Org(c)
            | FieldKind::Person(c)
            | FieldKind::OrgList(c) => Some(c),
            _ => None,
        }
    }
}

pub struct FormField {
    /// The record field it sets (`due`, `annotation.advies`, `kind`).
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    pub input: TextArea<'static>,
    pub initial: String,
    pub error: Option<String>,
    /// What the value will be stored as, when that differs from what was typed.
    pub note: Option<String>,
}

impl FormField {
    pub fn value(&self) -> String {
        self.input.lines().join("\n")
    }
}

/// What saving the form does.
#[derive(Clone, Debug, PartialEq)]
pub enum Submit {
    Create {
        kind: Kind,
        extra: Vec<(String, String)>,
    },
    /// Change the fields that differ from what they were.
    Set {
        id: String,
    },
    /// The same fields on several records, in one commit.
    SetMany {
        ids: Vec<String>,
        what: String,
    },
    AddEntry {
        id: String,
        list: String,
        extra: Vec<(String, String)>,
    },
    NotesEntry {
        meeting: String,
        list: String,
        extra: Vec<(String, String)>,
    },
    Prepare {
        previous: String,
    },
}

pub struct Form {
    pub title: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    pub submit: Submit,
    pub error: Option<String>,
    pub today: Date,
}

/// Outcome of a key in a form.
pub enum FormKey {
    Stay,
    Cancel,
    Save,
    /// Open the pick list for the focused field.
    Pick,
    /// Edit the focused field in `$EDITOR`.
    External,
}

/// A fuzzy date, with the year added when it was left out ("medio april" → this year).
pub fn fuzzy_with_year(raw: &str, today: Date) -> Result<String, String> {
    let t = raw.trim();
    match FuzzyDate::parse(t) {
        Ok(f) if f.start.is_some() || !t.chars().any(|c| c.is_alphabetic()) => Ok(t.to_string()),
        first => {
            let with = format!("{t} {}", today.year);
            match FuzzyDate::parse(&with) {
                Ok(f) if f.start.is_some() => Ok(with),
                _ => first.map(|_| t.to_string()),
            }
        }
    }
}

/// Check one typed value: `Ok(Some(stored))` when it will be stored differently.
pub fn check(
    kind: &FieldKind,
    raw: &str,
    required: bool,
    today: Date,
) -> Result<Option<String>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return if required {
            Err("verplicht / required".into())
        } else {
            Ok(None)
        };
    }
    let code_ok = |c: &[(String, String)], v: &str| {
        let code = v.split('/').next().unwrap_or("").trim();
        c.iter().any(|(x, _)| x.split('/').next() == Some(code))
    };
    match kind {
        FieldKind::Text => convert(FieldType::Text, t).map(|_| None),
        FieldKind::Long => Ok(None),
        FieldKind::Int => convert(FieldType::Int, t).map(|_| None),
        FieldKind::Time => convert(FieldType::Time, t).map(|_| None),
        FieldKind::Date => {
            let d = Date::parse_iso(t)
                .or_else(|| {
                    FuzzyDate::parse(t)
                        .ok()
                        .filter(|f| f.start == f.end)
                        .and_then(|f| f.start)
                })
                .or_else(|| {
                    FuzzyDate::parse(&format!("{t} {}", today.year))
                        .ok()
                        .filter(|f| f.start == f.end)
                        .and_then(|f| f.start)
                })
                .ok_or_else(|| format!("`{t}`: geen datum (2021-02-08, 8 februari 2021)"))?;
            Ok((d.to_string() != t).then(|| d.to_string()))
        }
        FieldKind::Fuzzy => {
            let v = fuzzy_with_year(t, today)?;
            Ok((v != t).then_some(v))
        }
        FieldKind::Choice(c) => {
            if c.iter().any(|(v, _)| v == t) {
                Ok(None)
            } else {
                Err(format!("`{t}`: kies uit de lijst (Enter)"))
            }
        }
        FieldKind::Org(c) => {
            if code_ok(c, t) {
                Ok(None)
            } else {
                Err(format!("`{t}`: onbekende organisatie (Enter: lijst)"))
            }
        }
        FieldKind::OrgList(c) => {
            for p in t.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !code_ok(c, p) {
                    return Err(format!("`{p}`: onbekende organisatie"));
                }
            }
            Ok(None)
        }
        FieldKind::Person(c) => {
            if t.starts_with("p-") && !c.iter().any(|(v, _)| v == t) {
                Err(format!("`{t}`: geen persoon in het register"))
            } else {
                Ok(None)
            }
        }
    }
}

impl Form {
    pub fn new(title: impl Into<String>, submit: Submit, today: Date) -> Form {
        Form {
            title: title.into(),
            fields: Vec::new(),
            focus: 0,
            submit,
            error: None,
            today,
        }
    }

    /// Add a field with its current value.
    pub fn field(
        mut self,
        name: &str,
        label: &str,
        kind: FieldKind,
        required: bool,
        value: &str,
    ) -> Form {
        let input = if matches!(kind, FieldKind::Long) {
            multi_input(value)
        } else {
            line_input(value)
        };
        let mut f = FormField {
            name: name.into(),
            label: label.into(),
            kind,
            required,
            input,
            initial: value.to_string(),
            error: None,
            note: None,
        };
        revalidate(&mut f, self.today);
        // An empty required field is not an error before anyone typed in it.
        if f.value().trim().is_empty() {
            f.error = None;
        }
        self.fields.push(f);
        self
    }

    pub fn focused(&self) -> Option<&FormField> {
        self.fields.get(self.focus)
    }

    pub fn set_value(&mut self, idx: usize, value: &str) {
        let today = self.today;
        if let Some(f) = self.fields.get_mut(idx) {
            f.input = if matches!(f.kind, FieldKind::Long) {
                multi_input(value)
            } else {
                line_input(value)
            };
            revalidate(f, today);
        }
    }

    pub fn key(&mut self, k: &KeyEvent) -> FormKey {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.fields.len();
        let Some(f) = self.fields.get_mut(self.focus) else {
            return FormKey::Cancel;
        };
        let long = matches!(f.kind, FieldKind::Long);
        match k.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Char('s') if ctrl => return FormKey::Save,
            KeyCode::Char('e') if ctrl => return FormKey::External,
            KeyCode::Tab => self.focus = (self.focus + 1) % n.max(1),
            KeyCode::BackTab => self.focus = (self.focus + n.max(1) - 1) % n.max(1),
            KeyCode::Down if !long => self.focus = (self.focus + 1).min(n.saturating_sub(1)),
            KeyCode::Up if !long => self.focus = self.focus.saturating_sub(1),
            KeyCode::Enter if !long => {
                if f.kind.choices().is_some() {
                    return FormKey::Pick;
                }
                if self.focus + 1 >= n {
                    return FormKey::Save;
                }
                self.focus += 1;
            }
            _ => {
                f.input.input(*k);
                revalidate(f, self.today);
            }
        }
        FormKey::Stay
    }

    pub fn paste(&mut self, text: &str) {
        let today = self.today;
        if let Some(f) = self.fields.get_mut(self.focus) {
            let t = if matches!(f.kind, FieldKind::Long) {
                text.to_string()
            } else {
                text.replace('\n', " ")
            };
            f.input.insert_str(t);
            revalidate(f, today);
        }
    }

    /// Every field checked; (name, value as stored) when all are valid.
    pub fn values(&mut self) -> Option<Vec<(String, String)>> {
        let mut ok = true;
        let mut out = Vec::new();
        for f in &mut self.fields {
            match check(&f.kind, &f.value(), f.required, self.today) {
                Ok(stored) => out.push((
                    f.name.clone(),
                    stored.unwrap_or_else(|| f.value().trim_end().to_string()),
                )),
                Err(e) => {
                    f.error = Some(e);
                    ok = false;
                }
            }
        }
        if !ok {
            self.focus = self
                .fields
                .iter()
                .position(|f| f.error.is_some())
                .unwrap_or(0);
            return None;
        }
        Some(out)
    }

    /// The change this form makes, or `None` when it is not valid (errors marked) or changes
    /// nothing.
    pub fn to_op(&mut self, agenda: &Agenda) -> Option<Op> {
        let values = self.values()?;
        let changed: Vec<(String, String)> = self
            .fields
            .iter()
            .zip(&values)
            .filter(|(f, (_, v))| f.initial.trim_end() != v.as_str())
            .map(|(_, nv)| nv.clone())
            .collect();
        let nonempty = |v: &[(String, String)]| -> Vec<(String, String)> {
            v.iter()
                .filter(|(_, x)| !x.trim().is_empty())
                .cloned()
                .collect()
        };
        let _ = agenda;
        Some(match &self.submit {
            Submit::Create { kind, extra } => Op::Create {
                kind: *kind,
                fields: extra.iter().cloned().chain(nonempty(&values)).collect(),
            },
            Submit::Set { id } => {
                if changed.is_empty() {
                    self.error = Some("—".into());
                    return None;
                }
                Op::Set {
                    id: id.clone(),
                    fields: changed,
                }
            }
            Submit::SetMany { ids, what } => Op::Multi {
                sets: ids.iter().map(|id| (id.clone(), values.clone())).collect(),
                what: what.clone(),
            },
            Submit::AddEntry { id, list, extra } => Op::AddEntry {
                id: id.clone(),
                list: list.clone(),
                fields: extra.iter().cloned().chain(nonempty(&values)).collect(),
            },
            Submit::NotesEntry {
                meeting,
                list,
                extra,
            } => Op::AddNotesEntry {
                meeting: meeting.clone(),
                list: list.clone(),
                fields: extra.iter().cloned().chain(nonempty(&values)).collect(),
            },
            Submit::Prepare { previous } => Op::Prepare {
                previous: previous.clone(),
                fields: nonempty(&values),
            },
        })
    }
}

fn revalidate(f: &mut FormField, today: Date) {
    match check(&f.kind, &f.value(), f.required, today) {
        Ok(stored) => {
            f.error = None;
            f.note = stored;
        }
        Err(e) => {
            f.error = Some(e);
            f.note = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2021, 2, 1).expect("date")
    }

    #[test]
    fn dates_accept_dutch_iso_and_fuzzy() {
        assert_eq!(
            check(&FieldKind::Date, "8 februari 2021", false, today()),
            Ok(Some("2021-02-08".into()))
        );
        assert_eq!(
            check(&FieldKind::Date, "2021-02-08", false, today()),
            Ok(None)
        );
        assert!(check(&FieldKind::Date, "30 februari 2021", false, today()).is_err());
        assert_eq!(
            check(&FieldKind::Fuzzy, "medio april", false, today()),
            Ok(Some("medio april 2021".into()))
        );
        assert_eq!(
            check(&FieldKind::Fuzzy, "medio april 2022", false, today()),
            Ok(None)
        );
        assert!(check(&FieldKind::Text, "", true, today()).is_err());
        let c = FieldKind::Choice(vec![("open".into(), "open".into())]);
        assert!(check(&c, "dicht", false, today()).is_err());
        let o = FieldKind::Org(vec![("EZK".into(), "EZK".into())]);
        assert!(check(&o, "EZK/DE", false, today()).is_ok());
        assert!(check(&o, "XYZ", false, today()).is_err());
    }
}
