//! Client-certificate verification after the handshake: AppGW's SSL profile (`ClientTrust`) and
//! APIM's uploaded CA certificates (`CaStore`, used by validate-client-certificate).
//!
//! Both run on the chain kept on the connection, with the runtime's clock, so a resumed TLS
//! session is checked against today's CRLs exactly like a full handshake.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

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
    /// Validity of the profile's intermediates, as (not before, not after) in Unix seconds.
    intermediate_validity: Vec<(i64, i64)>,
    /// Verdicts by presented chain, for this config (a reload starts a new cache).
    verdicts: Mutex<HashMap<Vec<CertificateDer<'static>>, CachedVerdict>>,
}

/// A verdict and the stretch of time in which it cannot change: no certificate involved
/// becomes valid or expires inside `[from, until)` (Unix seconds).
#[derive(Debug)]
struct CachedVerdict {
    verdict: Verification,
    from: i64,
    until: i64,
}

/// Verdicts kept per SSL profile before the cache starts over.
const VERDICT_CACHE_SIZE: usize = 4096;

impl ClientTrust {
    pub fn load(profile: &SslProfile, base: &Path) -> Result<ClientTrust, LoadError> {
        let mut trust = ClientTrust {
            mode: profile.mode,
            anchors: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            issuer_dns: None,
            hints: Vec::new(),
            intermediate_validity: Vec::new(),
            verdicts: Mutex::new(HashMap::new()),
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
        trust.intermediate_validity = validity(&trust.intermediates);
        Ok(trust)
    }

    /// Verifies a client chain (leaf first) at `now`: chain to a trusted root, validity, EKU
    /// clientAuth, CRLs, and the issuer DN when asked.
    ///
    /// The verdict depends on the chain, this profile (trust, CRLs, issuer DNs: fixed for the
    /// config's life) and on `now` only through certificate validity. So a chain seen before
    /// gets its earlier verdict while no certificate involved has crossed a validity bound
    /// since: a client that reconnects costs no signature check beyond the handshake's own.
    pub fn verify(
        &self,
        chain: &[CertificateDer<'static>],
        now: std::time::SystemTime,
    ) -> Verification {
        let at = unix_seconds(now);
        let verdicts = self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = verdicts.get(chain) {
            if (cached.from..cached.until).contains(&at) {
                return cached.verdict.clone();
            }
        }
        drop(verdicts);
        let verdict = self.verify_uncached(chain, now);
        let mut bounds = validity(chain);
        bounds.extend_from_slice(&self.intermediate_validity);
        // Validity changes at `not_before` and just after `not_after`.
        let changes = bounds
            .iter()
            .flat_map(|&(nb, na)| [nb, na.saturating_add(1)]);
        let from = changes
            .clone()
            .filter(|&t| t <= at)
            .max()
            .unwrap_or(i64::MIN);
        let until = changes.filter(|&t| t > at).min().unwrap_or(i64::MAX);
        let mut verdicts = self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
        if verdicts.len() >= VERDICT_CACHE_SIZE {
            verdicts.clear();
        }
        verdicts.insert(
            chain.to_vec(),
            CachedVerdict {
                verdict: verdict.clone(),
                from,
                until,
            },
        );
        verdict
    }

    fn verify_uncached(
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

/// (not before, not after) of each certificate that parses; one that does not parse cannot
/// verify, and bounds nothing.
fn validity(certs: &[CertificateDer<'_>]) -> Vec<(i64, i64)> {
    certs
        .iter()
        .filter_map(|der| CertFacts::parse(der))
        .map(|facts| (facts.not_before, facts.not_after))
        .collect()
}

fn unix_seconds(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use rcgen::{
        BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
        KeyUsagePurpose,
    };
    use rustls::pki_types::CertificateDer;

    use super::{ClientTrust, Verification};
    use gatehouse_runtime_config::SslProfile;

    const DAY: u64 = 86_400;
    /// 2030-06-01T12:00:00Z: the clock these tests inject.
    const NOW: u64 = 1_906_545_600;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn time(secs: u64) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(secs as i64).expect("time")
    }

    /// A profile trusting one root, and a client leaf it issued, valid `[from, until]`.
    fn trust_and_leaf(
        dir: &std::path::Path,
        from: u64,
        until: u64,
    ) -> (ClientTrust, Vec<CertificateDer<'static>>) {
        let mut ca = CertificateParams::new(Vec::new()).expect("params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.not_before = time(NOW - 3650 * DAY);
        ca.not_after = time(NOW + 3650 * DAY);
        let ca_key = KeyPair::generate().expect("key");
        let root = ca.clone().self_signed(&ca_key).expect("root");
        let mut leaf =
            CertificateParams::new(vec!["alice.clients.contoso.com".into()]).expect("params");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        leaf.not_before = time(from);
        leaf.not_after = time(until);
        let leaf_key = KeyPair::generate().expect("key");
        let leaf = leaf
            .signed_by(&leaf_key, &Issuer::from_params(&ca, &ca_key))
            .expect("leaf");
        std::fs::write(dir.join("root.pem"), root.pem()).expect("write");
        let profile = SslProfile {
            trusted_client_ca_files: vec!["root.pem".into()],
            crl_files: Vec::new(),
            verify_client_cert_issuer_dn: false,
            mode: Default::default(),
        };
        let trust = ClientTrust::load(&profile, dir).expect("profile");
        (trust, vec![leaf.der().clone()])
    }

    #[test]
    fn a_remembered_verdict_never_outlives_the_certificate_validity() {
        let dir = tempfile::tempdir().expect("dir");
        let (from, until) = (NOW - DAY, NOW + DAY);
        let (trust, chain) = trust_and_leaf(dir.path(), from, until);
        let failed = |reason: &str| Verification::Failed(reason.into());
        // Each step follows a remembered verdict; the answer must be today's.
        let steps = [
            (NOW, Verification::Success),
            (NOW + 60, Verification::Success),
            (until, Verification::Success),
            (until + 1, failed("certificate has expired")),
            (NOW, Verification::Success),
            (from - 1, failed("certificate is not yet valid")),
            (from, Verification::Success),
        ];
        for (now, expected) in steps {
            assert_eq!(trust.verify(&chain, at(now)), expected, "at {now}");
        }
    }

    #[test]
    fn verdicts_are_remembered_per_chain() {
        let dir = tempfile::tempdir().expect("dir");
        let (trust, chain) = trust_and_leaf(dir.path(), NOW - DAY, NOW + DAY);
        let elsewhere = tempfile::tempdir().expect("dir");
        let (_, other) = trust_and_leaf(elsewhere.path(), NOW - DAY, NOW + DAY);
        assert_eq!(trust.verify(&chain, at(NOW)), Verification::Success);
        assert_eq!(trust.verify(&chain, at(NOW + 1)), Verification::Success);
        // Another root's leaf (same empty root name, other key) fails, remembered or not.
        for _ in 0..2 {
            assert_eq!(
                trust.verify(&other, at(NOW)),
                Verification::Failed("certificate signature failure".into())
            );
        }
        let verdicts = trust.verdicts.lock().expect("lock");
        assert_eq!(verdicts.len(), 2);
    }
}
