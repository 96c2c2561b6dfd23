//! Effective policies as the runtime's steps: every scope already merged at `<base />` and
//! every fragment inlined by the graph, so the runtime runs one flat list per section.
//!
//! **Invariant:** a statement or expression the runtime cannot execute is a GH720 error naming
//! it, never a step left out: a policy that silently did less locally than in Azure would make
//! every local test a lie.

use super::RUNTIME_CANNOT_EXECUTE;
use crate::diagnostics::Diagnostic;
use crate::emit::policy_xml;
use crate::graph::{EffectivePolicy, EffectiveStatement};
use crate::model::*;
use crate::source::Span;
use gatehouse_runtime_config as rc;

/// Nesting of fragments inside `choose` branches beyond which inlining stops (the graph bounds
/// the top level the same way; an include cycle is GH017).
const MAX_FRAGMENT_DEPTH: usize = 16;

/// Converts effective policies, reporting what cannot run.
pub(super) struct Converter<'m, 'o> {
    pub model: &'m Model,
    pub instance: ApiManagementId,
    pub out: &'o mut Vec<Diagnostic>,
}

impl Converter<'_, '_> {
    pub fn policy(&mut self, effective: &EffectivePolicy) -> rc::Policy {
        rc::Policy {
            inbound: self.section(&effective.inbound),
            backend: self.section(&effective.backend),
            outbound: self.section(&effective.outbound),
            on_error: self.section(&effective.on_error),
        }
    }

    fn section(&mut self, statements: &[EffectiveStatement]) -> Vec<rc::Step> {
        // `include_fragment` markers are followed by the fragment's statements, already
        // inlined by the graph.
        statements
            .iter()
            .filter_map(|s| self.step(s.statement, 0))
            .collect()
    }

    fn steps(&mut self, statements: &[Statement], depth: usize) -> Vec<rc::Step> {
        let mut out = Vec::new();
        for statement in statements {
            if let StatementKind::IncludeFragment(name) = &statement.kind {
                match self.model.included_fragment(self.instance, name) {
                    Some(f) if depth < MAX_FRAGMENT_DEPTH => {
                        let model = self.model;
                        out.extend(self.steps(&model[f].statements, depth + 1));
                    }
                    // A missing fragment or a cycle is reported by the front end (GH101,
                    // GH017); nothing to run.
                    _ => {}
                }
                continue;
            }
            out.extend(self.step(statement, depth));
        }
        out
    }

    fn step(&mut self, statement: &Statement, depth: usize) -> Option<rc::Step> {
        let span = statement.span;
        Some(match &statement.kind {
            StatementKind::Base | StatementKind::IncludeFragment(_) => return None,
            StatementKind::ValidateClientCertificate(v) => {
                rc::Step::ValidateClientCertificate(rc::ValidateClientCertificate {
                    validate_revocation: v.validate_revocation.value,
                    validate_trust: v.validate_trust.value,
                    validate_not_before: v.validate_not_before.value,
                    validate_not_after: v.validate_not_after.value,
                    ignore_error: v.ignore_error.value,
                    identities: v.identities.iter().map(|i| self.identity(i)).collect(),
                })
            }
            StatementKind::AuthenticationCertificate(a) => match a {
                AuthenticationCertificate::Certificate(name) => {
                    rc::Step::AuthenticationCertificate(rc::AuthenticationCertificate {
                        certificate_id: policy_xml::certificate_id(self.model, name),
                    })
                }
                AuthenticationCertificate::Thumbprint(t) => {
                    self.cannot(
                        t.span,
                        "`authentication-certificate` by thumbprint",
                        "name the certificate (`certificate = certificate.<name>`, `certificate-id` in XML): the runtime looks client certificates up by id, and Key Vault thumbprints change on rotation",
                    );
                    return None;
                }
                AuthenticationCertificate::Body(b) => {
                    self.cannot(
                        b.span,
                        "`authentication-certificate` with `body`",
                        "upload the certificate as a `certificate` block and name it",
                    );
                    return None;
                }
            },
            StatementKind::CheckHeader(c) => rc::Step::CheckHeader(rc::CheckHeader {
                name: c.name.value.clone(),
                failed_check_httpcode: status(c.failed_check_httpcode),
                failed_check_error_message: c.failed_check_error_message.clone(),
                ignore_case: c.ignore_case,
                values: c.values.iter().map(|v| v.value.clone()).collect(),
            }),
            StatementKind::SetHeader(s) => {
                let action = match s.exists_action.as_str() {
                    "skip" => rc::ExistsAction::Skip,
                    "append" => rc::ExistsAction::Append,
                    "delete" => rc::ExistsAction::Delete,
                    _ => rc::ExistsAction::Override,
                };
                for value in &s.values {
                    if value.value.trim_start().starts_with('@') {
                        self.expression(value, false)?;
                    }
                }
                rc::Step::SetHeader(rc::SetHeader {
                    name: s.name.value.clone(),
                    exists_action: action,
                    values: s.values.iter().map(|v| v.value.clone()).collect(),
                })
            }
            StatementKind::IpFilter(f) => rc::Step::IpFilter(rc::IpFilter {
                action: if f.allow {
                    rc::IpFilterAction::Allow
                } else {
                    rc::IpFilterAction::Forbid
                },
                addresses: f.addresses.iter().map(|a| a.value.clone()).collect(),
                address_ranges: f
                    .ranges
                    .iter()
                    .map(|(from, to)| rc::AddressRange {
                        from: from.clone(),
                        to: to.clone(),
                    })
                    .collect(),
            }),
            StatementKind::RateLimit {
                calls,
                renewal_period,
            } => rc::Step::RateLimit(rc::RateLimit {
                calls: count(*calls),
                renewal_period_s: count(*renewal_period),
                retry_after_header_name: None,
            }),
            StatementKind::RateLimitByKey(r) => {
                self.expression(&r.counter_key, false)?;
                if let Some(condition) = &r.increment_condition {
                    self.expression(condition, true)?;
                }
                rc::Step::RateLimitByKey(rc::RateLimitByKey {
                    calls: count(r.calls),
                    renewal_period_s: count(r.renewal_period),
                    counter_key: r.counter_key.value.clone(),
                    increment_condition: r.increment_condition.as_ref().map(|c| c.value.clone()),
                    retry_after_header_name: None,
                })
            }
            StatementKind::ReturnResponse(r) => rc::Step::ReturnResponse(rc::ReturnResponse {
                status_code: status(r.status_code),
                headers: r.headers.iter().cloned().collect(),
                body: r.body.clone(),
            }),
            StatementKind::Cors(c) => rc::Step::Cors(rc::Cors {
                allow_credentials: c.allow_credentials,
                allowed_origins: values(&c.allowed_origins),
                allowed_methods: values(&c.allowed_methods),
                allowed_headers: values(&c.allowed_headers),
                expose_headers: values(&c.expose_headers),
                preflight_result_max_age: c.preflight_result_max_age.map(count),
            }),
            StatementKind::SetBackendService(s) => rc::Step::SetBackendService(match s {
                SetBackendService::Backend(BackendName::Backend(b)) => {
                    rc::BackendTarget::BackendId(self.model[b.id].azure_name.value.clone())
                }
                SetBackendService::Backend(BackendName::Id(id)) => {
                    rc::BackendTarget::BackendId(id.value.clone())
                }
                SetBackendService::BaseUrl(url) => rc::BackendTarget::BaseUrl(url.value.clone()),
            }),
            StatementKind::Choose(c) => {
                let mut when = Vec::new();
                for w in &c.whens {
                    self.expression(&w.condition, true)?;
                    when.push(rc::When {
                        condition: w.condition.value.clone(),
                        steps: self.steps(&w.statements, depth),
                    });
                }
                let otherwise = match &c.otherwise {
                    Some(statements) => self.steps(statements, depth),
                    None => Vec::new(),
                };
                rc::Step::Choose(rc::Choose { when, otherwise })
            }
            StatementKind::ValidateJwt(_) => {
                self.cannot(
                    span,
                    "`validate-jwt`",
                    "the runtime does not fetch OpenID configurations; test JWT validation against Azure, or keep the policy out of the APIs you run locally",
                );
                return None;
            }
            StatementKind::Other(other) => {
                self.cannot(
                    span,
                    &format!("`{}`", other.name),
                    "the runtime runs validate-client-certificate, check-header, set-header, ip-filter, rate-limit, rate-limit-by-key, cors, return-response, set-backend-service, choose and authentication-certificate (docs/runtime.md)",
                );
                return None;
            }
        })
    }

    fn identity(&self, i: &CertificateIdentity) -> rc::CertificateIdentity {
        let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.value.clone());
        rc::CertificateIdentity {
            thumbprint: text(&i.thumbprint),
            serial_number: text(&i.serial_number),
            common_name: text(&i.common_name),
            subject: text(&i.subject),
            dns_name: text(&i.dns_name),
            issuer_subject: text(&i.issuer_subject),
            issuer_thumbprint: text(&i.issuer_thumbprint),
            issuer_certificate_id: i
                .issuer_certificate
                .as_ref()
                .map(|n| policy_xml::certificate_id(self.model, n)),
        }
    }

    /// Checks that the runtime can evaluate an expression; `None` (and a GH720) when not.
    fn expression(&mut self, source: &Spanned<String>, condition: bool) -> Option<()> {
        let parsed = if condition {
            rc::parse_condition(&source.value)
        } else {
            rc::parse_expression(&source.value)
        };
        match parsed {
            Ok(_) => Some(()),
            Err(e) => {
                self.out.push(
                    Diagnostic::new(
                        &RUNTIME_CANNOT_EXECUTE,
                        source.span,
                        format!("the runtime cannot evaluate the expression `{}`", source.value),
                    )
                    .with_primary_message(e.to_string())
                    .with_help("use the expression subset docs/runtime.md lists (certificate properties, request headers, comparisons), or compile without `--target runtime`"),
                );
                None
            }
        }
    }

    fn cannot(&mut self, span: Span, what: &str, help: &str) {
        self.out.push(
            Diagnostic::new(
                &RUNTIME_CANNOT_EXECUTE,
                span,
                format!("the runtime cannot execute {what}"),
            )
            .with_primary_message("not run by the bundled runtime")
            .with_help(help),
        );
    }
}

fn values(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.value.clone()).collect()
}

/// A status code as written; the checks have rejected one outside 100–599.
fn status(code: i64) -> u16 {
    u16::try_from(code).unwrap_or(500)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
