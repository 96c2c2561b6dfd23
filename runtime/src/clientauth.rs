//! Client-certificate verification after the handshake: AppGW's SSL profile (`ClientTrust`) and
//! APIM's uploaded CA certificates (`CaStore`, used by validate-client-certificate).
//!
//! Both run on the chain kept on the connection, with the runtime's clock, so a resumed TLS
//! session is checked against today's CRLs exactly like a full handshake.

use std::path::Path;

use rustls::pki_types::{CertificateDer, TrustAnchor};
use rustls::DistinguishedName;
use webpki::{
    CertRevocationList, EndEntityCert, KeyUsage, RevocationCheckDepth, UnknownStatusPolicy,
};

use crate::error::LoadError;
use crate::pki::{self, CertFacts};
use gatehouse_runtime_config::{SslProfile, VerifyClientAuthMode};

/// AppGW's `client_certificate_verification` outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// No certificate was sent.
    None,
    Success,
    /// `FAILED:<openssl-style reason>`.
    Failed(String),
}

impl Verification {
    pub fn as_variable(&self) -> String {
        match self {
            Verification::None => "NONE".into(),
            Verification::Success => "SUCCESS".into(),
            Verification::Failed(reason) => format!("FAILED:{reason}"),
        }
    }
}

/// The SSL profile, loaded.
#[derive(Debug)]
pub struct ClientTrust {
    pub mode: VerifyClientAuthMode,
    anchors: Vec<TrustAnchor<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
    crls: Vec<CertRevocationList<'static>>,
    /// Set when `verify_client_cert_issuer_dn`: one DN per trusted file (the CA nearest the leaf).
    issuer_dns: Option<Vec<Vec<u8>>>,
    pub hints: Vec<DistinguishedName>,
}

impl ClientTrust {
    pub fn load(profile: &SslProfile, base: &Path) -> Result<ClientTrust, LoadError> {
        let mut trust = ClientTrust {
            mode: profile.mode,
            anchors: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            issuer_dns: None,
            hints: Vec::new(),
        };
        let mut issuer_dns = Vec::new();
        for file in &profile.trusted_client_ca_files {
            let path = pki::resolve(base, file);
            let bundle = load_ca_bundle(&path)?;
            for root in &bundle.roots {
                trust.anchors.push(anchor(&path, root)?);
            }
            for ca in bundle.roots.iter().chain(&bundle.intermediates) {
                if let Some(facts) = CertFacts::parse(ca) {
                    trust.hints.push(DistinguishedName::from(facts.raw_subject));
                }
            }
            issuer_dns.push(bundle.nearest_to_leaf);
            trust.intermediates.extend(bundle.intermediates);
        }
        for file in &profile.crl_files {
            trust
                .crls
                .extend(pki::load_crls(&pki::resolve(base, file))?);
        }
        if profile.verify_client_cert_issuer_dn {
            trust.issuer_dns = Some(issuer_dns);
        }
        Ok(trust)
    }

    /// Verifies a client chain (leaf first) at `now`: chain to a trusted root, validity, EKU
    /// clientAuth, CRLs, and the issuer DN when asked.
    pub fn verify(
        &self,
        chain: &[CertificateDer<'static>],
        now: std::time::SystemTime,
    ) -> Verification {
        let Some(leaf) = chain.first() else {
            return Verification::None;
        };
        let mut intermediates = self.intermediates.clone();
        intermediates.extend(chain[1..].iter().cloned());
        let result = verify_chain(leaf, &self.anchors, &intermediates, &self.crls, now, true);
        if let Err(reason) = result {
            return Verification::Failed(openssl_reason(&reason).into());
        }
        if let Some(dns) = &self.issuer_dns {
            let Some(facts) = CertFacts::parse(leaf) else {
                return Verification::Failed("unable to decode the client certificate".into());
            };
            if !dns.contains(&facts.raw_issuer) {
                return Verification::Failed(
                    "unable to verify the client certificate issuer".into(),
                );
            }
        }
        Verification::Success
    }
}

/// Built once: chain checks run per connection.
static PROVIDER: std::sync::LazyLock<rustls::crypto::CryptoProvider> =
    std::sync::LazyLock::new(rustls::crypto::ring::default_provider);

/// Why a chain did not verify, in webpki's terms.
pub type ChainError = webpki::Error;

pub fn verify_chain(
    leaf: &CertificateDer<'_>,
    anchors: &[TrustAnchor<'_>],
    intermediates: &[CertificateDer<'_>],
    crls: &[CertRevocationList<'_>],
    now: std::time::SystemTime,
    check_revocation: bool,
) -> Result<(), ChainError> {
    let cert = EndEntityCert::try_from(leaf)?;
    let crl_refs: Vec<&CertRevocationList<'_>> = crls.iter().collect();
    let revocation = if check_revocation && !crl_refs.is_empty() {
        webpki::RevocationOptionsBuilder::new(&crl_refs)
            .ok()
            .map(|b| {
                b.with_depth(RevocationCheckDepth::Chain)
                    .with_status_policy(UnknownStatusPolicy::Allow)
                    .build()
            })
    } else {
        None
    };
    let algorithms = PROVIDER.signature_verification_algorithms.all;
    cert.verify_for_usage(
        algorithms,
        anchors,
        intermediates,
        crate::tls::unix_time(now),
        KeyUsage::client_auth(),
        revocation,
        None,
    )
    .map(|_| ())
}

/// The reason text nginx/OpenSSL would log, which AppGW shows in `sslClientVerify`.
fn openssl_reason(e: &ChainError) -> &'static str {
    match e {
        webpki::Error::UnknownIssuer => "unable to get local issuer certificate",
        webpki::Error::CertExpired { .. } => "certificate has expired",
        webpki::Error::CertNotValidYet { .. } => "certificate is not yet valid",
        webpki::Error::CertRevoked => "certificate revoked",
        webpki::Error::RequiredEkuNotFoundContext(_) => "unsupported certificate purpose",
        webpki::Error::InvalidSignatureForPublicKey => "certificate signature failure",
        _ => "certificate verify failed",
    }
}

fn anchor(path: &Path, der: &CertificateDer<'static>) -> Result<TrustAnchor<'static>, LoadError> {
    webpki::anchor_from_trusted_cert(der)
        .map(|a| a.to_owned())
        .map_err(|e| LoadError::TrustedCa {
            path: path.to_path_buf(),
            message: format!("root cannot be a trust anchor: {e:?}"),
        })
}

/// One trusted client CA file, split the way AppGW reads it.
struct CaBundle {
    roots: Vec<CertificateDer<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
    nearest_to_leaf: Vec<u8>,
}

/// AppGW rules: exactly one root plus intermediates; a leaf in the file is ignored; a file without
/// a CA certificate is refused.
fn load_ca_bundle(path: &Path) -> Result<CaBundle, LoadError> {
    let certs = pki::load_certs(path)?;
    let mut roots = Vec::new();
    let mut intermediates = Vec::new();
    let mut cas = Vec::new();
    for der in certs {
        let Some(facts) = CertFacts::parse(&der) else {
            continue;
        };
        if !facts.is_ca {
            continue;
        }
        if facts.is_self_issued() {
            roots.push(der.clone());
        } else {
            intermediates.push(der.clone());
        }
        cas.push(facts);
    }
    let problem = match (cas.len(), roots.len()) {
        (0, _) => Some("holds no CA certificate (a leaf in a trusted client CA file is ignored)"),
        (_, 0) => Some("holds no root CA (exactly one is required)"),
        (_, 1) => None,
        _ => Some("holds more than one root CA (exactly one is allowed)"),
    };
    if let Some(message) = problem {
        return Err(LoadError::TrustedCa {
            path: path.to_path_buf(),
            message: message.into(),
        });
    }
    let nearest_to_leaf = nearest_to_leaf(&cas);
    Ok(CaBundle {
        roots,
        intermediates,
        nearest_to_leaf,
    })
}

/// The subject of the CA deepest below the root; the first of equally deep ones.
fn nearest_to_leaf(cas: &[CertFacts]) -> Vec<u8> {
    let depth = |start: &CertFacts| {
        let mut depth = 0;
        let mut current = start;
        while !current.is_self_issued() && depth < cas.len() {
            let Some(parent) = cas.iter().find(|c| c.raw_subject == current.raw_issuer) else {
                break;
            };
            current = parent;
            depth += 1;
        }
        depth
    };
    let mut best: Option<(&CertFacts, usize)> = None;
    for ca in cas {
        let d = depth(ca);
        if best.is_none_or(|(_, bd)| d > bd) {
            best = Some((ca, d));
        }
    }
    best.map(|(ca, _)| ca.raw_subject.clone())
        .unwrap_or_default()
}

/// APIM's uploaded CA certificates, by id.
#[derive(Debug, Default)]
pub struct CaStore {
    pub anchors: Vec<TrustAnchor<'static>>,
    pub intermediates: Vec<CertificateDer<'static>>,
    /// (id, facts) of every uploaded CA certificate, for issuer-thumbprint / issuer-certificate-id.
    pub by_id: Vec<(String, CertFacts)>,
    pub crls: Vec<CertRevocationList<'static>>,
}

impl CaStore {
    /// The uploaded CA certificate that issued `leaf`, if any.
    pub fn issuer_of(&self, leaf: &CertFacts) -> Option<&(String, CertFacts)> {
        self.by_id
            .iter()
            .find(|(_, ca)| ca.raw_subject == leaf.raw_issuer)
    }
}
