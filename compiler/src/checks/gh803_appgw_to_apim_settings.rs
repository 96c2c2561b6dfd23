//! GH803 appgw-to-apim-settings.

use super::util::{local_reference, private_anchor};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{BackendSettings, Hostname, Listener, Ref, RouteTarget};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// A listener route to an API Management hostname uses `backend_settings` that cannot
    /// reach that hostname:
    /// - `protocol = "Http"`;
    /// - the host name sent (`host_name`, or the backend's name with
    ///   `pick_host_name_from_backend`, else the client's original host) is not the
    ///   hostname's `host_name`;
    /// - no `probe`, or a probe `host` other than the hostname's `host_name`;
    /// - no `trusted_root_certificates` while the hostname's certificate (inspected) chains to
    ///   a private CA.
    /// Routes without `backend_settings` get settings derived from the hostname and are not
    /// checked.
    /// ## Why
    /// This is the hop everyone wires by hand. Application Gateway opens its own TLS connection
    /// to API Management, with the host name of the backend settings as SNI and `Host`: any
    /// other name gets a certificate that does not match, and the backend is marked unhealthy
    /// (**502**). The default probe requests `/` on the gateway, which API Management answers
    /// with 404, so the backend is unhealthy unless a probe targets a path that answers 200,
    /// such as `/status-0123456789abcdef`. A hostname certificate from a private CA needs its
    /// root uploaded as a trusted root (GH712 reports roots that do not anchor it).
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       backend_settings = backend_settings.apim
    ///     }
    ///   }
    ///
    ///   backend_settings "apim" {
    ///     port     = 443
    ///     protocol = "Https" # no host_name, no probe
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "gw.contoso.internal"
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       backend_settings = backend_settings.apim
    ///     }
    ///   }
    ///
    ///   backend_settings "apim" {
    ///     port      = 443
    ///     protocol  = "Https"
    ///     host_name = "gw.contoso.internal"
    ///
    ///     probe {
    ///       path = "/status-0123456789abcdef"
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "gw.contoso.internal"
    ///   }
    /// }
    /// ```
    "GH803", "appgw-to-apim-settings", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen: Vec<(
        Ref<crate::model::BackendSettingsId>,
        crate::model::HostnameId,
    )> = Vec::new();
    for listener in &m.listeners {
        for route in &listener.routes {
            let (Some(RouteTarget::Hostname(h)), Some(s)) = (route.to, route.backend_settings)
            else {
                continue;
            };
            if seen.iter().any(|(r, hid)| r.id == s.id && *hid == h.id) {
                continue;
            }
            seen.push((s, h.id));
            check(cx, listener, h.span, &m[s.id], s.span, &m[h.id], out);
        }
    }
}

fn check(
    cx: &CheckContext,
    listener: &Listener,
    route_span: Span,
    settings: &BackendSettings,
    settings_span: Span,
    hostname: &Hostname,
    out: &mut Vec<Diagnostic>,
) {
    let m = cx.model;
    let host = hostname.host_name.value.as_str();
    let name = &settings.decl.name;
    let diag = |span: Span, message: String, primary: &str, help: String| {
        Diagnostic::new(&CODE, span, message)
            .with_primary_message(primary.to_string())
            .with_label(
                route_span,
                format!(
                    "listener `{}` routes to hostname `{}`",
                    listener.decl.name, hostname.decl.name
                ),
            )
            .with_label(settings_span, format!("with backend settings `{name}`"))
            .with_help(help)
            .with_address(settings.decl.address.clone())
            .with_trace(settings.decl.trace.clone())
    };
    if !settings.https.value {
        out.push(diag(
            settings.https.span,
            format!(
                "backend settings `{name}` connect to API Management hostname `{host}` over HTTP"
            ),
            "the hop to API Management is not encrypted",
            "set `protocol = \"Https\"` and `port = 443`".to_string(),
        ));
    }
    let (sent, sent_span) = match (
        &settings.host_name,
        settings.pick_host_name_from_backend.value,
    ) {
        (Some(h), _) => (Some(h.value.as_str()), h.span),
        (None, true) => (Some(host), settings.pick_host_name_from_backend.span),
        (None, false) => (
            listener.host_names.first().map(|h| h.value.as_str()),
            settings.decl.name_span,
        ),
    };
    if !sent.is_some_and(|s| s.eq_ignore_ascii_case(host)) {
        let what = sent.map_or_else(
            || "no host name".to_string(),
            |s| format!("host name `{s}`"),
        );
        out.push(diag(
            sent_span,
            format!("backend settings `{name}` send {what} to API Management hostname `{host}`"),
            "API Management presents the certificate of another name, or none: the backend is unhealthy",
            format!("set `host_name = \"{host}\"` in backend settings `{name}`"),
        ));
    }
    match &settings.probe {
        None => out.push(diag(
            settings.decl.name_span,
            format!("backend settings `{name}` have no probe for API Management hostname `{host}`"),
            "the default probe requests `/`, which API Management answers with 404",
            "add `probe { path = \"/status-0123456789abcdef\" }`".to_string(),
        )),
        Some(probe) => {
            if let Some(probe_host) = &probe.host {
                if !probe_host.value.eq_ignore_ascii_case(host) {
                    out.push(diag(
                        probe_host.span,
                        format!("the probe of backend settings `{name}` asks for `{}`, not API Management hostname `{host}`", probe_host.value),
                        "probes another name than the route serves",
                        format!("set `host = \"{host}\"` in the probe, or remove it to probe the backend settings' host name"),
                    ));
                }
            }
        }
    }
    let Some(cert) = hostname.certificate else {
        return;
    };
    if !settings.https.value || !settings.trusted_root_certificates.is_empty() {
        return;
    }
    let chain = &cx.certs.get(cert.id).chain;
    if chain.is_empty() {
        return;
    }
    let Some(root) = private_anchor(cx, cert.id, chain) else {
        return;
    };
    out.push(
        diag(
            settings.decl.name_span,
            format!("backend settings `{name}` do not trust the private CA `{root}` of API Management hostname `{host}`"),
            "no `trusted_root_certificates`",
            format!(
                "add `trusted_root_certificates = [certificate.<root>]` with the root of `{root}` to backend settings `{name}`"
            ),
        )
        .with_label(cert.span, format!("`{}` is issued under `{root}`", local_reference(&m[cert.id].decl.address))),
    );
}
