//! Raw policy XML (`xml = ...`, `raw { xml = ... }`) parsed into the same statements as typed
//! policy blocks, so that checks, emitters and the runtime see one shape.
//!
//! The XML must be well-formed (no DTD), a `<policies>` document with known sections (or, for a
//! policy fragment, a `<fragment>` document of bare policies), and use API Management policy
//! names. Elements without a typed form stay [`OtherPolicy`]. Spans point
//! into the XML file when it was named with `file()`, else at the `xml` attribute.

use super::builder::Builder;
use super::*;
use crate::diagnostics::{codes, did_you_mean};
use crate::eval::Node;
use roxmltree::{Document, Node as XmlNode};

/// Every policy element of API Management's policy reference (and `base`).
const POLICY_NAMES: &[&str] = &[
    "authentication-basic",
    "authentication-certificate",
    "authentication-managed-identity",
    "azure-openai-emit-token-metric",
    "azure-openai-semantic-cache-lookup",
    "azure-openai-semantic-cache-store",
    "azure-openai-token-limit",
    "base",
    "cache-lookup",
    "cache-lookup-value",
    "cache-remove-value",
    "cache-store",
    "cache-store-value",
    "check-header",
    "choose",
    "cors",
    "cosmosdb-data-source",
    "cross-domain",
    "emit-metric",
    "find-and-replace",
    "forward-request",
    "get-authorization-context",
    "http-data-source",
    "include-fragment",
    "invoke-dapr-binding",
    "ip-filter",
    "json-to-xml",
    "jsonp",
    "limit-concurrency",
    "llm-content-safety",
    "llm-emit-token-metric",
    "llm-semantic-cache-lookup",
    "llm-semantic-cache-store",
    "llm-token-limit",
    "log-to-eventhub",
    "mock-response",
    "proxy",
    "publish-event",
    "publish-to-dapr",
    "quota",
    "quota-by-key",
    "rate-limit",
    "rate-limit-by-key",
    "redirect-content-urls",
    "retry",
    "return-response",
    "rewrite-uri",
    "send-one-way-request",
    "send-request",
    "send-service-bus-message",
    "set-backend-service",
    "set-body",
    "set-graphql-resolver",
    "set-header",
    "set-method",
    "set-query-parameter",
    "set-status",
    "set-variable",
    "sql-data-source",
    "trace",
    "validate-azure-ad-token",
    "validate-client-certificate",
    "validate-content",
    "validate-graphql-request",
    "validate-headers",
    "validate-jwt",
    "validate-odata-request",
    "validate-parameters",
    "validate-status-code",
    "wait",
    "xml-to-json",
    "xsl-transform",
];

const SECTIONS: &[&str] = &["inbound", "backend", "outbound", "on-error"];

/// How XML byte ranges map to spans.
#[derive(Clone, Copy)]
struct Mapper {
    base: Span,
    /// Whether `base` covers exactly the XML text (a file), so ranges map one to one.
    exact: bool,
}

impl Mapper {
    fn span(self, range: std::ops::Range<usize>) -> Span {
        if self.exact {
            self.base.slice(range)
        } else {
            self.base
        }
    }
}

impl Builder<'_> {
    fn xml_error(&mut self, node: &Node, span: Span, message: String, help: &str) {
        let d = Diagnostic::new(&codes::POLICY_XML_INVALID, span, message)
            .with_help(help)
            .with_address(node.address.clone());
        self.report(node, d);
    }

    fn parse_xml<'x>(&mut self, node: &Node, text: &'x str, map: Mapper) -> Option<Document<'x>> {
        match Document::parse(text) {
            Ok(doc) => Some(doc),
            Err(err) => {
                let pos = err.pos();
                let offset = offset_of(text, pos.row as usize, pos.col as usize);
                let span = map.span(offset..(offset + 1).min(text.len()));
                self.xml_error(
                    node,
                    span,
                    format!("policy XML is not well-formed: {err}"),
                    "fix the XML; every element must be closed and attributes quoted",
                );
                None
            }
        }
    }

    /// Parses a whole `<policies>` document into `policy`'s sections.
    pub(super) fn parse_policy_document(
        &mut self,
        node: &Node,
        text: &str,
        base: Span,
        exact: bool,
        policy: &mut Policy,
    ) {
        let map = Mapper { base, exact };
        let Some(doc) = self.parse_xml(node, text, map) else {
            return;
        };
        let root = doc.root_element();
        if root.tag_name().name() != "policies" {
            let span = map.span(root.range());
            self.xml_error(
                node,
                span,
                format!(
                    "the policy document's root is `<{}>`, not `<policies>`",
                    root.tag_name().name()
                ),
                "wrap the sections in `<policies> ... </policies>`",
            );
            return;
        }
        for child in root.children() {
            if self.stray_text(node, child, map) || !child.is_element() {
                continue;
            }
            let name = child.tag_name().name();
            let span = map.span(child.range());
            let section = match name {
                "inbound" => &mut policy.inbound,
                "backend" => &mut policy.backend,
                "outbound" => &mut policy.outbound,
                "on-error" => &mut policy.on_error,
                _ => {
                    let help = did_you_mean(name, SECTIONS.iter().copied()).map_or_else(
                        || "the sections are inbound, backend, outbound and on-error".to_string(),
                        |s| format!("did you mean `<{s}>`?"),
                    );
                    self.xml_error(
                        node,
                        span,
                        format!("`<{name}>` is not a policy section"),
                        &help,
                    );
                    continue;
                }
            };
            if section.span.is_some() {
                self.xml_error(
                    node,
                    span,
                    format!("section `<{name}>` appears twice"),
                    "merge the two sections",
                );
                continue;
            }
            section.span = Some(span);
            let statements = self.xml_statements(node, child, map);
            section.statements = statements;
        }
    }

    /// Parses a whole `<fragment>` document: the statements of a policy fragment. A `<base />`
    /// among them is reported and dropped; API Management rejects it in a fragment.
    pub(super) fn parse_fragment_document(
        &mut self,
        node: &Node,
        text: &str,
        base: Span,
        exact: bool,
    ) -> Vec<Statement> {
        let map = Mapper { base, exact };
        let Some(doc) = self.parse_xml(node, text, map) else {
            return Vec::new();
        };
        let root = doc.root_element();
        if root.tag_name().name() != "fragment" {
            let span = map.span(root.range());
            let help = if root.tag_name().name() == "policies" {
                "a fragment has no sections: write its policies inside `<fragment> ... </fragment>`"
            } else {
                "wrap the policies in `<fragment> ... </fragment>`"
            };
            self.xml_error(
                node,
                span,
                format!(
                    "the policy fragment's root is `<{}>`, not `<fragment>`",
                    root.tag_name().name()
                ),
                help,
            );
            return Vec::new();
        }
        self.xml_statements(node, root, map)
    }

    /// Parses one policy element (`raw { xml = ... }`).
    pub(super) fn parse_policy_element(
        &mut self,
        node: &Node,
        text: &str,
        base: Span,
        exact: bool,
    ) -> Option<Statement> {
        let map = Mapper { base, exact };
        let doc = self.parse_xml(node, text, map)?;
        self.xml_statement(node, doc.root_element(), map)
    }

    fn stray_text(&mut self, node: &Node, child: XmlNode, map: Mapper) -> bool {
        if child.is_text() && child.text().is_some_and(|t| !t.trim().is_empty()) {
            self.xml_error(
                node,
                map.span(child.range()),
                "stray text between policies".to_string(),
                "remove the text, or put it inside the policy it belongs to",
            );
            return true;
        }
        false
    }

    fn xml_statements(&mut self, node: &Node, parent: XmlNode, map: Mapper) -> Vec<Statement> {
        let mut out = Vec::new();
        for child in parent.children() {
            if self.stray_text(node, child, map) || !child.is_element() {
                continue;
            }
            if let Some(statement) = self.xml_statement(node, child, map) {
                out.push(statement);
            }
        }
        out
    }

    fn xml_statement(&mut self, node: &Node, el: XmlNode, map: Mapper) -> Option<Statement> {
        let name = el.tag_name().name();
        let span = map.span(el.range());
        let attr = |n: &str| {
            el.attribute(n)
                .map(|v| Spanned::new(v.to_string(), attribute_span(el, n, map)))
        };
        let kind = match name {
            "base" => StatementKind::Base,
            "validate-client-certificate" => {
                let mut flag = |n: &str, default: bool| -> Option<Spanned<bool>> {
                    match el.attribute(n) {
                        None => Some(Spanned::new(default, span)),
                        Some(v) => match v.to_ascii_lowercase().as_str() {
                            "true" => Some(Spanned::new(true, attribute_span(el, n, map))),
                            "false" => Some(Spanned::new(false, attribute_span(el, n, map))),
                            _ => {
                                self.xml_error(
                                    node,
                                    attribute_span(el, n, map),
                                    format!("`{n}` must be \"true\" or \"false\", found \"{v}\""),
                                    "validate-client-certificate takes no policy expressions",
                                );
                                None
                            }
                        },
                    }
                };
                let validate_revocation = flag("validate-revocation", true)?;
                let validate_trust = flag("validate-trust", true)?;
                let validate_not_before = flag("validate-not-before", true)?;
                let validate_not_after = flag("validate-not-after", true)?;
                let ignore_error = flag("ignore-error", false)?;
                let identities = el
                    .children()
                    .filter(|c| c.has_tag_name("identities"))
                    .flat_map(|ids| ids.children().filter(|c| c.has_tag_name("identity")))
                    .map(|i| {
                        let a = |n: &str| {
                            i.attribute(n)
                                .map(|v| Spanned::new(v.to_string(), attribute_span(i, n, map)))
                        };
                        CertificateIdentity {
                            span: Some(map.span(i.range())),
                            thumbprint: a("thumbprint"),
                            serial_number: a("serial-number"),
                            common_name: a("common-name"),
                            subject: a("subject"),
                            dns_name: a("dns-name"),
                            issuer_subject: a("issuer-subject"),
                            issuer_thumbprint: a("issuer-thumbprint"),
                            issuer_certificate: a("issuer-certificate-id").map(CertificateName::Id),
                        }
                    })
                    .collect();
                StatementKind::ValidateClientCertificate(ValidateClientCertificate {
                    validate_revocation,
                    validate_trust,
                    validate_not_before,
                    validate_not_after,
                    ignore_error,
                    identities,
                })
            }
            "authentication-certificate" => {
                let auth = if let Some(t) = attr("thumbprint") {
                    AuthenticationCertificate::Thumbprint(t)
                } else if let Some(id) = attr("certificate-id") {
                    AuthenticationCertificate::Certificate(CertificateName::Id(id))
                } else if let Some(body) = attr("body") {
                    AuthenticationCertificate::Body(body)
                } else {
                    self.xml_error(node, span, "`authentication-certificate` needs `thumbprint`, `certificate-id` or `body`".to_string(), "name the certificate, preferably with `certificate-id`");
                    return None;
                };
                StatementKind::AuthenticationCertificate(auth)
            }
            "check-header" | "set-header" => {
                let Some(header) = attr("name") else {
                    self.xml_error(
                        node,
                        span,
                        format!("`{name}` needs a `name` attribute"),
                        "add `name=\"<header>\"`",
                    );
                    return None;
                };
                let values: Vec<Spanned<String>> = el
                    .children()
                    .filter(|c| c.has_tag_name("value"))
                    .map(|v| Spanned::new(v.text().unwrap_or("").to_string(), map.span(v.range())))
                    .collect();
                if name == "check-header" {
                    StatementKind::CheckHeader(CheckHeader {
                        name: header,
                        failed_check_httpcode: el
                            .attribute("failed-check-httpcode")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(400),
                        failed_check_error_message: el
                            .attribute("failed-check-error-message")
                            .unwrap_or("")
                            .to_string(),
                        ignore_case: el
                            .attribute("ignore-case")
                            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                        values,
                    })
                } else {
                    StatementKind::SetHeader(SetHeader {
                        name: header,
                        exists_action: el
                            .attribute("exists-action")
                            .unwrap_or("override")
                            .to_string(),
                        values,
                    })
                }
            }
            "set-backend-service" => {
                match (attr("backend-id"), attr("base-url")) {
                    (Some(id), None) => StatementKind::SetBackendService(
                        SetBackendService::Backend(BackendName::Id(id)),
                    ),
                    (None, Some(url)) => {
                        StatementKind::SetBackendService(SetBackendService::BaseUrl(url))
                    }
                    _ => {
                        self.xml_error(node, span, "`set-backend-service` needs exactly one of `backend-id` and `base-url`".to_string(), "keep one of the two attributes");
                        return None;
                    }
                }
            }
            "choose" => {
                let mut whens = Vec::new();
                let mut otherwise = None;
                for c in el.children().filter(|c| c.is_element()) {
                    match c.tag_name().name() {
                        "when" => {
                            let condition = c.attribute("condition").map(|v| {
                                Spanned::new(v.to_string(), attribute_span(c, "condition", map))
                            });
                            let Some(condition) = condition else {
                                self.xml_error(
                                    node,
                                    map.span(c.range()),
                                    "`<when>` needs a `condition`".to_string(),
                                    "add `condition=\"@(...)\"`",
                                );
                                continue;
                            };
                            whens.push(When {
                                span: map.span(c.range()),
                                condition,
                                statements: self.xml_statements(node, c, map),
                            });
                        }
                        "otherwise" => otherwise = Some(self.xml_statements(node, c, map)),
                        other => self.xml_error(
                            node,
                            map.span(c.range()),
                            format!("`<{other}>` is not allowed in `<choose>`"),
                            "a choose holds `<when>` elements and at most one `<otherwise>`",
                        ),
                    }
                }
                StatementKind::Choose(Choose { whens, otherwise })
            }
            "include-fragment" => {
                let Some(id) = attr("fragment-id") else {
                    self.xml_error(
                        node,
                        span,
                        "`include-fragment` needs a `fragment-id` attribute".to_string(),
                        "add `fragment-id=\"<fragment name>\"`",
                    );
                    return None;
                };
                StatementKind::IncludeFragment(FragmentName::Id(id))
            }
            _ if POLICY_NAMES.contains(&name) => StatementKind::Other(OtherPolicy {
                name: name.to_string(),
                xml: el.document().input_text()[el.range()].to_string(),
                attributes: el
                    .attributes()
                    .map(|a| (a.name().to_string(), a.value().to_string()))
                    .collect(),
            }),
            _ => {
                let help = did_you_mean(name, POLICY_NAMES.iter().copied()).map_or_else(
                    || "see the API Management policy reference for the policy names".to_string(),
                    |s| format!("did you mean `<{s}>`?"),
                );
                self.xml_error(
                    node,
                    span,
                    format!("`<{name}>` is not an API Management policy"),
                    &help,
                );
                return None;
            }
        };
        Some(Statement { span, kind })
    }
}

fn attribute_span(el: XmlNode, name: &str, map: Mapper) -> Span {
    el.attributes()
        .find(|a| a.name() == name)
        .map_or_else(|| map.span(el.range()), |a| map.span(a.range_value()))
}

/// Byte offset of a 1-based row and column (in characters).
fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(row.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = &text[line_start.min(text.len())..];
    let within: usize = line
        .chars()
        .take(col.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    (line_start + within).min(text.len())
}
