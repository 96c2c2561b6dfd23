//! Helpers several checks share: reading client-certificate use out of policy statements, and
//! common diagnostic shapes.

use crate::model::*;
use crate::source::Span;

/// The text of every policy expression or value a statement carries (conditions, header
/// values, keys, bodies, raw XML), for finding what it reads.
pub(crate) fn statement_texts(statement: &Statement) -> Vec<(&str, Span)> {
    let mut out: Vec<(&str, Span)> = Vec::new();
    match &statement.kind {
        StatementKind::SetHeader(h) => {
            out.extend(h.values.iter().map(|v| (v.value.as_str(), v.span)))
        }
        StatementKind::CheckHeader(h) => {
            out.extend(h.values.iter().map(|v| (v.value.as_str(), v.span)))
        }
        StatementKind::RateLimitByKey(r) => {
            out.push((r.counter_key.value.as_str(), r.counter_key.span));
            if let Some(c) = &r.increment_condition {
                out.push((c.value.as_str(), c.span));
            }
        }
        StatementKind::Choose(c) => {
            for w in &c.whens {
                out.push((w.condition.value.as_str(), w.condition.span));
            }
        }
        StatementKind::ReturnResponse(r) => {
            if let Some(body) = &r.body {
                out.push((body.as_str(), statement.span));
            }
        }
        StatementKind::Other(o) => out.push((o.xml.as_str(), statement.span)),
        _ => {}
    }
    out
}

/// Where a statement reads the client certificate of the TLS connection: a
/// `validate-client-certificate`, or an expression using `context.Request.Certificate`.
pub(crate) fn reads_client_certificate(statement: &Statement) -> Option<Span> {
    if matches!(statement.kind, StatementKind::ValidateClientCertificate(_)) {
        return Some(statement.span);
    }
    statement_texts(statement)
        .into_iter()
        .find(|(text, _)| text.contains("context.Request.Certificate"))
        .map(|(_, span)| span)
}

/// The reference a user writes for the entity at `address` from the module that declares it:
/// the address without its `module.<name>.` prefixes (`certificate.edge_tls`).
pub(crate) fn local_reference(address: &str) -> &str {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        match after.split_once('.') {
            Some((_, tail)) => rest = tail,
            None => break,
        }
    }
    rest
}

/// How a message names a block: by its label in the root module, by its address inside a
/// module (where the label alone does not say which call it came from).
pub(crate) fn shown_name(decl: &crate::model::Decl) -> &str {
    if decl.trace.is_empty() {
        &decl.name
    } else {
        &decl.address
    }
}

/// The `module.<name>.` prefixes of `address` (empty in the root module).
pub(crate) fn module_prefix(address: &str) -> &str {
    &address[..address.len() - local_reference(address).len()]
}

/// The reference to the entity at `address` as written from a block at `from`: its local
/// reference when both are declared in the same module instance, else `None` (a reference
/// into another module goes through one of that module's outputs).
pub(crate) fn reference_from<'a>(address: &'a str, from: &str) -> Option<&'a str> {
    (module_prefix(address) == module_prefix(from)).then(|| local_reference(address))
}

/// A Key Vault secret that a gateway or instance reads at run time: a Key Vault certificate or
/// a Key Vault named value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VaultRead {
    /// The certificate or named value.
    pub secret: crate::graph::NodeRef,
    pub vault: Ref<KeyVaultId>,
    /// The Application Gateway or API Management instance that reads it.
    pub resource: crate::graph::NodeRef,
    /// The identity named for the read (hostname, certificate or named value `identity`, or the
    /// gateway's identity).
    pub named: Option<IdentityId>,
    /// The identity Azure reads with: the one named, else the resource's system-assigned one.
    pub identity: Option<IdentityId>,
    /// The reference that makes the resource read the secret.
    pub span: Span,
}

/// Every Key Vault read of the topology, one per (secret, resource, identity), in model order.
pub(crate) fn vault_reads(cx: &super::CheckContext) -> Vec<VaultRead> {
    use crate::graph::NodeRef;
    let m = cx.model;
    let mut out: Vec<VaultRead> = Vec::new();
    let mut push = |read: VaultRead| {
        let seen = out.iter().any(|r| {
            r.secret == read.secret && r.resource == read.resource && r.identity == read.identity
        });
        if !seen {
            out.push(read);
        }
    };
    for (index, cert) in m.certificates.iter().enumerate() {
        let Some(CertSource::KeyVault(kv)) = &cert.source else {
            continue;
        };
        let id = CertificateId(index as u32);
        for reader in cx.graph.readers_of(id) {
            push(VaultRead {
                secret: NodeRef::Certificate(id),
                vault: kv.vault,
                resource: reader.resource,
                named: reader.identity,
                identity: reader
                    .identity
                    .or_else(|| cx.graph.system_identity(reader.resource)),
                span: reader.span,
            });
        }
    }
    for (index, nv) in m.named_values.iter().enumerate() {
        let Some(NamedValueSource::KeyVault { vault, .. }) = &nv.source else {
            continue;
        };
        let resource = NodeRef::ApiManagement(nv.api_management);
        let named = nv.identity.map(|r| r.id);
        push(VaultRead {
            secret: NodeRef::NamedValue(NamedValueId(index as u32)),
            vault: *vault,
            resource,
            named,
            identity: named.or_else(|| cx.graph.system_identity(resource)),
            span: vault.span,
        });
    }
    out
}

/// The name, declaration and trace of the certificate or named value a [`VaultRead`] reads.
pub(crate) fn vault_read_secret<'m>(model: &'m Model, read: &VaultRead) -> Option<&'m Decl> {
    match read.secret {
        crate::graph::NodeRef::Certificate(c) => Some(&model[c].decl),
        crate::graph::NodeRef::NamedValue(n) => Some(&model[n].decl),
        _ => None,
    }
}

/// The declaration of a gateway or instance node.
pub(crate) fn resource_decl(model: &Model, resource: crate::graph::NodeRef) -> Option<&Decl> {
    match resource {
        crate::graph::NodeRef::ApiManagement(a) => Some(&model[a].decl),
        crate::graph::NodeRef::AppGateway(g) => Some(&model[g].decl),
        _ => None,
    }
}

/// "API Management instance `main`" / "Application Gateway `edge`".
pub(crate) fn resource_phrase(model: &Model, resource: crate::graph::NodeRef) -> String {
    match resource {
        crate::graph::NodeRef::ApiManagement(a) => {
            format!("API Management instance `{}`", model[a].decl.name)
        }
        crate::graph::NodeRef::AppGateway(g) => {
            format!("Application Gateway `{}`", model[g].decl.name)
        }
        _ => String::from("the resource"),
    }
}

// Front-end flow and policies: reads of the client certificate and of forwarded headers, the
// Application Gateway routes that reach an API, and the rewrites on them.

/// Where `api` reads the client certificate of the TLS connection, in the first operation
/// (or the API itself) whose effective policy does.
pub(crate) fn api_certificate_read(cx: &super::CheckContext, api: ApiId) -> Option<Span> {
    cx.graph
        .effective_policies(api)
        .iter()
        .find_map(|(_, effective)| {
            effective
                .all()
                .into_iter()
                .find_map(|s| reads_client_certificate(s.statement))
        })
}

/// Where a statement validates the client certificate: a `validate-client-certificate`, a
/// `choose` whose condition inspects the certificate (`context.Request.Certificate`, or a
/// header in `forwarded`), or a `check_header` on a header in `forwarded`. `forwarded` holds
/// the request headers Application Gateway rewrites fill from the client certificate. (Reading
/// the certificate into a header or variable is not validating it.)
pub(crate) fn validates_client_certificate(
    statement: &Statement,
    forwarded: &[&str],
) -> Option<Span> {
    let is_forwarded = |name: &str| forwarded.iter().any(|f| f.eq_ignore_ascii_case(name));
    match &statement.kind {
        StatementKind::ValidateClientCertificate(_) => Some(statement.span),
        StatementKind::CheckHeader(h) => is_forwarded(&h.name.value).then_some(h.name.span),
        StatementKind::Choose(c) => c.whens.iter().find_map(|w| {
            let text = w.condition.value.as_str();
            let inspects = text.contains("context.Request.Certificate")
                || expression_header_names(text)
                    .iter()
                    .any(|n| is_forwarded(n));
            inspects.then_some(w.condition.span)
        }),
        _ => None,
    }
}

/// The names of the request headers some rewrite of the topology fills from a
/// client-certificate variable, each once.
pub(crate) fn forwarded_certificate_header_names(model: &Model) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for (_, h) in all_forwarded_certificate_headers(model) {
        let name = h.header.value.as_str();
        if !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name);
        }
    }
    out
}

/// Whether `hostname` asks clients for a certificate: a proxy hostname that negotiates one
/// (`negotiate_client_certificate`, or `enable_client_certificate` on a Consumption
/// instance), or one that an Application Gateway listener whose SSL profile requests a
/// certificate routes to.
pub(crate) fn hostname_requests_certificate(
    cx: &super::CheckContext,
    hostname: HostnameId,
) -> bool {
    let m = cx.model;
    let h = &m[hostname];
    let apim = &m[h.api_management];
    let negotiates = h.kind.value == HostnameType::Proxy
        && (h.negotiate_client_certificate.value
            || (apim.sku.value == Sku::Consumption && apim.enable_client_certificate.value));
    negotiates
        || cx
            .graph
            .listeners_routing_to(hostname)
            .iter()
            .any(|(l, _)| {
                m[*l]
                    .ssl_profile
                    .is_some_and(|p| profile_requests_certificate(&m[p.id]))
            })
}

/// A request header a policy reads.
#[derive(Debug, Clone)]
pub(crate) struct HeaderRead {
    /// The header name as written.
    pub name: String,
    /// The `check_header` name or the expression that reads it.
    pub span: Span,
}

/// The request headers a statement reads: a `check_header` name, or a
/// `context.Request.Headers` lookup with a literal name in one of its expressions.
pub(crate) fn header_reads(statement: &Statement) -> Vec<HeaderRead> {
    let mut out = Vec::new();
    if let StatementKind::CheckHeader(h) = &statement.kind {
        out.push(HeaderRead {
            name: h.name.value.clone(),
            span: h.name.span,
        });
    }
    for (text, span) in statement_texts(statement) {
        for name in expression_header_names(text) {
            out.push(HeaderRead { name, span });
        }
    }
    out
}

/// Header names read in an expression: `context.Request.Headers.GetValueOrDefault("X")`,
/// `Headers["X"]`, `Headers.ContainsKey("X")` and the like (quotes also as `&quot;`, as in raw
/// XML attributes).
fn expression_header_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("Request.Headers") {
        rest = &rest[at + "Request.Headers".len()..];
        // The name is the first string literal of the call or indexer that follows.
        let window: String = rest.chars().take(48).collect();
        let Some(open) = window.find(['(', '[']) else {
            continue;
        };
        let after = &rest[open + 1..];
        let (quote, start) = match (after.find('"'), after.find("&quot;")) {
            (Some(q), Some(e)) if e < q => ("&quot;", e + 6),
            (Some(q), _) => ("\"", q + 1),
            (None, Some(e)) => ("&quot;", e + 6),
            (None, None) => continue,
        };
        // Only a literal directly inside the parentheses counts (not a later argument).
        if after[..start - quote.len()].trim().is_empty() {
            if let Some(end) = after[start..].find(quote) {
                let name = &after[start..start + end];
                if !name.is_empty() && !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// Whether a rewrite value carries the client certificate or one of its facts
/// (`{var_client_certificate}`, `{var_client_certificate_fingerprint}`, ...).
pub(crate) fn is_client_certificate_variable(value: &str) -> bool {
    value.contains("{var_client_certificate")
}

/// The request headers a rewrite rule set fills from client-certificate server variables.
pub(crate) fn forwarded_certificate_headers(set: &RewriteRuleSet) -> Vec<&HeaderRewrite> {
    set.rules
        .iter()
        .flat_map(|r| r.request_headers.iter())
        .filter(|h| is_client_certificate_variable(&h.value.value))
        .collect()
}

/// Every request header some rewrite of the topology fills from a client-certificate variable,
/// with the rule set that does it.
pub(crate) fn all_forwarded_certificate_headers(
    model: &Model,
) -> Vec<(RewriteRuleSetId, &HeaderRewrite)> {
    model
        .rewrite_rule_sets
        .iter()
        .enumerate()
        .flat_map(|(i, set)| {
            forwarded_certificate_headers(set)
                .into_iter()
                .map(move |h| (RewriteRuleSetId(i as u32), h))
        })
        .collect()
}

/// An Application Gateway route that sends requests to an APIM hostname.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteToHostname<'m> {
    pub listener: ListenerId,
    pub route: &'m Route,
    pub hostname: HostnameId,
}

/// The routes that reach `api`: every route to a hostname that serves it.
pub(crate) fn routes_to_api<'m>(
    cx: &super::CheckContext<'m, '_>,
    api: ApiId,
) -> Vec<RouteToHostname<'m>> {
    let m: &'m Model = cx.model;
    let mut out = Vec::new();
    for hostname in cx.graph.hostnames_serving(api) {
        for (listener, _) in cx.graph.listeners_routing_to(hostname) {
            for route in &m[listener].routes {
                if matches!(route.to, Some(RouteTarget::Hostname(h)) if h.id == hostname) {
                    out.push(RouteToHostname {
                        listener,
                        route,
                        hostname,
                    });
                }
            }
        }
    }
    out
}

/// Whether a route's rewrite rule set sets request header `name` on every request it forwards:
/// a rule without conditions, or with conditions behind a `Strict` SSL profile (where only
/// verified clients get through, so a condition on the verification result always holds).
/// An empty value (removing the header) counts: the client's value is gone either way.
pub(crate) fn route_overwrites_header(model: &Model, route: &RouteToHostname, name: &str) -> bool {
    let Some(set) = route.route.rewrite_rule_set else {
        return false;
    };
    let strict = model[route.listener]
        .ssl_profile
        .is_some_and(|p| model[p.id].client_auth_mode.value == ClientAuthMode::Strict);
    model[set.id].rules.iter().any(|rule| {
        (rule.conditions.is_empty() || strict)
            && rule
                .request_headers
                .iter()
                .any(|h| h.header.value.eq_ignore_ascii_case(name))
    })
}

/// Whether an SSL profile makes its listeners ask clients for a certificate.
pub(crate) fn profile_requests_certificate(profile: &SslProfile) -> bool {
    !profile.trusted_client_cas.is_empty()
        || profile.client_auth_mode.value == ClientAuthMode::Passthrough
}

/// Whether every call to `api` passes an allowing `ip_filter` (e.g. one that admits only the
/// Application Gateway subnet), so that the instance is not open to any caller.
pub(crate) fn restricted_by_ip_filter(cx: &super::CheckContext, api: ApiId) -> bool {
    cx.graph
        .effective_policies(api)
        .iter()
        .all(|(_, effective)| {
            effective
                .inbound
                .iter()
                .any(|s| matches!(&s.statement.kind, StatementKind::IpFilter(f) if f.allow))
        })
}

/// The declaration of the block a policy belongs to.
pub(crate) fn policy_owner(model: &Model, policy: PolicyId) -> &Decl {
    match model[policy].scope {
        PolicyScope::Global(a) => &model[a].decl,
        PolicyScope::Product(p) => &model[p].decl,
        PolicyScope::Api(a) => &model[a].decl,
        PolicyScope::Operation(o) => &model[o].decl,
    }
}

/// A distinguished name normalised for comparison: its attributes, trimmed, lower-cased and
/// sorted (APIM and Application Gateway print the same name in different orders).
pub(crate) fn normalized_dn(dn: &str) -> Vec<String> {
    let mut parts: Vec<String> = dn
        .split([',', ';'])
        .map(|p| {
            p.split_once('=')
                .map_or(p.trim().to_ascii_lowercase(), |(k, v)| {
                    format!(
                        "{}={}",
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_ascii_lowercase()
                    )
                })
        })
        .filter(|p| !p.is_empty())
        .collect();
    parts.sort();
    parts
}

/// Whether two Application Gateway host names can match the same host. Listener host names are
/// patterns: `*` matches any run of characters (dots included, so `*.contoso.com` also matches
/// `a.b.contoso.com`) and `?` one character; names compare case-insensitively.
pub(crate) fn host_patterns_overlap(a: &str, b: &str) -> bool {
    let a: Vec<char> = a
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .chars()
        .collect();
    let b: Vec<char> = b
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .chars()
        .collect();
    // Search the product of the two patterns' automata for a state where both are done.
    let mut seen = vec![vec![false; b.len() + 1]; a.len() + 1];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if seen[i][j] {
            continue;
        }
        seen[i][j] = true;
        if i == a.len() && j == b.len() {
            return true;
        }
        // A `*` may match nothing.
        if a.get(i) == Some(&'*') {
            todo.push((i + 1, j));
        }
        if b.get(j) == Some(&'*') {
            todo.push((i, j + 1));
        }
        let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) else {
            continue;
        };
        let literal = |c: char| c != '*' && c != '?';
        if literal(x) && literal(y) && x != y {
            continue;
        }
        // Both consume one character; a `*` stays where it is.
        let next_i = if x == '*' { i } else { i + 1 };
        let next_j = if y == '*' { j } else { j + 1 };
        todo.push((next_i, next_j));
    }
    false
}

/// A place where a certificate is used, for the certificate checks' labels.
pub(crate) struct CertificateUse {
    pub cert: CertificateId,
    /// The reference that names the certificate.
    pub span: Span,
    /// What uses it, e.g. "listener `api`".
    pub user: String,
    /// Address of the block holding the reference.
    pub address: String,
    pub trace: Vec<crate::diagnostics::Label>,
}

/// Certificates presented to TLS clients: HTTPS listener certificates and APIM hostname
/// certificates, in model order.
pub(crate) fn server_certificate_uses(model: &Model) -> Vec<CertificateUse> {
    let listeners = model
        .listeners
        .iter()
        .filter(|l| l.protocol.value == ListenerProtocol::Https)
        .filter_map(|l| {
            let r = l.certificate?;
            Some(CertificateUse {
                cert: r.id,
                span: r.span,
                user: format!("listener `{}`", l.decl.name),
                address: l.decl.address.clone(),
                trace: l.decl.trace.clone(),
            })
        });
    let hostnames = model.hostnames.iter().filter_map(|h| {
        let r = h.certificate?;
        Some(CertificateUse {
            cert: r.id,
            span: r.span,
            user: format!("hostname `{}`", h.host_name.value),
            address: h.decl.address.clone(),
            trace: h.decl.trace.clone(),
        })
    });
    listeners.chain(hostnames).collect()
}

/// Certificates API Management presents as a client certificate to backends: backend
/// `client_certificate`s and the certificates `authentication_certificate` statements (in
/// policies and policy fragments) name.
pub(crate) fn client_certificate_uses(model: &Model) -> Vec<CertificateUse> {
    let mut out: Vec<CertificateUse> = model
        .backends
        .iter()
        .filter_map(|b| {
            let r = b.client_certificate?;
            Some(CertificateUse {
                cert: r.id,
                span: r.span,
                user: format!("backend `{}`", b.decl.name),
                address: b.decl.address.clone(),
                trace: b.decl.trace.clone(),
            })
        })
        .collect();
    for policy in &model.policies {
        let (owner, address, trace) = match policy.scope {
            PolicyScope::Global(a) => (
                format!("the global policy of `{}`", model[a].decl.name),
                &model[a].decl.address,
                &model[a].decl.trace,
            ),
            PolicyScope::Product(p) => (
                format!("the policy of product `{}`", model[p].decl.name),
                &model[p].decl.address,
                &model[p].decl.trace,
            ),
            PolicyScope::Api(a) => (
                format!("the policy of API `{}`", model[a].decl.name),
                &model[a].decl.address,
                &model[a].decl.trace,
            ),
            PolicyScope::Operation(o) => (
                format!("the policy of operation `{}`", model[o].decl.name),
                &model[o].decl.address,
                &model[o].decl.trace,
            ),
        };
        let mut refs = Vec::new();
        for (_, section) in policy.sections() {
            authentication_certificates(&section.statements, &mut refs);
        }
        out.extend(refs.into_iter().map(|r| CertificateUse {
            cert: r.id,
            span: r.span,
            user: owner.clone(),
            address: format!("{address}.policy"),
            trace: trace.clone(),
        }));
    }
    for fragment in &model.policy_fragments {
        let mut refs = Vec::new();
        authentication_certificates(&fragment.statements, &mut refs);
        out.extend(refs.into_iter().map(|r| CertificateUse {
            cert: r.id,
            span: r.span,
            user: format!("policy fragment `{}`", fragment.decl.name),
            address: fragment.decl.address.clone(),
            trace: fragment.decl.trace.clone(),
        }));
    }
    out
}

fn authentication_certificates(statements: &[Statement], out: &mut Vec<Ref<CertificateId>>) {
    for s in statements {
        match &s.kind {
            StatementKind::AuthenticationCertificate(AuthenticationCertificate::Certificate(
                CertificateName::Certificate(r),
            )) => out.push(*r),
            StatementKind::Choose(c) => {
                for w in &c.whens {
                    authentication_certificates(&w.statements, out);
                }
                if let Some(o) = &c.otherwise {
                    authentication_certificates(o, out);
                }
            }
            _ => {}
        }
    }
}

/// Whether the certificate block is a client CA chain: read from `ca_chain`, or trusted as a
/// client CA by an SSL profile.
pub(crate) fn is_client_ca_chain(model: &Model, id: CertificateId) -> bool {
    matches!(model[id].source, Some(CertSource::CaChain(_)))
        || model
            .ssl_profiles
            .iter()
            .any(|p| p.trusted_client_cas.iter().any(|r| r.id == id))
}

/// Certificates used as trust anchors: SSL profile trusted client CAs, backend settings
/// trusted roots and APIM CA store entries (which validate-client-certificate issuers name).
pub(crate) fn trust_anchor_uses(model: &Model) -> Vec<CertificateUse> {
    let mut out = Vec::new();
    for p in &model.ssl_profiles {
        out.extend(p.trusted_client_cas.iter().map(|r| CertificateUse {
            cert: r.id,
            span: r.span,
            user: format!("SSL profile `{}`", p.decl.name),
            address: p.decl.address.clone(),
            trace: p.decl.trace.clone(),
        }));
    }
    for s in &model.backend_settings {
        out.extend(s.trusted_root_certificates.iter().map(|r| CertificateUse {
            cert: r.id,
            span: r.span,
            user: format!("backend settings `{}`", s.decl.name),
            address: s.decl.address.clone(),
            trace: s.decl.trace.clone(),
        }));
    }
    for c in &model.ca_certificates {
        if let Some(r) = c.certificate {
            out.push(CertificateUse {
                cert: r.id,
                span: r.span,
                user: format!("CA certificate `{}`", c.decl.name),
                address: c.decl.address.clone(),
                trace: c.decl.trace.clone(),
            });
        }
    }
    out
}

/// Whether `trusted` anchors the chain of `chain[0]`: walking up through the certificates of
/// `chain`, some certificate is issued by (or is) one of `trusted`.
pub(crate) fn anchored_by(
    chain: &[crate::certs::X509Facts],
    trusted: &[&crate::certs::X509Facts],
) -> bool {
    let Some(mut current) = chain.first() else {
        return false;
    };
    for _ in 0..=chain.len() {
        if trusted
            .iter()
            .any(|t| t.thumbprint == current.thumbprint || t.issued(current))
        {
            return true;
        }
        let Some(parent) = chain
            .iter()
            .find(|p| p.thumbprint != current.thumbprint && p.issued(current))
        else {
            return false;
        };
        current = parent;
    }
    false
}

/// Why a Key Vault firewall stops a read (see [`firewall_blocks`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FirewallBlock {
    /// The subnet the reader sends from, if it is deployed in one.
    pub subnet: Option<Ref<SubnetId>>,
    /// The subnet is in `allowed_subnets` but has no `Microsoft.KeyVault` service endpoint, so
    /// its traffic reaches the vault from a public address and the rule does not match.
    pub missing_service_endpoint: bool,
}

/// Whether the vault firewall stops `read`: default action Deny, the reader's subnet not
/// allowed (with the Key Vault service endpoint), and the trusted-services bypass not
/// applicable (it covers API Management's system-assigned identity only; Application Gateway is
/// not a trusted service). `None` when the read gets through or gatehouse cannot tell: no
/// firewall, public access off (private endpoints are not modelled), or IP rules (the reader's
/// public address is not modelled).
pub(crate) fn firewall_blocks(cx: &super::CheckContext, read: &VaultRead) -> Option<FirewallBlock> {
    use crate::graph::NodeRef;
    let m = cx.model;
    let vault = &m[read.vault.id];
    let rules = vault.network_rules.as_ref()?;
    if !rules.deny_by_default.value
        || !vault.public_network_access.value
        || !rules.ip_rules.is_empty()
    {
        return None;
    }
    let subnet = match read.resource {
        NodeRef::ApiManagement(a) => m[a].subnet,
        NodeRef::AppGateway(g) => m[g].subnet,
        _ => None,
    };
    let mut missing_service_endpoint = false;
    if let Some(s) = subnet {
        if rules.allowed_subnets.iter().any(|a| a.id == s.id) {
            let endpoint = m[s.id]
                .service_endpoints
                .iter()
                .any(|e| e.value.eq_ignore_ascii_case("Microsoft.KeyVault"));
            if endpoint {
                return None;
            }
            missing_service_endpoint = true;
        }
    }
    let system = read
        .identity
        .is_some_and(|i| m[i].kind.value == IdentityType::SystemAssigned);
    if rules.bypass_azure_services.value
        && matches!(read.resource, NodeRef::ApiManagement(_))
        && system
    {
        return None;
    }
    Some(FirewallBlock {
        subnet,
        missing_service_endpoint,
    })
}

/// Whether an attribute read with a default was written: a defaulted attribute carries the
/// span of its block's keyword, where the block starts.
pub(crate) fn written(span: Span, decl: &Decl) -> bool {
    span.range().start != decl.span.range().start
}

/// The APIs a hostname serves.
pub(crate) fn apis_served_by(cx: &super::CheckContext, hostname: HostnameId) -> Vec<ApiId> {
    cx.graph
        .targets(
            crate::graph::NodeRef::Hostname(hostname),
            crate::graph::EdgeKind::Serves,
        )
        .into_iter()
        .filter_map(|(n, _)| match n {
            crate::graph::NodeRef::Api(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// The request headers `api`'s effective policies read, each once (the first read), in
/// execution order.
pub(crate) fn api_header_reads(cx: &super::CheckContext, api: ApiId) -> Vec<HeaderRead> {
    let mut out: Vec<HeaderRead> = Vec::new();
    for (_, effective) in cx.graph.effective_policies(api) {
        for s in effective.all() {
            for read in header_reads(s.statement) {
                if !out.iter().any(|r| r.name.eq_ignore_ascii_case(&read.name)) {
                    out.push(read);
                }
            }
        }
    }
    out
}

/// The scheme of a URL, lower-cased (`https`), if it has one.
pub(crate) fn url_scheme(url: &str) -> Option<String> {
    url.split_once("://").map(|(s, _)| s.to_ascii_lowercase())
}

/// The host of a URL, without user info, port or path (`orders.contoso.internal`).
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host.split(':').next()?,
    };
    (!host.is_empty()).then_some(host)
}

/// Backends an API forwards to: its `backend` and the backends `set_backend_service`
/// statements in effect name, with the reference that names each, deduplicated.
pub(crate) fn api_backends(cx: &super::CheckContext, api: ApiId) -> Vec<Ref<BackendId>> {
    let mut out: Vec<Ref<BackendId>> = cx.model[api].backend.into_iter().collect();
    for (_, effective) in cx.graph.effective_policies(api) {
        for s in effective.all() {
            if let StatementKind::SetBackendService(SetBackendService::Backend(
                BackendName::Backend(r),
            )) = &s.statement.kind
            {
                if !out.iter().any(|b| b.id == r.id) {
                    out.push(*r);
                }
            }
        }
    }
    out
}

/// Uses grouped by certificate, in the order the certificates are first used.
pub(crate) fn uses_by_certificate(
    uses: Vec<CertificateUse>,
) -> Vec<(CertificateId, Vec<CertificateUse>)> {
    let mut out: Vec<(CertificateId, Vec<CertificateUse>)> = Vec::new();
    for u in uses {
        match out.iter_mut().find(|(id, _)| *id == u.cert) {
            Some((_, list)) => list.push(u),
            None => out.push((u.cert, vec![u])),
        }
    }
    out
}

/// An extended key usage extension as people write it: `serverAuth, clientAuth`.
pub(crate) fn eku_text(eku: &crate::certs::Eku) -> String {
    let mut names = Vec::new();
    if eku.server_auth {
        names.push("serverAuth");
    }
    if eku.client_auth {
        names.push("clientAuth");
    }
    if eku.any {
        names.push("anyExtendedKeyUsage");
    }
    if names.is_empty() {
        "neither serverAuth nor clientAuth".to_string()
    } else {
        names.join(", ")
    }
}

/// Every statement a policy contains, `choose` branches included, with the section it is in.
pub(crate) fn policy_statements(policy: &Policy) -> Vec<(&'static str, &Statement)> {
    let mut out = Vec::new();
    for (name, section) in policy.sections() {
        walk_statements(name, &section.statements, &mut out);
    }
    out
}

/// Every statement a policy fragment contains, `choose` branches included (not the fragments
/// it includes).
pub(crate) fn fragment_statements(fragment: &PolicyFragment) -> Vec<&Statement> {
    let mut out = Vec::new();
    walk_statements("fragment", &fragment.statements, &mut out);
    out.into_iter().map(|(_, s)| s).collect()
}

fn walk_statements<'p>(
    section: &'static str,
    statements: &'p [Statement],
    out: &mut Vec<(&'static str, &'p Statement)>,
) {
    for s in statements {
        out.push((section, s));
        if let StatementKind::Choose(c) = &s.kind {
            for w in &c.whens {
                walk_statements(section, &w.statements, out);
            }
            if let Some(otherwise) = &c.otherwise {
                walk_statements(section, otherwise, out);
            }
        }
    }
}

/// Every policy of the model with its id.
pub(crate) fn policies(model: &Model) -> impl Iterator<Item = (PolicyId, &Policy)> {
    model
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| (PolicyId(i as u32), p))
}

/// Every policy fragment of the model with its id.
pub(crate) fn fragments(
    model: &Model,
) -> impl Iterator<Item = (PolicyFragmentId, &PolicyFragment)> {
    model
        .policy_fragments
        .iter()
        .enumerate()
        .map(|(i, f)| (PolicyFragmentId(i as u32), f))
}

/// A block where policy statements are written: a policy or a policy fragment.
pub(crate) struct StatementBlock<'m> {
    /// The policy or fragment node.
    pub node: crate::graph::NodeRef,
    /// The block the policy belongs to, or the fragment.
    pub owner: &'m Decl,
    pub instance: ApiManagementId,
    /// "the policy of `orders`", "policy fragment `mtls`".
    pub what: String,
    /// Its statements, `choose` branches included, with their section (`fragment` for one).
    pub statements: Vec<(&'static str, &'m Statement)>,
}

/// Every policy, then every policy fragment, with the statements written in it.
pub(crate) fn statement_blocks(model: &Model) -> Vec<StatementBlock<'_>> {
    let policies = policies(model).map(|(id, policy)| {
        let owner = policy_owner(model, id);
        StatementBlock {
            node: crate::graph::NodeRef::Policy(id),
            owner,
            instance: model.policy_instance(id),
            what: format!("the policy of `{}`", owner.name),
            statements: policy_statements(policy),
        }
    });
    let fragments = fragments(model).map(|(id, fragment)| StatementBlock {
        node: crate::graph::NodeRef::PolicyFragment(id),
        owner: &fragment.decl,
        instance: fragment.api_management,
        what: format!("policy fragment `{}`", fragment.decl.name),
        statements: fragment_statements(fragment)
            .into_iter()
            .map(|s| ("fragment", s))
            .collect(),
    });
    policies.chain(fragments).collect()
}

/// The subject of the private CA the chain ends at: the top of the chain (walking issuers
/// through the file) when it is self-signed, or a CA certificate declared elsewhere in the
/// topology that issued the top. `None` for chains that may end at a public root.
pub(crate) fn private_anchor(
    cx: &super::CheckContext,
    server: CertificateId,
    chain: &[crate::certs::X509Facts],
) -> Option<String> {
    let mut top = chain.first()?;
    for _ in 0..chain.len() {
        match chain
            .iter()
            .find(|p| p.thumbprint != top.thumbprint && p.issued(top))
        {
            Some(parent) => top = parent,
            None => break,
        }
    }
    if top.self_signed {
        return Some(top.subject.clone());
    }
    cx.certs
        .certs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != server.index())
        .flat_map(|(_, f)| f.chain.iter())
        .find(|ca| ca.is_ca && ca.issued(top))
        .map(|ca| ca.subject.clone())
}

#[cfg(test)]
mod reference_tests {
    use super::{module_prefix, reference_from};

    #[test]
    fn references_are_local_only_within_one_module_instance() {
        assert_eq!(
            module_prefix("module.a.module.b.certificate.c"),
            "module.a.module.b."
        );
        assert_eq!(module_prefix("certificate.c"), "");
        assert_eq!(
            reference_from("module.a.certificate.c", "module.a.api_management.m.api.x"),
            Some("certificate.c")
        );
        assert_eq!(
            reference_from("module.a.certificate.c", "api_management.m.api.x"),
            None
        );
        assert_eq!(reference_from("certificate.c", "module.a.api.x"), None);
    }
}
