//! overleg: a terminal workbench for the secretariat of the interdepartmental directors'
//! overleg. `model` is the pure domain, `store` owns all git I/O, `cli` and `tui` are the edges.

pub mod catalog;
pub mod cli;
pub mod export;
pub mod model;
pub mod ops;
pub mod search;
pub mod store;
pub mod sync;
pub mod synthetic;
pub mod text;
pub mod tls;
pub mod tui;
