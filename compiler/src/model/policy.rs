//! Policies: typed statements per section, from typed HCL blocks or from raw XML, in one shape.
//!
//! A typed section that inherits and has no explicit `base {}` statement gets one first, as API
//! Management's own editor does, so that later stages see `<base />` wherever it runs. Raw XML
//! is kept as written.

use super::builder::Builder;
use super::*;
use crate::diagnostics::codes;
use crate::eval::{Node, ValueKind};

/// Which scope a policy applies at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyScope {
    Global(ApiManagementId),
    Product(ProductId),
    Api(ApiId),
    Operation(OperationId),
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub scope: PolicyScope,
    pub span: Span,
    /// Set when the policy was written as raw XML: the file it came from, or `None` inline.
    pub xml_file: Option<Option<String>>,
    pub inbound: Section,
    pub backend: Section,
    pub outbound: Section,
    pub on_error: Section,
}

impl Policy {
    pub fn sections(&self) -> [(&'static str, &Section); 4] {
        [
            ("inbound", &self.inbound),
            ("backend", &self.backend),
            ("outbound", &self.outbound),
            ("on-error", &self.on_error),
        ]
    }
}

impl Model {
    /// The instance a policy belongs to.
    pub fn policy_instance(&self, policy: PolicyId) -> ApiManagementId {
        match self[policy].scope {
            PolicyScope::Global(a) => a,
            PolicyScope::Product(p) => self[p].api_management,
            PolicyScope::Api(a) => self[a].api_management,
            PolicyScope::Operation(o) => self[self[o].api].api_management,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The section block or element, when written.
    pub span: Option<Span>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub span: Span,
    pub kind: StatementKind,
}

#[derive(Debug, Clone)]
pub enum StatementKind {
    Base,
    ValidateClientCertificate(ValidateClientCertificate),
    AuthenticationCertificate(AuthenticationCertificate),
    CheckHeader(CheckHeader),
    SetHeader(SetHeader),
    SetBackendService(SetBackendService),
    IpFilter(IpFilter),
    RateLimit {
        calls: i64,
        renewal_period: i64,
    },
    RateLimitByKey(RateLimitByKey),
    ReturnResponse(ReturnResponse),
    Cors(Cors),
    ValidateJwt(ValidateJwt),
    Choose(Choose),
    /// `include-fragment`: the statements of a policy fragment run here.
    IncludeFragment(FragmentName),
    /// Any other policy element, kept as XML.
    Other(OtherPolicy),
}

#[derive(Debug, Clone)]
pub struct ValidateClientCertificate {
    pub validate_revocation: Spanned<bool>,
    pub validate_trust: Spanned<bool>,
    pub validate_not_before: Spanned<bool>,
    pub validate_not_after: Spanned<bool>,
    pub ignore_error: Spanned<bool>,
    pub identities: Vec<CertificateIdentity>,
}

/// An accepted identity; every field given must match.
#[derive(Debug, Clone, Default)]
pub struct CertificateIdentity {
    pub span: Option<Span>,
    pub thumbprint: Option<Spanned<String>>,
    pub serial_number: Option<Spanned<String>>,
    pub common_name: Option<Spanned<String>>,
    pub subject: Option<Spanned<String>>,
    pub dns_name: Option<Spanned<String>>,
    pub issuer_subject: Option<Spanned<String>>,
    pub issuer_thumbprint: Option<Spanned<String>>,
    pub issuer_certificate: Option<CertificateName>,
}

/// A certificate named by a policy: a resolved reference (typed blocks) or an APIM certificate
/// id (raw XML), resolved by the checks.
#[derive(Debug, Clone)]
pub enum CertificateName {
    Certificate(Ref<CertificateId>),
    CaCertificate(Ref<CaCertificateId>),
    Id(Spanned<String>),
}

#[derive(Debug, Clone)]
pub enum AuthenticationCertificate {
    Certificate(CertificateName),
    Thumbprint(Spanned<String>),
    /// `body=`/`password=` expressions in raw XML.
    Body(Spanned<String>),
}

#[derive(Debug, Clone)]
pub struct CheckHeader {
    pub name: Spanned<String>,
    pub failed_check_httpcode: i64,
    pub failed_check_error_message: String,
    pub ignore_case: bool,
    pub values: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct SetHeader {
    pub name: Spanned<String>,
    pub exists_action: String,
    pub values: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub enum SetBackendService {
    Backend(BackendName),
    BaseUrl(Spanned<String>),
}

/// A backend named by a policy.
#[derive(Debug, Clone)]
pub enum BackendName {
    Backend(Ref<BackendId>),
    Id(Spanned<String>),
}

#[derive(Debug, Clone)]
pub struct IpFilter {
    pub allow: bool,
    pub addresses: Vec<Spanned<String>>,
    pub ranges: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct RateLimitByKey {
    pub calls: i64,
    pub renewal_period: i64,
    pub counter_key: Spanned<String>,
    pub increment_condition: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct ReturnResponse {
    pub status_code: i64,
    pub reason: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Cors {
    pub allow_credentials: bool,
    pub allowed_origins: Vec<Spanned<String>>,
    pub allowed_methods: Vec<Spanned<String>>,
    pub allowed_headers: Vec<Spanned<String>>,
    pub expose_headers: Vec<Spanned<String>>,
    pub preflight_result_max_age: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ValidateJwt {
    pub header_name: String,
    pub failed_validation_httpcode: i64,
    pub failed_validation_error_message: Option<String>,
    pub require_scheme: Option<String>,
    pub openid_config_urls: Vec<String>,
    pub audiences: Vec<String>,
    pub issuers: Vec<String>,
    pub required_claims: Vec<RequiredClaim>,
}

#[derive(Debug, Clone)]
pub struct RequiredClaim {
    pub name: String,
    pub match_all: bool,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Choose {
    pub whens: Vec<When>,
    pub otherwise: Option<Vec<Statement>>,
}

#[derive(Debug, Clone)]
pub struct When {
    pub span: Span,
    pub condition: Spanned<String>,
    pub statements: Vec<Statement>,
}

/// A policy fragment named by `include_fragment`: a resolved reference (typed blocks) or a
/// fragment id (raw XML), resolved with [`Model::included_fragment`].
#[derive(Debug, Clone)]
pub enum FragmentName {
    Fragment(Ref<PolicyFragmentId>),
    Id(Spanned<String>),
}

impl FragmentName {
    /// The reference or `fragment-id` as written.
    pub fn span(&self) -> Span {
        match self {
            FragmentName::Fragment(r) => r.span,
            FragmentName::Id(id) => id.span,
        }
    }
}

/// A policy element gatehouse has no typed form for.
#[derive(Debug, Clone)]
pub struct OtherPolicy {
    /// Element name, e.g. `set-variable`.
    pub name: String,
    /// The element as written.
    pub xml: String,
    pub attributes: Vec<(String, String)>,
}

impl Builder<'_> {
    /// Builds the `policy` child of `owner`, if any.
    pub(super) fn policy(&mut self, owner: &Node, scope: PolicyScope) -> Option<PolicyId> {
        let node = owner.child("policy")?;
        let mut policy = Policy {
            scope,
            span: node.span,
            xml_file: None,
            inbound: Section::default(),
            backend: Section::default(),
            outbound: Section::default(),
            on_error: Section::default(),
        };
        if let Some(xml) = node.value("xml").cloned() {
            if let Some(first) = node.children.first() {
                let d = Diagnostic::new(
                    &codes::CONFLICTING_ATTRIBUTES,
                    first.ident_span,
                    format!("`{}` has both `xml` and typed sections", node.address),
                )
                .with_label(xml.span, "raw XML here")
                .with_help(
                    "write the policy either as raw XML or as typed section blocks, not both",
                );
                self.report(node, d);
            }
            let (text, file, base_span) = self.xml_text(node, &xml)?;
            policy.xml_file = Some(file.clone());
            self.parse_policy_document(node, &text, base_span, file.is_some(), &mut policy);
        } else {
            for section in &node.children {
                let target = match section.name() {
                    "inbound" => &mut policy.inbound,
                    "backend" => &mut policy.backend,
                    "outbound" => &mut policy.outbound,
                    _ => &mut policy.on_error,
                };
                target.span = Some(section.span);
                target.statements = self.statements(section);
                let explicit_base = section.children_named("base").next();
                if let (Some(base), Some(false)) = (
                    explicit_base,
                    section.value("inherit").and_then(|v| v.as_bool()),
                ) {
                    let d = Diagnostic::new(
                        &codes::CONFLICTING_ATTRIBUTES,
                        base.ident_span,
                        format!("`{}` has `inherit = false` and a `base {{}}` statement", section.address),
                    )
                    .with_help("remove `base {}` to drop the inherited policies, or `inherit = false` to keep them");
                    self.report(section, d);
                }
            }
            // Typed sections inherit unless told not to: `<base />` first, as the APIM editor
            // writes it, when no `base {}` statement says where it runs.
            let inherits = |name: &str| {
                node.child(name)
                    .and_then(|s| s.value("inherit"))
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true)
            };
            for (name, section) in [
                ("inbound", &mut policy.inbound),
                ("backend", &mut policy.backend),
                ("outbound", &mut policy.outbound),
                ("on_error", &mut policy.on_error),
            ] {
                let has_base = section
                    .statements
                    .iter()
                    .any(|s| matches!(s.kind, StatementKind::Base));
                if inherits(name) && !has_base {
                    let span = section.span.unwrap_or(node.span);
                    section.statements.insert(
                        0,
                        Statement {
                            span,
                            kind: StatementKind::Base,
                        },
                    );
                }
            }
        }
        let id = PolicyId(self.model.policies.len() as u32);
        self.model.policies.push(policy);
        Some(id)
    }

    /// The text of an `xml` attribute: inline (spans point at the attribute) or a file (added to
    /// the sources, spans point into it).
    pub(super) fn xml_text(
        &mut self,
        node: &Node,
        xml: &crate::eval::Value,
    ) -> Option<(String, Option<String>, Span)> {
        match &xml.kind {
            ValueKind::String(s) => Some((s.clone(), None, xml.span)),
            ValueKind::File(path) => {
                let mut diags = Vec::new();
                let file = crate::syntax::read_text(
                    self.world,
                    path,
                    self.sources,
                    &mut diags,
                    Some(xml.span),
                );
                for d in diags {
                    self.report(node, d);
                }
                let file = file?;
                let text = self.sources.get(file).text.clone();
                let span = Span::new(file, 0..text.len());
                Some((text, Some(path.clone()), span))
            }
            _ => None,
        }
    }

    pub(super) fn statements(&mut self, parent: &Node) -> Vec<Statement> {
        let mut out = Vec::new();
        let in_branch = matches!(parent.name(), "when" | "otherwise");
        for node in parent
            .children
            .iter()
            .filter(|c| c.schema.statement && !(in_branch && c.name() == "base"))
        {
            if let Some(s) = self.statement(node) {
                out.push(s);
            }
        }
        out
    }

    fn statement(&mut self, node: &Node) -> Option<Statement> {
        let span = node.span;
        let kind = match node.name() {
            "base" => StatementKind::Base,
            "validate_client_certificate" => {
                let identities = node
                    .children_named("identity")
                    .map(|i| CertificateIdentity {
                        span: Some(i.span),
                        thumbprint: self.string(i, "thumbprint"),
                        serial_number: self.string(i, "serial_number"),
                        common_name: self.string(i, "common_name"),
                        subject: self.string(i, "subject"),
                        dns_name: self.string(i, "dns_name"),
                        issuer_subject: self.string(i, "issuer_subject"),
                        issuer_thumbprint: self.string(i, "issuer_thumbprint"),
                        issuer_certificate: self
                            .reference(i, "issuer_certificate")
                            .map(CertificateName::CaCertificate),
                    })
                    .collect();
                StatementKind::ValidateClientCertificate(ValidateClientCertificate {
                    validate_revocation: self.flag_or(node, "validate_revocation", true),
                    validate_trust: self.flag_or(node, "validate_trust", true),
                    validate_not_before: self.flag_or(node, "validate_not_before", true),
                    validate_not_after: self.flag_or(node, "validate_not_after", true),
                    ignore_error: self.flag_or(node, "ignore_error", false),
                    identities,
                })
            }
            "authentication_certificate" => match self.exactly_one(
                node,
                &["certificate", "thumbprint"],
                "a certificate or a thumbprint",
            )? {
                "certificate" => StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Certificate(CertificateName::Certificate(
                        self.reference(node, "certificate")?,
                    )),
                ),
                _ => StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Thumbprint(self.string(node, "thumbprint")?),
                ),
            },
            "check_header" => StatementKind::CheckHeader(CheckHeader {
                name: self.string_or(node, "name", ""),
                failed_check_httpcode: self
                    .integer(node, "failed_check_httpcode")
                    .map_or(400, |v| v.value),
                failed_check_error_message: self
                    .string_or(node, "failed_check_error_message", "")
                    .value,
                ignore_case: self.flag_or(node, "ignore_case", false).value,
                values: self.strings(node, "values"),
            }),
            "set_header" => StatementKind::SetHeader(SetHeader {
                name: self.string_or(node, "name", ""),
                exists_action: self.string_or(node, "exists_action", "override").value,
                values: self.strings(node, "values"),
            }),
            "set_backend_service" => {
                match self.exactly_one(node, &["backend", "base_url"], "a backend or a base URL")? {
                    "backend" => StatementKind::SetBackendService(SetBackendService::Backend(
                        BackendName::Backend(self.reference(node, "backend")?),
                    )),
                    _ => StatementKind::SetBackendService(SetBackendService::BaseUrl(
                        self.string(node, "base_url")?,
                    )),
                }
            }
            "ip_filter" => StatementKind::IpFilter(IpFilter {
                allow: self.string_or(node, "action", "allow").value == "allow",
                addresses: self.strings(node, "addresses"),
                ranges: node
                    .children_named("address_range")
                    .map(|r| {
                        (
                            self.string_or(r, "from", "").value,
                            self.string_or(r, "to", "").value,
                        )
                    })
                    .collect(),
            }),
            "rate_limit" => StatementKind::RateLimit {
                calls: self.integer(node, "calls").map_or(0, |v| v.value),
                renewal_period: self.integer(node, "renewal_period").map_or(0, |v| v.value),
            },
            "rate_limit_by_key" => StatementKind::RateLimitByKey(RateLimitByKey {
                calls: self.integer(node, "calls").map_or(0, |v| v.value),
                renewal_period: self.integer(node, "renewal_period").map_or(0, |v| v.value),
                counter_key: self.string_or(node, "counter_key", ""),
                increment_condition: self.string(node, "increment_condition"),
            }),
            "return_response" => StatementKind::ReturnResponse(ReturnResponse {
                status_code: self.integer(node, "status_code").map_or(200, |v| v.value),
                reason: self.string(node, "reason").map(|s| s.value),
                headers: self.string_map(node, "headers"),
                body: self.string(node, "body").map(|s| s.value),
            }),
            "cors" => StatementKind::Cors(Cors {
                allow_credentials: self.flag_or(node, "allow_credentials", false).value,
                allowed_origins: self.strings(node, "allowed_origins"),
                allowed_methods: self.strings(node, "allowed_methods"),
                allowed_headers: self.strings(node, "allowed_headers"),
                expose_headers: self.strings(node, "expose_headers"),
                preflight_result_max_age: self
                    .integer(node, "preflight_result_max_age")
                    .map(|v| v.value),
            }),
            "validate_jwt" => StatementKind::ValidateJwt(ValidateJwt {
                header_name: self.string_or(node, "header_name", "Authorization").value,
                failed_validation_httpcode: self
                    .integer(node, "failed_validation_httpcode")
                    .map_or(401, |v| v.value),
                failed_validation_error_message: self
                    .string(node, "failed_validation_error_message")
                    .map(|s| s.value),
                require_scheme: self.string(node, "require_scheme").map(|s| s.value),
                openid_config_urls: self
                    .strings(node, "openid_config_urls")
                    .into_iter()
                    .map(|s| s.value)
                    .collect(),
                audiences: self
                    .strings(node, "audiences")
                    .into_iter()
                    .map(|s| s.value)
                    .collect(),
                issuers: self
                    .strings(node, "issuers")
                    .into_iter()
                    .map(|s| s.value)
                    .collect(),
                required_claims: node
                    .children_named("required_claim")
                    .map(|c| RequiredClaim {
                        name: c.label().to_string(),
                        match_all: self.string_or(c, "match", "all").value == "all",
                        values: self
                            .strings(c, "values")
                            .into_iter()
                            .map(|s| s.value)
                            .collect(),
                    })
                    .collect(),
            }),
            "choose" => {
                for branch in node.children.iter() {
                    for base in branch.children_named("base") {
                        let d = Diagnostic::new(
                            &codes::UNKNOWN_BLOCK,
                            base.ident_span,
                            "`base {}` is only allowed directly in a policy section, not inside `choose`".to_string(),
                        )
                        .with_help("move `base {}` to the section; API Management rejects `<base />` elsewhere");
                        self.report(base, d);
                    }
                }
                let whens = node
                    .children_named("when")
                    .map(|w| When {
                        span: w.span,
                        condition: self.string_or(w, "condition", "true"),
                        statements: self.statements(w),
                    })
                    .collect::<Vec<_>>();
                if whens.is_empty() {
                    self.error(
                        node,
                        &codes::MISSING_REQUIRED,
                        node.ident_span,
                        "`choose` needs at least one `when` block".to_string(),
                        "add `when { condition = \"@(...)\" ... }`".to_string(),
                    );
                }
                let otherwise = node.child("otherwise").map(|o| self.statements(o));
                StatementKind::Choose(Choose { whens, otherwise })
            }
            "include_fragment" => StatementKind::IncludeFragment(FragmentName::Fragment(
                self.reference(node, "fragment")?,
            )),
            "raw" => {
                let xml = node.value("xml")?.clone();
                let (text, file, base_span) = self.xml_text(node, &xml)?;
                return self.parse_policy_element(node, &text, base_span, file.is_some());
            }
            other => unreachable!("statement block `{other}` is in the schema but not built"),
        };
        Some(Statement { span, kind })
    }
}
