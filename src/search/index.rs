//! The search index: one [`Entry`] per record, built from an [`Agenda`] with everything a
//! keystroke needs already folded, so typing only matches. Serializable (bincode) so it can
//! be kept in an on-disk snapshot instead of being rebuilt at every start.

use serde::{Deserialize, Serialize};

use super::fold::{fold, mask, mask_no_space};
use crate::model::{Agenda, Date, Kind};

/// The longer fields searched as prose; the label says where a hit was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    MetaQuestion,
    Venue,
    Objective,
    Aanleiding,
    Advies,
    Kernpunten,
    Toelichting,
    Spreekpunten,
    /// An annotation section with a name this list does not know yet.
    Annotation,
    Vragen,
    Summary,
    Decision,
    Agreement,
    Description,
    StatusNote,
}

impl Field {
    /// The label shown next to a hit (and in `overleg search --json` as `matched_in`).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::MetaQuestion => "meta_question",
            Field::Venue => "venue",
            Field::Objective => "objective",
            Field::Aanleiding => "Aanleiding",
            Field::Advies => "Advies / beslispunten",
            Field::Kernpunten => "Kernpunten",
            Field::Toelichting => "Toelichting",
            Field::Spreekpunten => "Spreekpunten",
            Field::Annotation => "annotation",
            Field::Vragen => "vragen",
            Field::Summary => "summary",
            Field::Decision => "decision",
            Field::Agreement => "agreement",
            Field::Description => "description",
            Field::StatusNote => "status_note",
        }
    }

    /// An annotation section by the name the model gives it.
    fn section(name: &str) -> Field {
        [
            Field::Aanleiding,
            Field::Advies,
            Field::Kernpunten,
            Field::Toelichting,
            Field::Spreekpunten,
        ]
        .into_iter()
        .find(|f| f.as_str() == name)
        .unwrap_or(Field::Annotation)
    }
}

/// One searchable record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    #[serde(with = "kind_code")]
    pub kind: Kind,
    pub id: String,
    /// What the result list shows and the fuzzy match runs on: reference and title.
    pub line: String,
    /// `line` folded (accents off, lowercase), char for char: computed once, not per key.
    pub folded: String,
    /// Longer texts searched as a whole (field, folded text); empty ones are left out.
    pub more: Vec<(Field, String)>,
    /// The filter values as given (before folding): for building `keys` and for tests. Not
    /// kept in a snapshot, which holds `keys`.
    #[serde(skip)]
    pub status: String,
    #[serde(skip)]
    pub depts: Vec<String>,
    #[serde(skip)]
    pub body: String,
    /// The due window end (actions), for `due<` / `due>`.
    #[serde(with = "date_code")]
    pub due: Option<Date>,
    /// The meeting date (meetings, items, notes), for `date<` / `date>`.
    #[serde(with = "date_code")]
    pub date: Option<Date>,
    /// Folded filter values and char masks, derived from the fields above by [`Entry::finish`].
    pub(crate) keys: Keys,
}

/// What the filters and the prefilter compare against, folded once at index time. The
/// filter values repeat (a dozen statuses, bodies and departments over 100,000 records), so
/// each distinct one is held once and shared: at 1,000,000 records that is hundreds of
/// megabytes less, and fewer allocations to decode at a start.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Keys {
    #[serde(deserialize_with = "shared::one")]
    pub status: Shared,
    #[serde(deserialize_with = "shared::one")]
    pub body: Shared,
    /// Per department: its code (`EZK` of `EZK/DE`) and the whole reference, folded.
    #[serde(deserialize_with = "shared::many")]
    pub depts: Vec<Shared>,
    /// [`mask`] of `folded`.
    pub line_mask: u64,
    /// Union of the masks of every `more` text.
    pub more_mask: u64,
}

impl Entry {
    /// An entry with only its line; set the other fields, then call [`Entry::finish`].
    pub fn new(kind: Kind, id: &str, line: &str) -> Entry {
        Entry {
            kind,
            id: id.to_string(),
            line: crate::text::line(line),
            folded: String::new(),
            more: Vec::new(),
            status: String::new(),
            depts: Vec::new(),
            body: String::new(),
            due: None,
            date: None,
            keys: Keys::default(),
        }
    }

    /// Fold what a keystroke compares against, once: the line, the `more` texts (given
    /// unfolded, folded here) and the filter values.
    pub fn finish(mut self) -> Entry {
        self.folded = fold(&self.line);
        self.more.retain(|(_, t)| !t.trim().is_empty());
        for (_, t) in &mut self.more {
            *t = fold(t);
        }
        let mut depts = Vec::with_capacity(self.depts.len() * 2);
        for d in &self.depts {
            depts.push(shared::get(fold(d.split('/').next().unwrap_or(d))));
            depts.push(shared::get(fold(d)));
        }
        self.keys = Keys {
            status: shared::get(fold(&self.status)),
            body: shared::get(fold(&self.body)),
            depts,
            line_mask: mask(&self.folded),
            more_mask: self.more.iter().fold(0, |m, (_, t)| m | mask_no_space(t)),
        };
        self
    }
}

/// A filter value held once and shared by every entry that has it.
pub(crate) type Shared = std::sync::Arc<str>;

/// The pool of shared values, one per thread (building and decoding run on a few threads;
/// each shares within its own).
mod shared {
    use super::Shared;
    use serde::{Deserialize, Deserializer};
    use std::cell::RefCell;

    thread_local! {
        static POOL: RefCell<rustc_hash::FxHashSet<Shared>> = RefCell::default();
    }

    pub fn get(s: String) -> Shared {
        POOL.with(|p| {
            let mut pool = p.borrow_mut();
            if let Some(v) = pool.get(s.as_str()) {
                return v.clone();
            }
            // a pool that grows without bound would be a leak: values are few, so past this
            // size something is not a filter value and is simply not shared
            let v: Shared = Shared::from(s);
            if pool.len() < 10_000 {
                pool.insert(v.clone());
            }
            v
        })
    }

    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<Shared, D::Error> {
        String::deserialize(d).map(get)
    }

    pub fn many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Shared>, D::Error> {
        Vec::<String>::deserialize(d).map(|v| v.into_iter().map(get).collect())
    }
}

/// Kinds as one byte in the snapshot: `Kind` itself has no serde form.
pub(super) mod kind_code {
    use super::Kind;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(in crate::search) const ORDER: [Kind; 7] = [
        Kind::Meeting,
        Kind::Item,
        Kind::Notes,
        Kind::Action,
        Kind::Body,
        Kind::Organisation,
        Kind::Person,
    ];

    pub fn serialize<S: Serializer>(k: &Kind, s: S) -> Result<S::Ok, S::Error> {
        let n = ORDER.iter().position(|x| x == k).unwrap_or(0);
        s.serialize_u8(n as u8)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let n = u8::deserialize(d)?;
        ORDER
            .get(usize::from(n))
            .copied()
            .ok_or_else(|| D::Error::custom(format!("unknown record kind {n}")))
    }
}

/// Dates as (year, month, day), checked again when read back.
mod date_code {
    use super::Date;
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        d.map(|d| (d.year, d.month, d.day)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<(i32, u8, u8)>::deserialize(d)? {
            None => Ok(None),
            Some((y, m, day)) => Date::new(y, m, day)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("invalid date {y}-{m}-{day}"))),
        }
    }
}

/// Map `f` over `items` on every core (in order), when there are enough to be worth threads.
pub(super) fn par_map<T: Sync>(items: &[T], f: impl Fn(&T) -> Entry + Sync) -> Vec<Entry> {
    let threads = if items.len() < 2_000 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<Entry>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for p in parts {
            // A panic in a builder is a bug; pass it on rather than return a partial index.
            match p.join() {
                Ok(v) => out.extend(v),
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        out
    })
}

/// Build the index of every record: meetings, items, notes, actions, bodies, organisations,
/// people, each in agenda order (the order ties are broken by).
pub fn index(a: &Agenda) -> Vec<Entry> {
    let mut out = Vec::with_capacity(
        a.meetings.len()
            + a.items.len()
            + a.notes.len()
            + a.actions.len()
            + a.bodies.len()
            + a.organisations.len()
            + a.people.len(),
    );
    out.extend(par_map(&a.meetings, |m| build::meeting(a, m)));
    out.extend(par_map(&a.items, |i| build::item(a, i)));
    out.extend(par_map(&a.notes, |n| build::notes(a, n)));
    out.extend(par_map(&a.actions, |x| build::action(a, x)));
    out.extend(a.bodies.iter().map(|b| build::body(b)));
    out.extend(a.organisations.iter().map(|o| build::organisation(o)));
    out.extend(a.people.iter().map(|p| build::person(p)));
    out
}

/// The entry of one record, from the record and (for items, notes and actions) its meeting.
pub(super) mod build {
    use super::{Entry, Field};
    use crate::model::agenda::{due_of, meeting_when};
    use crate::model::records::{Action, Body, Item, Meeting, Notes, Organisation, Person};
    use crate::model::{Agenda, Kind};

    fn body_of_meeting(a: &Agenda, m: &str) -> String {
        a.meeting(m).map(|m| m.body.clone()).unwrap_or_default()
    }

    /// The line of a meeting, item or notes: its reference (which depends on other records)
    /// and title.
    pub fn line_of(a: &Agenda, id: &str, title: &str) -> String {
        format!("{} {title}", a.reference(id))
    }

    /// The title a notes record shows: its meeting's.
    pub fn notes_title<'a>(a: &'a Agenda, n: &Notes) -> &'a str {
        a.meeting(&n.meeting)
            .map(|m| m.title.as_str())
            .unwrap_or_default()
    }

    pub fn meeting(a: &Agenda, m: &Meeting) -> Entry {
        let mut e = Entry::new(Kind::Meeting, &m.id, &line_of(a, &m.id, &m.title));
        e.status = m.status.as_str().into();
        e.depts = vec![m.secretariat.clone()];
        e.body = m.body.clone();
        e.date = meeting_when(m);
        e.more = vec![
            (Field::MetaQuestion, m.meta_question.clone()),
            (Field::Venue, m.venue.clone()),
        ];
        e.finish()
    }

    pub fn item(a: &Agenda, i: &Item) -> Entry {
        let mut e = Entry::new(Kind::Item, &i.id, &line_of(a, &i.id, &i.title));
        e.status = i.status.map(|s| s.as_str().to_string()).unwrap_or_default();
        e.depts = vec![i.lead.clone()];
        e.body = body_of_meeting(a, &i.meeting);
        e.date = a.meeting(&i.meeting).and_then(meeting_when);
        e.more = vec![(Field::Objective, i.objective.clone())];
        for (name, text) in i.annotation.sections() {
            e.more.push((Field::section(name), text.to_string()));
        }
        e.more.push((Field::Vragen, i.annotation.vragen.join("\n")));
        e.finish()
    }

    pub fn notes(a: &Agenda, n: &Notes) -> Entry {
        let meeting = a.meeting(&n.meeting);
        let mut e = Entry::new(Kind::Notes, &n.id, &line_of(a, &n.id, notes_title(a, n)));
        e.status = n.status.map(|s| s.as_str().to_string()).unwrap_or_default();
        e.body = meeting.map(|m| m.body.clone()).unwrap_or_default();
        e.date = meeting.and_then(meeting_when);
        let texts = n.summaries.iter().map(|s| (Field::Summary, &s.text));
        let texts = texts.chain(n.decisions.iter().map(|d| (Field::Decision, &d.text)));
        let texts = texts.chain(n.agreements.iter().map(|g| (Field::Agreement, &g.text)));
        e.more = texts.map(|(f, t)| (f, t.clone())).collect();
        e.finish()
    }

    pub fn action(a: &Agenda, x: &Action) -> Entry {
        let mut e = Entry::new(Kind::Action, &x.id, &format!("{} {}", x.reference, x.title));
        e.status = x.status.as_str().into();
        e.depts = std::iter::once(x.owner.clone())
            .chain(x.contributors.iter().cloned())
            .collect();
        e.body = if x.meeting.is_empty() {
            x.report_back.clone()
        } else {
            body_of_meeting(a, &x.meeting)
        };
        e.due = due_of(x).and_then(|d| d.end);
        e.more = vec![
            (Field::Description, x.description.clone()),
            (Field::StatusNote, x.status_note.clone()),
        ];
        e.finish()
    }

    pub fn body(b: &Body) -> Entry {
        Entry::new(Kind::Body, &b.id, &format!("{} {}", b.id, b.name)).finish()
    }

    pub fn organisation(o: &Organisation) -> Entry {
        let mut e = Entry::new(Kind::Organisation, &o.id, &format!("{} {}", o.code, o.name));
        e.depts = vec![o.code.clone()];
        e.finish()
    }

    pub fn person(p: &Person) -> Entry {
        let mut e = Entry::new(Kind::Person, &p.id, &format!("{} ({})", p.name, p.role));
        e.depts = vec![p.organisation.clone()];
        e.finish()
    }
}
