//! GH710 forwarded-header-mismatch.

use super::util::{
    all_forwarded_certificate_headers, api_header_reads, forwarded_certificate_headers,
    routes_to_api,
};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::ApiId;

declare_check! {
    /// ## What it checks
    /// An API behind Application Gateway reads a client-certificate header that no rewrite on
    /// its routes fills: the gateway forwards the certificate into header `X` while the policy
    /// reads header `Y`, or the policy reads a certificate header (one some rewrite fills
    /// elsewhere, or whose name contains `cert`) that no rewrite on its path sets.
    /// ## Why
    /// The forwarded header is the only way the client certificate crosses the gateway (UP#2:
    /// MicrosoftDocs/azure-docs PR #113636; UP#3: #88751). If the names differ, the policy
    /// finds no header and rejects every caller, or, where it only checks a value a client can
    /// send, accepts what the caller sent.
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.forward_client_cert
    ///     }
    ///   }
    ///
    ///   rewrite_rule_set "forward_client_cert" {
    ///     rule "client_cert" {
    ///       sequence = 100
    ///
    ///       # The API reads X-ARR-ClientCert.
    ///       set_request_header "X-Client-Cert" {
    ///         value = "{var_client_certificate}"
    ///       }
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku                  = "Premium"
    ///   publisher_name       = "Contoso"
    ///   publisher_email      = "api@contoso.com"
    ///   virtual_network_type = "Internal"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "gw.contoso.internal"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         check_header {
    ///           name                       = "X-ARR-ClientCert"
    ///           failed_check_httpcode      = 401
    ///           failed_check_error_message = "A client certificate is required"
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.forward_client_cert
    ///     }
    ///   }
    ///
    ///   rewrite_rule_set "forward_client_cert" {
    ///     rule "client_cert" {
    ///       sequence = 100
    ///
    ///       set_request_header "X-ARR-ClientCert" {
    ///         value = "{var_client_certificate}"
    ///       }
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku                  = "Premium"
    ///   publisher_name       = "Contoso"
    ///   publisher_email      = "api@contoso.com"
    ///   virtual_network_type = "Internal"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "gw.contoso.internal"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         check_header {
    ///           name                       = "X-ARR-ClientCert"
    ///           failed_check_httpcode      = 401
    ///           failed_check_error_message = "A client certificate is required"
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH710", "forwarded-header-mismatch", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let everywhere = all_forwarded_certificate_headers(m);
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let routes = routes_to_api(cx, id);
        if routes.is_empty() {
            continue;
        }
        // What the gateway forwards on the way to this API.
        let on_path: Vec<_> = routes
            .iter()
            .filter_map(|r| r.route.rewrite_rule_set.map(|s| (r, s.id)))
            .flat_map(|(r, s)| {
                forwarded_certificate_headers(&m[s])
                    .into_iter()
                    .map(move |h| (r, s, h))
            })
            .collect();
        for read in api_header_reads(cx, id) {
            if on_path
                .iter()
                .any(|(_, _, h)| h.header.value.eq_ignore_ascii_case(&read.name))
            {
                continue;
            }
            let certificate_header = read.name.to_ascii_lowercase().contains("cert")
                || everywhere
                    .iter()
                    .any(|(_, h)| h.header.value.eq_ignore_ascii_case(&read.name));
            // Other headers (a region, a correlation id) are not ours to judge.
            if !certificate_header {
                continue;
            }
            let mut d = match on_path.first() {
                Some((route, set, h)) => Diagnostic::new(
                    &CODE,
                    read.span,
                    format!(
                        "API `{}` reads the client certificate from header `{}`, but Application Gateway forwards it in `{}`",
                        api.decl.name, read.name, h.header.value
                    ),
                )
                .with_primary_message("no rewrite on the way here sets this header")
                .with_label(
                    h.header.span,
                    format!("rewrite rule set `{}` (route `{}`) forwards `{}` here", m[*set].decl.name, route.route.name, h.value.value),
                )
                .with_help(format!(
                    "read the header the gateway sets (`{}`), or rename the rewrite's `set_request_header` to `{}`",
                    h.header.value, read.name
                )),
                None => Diagnostic::new(
                    &CODE,
                    read.span,
                    format!(
                        "API `{}` reads the client certificate from header `{}`, but no Application Gateway rewrite on its routes sets it",
                        api.decl.name, read.name
                    ),
                )
                .with_primary_message("the header is missing, or whatever the client sent")
                .with_help(format!(
                    "add a `rewrite_rule_set` to the route with `set_request_header \"{}\" {{ value = \"{{var_client_certificate}}\" }}`",
                    read.name
                )),
            };
            for r in routes.iter().filter(|r| r.route.rewrite_rule_set.is_none()) {
                d = d.with_label(
                    r.route.span,
                    format!(
                        "route `{}` of listener `{}` has no rewrite",
                        r.route.name, m[r.listener].decl.name
                    ),
                );
            }
            out.push(
                d.with_address(api.decl.address.clone())
                    .with_trace(api.decl.trace.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::util::header_reads;
    use crate::model::{Choose, Spanned, Statement, StatementKind, When};
    use crate::source::{FileId, Span};

    fn when(condition: &str) -> Statement {
        let span = Span::file_start(FileId(0));
        Statement {
            span,
            kind: StatementKind::Choose(Choose {
                whens: vec![When {
                    span,
                    condition: Spanned::new(condition.to_string(), span),
                    statements: Vec::new(),
                }],
                otherwise: None,
            }),
        }
    }

    fn names(condition: &str) -> Vec<String> {
        header_reads(&when(condition))
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    #[test]
    fn reads_header_names_from_expressions() {
        assert_eq!(
            names(
                "@(context.Request.Headers.GetValueOrDefault(\"X-ARR-ClientCert\", \"\") != \"\")"
            ),
            ["X-ARR-ClientCert"]
        );
        assert_eq!(
            names("@(context.Request.Headers[\"X-Client-Cert\"].Length > 0)"),
            ["X-Client-Cert"]
        );
        assert_eq!(
            names("@(context.Request.Headers.ContainsKey(&quot;X-Cert&quot;))"),
            ["X-Cert"]
        );
        // A later argument is not a header name, and response headers are not request headers.
        assert!(
            names("@(context.Request.Headers.GetValueOrDefault(name, \"default\"))").is_empty()
        );
        assert!(names("@(context.Response.Headers.GetValueOrDefault(\"X-Cert\"))").is_empty());
    }
}
