//! The development PKI of a topology (`gatehouse pki init`): the certificates a topology needs
//! to run on a laptop, as local stand-ins for what lives in Azure and Key Vault.
//!
//! Which certificate each `certificate` block stands for is read from what uses it
//! ([`roles`]): a server certificate for the listeners and hostnames that present it (their
//! host names as SANs, serverAuth); the client CA chain for an SSL profile's trusted client
//! CAs; the client root or issuing CA for API Management's CA store (by store); a client
//! certificate (clientAuth) for a backend's authentication certificate; the server root for
//! what trusts backends. The runtime target uses a stand-in `<label>.pem` (and `.key`) in
//! place of the topology's file, so the same HCL deploys to Azure with the real certificates.
//!
//! Beside the stand-ins: the two dev CAs (`server-ca.pem`, `client-root-ca.pem`,
//! `client-issuing-ca.pem`, with their keys, so re-runs issue from the same CAs), a partner
//! client certificate `client.pem`/`.key` and its PFX, a revoked one `revoked.pem`/`.key` with
//! `clients.crl`, server certificates for every backend host under `backends/`, and the
//! generated PFX passwords in `passwords.env`.
//!
//! **Invariant:** pure: the files to write are returned; nothing here reads the disk or the
//! clock (`now` is handed in). The directory is git-ignored by the `.gitignore` it contains.

mod issue;

pub use issue::{issue_client, PkiError};

use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// The PKI directory, relative to the topology root.
pub const DIR: &str = crate::emit::runtime::PKI_DIR;

/// What a `certificate` block stands for in the dev PKI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Presented by listeners or hostnames: these host names.
    Server(Vec<String>),
    /// Trusted client CAs of an SSL profile: the issuing CA and the root.
    ClientCaChain,
    /// An API Management CA store entry (`Root`) or a trusted root of backends.
    ClientRoot,
    /// An API Management CA store entry (`CertificateAuthority`).
    ClientIssuing,
    /// A client certificate API Management presents to a backend.
    Client,
    /// What trusts a backend's server certificate.
    ServerRoot,
}

/// The role of every certificate block that has one, by stand-in name
/// ([`crate::emit::runtime::stand_in_name`]).
pub fn roles(model: &Model) -> BTreeMap<String, Role> {
    let mut servers: BTreeMap<CertificateId, BTreeSet<String>> = BTreeMap::new();
    for l in &model.listeners {
        if let Some(c) = l.certificate {
            let names = servers.entry(c.id).or_default();
            names.extend(l.host_names.iter().map(|h| h.value.clone()));
        }
    }
    for h in &model.hostnames {
        if let Some(c) = h.certificate {
            servers
                .entry(c.id)
                .or_default()
                .insert(h.host_name.value.clone());
        }
    }
    let mut out: BTreeMap<String, Role> = BTreeMap::new();
    let label = |id: CertificateId| crate::emit::runtime::stand_in_name(model, id);
    for (id, names) in servers {
        out.insert(label(id), Role::Server(names.into_iter().collect()));
    }
    let mut put = |id: CertificateId, role: Role| {
        out.entry(label(id)).or_insert(role);
    };
    for p in &model.ssl_profiles {
        for c in &p.trusted_client_cas {
            put(c.id, Role::ClientCaChain);
        }
    }
    for ca in &model.ca_certificates {
        if let Some(c) = ca.certificate {
            put(
                c.id,
                match ca.store.value {
                    CaStore::Root => Role::ClientRoot,
                    CaStore::CertificateAuthority => Role::ClientIssuing,
                },
            );
        }
    }
    for b in &model.backends {
        if let Some(c) = b.client_certificate {
            put(c.id, Role::Client);
        }
        if let Some(c) = b.server_certificate {
            put(c.id, Role::ServerRoot);
        }
    }
    for s in &model.backend_settings {
        for c in &s.trusted_root_certificates {
            put(c.id, Role::ServerRoot);
        }
    }
    for policy in &model.policies {
        for (_, section) in policy.sections() {
            for_each_statement(&section.statements, &mut |s| {
                if let StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Certificate(CertificateName::Certificate(r)),
                ) = &s.kind
                {
                    put(r.id, Role::Client);
                }
            });
        }
    }
    for fragment in &model.policy_fragments {
        for_each_statement(&fragment.statements, &mut |s| {
            if let StatementKind::AuthenticationCertificate(
                AuthenticationCertificate::Certificate(CertificateName::Certificate(r)),
            ) = &s.kind
            {
                put(r.id, Role::Client);
            }
        });
    }
    out
}

fn for_each_statement(statements: &[Statement], f: &mut impl FnMut(&Statement)) {
    for s in statements {
        f(s);
        if let StatementKind::Choose(c) = &s.kind {
            for w in &c.whens {
                for_each_statement(&w.statements, f);
            }
            if let Some(o) = &c.otherwise {
                for_each_statement(o, f);
            }
        }
    }
}

/// The host names of every backend (API Management backends and Application Gateway pool
/// members), sorted: the bundled echo backend answers as each.
pub fn backend_hosts(model: &Model) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for b in &model.backends {
        if let Some(host) = url_host(&b.url.value) {
            out.insert(host);
        }
    }
    for p in &model.backend_pools {
        out.extend(p.fqdns.iter().map(|f| f.value.to_ascii_lowercase()));
    }
    out.into_iter().collect()
}

/// The host of an `http(s)://host[:port]/...` URL.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    (!host.is_empty()).then(|| host.trim_matches(['[', ']']).to_ascii_lowercase())
}

/// What `pki init` writes: for a model, the files missing from the PKI directory (all of
/// them with `force`), as paths relative to it. `existing` reads a file of the directory.
pub fn init(
    model: &Model,
    existing: &dyn Fn(&str) -> Option<Vec<u8>>,
    now: i64,
    force: bool,
) -> Result<BTreeMap<String, Vec<u8>>, PkiError> {
    let read = |path: &str| if force { None } else { existing(path) };
    issue::init(&roles(model), &backend_hosts(model), &read, now)
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn url_hosts_drop_scheme_port_and_path() {
        assert_eq!(
            url_host("https://orders.contoso.internal:8443/api").as_deref(),
            Some("orders.contoso.internal")
        );
        assert_eq!(url_host("http://10.0.0.4/x").as_deref(), Some("10.0.0.4"));
        assert_eq!(url_host("orders"), None);
    }
}
