//! GH102 policy-dangling-id.

use super::util::{statement_blocks, statement_texts};
use super::CheckContext;
use crate::diagnostics::{did_you_mean, Diagnostic, Severity};
use crate::model::{
    AuthenticationCertificate, BackendName, CertificateName, FragmentName, SetBackendService,
    StatementKind,
};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// Raw policy XML (in a policy or a policy fragment) names something no block declares: a
    /// `certificate-id` (certificates are named by their `certificate` block), an
    /// `issuer-certificate-id` (a `ca_certificate` or `certificate` block), a `backend-id` (a
    /// `backend` of the same instance), a `fragment-id` (a `policy_fragment` of the same
    /// instance), or a `{{named-value}}` (a `named_value` of the same instance, by name or
    /// display name).
    /// ## Why
    /// API Management resolves these ids when the policy is saved and rejects a policy that
    /// names a certificate, backend, fragment or named value it does not have (UP#13: the
    /// resource provider validates policy certificate references), so the deployment fails
    /// late. Typed policy blocks use references, which GH101 checks.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   backend "ledger" {
    ///     url = "https://ledger.contoso.internal"
    ///   }
    ///
    ///   api "ledger" {
    ///     path    = "ledger"
    ///     backend = backend.ledger
    ///
    ///     policy {
    ///       xml = <<-XML
    ///         <policies>
    ///           <inbound>
    ///             <base />
    ///             <set-backend-service backend-id="legder" />
    ///           </inbound>
    ///         </policies>
    ///       XML
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   backend "ledger" {
    ///     url = "https://ledger.contoso.internal"
    ///   }
    ///
    ///   api "ledger" {
    ///     path    = "ledger"
    ///     backend = backend.ledger
    ///
    ///     policy {
    ///       xml = <<-XML
    ///         <policies>
    ///           <inbound>
    ///             <base />
    ///             <set-backend-service backend-id="ledger" />
    ///           </inbound>
    ///         </policies>
    ///       XML
    ///     }
    ///   }
    /// }
    /// ```
    "GH102", "policy-dangling-id", Severity::Error
}

/// `{{name}}` references in a text.
fn named_value_refs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find("}}") else { break };
        let name = rest[..end].trim();
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            out.push(name);
        }
        rest = &rest[end + 2..];
    }
    out
}

/// An id that is an expression or a named value is resolved at run time: not ours to judge.
fn literal(id: &str) -> bool {
    !id.starts_with('@') && !id.contains("{{")
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let certificates: Vec<&str> = m
        .certificates
        .iter()
        .map(|c| c.apim_name())
        .collect();
    for block in statement_blocks(m) {
        let instance = block.instance;
        let ca_certificates: Vec<&str> = m[instance]
            .ca_certificates
            .iter()
            .map(|c| m[*c].decl.name.as_str())
            .collect();
        let backends: Vec<&str> = m
            .backends
            .iter()
            .filter(|b| b.api_management == instance)
            .map(|b| b.azure_name.value.as_str())
            .collect();
        let named_values: Vec<&str> = m[instance]
            .named_values
            .iter()
            .flat_map(|n| [m[*n].decl.name.as_str(), m[*n].display_name.as_str()])
            .collect();
        let fragments: Vec<&str> = m[instance]
            .policy_fragments
            .iter()
            .map(|f| m[*f].decl.name.as_str())
            .collect();
        let mut report = |kind: &str,
                          name: &str,
                          span: Span,
                          candidates: &[&str],
                          attribute: &str| {
            if !literal(name) || candidates.contains(&name) {
                return;
            }
            let help = match did_you_mean(name, candidates.iter().copied()) {
                Some(close) => {
                    let by = match kind {
                        "certificate" | "backend" => "its Azure name (`name`, else the label)",
                        _ => "its label",
                    };
                    format!("did you mean `{close}`? `{attribute}` names a {kind} block by {by}")
                }
                None => format!("declare a {kind} block named `{name}`, or name one that exists in `{attribute}`"),
            };
            out.push(
                Diagnostic::new(
                    &CODE,
                    span,
                    format!("{} names {kind} `{name}`, which is not declared", block.what),
                )
                .with_primary_message(format!("no {kind} `{name}`"))
                .with_help(help)
                .with_address(cx.graph.address(block.node))
                .with_trace(block.owner.trace.clone()),
            );
        };
        let issuers: Vec<&str> = ca_certificates
            .iter()
            .chain(certificates.iter())
            .copied()
            .collect();
        for (_, s) in &block.statements {
            match &s.kind {
                StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Certificate(CertificateName::Id(cid)),
                ) => report(
                    "certificate",
                    &cid.value,
                    cid.span,
                    &certificates,
                    "certificate-id",
                ),
                StatementKind::SetBackendService(SetBackendService::Backend(BackendName::Id(
                    bid,
                ))) => report("backend", &bid.value, bid.span, &backends, "backend-id"),
                StatementKind::IncludeFragment(FragmentName::Id(fid)) => report(
                    "policy_fragment",
                    &fid.value,
                    fid.span,
                    &fragments,
                    "fragment-id",
                ),
                StatementKind::ValidateClientCertificate(v) => {
                    for identity in &v.identities {
                        if let Some(CertificateName::Id(cid)) = &identity.issuer_certificate {
                            report(
                                "ca_certificate",
                                &cid.value,
                                cid.span,
                                &issuers,
                                "issuer-certificate-id",
                            );
                        }
                    }
                }
                _ => {}
            }
            for (text, span) in statement_texts(s) {
                for name in named_value_refs(text) {
                    report("named_value", name, span, &named_values, "{{...}}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::named_value_refs;

    #[test]
    fn finds_named_value_references() {
        assert_eq!(
            named_value_refs("Bearer {{orders-key}} and {{ region }}"),
            ["orders-key", "region"]
        );
        assert!(named_value_refs("@{ return \"{{\"; }").is_empty());
    }
}
