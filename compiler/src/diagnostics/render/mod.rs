//! Renderers: the same diagnostics as human text, JSON, SARIF 2.1.0 or JUnit XML.
//!
//! Each renderer is a pure function of the (sorted) diagnostics and the [`Sources`] they point
//! into; the CLI picks one with `--format`. Only `human.rs` knows about codespan-reporting.

pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
