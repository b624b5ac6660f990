//! The domain: records, their rules and their vocabulary. Knows nothing of git or screens.

pub mod agenda;
pub mod date;
pub mod edit;
pub mod enums;
pub mod ids;
pub mod lookup;
pub mod parse;
pub mod problem;
pub mod records;
pub mod schema;
pub mod string_table;
pub mod validate;

pub use agenda::Agenda;
pub use date::{Date, FuzzyDate};
pub use lookup::{Lookup, RefTable};
pub use problem::{Problem, Severity};
pub use records::{Kind, Record};

#[cfg(test)]
mod proptests;
