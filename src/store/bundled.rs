//! The bundled example repository (`agenda/` in the source tree), embedded at build time.

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
