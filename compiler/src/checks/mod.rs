//! Checks: the Azure traps gatehouse finds in a loaded topology.
//!
//! A check reads the model (and, from the graph issue on, the graph) and appends diagnostics; it
//! never reads files or the clock: `now` comes in through [`CheckContext`]. The catalogue of
//! checks is built in `checks/`, a file per check; [`codes`] lists their codes for `explain`,
//! SARIF rules and JUnit test cases. Until the first check lands the list is empty and
//! `gatehouse check` reports the front end's findings only.

use crate::diagnostics::{CodeInfo, Diagnostic};
use crate::model::Model;
use crate::source::Sources;

/// What a check may look at.
pub struct CheckContext<'a> {
    pub model: &'a Model,
    pub sources: &'a Sources,
    /// Seconds since the Unix epoch, for expiry checks; fixed in tests.
    pub now: i64,
}

/// One check: its code and the function that runs it.
pub struct Check {
    pub code: &'static CodeInfo,
    pub run: fn(&CheckContext, &mut Vec<Diagnostic>),
}

/// Every check, in code order.
pub const ALL: &[Check] = &[];

/// Codes of all checks.
pub fn codes() -> Vec<&'static CodeInfo> {
    ALL.iter().map(|c| c.code).collect()
}

/// Runs every check in code order.
pub fn run(cx: &CheckContext) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for check in ALL {
        (check.run)(cx, &mut out);
    }
    out
}
