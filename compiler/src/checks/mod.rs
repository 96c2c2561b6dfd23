//! Checks (issue 4).
use crate::diagnostics::CodeInfo;
/// Codes of all checks.
pub fn codes() -> Vec<&'static CodeInfo> { Vec::new() }
