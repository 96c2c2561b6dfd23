//! Application Gateway semantics for one request on a listener: the SSL profile's verdict, the
//! routing rule and path rules, the rewrite set, and forwarding to the target.
//!
//! Strict mode rejects with HTTP 400 after a completed handshake, never with a TLS alert, and
//! with the HTML bodies Azure shows. A header named in the rewrite set is always removed from the
//! client's request before the rewrite sets it, so a client cannot forge a forwarded certificate.

use std::sync::Arc;

use http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;

use crate::clientauth::Verification;
use crate::log::AccessRecord;
use crate::outbound::{self, ForwardError, ProxyBody, Upstream};
use crate::pki::CertFacts;
use crate::respond::{self, appgw_html};
use crate::server::Conn;
use crate::snapshot::{AppGwSite, Snapshot};
use gatehouse_runtime_config::VerifyClientAuthMode;

pub async fn handle(
    snapshot: &Snapshot,
    site: &AppGwSite,
    conn: &Conn,
    request: Request<ProxyBody>,
    host: &str,
    log: &mut AccessRecord,
) -> Response<ProxyBody> {
    let verification = verdict(snapshot, site, conn);
    log.ssl_client_verify = Some(verification.as_variable());
    if let Some(trust) = &site.trust {
        if trust.mode == VerifyClientAuthMode::Strict {
            let rejection = match &verification {
                Verification::None => Some(respond::NO_CERT),
                Verification::Failed(_) => Some(respond::CERT_ERROR),
                Verification::Success => None,
            };
            if let Some(title) = rejection {
                log.decision = "rejected".into();
                log.reason = Some(verification.as_variable());
                return appgw_html(StatusCode::BAD_REQUEST, title);
            }
        }
    }

    let Some(rule) = site.rules.first() else {
        log.decision = "rejected".into();
        log.reason = Some("no routing rule".into());
        return appgw_html(StatusCode::NOT_FOUND, "Not Found");
    };
    log.rule = Some(rule.name.clone());
    let path = request.uri().path().to_string();
    let upstream = rule
        .path_rules
        .iter()
        .find(|(paths, _)| paths.iter().any(|p| path_matches(p, &path)))
        .map_or(&rule.default, |(_, u)| u)
        .clone();

    let vars = Variables {
        cert: conn.facts.as_deref(),
        verification: &verification,
        conn,
    };
    let (mut parts, body) = request.into_parts();
    outbound::strip_hop_by_hop(&mut parts.headers);
    for rewrite in &rule.request_headers {
        let Ok(name) = HeaderName::try_from(rewrite.header.as_str()) else {
            continue;
        };
        // Remove what the client sent first: set semantics, and an empty value deletes.
        parts.headers.remove(&name);
        let value = vars.substitute(&rewrite.value);
        if value.is_empty() {
            continue;
        }
        if let Ok(value) = HeaderValue::try_from(value) {
            parts.headers.insert(name, value);
        }
    }
    add_forwarded(&mut parts.headers, conn, host);
    forward(snapshot, &upstream, parts, body, host, log).await
}

async fn forward(
    snapshot: &Snapshot,
    upstream: &Arc<Upstream>,
    mut parts: http::request::Parts,
    body: ProxyBody,
    host: &str,
    log: &mut AccessRecord,
) -> Response<ProxyBody> {
    let Ok(uri) = upstream.base.join(parts.uri.path(), parts.uri.query()) else {
        log.decision = "error".into();
        return appgw_html(StatusCode::BAD_REQUEST, "Bad Request");
    };
    log.backend = Some(format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("https"),
        upstream.base.authority,
        upstream.base.prefix
    ));
    let host_header = upstream.host_header.as_deref().unwrap_or(host);
    if let Ok(value) = HeaderValue::try_from(host_header) {
        parts.headers.insert(header::HOST, value);
    }
    parts.uri = uri;
    parts.version = http::Version::HTTP_11;
    let request = Request::from_parts(parts, body);
    let timeout = std::time::Duration::from_millis(snapshot.limits.backend_timeout_ms);
    match outbound::send(&upstream.client, request, timeout).await {
        Ok(response) => {
            log.decision = "forwarded".into();
            let (mut parts, body) = response.into_parts();
            outbound::strip_hop_by_hop(&mut parts.headers);
            Response::from_parts(parts, body.map_err(Into::into).boxed())
        }
        Err(ForwardError::BodyTooLarge) => {
            log.decision = "rejected".into();
            log.reason = Some("request body over max_body_bytes".into());
            appgw_html(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
        }
        Err(e) => {
            log.decision = "error".into();
            log.reason = Some(format!("backend: {}", e.describe()));
            appgw_html(StatusCode::BAD_GATEWAY, respond::BAD_GATEWAY)
        }
    }
}

/// The SSL profile's verdict for this connection, cached per config generation so a reload
/// (new CRL, new trust) re-verifies connections that stay open.
fn verdict(snapshot: &Snapshot, site: &AppGwSite, conn: &Conn) -> Verification {
    let Some(trust) = &site.trust else {
        return Verification::None;
    };
    let Some(chain) = &conn.chain else {
        return Verification::None;
    };
    let mut cache = conn.verdict.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((generation, verdict)) = cache.as_ref() {
        if *generation == snapshot.generation {
            return verdict.clone();
        }
    }
    let verdict = trust.verify(chain, snapshot.clock.now());
    *cache = Some((snapshot.generation, verdict.clone()));
    verdict
}

/// AppGW path patterns: `/images/*` is a prefix (matching `/images` too), anything else exact.
fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix) || path == prefix.trim_end_matches('/'),
        None => path == pattern,
    }
}

fn add_forwarded(headers: &mut http::HeaderMap, conn: &Conn, host: &str) {
    let client_ip = conn.peer.ip().to_string();
    let xff = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {client_ip}:{}", conn.peer.port()),
        None => format!("{client_ip}:{}", conn.peer.port()),
    };
    let pairs = [
        ("x-forwarded-for", xff),
        ("x-forwarded-proto", "https".to_string()),
        ("x-forwarded-port", conn.local.port().to_string()),
        ("x-original-host", host.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(name, value);
        }
    }
}

/// AppGW server variables available to rewrites.
struct Variables<'a> {
    cert: Option<&'a CertFacts>,
    verification: &'a Verification,
    conn: &'a Conn,
}

impl Variables<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let cert = self.cert;
        Some(match name {
            "client_certificate" => cert
                .map(|c| c.url_encoded_pem().to_string())
                .unwrap_or_default(),
            "client_certificate_fingerprint" => cert
                .map(|c| c.thumbprint.to_ascii_lowercase())
                .unwrap_or_default(),
            "client_certificate_subject" => cert
                .map(|c| c.subject.replace(", ", ","))
                .unwrap_or_default(),
            "client_certificate_issuer" => cert
                .map(|c| c.issuer.replace(", ", ","))
                .unwrap_or_default(),
            "client_certificate_serial" => cert.map(|c| c.serial.clone()).unwrap_or_default(),
            "client_certificate_start_date" => cert
                .map(|c| crate::time::openssl(c.not_before))
                .unwrap_or_default(),
            "client_certificate_end_date" => cert
                .map(|c| crate::time::openssl(c.not_after))
                .unwrap_or_default(),
            "client_certificate_verification" => self.verification.as_variable(),
            "client_ip" => self.conn.peer.ip().to_string(),
            "client_port" => self.conn.peer.port().to_string(),
            _ => return None,
        })
    }

    /// Replaces each `{var_name}`; unknown variables stay as written.
    fn substitute(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("{var_") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 5..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            match self.get(&after[..end]) {
                Some(value) => out.push_str(&value),
                None => out.push_str(&rest[start..start + 5 + end + 1]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn path_patterns() {
        assert!(path_matches("/api/*", "/api/x"));
        assert!(path_matches("/api/*", "/api"));
        assert!(!path_matches("/api/*", "/apix"));
        assert!(path_matches("/exact", "/exact"));
        assert!(!path_matches("/exact", "/exact/more"));
    }
}
