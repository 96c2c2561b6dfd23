//! GH311 ignore-error-unhandled.

use super::util::{policy_owner, statement_texts};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::{EffectiveStatement, NodeRef};
use crate::model::{ApiId, Statement, StatementKind};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// A `validate_client_certificate` with `ignore_error = true` is followed, in the inbound
    /// policy in effect, by nothing that decides on the result: no `choose` whose condition
    /// looks at `context.LastError` or the certificate, and no statement reading
    /// `context.LastError`.
    /// ## Why
    /// With `ignore-error="true"` a failed validation does not stop the request or jump to
    /// `on-error`; the pipeline simply continues (Learn: validate-client-certificate policy).
    /// Unless a later policy rejects the call, validation is only advisory and every
    /// certificate, or none, gets through.
    /// ## Example
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           ignore_error = true # and nothing looks at context.LastError
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH311", "ignore-error-unhandled", Severity::Warning
}

fn flatten<'m>(statements: impl IntoIterator<Item = &'m Statement>, out: &mut Vec<&'m Statement>) {
    for s in statements {
        out.push(s);
        if let StatementKind::Choose(c) = &s.kind {
            for w in &c.whens {
                flatten(&w.statements, out);
            }
            if let Some(o) = &c.otherwise {
                flatten(o, out);
            }
        }
    }
}

/// Whether a statement acts on the outcome of a validation.
fn decides(s: &Statement) -> bool {
    if let StatementKind::Choose(c) = &s.kind {
        if c.whens.iter().any(|w| {
            w.condition.value.contains("LastError") || w.condition.value.contains("Certificate")
        }) {
            return true;
        }
    }
    !matches!(s.kind, StatementKind::Choose(_))
        && statement_texts(s)
            .iter()
            .any(|(t, _)| t.contains("LastError"))
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen: Vec<Span> = Vec::new();
    for index in 0..m.apis.len() {
        let api = ApiId(index as u32);
        for (_, effective) in cx.graph.effective_policies(api) {
            let inbound: Vec<&EffectiveStatement> = effective.inbound.iter().collect();
            let mut flat = Vec::new();
            let mut owners = Vec::new();
            for e in inbound {
                let before = flat.len();
                flatten([e.statement], &mut flat);
                owners.extend(std::iter::repeat_n(e.policy, flat.len() - before));
            }
            for (i, s) in flat.iter().enumerate() {
                let StatementKind::ValidateClientCertificate(v) = &s.kind else {
                    continue;
                };
                if !v.ignore_error.value || seen.contains(&v.ignore_error.span) {
                    continue;
                }
                if flat[i + 1..].iter().any(|later| decides(later)) {
                    continue;
                }
                seen.push(v.ignore_error.span);
                let policy = owners[i];
                let owner = policy_owner(m, policy);
                out.push(
                    Diagnostic::new(
                        &CODE,
                        v.ignore_error.span,
                        format!("the client-certificate validation in `{}`'s policy ignores errors, and nothing after it acts on the result", owner.name),
                    )
                    .with_primary_message("a failed validation lets the request through")
                    .with_label(s.span, "no later policy decides on the result")
                    .with_help("remove `ignore_error = true`, or follow the validation with a `choose` on `context.LastError` that returns 401 (`return_response { status_code = 401 }`)")
                    .with_address(cx.graph.address(NodeRef::Policy(policy)))
                    .with_trace(owner.trace.clone()),
                );
            }
        }
    }
}
