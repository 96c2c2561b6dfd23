//! GH202 pfx-unopenable.

use super::CheckContext;
use crate::certs::Problem;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::CertSource;

declare_check! {
    /// ## What it checks
    /// A PFX (PKCS#12) file cannot be opened with the given password, has no `password`, or
    /// holds no private key although it is used where one is required (an Application Gateway
    /// listener, an APIM hostname, a backend client certificate).
    /// ## Why
    /// The Azure portal validates a PFX password only at upload; in a template a wrong password
    /// puts Application Gateway into the *Failed* state and fails the APIM deployment.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx = file("pki/server.pfx")
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    /// ```
    "GH202", "pfx-unopenable", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        let span = facts.span.unwrap_or(cert.decl.name_span);
        if let Some(Problem::PfxUnopenable { reason, help }) = &facts.problem {
            let mut d = Diagnostic::new(&CODE, span, format!("certificate `{}`: {reason}", cert.decl.name))
                .with_help(help.clone())
                .with_address(cert.decl.address.clone())
                .with_trace(cert.decl.trace.clone());
            if let Some(p) = &cert.password {
                d = d.with_label(p.span, "this password");
            }
            out.push(d);
            continue;
        }
        if matches!(cert.source, Some(CertSource::Pfx(_))) && facts.inspected() && !facts.has_private_key {
            out.push(
                Diagnostic::new(&CODE, span, format!("the PFX of certificate `{}` holds no private key", cert.decl.name))
                    .with_help("export the PFX with its private key; a server or client certificate cannot be used without it")
                    .with_address(cert.decl.address.clone())
                    .with_trace(cert.decl.trace.clone()),
            );
        }
    }
}
