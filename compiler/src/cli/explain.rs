//! `gatehouse explain`: the manual page of a diagnostic code.

use super::RunError;
use crate::diagnostics::{codes, did_you_mean};
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code (GH101) or a name (unresolved-reference). Omit it with --list.
    #[arg(required_unless_present = "list")]
    pub code: Option<String>,

    /// List every code with its name and severity.
    #[arg(long)]
    pub list: bool,
}

pub fn run(args: &ExplainArgs) -> Result<ExitCode, RunError> {
    if args.list {
        for code in codes::all() {
            outln!("{}  {:<8} {}", code.code, code.severity.as_str(), code.name);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let query = args.code.as_deref().unwrap_or_default();
    let Some(code) = codes::find(query) else {
        let all = codes::all();
        let names = all.iter().flat_map(|c| [c.code, c.name]);
        let hint = did_you_mean(query, names).map_or_else(
            || "run `gatehouse explain --list` for every code".to_string(),
            |s| format!("did you mean `{s}`?"),
        );
        return Err(RunError::Usage(format!("unknown code `{query}`; {hint}")));
    };
    out!("{}", page(code));
    Ok(ExitCode::SUCCESS)
}

/// The text `explain` prints for a code.
pub fn page(code: &crate::diagnostics::CodeInfo) -> String {
    format!(
        "# {} {} ({})\n\n{}",
        code.code,
        code.name,
        code.severity.as_str(),
        code.explain_text()
    )
}
