//! Policy documents as API Management XML, rendered from the typed statements of the model.
//!
//! Indented by two spaces, attributes in a fixed order, in one of API Management's two content
//! formats ([`Format`]): `xml` (Bicep's `format: 'xml'`), where every value is escaped for XML,
//! policy expressions included (`&quot;` inside `@(...)`); and `rawxml`, the only format
//! azurerm's `xml_content` sends, where a value that is a whole policy expression is written
//! as it is (API Management finds expressions before it parses the XML, and would hand an
//! escaped `&quot;` to the C# compiler). Elements gatehouse has no typed form for are written
//! back as the user wrote them.

use crate::model::{
    AuthenticationCertificate, BackendName, CertificateIdentity, CertificateName, FragmentName,
    Model, Policy, PolicyFragment, SetBackendService, Statement, StatementKind,
};
use std::fmt::Write;

/// API Management's policy content formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Well-formed XML: expressions escaped like any value.
    Xml,
    /// Expressions unescaped.
    RawXml,
}

/// The XML document of `policy` in the `xml` format.
pub fn render(model: &Model, policy: &Policy) -> String {
    render_as(model, policy, Format::Xml)
}

/// The XML document of `policy` in `format`.
pub fn render_as(model: &Model, policy: &Policy, format: Format) -> String {
    let mut w = Writer {
        model,
        out: String::new(),
        depth: 0,
        format,
    };
    w.open("policies", &[]);
    for (name, section) in policy.sections() {
        if section.statements.is_empty() {
            w.empty(name, &[]);
            continue;
        }
        w.open(name, &[]);
        for statement in &section.statements {
            w.statement(statement);
        }
        w.close(name);
    }
    w.close("policies");
    w.out
}

/// The XML document of a policy fragment in the `xml` format: its statements inside
/// `<fragment>`.
pub fn render_fragment(model: &Model, fragment: &PolicyFragment) -> String {
    render_fragment_as(model, fragment, Format::Xml)
}

/// The XML document of a policy fragment in `format`.
pub fn render_fragment_as(model: &Model, fragment: &PolicyFragment, format: Format) -> String {
    let mut w = Writer {
        model,
        out: String::new(),
        depth: 0,
        format,
    };
    w.open("fragment", &[]);
    w.statements(&fragment.statements);
    w.close("fragment");
    w.out
}

/// The id API Management knows a certificate by (`certificate-id`): its `name`, else the
/// block's label.
pub fn certificate_id(model: &Model, name: &CertificateName) -> String {
    match name {
        CertificateName::Certificate(r) => model[r.id].apim_name().to_string(),
        CertificateName::CaCertificate(r) => model[r.id].decl.name.clone(),
        CertificateName::Id(id) => id.value.clone(),
    }
}

struct Writer<'m> {
    model: &'m Model,
    out: String,
    depth: usize,
    format: Format,
}

type Attrs<'a> = [(&'a str, String)];

impl Writer<'_> {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// A value as the format writes it: escaped, or as it is when it is a whole expression
    /// in `rawxml`.
    fn value<'v>(&self, value: &'v str, attribute: bool) -> std::borrow::Cow<'v, str> {
        if self.format == Format::RawXml && is_expression(value) {
            std::borrow::Cow::Borrowed(value)
        } else {
            std::borrow::Cow::Owned(escape(value, attribute))
        }
    }

    fn start(&mut self, name: &str, attrs: &Attrs) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"{}\"", self.value(value, true));
        }
    }

    fn open(&mut self, name: &str, attrs: &Attrs) {
        self.start(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn empty(&mut self, name: &str, attrs: &Attrs) {
        self.start(name, attrs);
        self.out.push_str(" />\n");
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn text_element(&mut self, name: &str, attrs: &Attrs, text: &str) {
        self.start(name, attrs);
        let text = self.value(text, false);
        let _ = writeln!(self.out, ">{text}</{name}>");
    }

    fn raw(&mut self, xml: &str) {
        for line in xml.trim().lines() {
            self.indent();
            self.out.push_str(line.trim_end());
            self.out.push('\n');
        }
    }

    fn statements(&mut self, statements: &[Statement]) {
        for s in statements {
            self.statement(s);
        }
    }

    fn statement(&mut self, statement: &Statement) {
        match &statement.kind {
            StatementKind::Base => self.empty("base", &[]),
            StatementKind::ValidateClientCertificate(v) => {
                let attrs = [
                    (
                        "validate-revocation",
                        v.validate_revocation.value.to_string(),
                    ),
                    ("validate-trust", v.validate_trust.value.to_string()),
                    (
                        "validate-not-before",
                        v.validate_not_before.value.to_string(),
                    ),
                    ("validate-not-after", v.validate_not_after.value.to_string()),
                    ("ignore-error", v.ignore_error.value.to_string()),
                ];
                if v.identities.is_empty() {
                    self.empty("validate-client-certificate", &attrs);
                    return;
                }
                self.open("validate-client-certificate", &attrs);
                self.open("identities", &[]);
                for identity in &v.identities {
                    let attrs = self.identity_attrs(identity);
                    self.empty("identity", &attrs);
                }
                self.close("identities");
                self.close("validate-client-certificate");
            }
            StatementKind::AuthenticationCertificate(a) => {
                let attrs = match a {
                    AuthenticationCertificate::Certificate(name) => {
                        vec![("certificate-id", certificate_id(self.model, name))]
                    }
                    AuthenticationCertificate::Thumbprint(t) => {
                        vec![("thumbprint", t.value.clone())]
                    }
                    AuthenticationCertificate::Body(b) => vec![("body", b.value.clone())],
                };
                self.empty("authentication-certificate", &attrs);
            }
            StatementKind::CheckHeader(c) => {
                let attrs = [
                    ("name", c.name.value.clone()),
                    ("failed-check-httpcode", c.failed_check_httpcode.to_string()),
                    (
                        "failed-check-error-message",
                        c.failed_check_error_message.clone(),
                    ),
                    ("ignore-case", c.ignore_case.to_string()),
                ];
                self.values_element("check-header", &attrs, &c.values);
            }
            StatementKind::SetHeader(h) => {
                let attrs = [
                    ("name", h.name.value.clone()),
                    ("exists-action", h.exists_action.clone()),
                ];
                self.values_element("set-header", &attrs, &h.values);
            }
            StatementKind::SetBackendService(s) => {
                let attrs = match s {
                    SetBackendService::Backend(BackendName::Backend(r)) => {
                        vec![("backend-id", self.model[r.id].azure_name.value.clone())]
                    }
                    SetBackendService::Backend(BackendName::Id(id)) => {
                        vec![("backend-id", id.value.clone())]
                    }
                    SetBackendService::BaseUrl(url) => vec![("base-url", url.value.clone())],
                };
                self.empty("set-backend-service", &attrs);
            }
            StatementKind::IpFilter(f) => {
                let action = if f.allow { "allow" } else { "forbid" };
                self.open("ip-filter", &[("action", action.to_string())]);
                for address in &f.addresses {
                    self.text_element("address", &[], &address.value);
                }
                for (from, to) in &f.ranges {
                    self.empty(
                        "address-range",
                        &[("from", from.clone()), ("to", to.clone())],
                    );
                }
                self.close("ip-filter");
            }
            StatementKind::RateLimit {
                calls,
                renewal_period,
            } => self.empty(
                "rate-limit",
                &[
                    ("calls", calls.to_string()),
                    ("renewal-period", renewal_period.to_string()),
                ],
            ),
            StatementKind::RateLimitByKey(r) => {
                let mut attrs = vec![
                    ("calls", r.calls.to_string()),
                    ("renewal-period", r.renewal_period.to_string()),
                    ("counter-key", r.counter_key.value.clone()),
                ];
                if let Some(c) = &r.increment_condition {
                    attrs.push(("increment-condition", c.value.clone()));
                }
                self.empty("rate-limit-by-key", &attrs);
            }
            StatementKind::ReturnResponse(r) => {
                self.open("return-response", &[]);
                let mut status = vec![("code", r.status_code.to_string())];
                if let Some(reason) = &r.reason {
                    status.push(("reason", reason.clone()));
                }
                self.empty("set-status", &status);
                for (name, value) in &r.headers {
                    self.open(
                        "set-header",
                        &[
                            ("name", name.clone()),
                            ("exists-action", "override".to_string()),
                        ],
                    );
                    self.text_element("value", &[], value);
                    self.close("set-header");
                }
                if let Some(body) = &r.body {
                    self.text_element("set-body", &[], body);
                }
                self.close("return-response");
            }
            StatementKind::Cors(c) => {
                self.open(
                    "cors",
                    &[("allow-credentials", c.allow_credentials.to_string())],
                );
                self.list("allowed-origins", "origin", &c.allowed_origins, &[]);
                let max_age: Vec<(&str, String)> = c
                    .preflight_result_max_age
                    .map(|age| ("preflight-result-max-age", age.to_string()))
                    .into_iter()
                    .collect();
                // `allowed-methods` holds at least one method; without any, API Management
                // allows GET and POST, which is also what a max age alone is written with.
                if !c.allowed_methods.is_empty() {
                    self.list("allowed-methods", "method", &c.allowed_methods, &max_age);
                } else if !max_age.is_empty() {
                    self.open("allowed-methods", &max_age);
                    self.text_element("method", &[], "GET");
                    self.text_element("method", &[], "POST");
                    self.close("allowed-methods");
                }
                self.list("allowed-headers", "header", &c.allowed_headers, &[]);
                if !c.expose_headers.is_empty() {
                    self.list("expose-headers", "header", &c.expose_headers, &[]);
                }
                self.close("cors");
            }
            StatementKind::ValidateJwt(j) => {
                let mut attrs = vec![
                    ("header-name", j.header_name.clone()),
                    (
                        "failed-validation-httpcode",
                        j.failed_validation_httpcode.to_string(),
                    ),
                ];
                if let Some(m) = &j.failed_validation_error_message {
                    attrs.push(("failed-validation-error-message", m.clone()));
                }
                if let Some(s) = &j.require_scheme {
                    attrs.push(("require-scheme", s.clone()));
                }
                self.open("validate-jwt", &attrs);
                for url in &j.openid_config_urls {
                    self.empty("openid-config", &[("url", url.clone())]);
                }
                self.plain_list("audiences", "audience", &j.audiences);
                self.plain_list("issuers", "issuer", &j.issuers);
                if !j.required_claims.is_empty() {
                    self.open("required-claims", &[]);
                    for claim in &j.required_claims {
                        let m = if claim.match_all { "all" } else { "any" };
                        self.open(
                            "claim",
                            &[("name", claim.name.clone()), ("match", m.to_string())],
                        );
                        for v in &claim.values {
                            self.text_element("value", &[], v);
                        }
                        self.close("claim");
                    }
                    self.close("required-claims");
                }
                self.close("validate-jwt");
            }
            StatementKind::Choose(c) => {
                self.open("choose", &[]);
                for when in &c.whens {
                    self.open("when", &[("condition", when.condition.value.clone())]);
                    self.statements(&when.statements);
                    self.close("when");
                }
                if let Some(otherwise) = &c.otherwise {
                    self.open("otherwise", &[]);
                    self.statements(otherwise);
                    self.close("otherwise");
                }
                self.close("choose");
            }
            StatementKind::IncludeFragment(name) => {
                let id = match name {
                    FragmentName::Fragment(r) => self.model[r.id].decl.name.clone(),
                    FragmentName::Id(id) => id.value.clone(),
                };
                self.empty("include-fragment", &[("fragment-id", id)]);
            }
            StatementKind::Other(o) => self.raw(&o.xml),
        }
    }

    fn identity_attrs(&self, identity: &CertificateIdentity) -> Vec<(&'static str, String)> {
        let mut attrs = Vec::new();
        let mut put = |key: &'static str, value: Option<String>| {
            if let Some(v) = value {
                attrs.push((key, v));
            }
        };
        let text = |v: &Option<crate::model::Spanned<String>>| v.as_ref().map(|s| s.value.clone());
        put("thumbprint", text(&identity.thumbprint));
        put("serial-number", text(&identity.serial_number));
        put("common-name", text(&identity.common_name));
        put("subject", text(&identity.subject));
        put("dns-name", text(&identity.dns_name));
        put("issuer-subject", text(&identity.issuer_subject));
        put("issuer-thumbprint", text(&identity.issuer_thumbprint));
        put(
            "issuer-certificate-id",
            identity
                .issuer_certificate
                .as_ref()
                .map(|n| certificate_id(self.model, n)),
        );
        attrs
    }

    fn values_element(
        &mut self,
        name: &str,
        attrs: &Attrs,
        values: &[crate::model::Spanned<String>],
    ) {
        if values.is_empty() {
            self.empty(name, attrs);
            return;
        }
        self.open(name, attrs);
        for v in values {
            self.text_element("value", &[], &v.value);
        }
        self.close(name);
    }

    fn list(
        &mut self,
        outer: &str,
        inner: &str,
        items: &[crate::model::Spanned<String>],
        attrs: &Attrs,
    ) {
        self.open(outer, attrs);
        for item in items {
            self.text_element(inner, &[], &item.value);
        }
        self.close(outer);
    }

    fn plain_list(&mut self, outer: &str, inner: &str, items: &[String]) {
        if items.is_empty() {
            return;
        }
        self.open(outer, &[]);
        for item in items {
            self.text_element(inner, &[], item);
        }
        self.close(outer);
    }
}

/// The `rawxml` form of a document this module rendered in the `xml` format: the value of
/// every attribute or text element that is a whole policy expression unescaped, the rest as
/// it is. The same as rendering again with [`Format::RawXml`], in one pass over the text.
pub fn xml_to_raw(xml: &str) -> String {
    if !xml.contains('&') {
        return xml.to_string();
    }
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find('@') {
        // A value starts right after `="` (attribute) or `>` (text element).
        let (value_end, closing) = if rest[..at].ends_with("=\"") {
            (rest[at..].find('"'), '"')
        } else if rest[..at].ends_with('>') {
            (rest[at..].find('<'), '<')
        } else {
            (None, ' ')
        };
        let Some(len) = value_end else {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            continue;
        };
        let value = &rest[at..at + len];
        out.push_str(&rest[..at]);
        let unescaped = unescape(value);
        if is_expression(&unescaped) {
            out.push_str(&unescaped);
        } else {
            out.push_str(value);
        }
        debug_assert!(rest[at + len..].starts_with(closing));
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// Undoes [`escape`].
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A single-statement `@(...)` or multi-statement `@{...}` policy expression, whole.
fn is_expression(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with("@(") && v.ends_with(')')) || (v.starts_with("@{") && v.ends_with('}'))
}

/// Escapes XML special characters; in attributes also quotes.
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, is_expression, xml_to_raw};

    #[test]
    fn raw_form_unescapes_whole_expressions_only() {
        let xml = "<a v=\"@(x.Get(&quot;a&quot;))\" w=\"a &amp; b\">\n<value>@(1 &lt; 2)</value>\n<value>@ &amp; x</value>\n</a>\n";
        assert_eq!(
            xml_to_raw(xml),
            "<a v=\"@(x.Get(\"a\"))\" w=\"a &amp; b\">\n<value>@(1 < 2)</value>\n<value>@ &amp; x</value>\n</a>\n"
        );
    }

    #[test]
    fn whole_expressions_are_recognised() {
        assert!(is_expression("@(context.Request.Certificate == null)"));
        assert!(is_expression("@{ return \"a\"; }"));
        assert!(!is_expression("prefix @(x)"));
        assert!(!is_expression("@(unbalanced"));
        assert!(!is_expression("{{named-value}}"));
    }

    #[test]
    fn escaping_covers_markup_and_attribute_quotes() {
        assert_eq!(escape("a<b & \"c\"", false), "a&lt;b &amp; \"c\"");
        assert_eq!(escape("\"c\"", true), "&quot;c&quot;");
    }
}
