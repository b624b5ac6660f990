//! Sync between departments: fetch, record-aware merge, push, and the conflicts that need a
//! person.

pub mod merge;
pub mod seq;
