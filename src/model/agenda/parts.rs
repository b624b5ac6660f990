//! The agenda cut into parts that can be encoded apart and decoded side by side. At 1,000,000
//! records the agenda's snapshot takes over two seconds to decode on one core; cut into parts,
//! every core takes a share.
//!
//! [`PartRef`] (borrowed, for writing) and [`Part`] (owned, for reading) have the same
//! variants in the same order, so that the bytes one encodes are the bytes the other decodes.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::Agenda;
use crate::model::problem::Problem;
use crate::model::records::*;

/// Records per part of a long list: small enough that the last part to finish is short, large
/// enough that the parts' own cost does not count.
const CHUNK: usize = 50_000;

#[derive(Serialize)]
pub enum PartRef<'a> {
    Meetings(&'a [Arc<Meeting>]),
    Items(&'a [Arc<Item>]),
    Notes(&'a [Arc<Notes>]),
    Actions(&'a [Arc<Action>]),
    Rest {
        bodies: &'a [Arc<Body>],
        organisations: &'a [Arc<Organisation>],
        people: &'a [Arc<Person>],
        problems: &'a [Problem],
        file_problems: &'a [Problem],
        duplicates: bool,
    },
    Index(&'a HashMap<String, (Kind, usize)>),
    Paths(&'a HashMap<String, String>),
    Refs(&'a HashMap<String, String>),
    RefOf(&'a HashMap<String, String>),
}

#[derive(Deserialize)]
pub enum Part {
    Meetings(Vec<Arc<Meeting>>),
    Items(Vec<Arc<Item>>),
    Notes(Vec<Arc<Notes>>),
    Actions(Vec<Arc<Action>>),
    Rest {
        bodies: Vec<Arc<Body>>,
        organisations: Vec<Arc<Organisation>>,
        people: Vec<Arc<Person>>,
        problems: Vec<Problem>,
        file_problems: Vec<Problem>,
        duplicates: bool,
    },
    Index(HashMap<String, (Kind, usize)>),
    Paths(HashMap<String, String>),
    Refs(HashMap<String, String>),
    RefOf(HashMap<String, String>),
}

impl Agenda {
    /// The agenda in parts; [`Agenda::from_parts`] puts them together again in this order.
    /// The lookup tables come first: each is one part, and a reader that takes parts in order
    /// should not be left with a large one at the end.
    pub fn parts(&self) -> Vec<PartRef<'_>> {
        self.parts_of(CHUNK)
    }

    /// Like [`Agenda::parts`], long lists cut every `chunk` records.
    pub fn parts_of(&self, chunk: usize) -> Vec<PartRef<'_>> {
        let chunk = chunk.max(1);
        let mut parts = vec![
            PartRef::Index(&self.index),
            PartRef::Refs(&self.refs),
            PartRef::RefOf(&self.ref_of),
            PartRef::Paths(&self.paths),
            PartRef::Rest {
                bodies: &self.bodies,
                organisations: &self.organisations,
                people: &self.people,
                problems: &self.problems,
                file_problems: &self.file_problems,
                duplicates: self.duplicates,
            },
        ];
        parts.extend(self.meetings.chunks(chunk).map(PartRef::Meetings));
        parts.extend(self.items.chunks(chunk).map(PartRef::Items));
        parts.extend(self.notes.chunks(chunk).map(PartRef::Notes));
        parts.extend(self.actions.chunks(chunk).map(PartRef::Actions));
        parts
    }

    /// The agenda from the parts of [`Agenda::parts`], in their order.
    pub fn from_parts(parts: impl IntoIterator<Item = Part>) -> Agenda {
        let mut a = Agenda::default();
        for part in parts {
            match part {
                Part::Meetings(v) => a.meetings.extend(v),
                Part::Items(v) => a.items.extend(v),
                Part::Notes(v) => a.notes.extend(v),
                Part::Actions(v) => a.actions.extend(v),
                Part::Rest {
                    bodies,
                    organisations,
                    people,
                    problems,
                    file_problems,
                    duplicates,
                } => {
                    a.bodies = bodies;
                    a.organisations = organisations;
                    a.people = people;
                    a.problems = problems;
                    a.file_problems = file_problems;
                    a.duplicates = duplicates;
                }
                Part::Index(m) => a.index = Arc::new(m),
                Part::Paths(m) => a.paths = Arc::new(m),
                Part::Refs(m) => a.refs = Arc::new(m),
                Part::RefOf(m) => a.ref_of = Arc::new(m),
            }
        }
        a
    }
}
