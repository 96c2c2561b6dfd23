//! GH312 thumbprint-format-or-pin.

use super::util::statement_blocks;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{AuthenticationCertificate, Spanned, StatementKind};

declare_check! {
    /// ## What it checks
    /// A thumbprint literal in a policy (`validate_client_certificate` identity `thumbprint`
    /// or `issuer_thumbprint`, `authentication_certificate` `thumbprint`) is not 40 upper-case
    /// hexadecimal characters, or pins a certificate of the topology that is not a CA and
    /// expires within the warning window (`cert_expiry_warning_days`, default 30).
    /// ## Why
    /// API Management thumbprints are SHA-1, written in upper-case hex without separators
    /// (MicrosoftDocs/azure-docs #124686, PR #124688); a SHA-256 fingerprint or a value copied
    /// with colons or spaces matches nothing. A pinned leaf stops matching the day the partner
    /// renews it; pin the issuer instead.
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
    ///           identity {
    ///             thumbprint = "3a:5f:09:77:c1:2e:48:b0:9d:61:f3:aa:10:42:8c:e5:7b:d4:36:9f"
    ///           }
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
    ///         validate_client_certificate {
    ///           identity {
    ///             thumbprint = "3A5F0977C12E48B09D61F3AA10428CE57BD4369F"
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH312", "thumbprint-format-or-pin", Severity::Warning
}

/// What is wrong with a thumbprint's form, and the value to write when it can be repaired.
fn format_problem(value: &str) -> Option<(String, Option<String>)> {
    let hex: String = value
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    let all_hex = hex.chars().all(|c| c.is_ascii_hexdigit());
    if hex.len() == 40 && all_hex && hex == value && value == value.to_ascii_uppercase() {
        return None;
    }
    if all_hex && hex.len() == 40 {
        return Some((
            "not written as 40 upper-case hex characters without separators".into(),
            Some(hex.to_ascii_uppercase()),
        ));
    }
    if all_hex && hex.len() == 64 {
        return Some((
            "a SHA-256 fingerprint, but API Management compares SHA-1 thumbprints".into(),
            None,
        ));
    }
    Some((
        format!(
            "{} characters, not the 40 hex characters of a SHA-1 thumbprint",
            value.chars().count()
        ),
        None,
    ))
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let window = cx.expiry_warning_days();
    for block in statement_blocks(m) {
        // "`orders`'s policy", "policy fragment `mtls`".
        let whose = match block.node {
            NodeRef::Policy(_) => format!("`{}`'s policy", block.owner.name),
            _ => block.what.clone(),
        };
        let mut literals: Vec<&Spanned<String>> = Vec::new();
        for (_, s) in &block.statements {
            match &s.kind {
                StatementKind::ValidateClientCertificate(v) => {
                    for identity in &v.identities {
                        literals.extend(identity.thumbprint.iter());
                        literals.extend(identity.issuer_thumbprint.iter());
                    }
                }
                StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Thumbprint(t),
                ) => literals.push(t),
                _ => {}
            }
        }
        for t in literals {
            let value = t.value.trim();
            // Expressions and named values are resolved at run time.
            if value.starts_with('@') || value.contains("{{") {
                continue;
            }
            let d = if let Some((why, repaired)) = format_problem(value) {
                let help = match repaired {
                    Some(r) => format!("write `\"{r}\"`"),
                    None => "use the certificate's SHA-1 thumbprint: 40 upper-case hex characters (`openssl x509 -noout -fingerprint -sha1`, without the colons)".to_string(),
                };
                Diagnostic::new(
                    &CODE,
                    t.span,
                    format!("thumbprint `{value}` in {whose} is not a SHA-1 thumbprint"),
                )
                .with_primary_message(why)
                .with_help(help)
            } else {
                let pinned = m.certificates.iter().enumerate().find_map(|(i, c)| {
                    let facts = cx.certs.get(crate::model::CertificateId(i as u32));
                    facts
                        .chain
                        .iter()
                        .find(|x| !x.is_ca && x.thumbprint == value)
                        .map(|x| (c, x))
                });
                let Some((cert, x)) = pinned else { continue };
                let days = x.days_left(cx.now);
                if days >= window {
                    continue;
                }
                Diagnostic::new(&CODE, t.span, format!("thumbprint in {whose} pins certificate `{}`, which expires in {days} days", cert.decl.name))
                    .with_primary_message("stops matching when the certificate is renewed")
                    .with_label(cert.decl.name_span, format!("`{}` ({}) is not a CA", cert.decl.name, x.subject))
                    .with_help("match the issuer instead (`issuer_certificate` or `issuer_subject`), which survives renewals")
            };
            out.push(
                d.with_address(cx.graph.address(block.node))
                    .with_trace(block.owner.trace.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::format_problem;

    #[test]
    fn accepts_only_upper_case_sha1_hex() {
        assert!(format_problem("3A5F0977C12E48B09D61F3AA10428CE57BD4369F").is_none());
        let (_, repaired) =
            format_problem("3a:5f:09:77:c1:2e:48:b0:9d:61:f3:aa:10:42:8c:e5:7b:d4:36:9f").unwrap();
        assert_eq!(
            repaired.as_deref(),
            Some("3A5F0977C12E48B09D61F3AA10428CE57BD4369F")
        );
        let (why, repaired) = format_problem(&"AB".repeat(32)).unwrap();
        assert!(why.contains("SHA-256") && repaired.is_none());
        assert!(format_problem("ABC").is_some());
    }
}
