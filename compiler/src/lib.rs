//! gatehouse: a compiler for Azure Application Gateway + API Management mutual-TLS topologies.
//!
//! The pipeline, one stage per module, data flowing one way (see `ARCHITECTURE.md`):
//! [`source`] → [`syntax`] → [`eval`] → [`model`] → [`checks`] → emitters; [`diagnostics`] is
//! shared by all stages; only [`cli`] reads files, the environment and the clock.
#![forbid(unsafe_code)]

pub mod baseline;
pub mod certs;
pub mod checks;
pub mod cli;
pub mod diagnostics;
pub mod emit;
pub mod eval;
pub mod fmt;
pub mod graph;
pub mod load;
pub mod model;
pub mod pki;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod synth;
