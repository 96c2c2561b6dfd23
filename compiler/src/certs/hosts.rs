//! Host-name coverage with the TLS wildcard rules (RFC 6125): a wildcard matches exactly one
//! left-most label, names compare case-insensitively, and the common name counts only when the
//! certificate has no DNS subject alternative names.

use super::X509Facts;

/// Whether the certificate is valid for `host`.
pub fn covers(cert: &X509Facts, host: &str) -> bool {
    if cert.dns_names.is_empty() {
        return cert
            .common_name
            .as_deref()
            .is_some_and(|cn| matches_host(cn, host));
    }
    cert.dns_names.iter().any(|name| matches_host(name, host))
}

/// Whether certificate name `pattern` (possibly `*.example.com`) matches `host`.
pub fn matches_host(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => match host.split_once('.') {
            Some((label, rest)) => !label.is_empty() && rest == suffix && suffix.contains('.'),
            None => false,
        },
        None => pattern == host,
    }
}

#[cfg(test)]
mod tests {
    use super::matches_host;

    #[test]
    fn wildcard_covers_exactly_one_label() {
        assert!(matches_host("*.contoso.com", "api.contoso.com"));
        assert!(matches_host("*.Contoso.com", "API.contoso.COM"));
        assert!(!matches_host("*.contoso.com", "contoso.com"));
        assert!(!matches_host("*.contoso.com", "a.b.contoso.com"));
        assert!(
            !matches_host("*.com", "contoso.com"),
            "no wildcard over a public suffix-like single label"
        );
        assert!(matches_host("api.contoso.com.", "api.contoso.com"));
        assert!(!matches_host("api.contoso.com", "gw.contoso.com"));
    }
}
