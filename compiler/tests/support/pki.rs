//! A test PKI generated with rcgen on a fixed clock ([`NOW`]), written into a fixture's `pki/`
//! directory so that check fixtures name real certificates. Keys are random, so fixtures must
//! not depend on thumbprints or serial numbers.
#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::Path;
use time::{Duration, OffsetDateTime};

/// The clock of every check fixture: 2026-06-01T00:00:00Z.
pub const NOW: i64 = 1_780_272_000;

/// The password of every generated PFX.
pub const PFX_PASSWORD: &str = "fixture-password";

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW).expect("valid time")
}

struct Made {
    pem: String,
    der: Vec<u8>,
    key: KeyPair,
}

fn params(cn: &str, sans: &[&str], from_days: i64, to_days: i64) -> CertificateParams {
    let mut p = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "Contoso");
    p.not_before = now() + Duration::days(from_days);
    p.not_after = now() + Duration::days(to_days);
    p
}

fn ca_params(cn: &str, path_len: Option<u8>) -> CertificateParams {
    let mut p = params(cn, &[], -365, 3650);
    p.is_ca = IsCa::Ca(path_len.map_or(
        BasicConstraints::Unconstrained,
        BasicConstraints::Constrained,
    ));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}

fn self_signed(p: CertificateParams) -> (Made, CertificateParams) {
    let key = KeyPair::generate().expect("key");
    let cert = p.self_signed(&key).expect("self-signed");
    (
        Made {
            pem: cert.pem(),
            der: cert.der().to_vec(),
            key,
        },
        p,
    )
}

fn signed(p: CertificateParams, issuer_params: &CertificateParams, issuer_key: &KeyPair) -> Made {
    let key = KeyPair::generate().expect("key");
    let issuer = Issuer::from_params(issuer_params, issuer_key);
    let cert = p.signed_by(&key, &issuer).expect("signed");
    Made {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key,
    }
}

fn leaf(
    cn: &str,
    sans: &[&str],
    eku: &[ExtendedKeyUsagePurpose],
    from: i64,
    to: i64,
) -> CertificateParams {
    let mut p = params(cn, sans, from, to);
    p.extended_key_usages = eku.to_vec();
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p
}

fn pfx(made: &Made, chain: &[&Made]) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let mut certs = vec![Certificate::from_der(&made.der).expect("cert")];
    for c in chain {
        certs.push(Certificate::from_der(&c.der).expect("cert"));
    }
    let key = PrivateKey::from_der(&made.key.serialize_der()).expect("pkcs8");
    let mut store = KeyStore::new();
    store.add_entry(
        "cert",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(vec![1u8, 2, 3, 4], key, certs)),
    );
    store
        .writer(PFX_PASSWORD)
        .encryption_iterations(2048)
        .mac_iterations(2048)
        .write()
        .expect("pfx")
}

/// A PKCS#12 file holding only certificates (no key bag).
fn pfx_without_key(made: &Made, chain: &[&Made]) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry};
    let mut store = KeyStore::new();
    store.add_entry(
        "cert",
        KeyStoreEntry::Certificate(Certificate::from_der(&made.der).expect("cert")),
    );
    for (i, c) in chain.iter().enumerate() {
        store.add_entry(
            &format!("chain{i}"),
            KeyStoreEntry::Certificate(Certificate::from_der(&c.der).expect("cert")),
        );
    }
    store.writer(PFX_PASSWORD).write().expect("pfx")
}

/// Writes the test PKI into `dir/pki/`:
///
/// | file | what |
/// |---|---|
/// | `root-ca.pem`, `root-ca.der` | self-signed root `CN=Contoso Test Root CA, O=Contoso` |
/// | `issuing-ca.pem` | intermediate `CN=Contoso Test Issuing CA` (pathlen 0), issued by the root |
/// | `ca-chain.pem` / `ca-chain-misordered.pem` | issuing + root / root + issuing |
/// | `other-ca.pem` | unrelated root `CN=Other Root CA` |
/// | `root-ca-same-subject.pem` | another root with the same subject as `root-ca.pem` |
/// | `root-no-basic-constraints.pem` | self-signed certificate without basicConstraints |
/// | `client.pem`+`client.key`, `client.pfx`, `client-leaf.pem`, `client-leaf.der` | client cert (clientAuth) `CN=partner-client` issued by the issuing CA, with/without chain |
/// | `client-server-eku.pfx`, `client-no-key.pfx` | client cert with serverAuth only / PFX without key |
/// | `server.pfx`, `server.pem`+`server.key`, `server-with-key.pem` | server cert (serverAuth) for api/gw/portal.contoso.com and `*.contoso.internal`, with chain (the last: key, certificate and chain in one PEM file, as a PEM Key Vault secret downloads) |
/// | `server-no-chain.pfx`, `server-client-eku.pfx`, `server-other-host.pfx`, `server-long-validity.pfx` | without intermediate / clientAuth only / for other.fabrikam.com / 830 days |
/// | `server-wrong.key` | a key that does not belong to `server.pem` |
/// | `ca-as-server.pfx` | the issuing CA with its key, as if it were a server certificate |
/// | `backend-self-signed.pem`, `backend-server.pem`+`.key` | orders.contoso.internal, self-signed / issued by the issuing CA |
/// | `expired.pem`, `expiring.pem` (10 days), `not-yet-valid.pem` | client certs around `NOW` |
/// | `corrupt.pem`, `key-only.pem`, `not-a-cert.txt` | unreadable inputs |
/// | `weak-ca-chain.pem` | `CN=Fabrikam Legacy Issuing CA` with an RSA-1024 key, and its root (static: rcgen cannot make weak keys) |
/// | `oversized-ca-bundle.pem` | one root and 14 RSA-4096 intermediates, about 27 KB of PEM (static) |
///
/// Every PFX has the password [`PFX_PASSWORD`].
///
/// The PKI is generated once per test process and copied into each fixture.
pub fn write(dir: &Path) {
    static FILES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    let pki = dir.join("pki");
    std::fs::create_dir_all(&pki).expect("pki dir");
    for (name, bytes) in FILES.get_or_init(generate) {
        std::fs::write(pki.join(name), bytes).expect("write pki file");
    }
}

fn generate() -> Vec<(String, Vec<u8>)> {
    use ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
    let files = std::cell::RefCell::new(Vec::new());
    let put =
        |name: &str, bytes: &[u8]| files.borrow_mut().push((name.to_string(), bytes.to_vec()));

    let (root, root_params) = self_signed(ca_params("Contoso Test Root CA", None));
    let issuing_params = ca_params("Contoso Test Issuing CA", Some(0));
    let issuing = signed(issuing_params.clone(), &root_params, &root.key);
    let (other, _) = self_signed(ca_params("Other Root CA", None));
    put("root-ca.pem", root.pem.as_bytes());
    put("root-ca.der", &root.der);
    put("issuing-ca.pem", issuing.pem.as_bytes());
    put(
        "ca-chain.pem",
        format!("{}{}", issuing.pem, root.pem).as_bytes(),
    );
    put(
        "ca-chain-misordered.pem",
        format!("{}{}", root.pem, issuing.pem).as_bytes(),
    );
    put("other-ca.pem", other.pem.as_bytes());

    let client = signed(
        leaf(
            "partner-client",
            &["partner.example.com"],
            &[ClientAuth],
            -30,
            365,
        ),
        &issuing_params,
        &issuing.key,
    );
    put(
        "client.pem",
        format!("{}{}", client.pem, issuing.pem).as_bytes(),
    );
    put("client.key", client.key.serialize_pem().as_bytes());
    put("client.pfx", &pfx(&client, &[&issuing]));
    put("client-leaf.pem", client.pem.as_bytes());
    put("client-leaf.der", &client.der);

    let hosts = [
        "api.contoso.com",
        "gw.contoso.com",
        "portal.contoso.com",
        "*.contoso.internal",
    ];
    let server = signed(
        leaf("api.contoso.com", &hosts, &[ServerAuth], -30, 365),
        &issuing_params,
        &issuing.key,
    );
    put("server.pfx", &pfx(&server, &[&issuing]));
    put(
        "server.pem",
        format!("{}{}", server.pem, issuing.pem).as_bytes(),
    );
    put("server.key", server.key.serialize_pem().as_bytes());
    put(
        "server-with-key.pem",
        format!(
            "{}{}{}",
            server.key.serialize_pem(),
            server.pem,
            issuing.pem
        )
        .as_bytes(),
    );
    put("server-no-chain.pfx", &pfx(&server, &[]));

    let client_only = signed(
        leaf("api.contoso.com", &hosts, &[ClientAuth], -30, 365),
        &issuing_params,
        &issuing.key,
    );
    put("server-client-eku.pfx", &pfx(&client_only, &[&issuing]));
    let other_host = signed(
        leaf(
            "other.fabrikam.com",
            &["other.fabrikam.com"],
            &[ServerAuth],
            -30,
            365,
        ),
        &issuing_params,
        &issuing.key,
    );
    put("server-other-host.pfx", &pfx(&other_host, &[&issuing]));
    put("ca-as-server.pfx", &pfx(&issuing, &[&root]));

    let mut backend_params = leaf(
        "orders.contoso.internal",
        &["orders.contoso.internal"],
        &[ServerAuth],
        -30,
        365,
    );
    backend_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let (backend, _) = self_signed(backend_params);
    put("backend-self-signed.pem", backend.pem.as_bytes());

    let expired = signed(
        leaf("expired-client", &[], &[ClientAuth], -400, -10),
        &issuing_params,
        &issuing.key,
    );
    put("expired.pem", expired.pem.as_bytes());
    let expiring = signed(
        leaf("expiring-client", &[], &[ClientAuth], -300, 10),
        &issuing_params,
        &issuing.key,
    );
    put("expiring.pem", expiring.pem.as_bytes());
    let future = signed(
        leaf("future-client", &[], &[ClientAuth], 5, 400),
        &issuing_params,
        &issuing.key,
    );
    put("not-yet-valid.pem", future.pem.as_bytes());

    let backend_ca_signed = signed(
        leaf(
            "orders.contoso.internal",
            &["orders.contoso.internal"],
            &[ServerAuth],
            -30,
            365,
        ),
        &issuing_params,
        &issuing.key,
    );
    put(
        "backend-server.pem",
        format!("{}{}", backend_ca_signed.pem, issuing.pem).as_bytes(),
    );
    put(
        "backend-server.key",
        backend_ca_signed.key.serialize_pem().as_bytes(),
    );

    let (same_subject, _) = self_signed(ca_params("Contoso Test Root CA", None));
    put("root-ca-same-subject.pem", same_subject.pem.as_bytes());
    let long = signed(
        leaf("api.contoso.com", &hosts, &[ServerAuth], -30, 800),
        &issuing_params,
        &issuing.key,
    );
    put("server-long-validity.pfx", &pfx(&long, &[&issuing]));
    // A certificate whose key file belongs to another certificate.
    put("server-wrong.key", client.key.serialize_pem().as_bytes());
    let mut no_bc = params("Contoso Unconstrained Root", &[], -365, 3650);
    no_bc.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let (no_bc, _) = self_signed(no_bc);
    put("root-no-basic-constraints.pem", no_bc.pem.as_bytes());
    let client_server_eku = signed(
        leaf(
            "partner-client",
            &["partner.example.com"],
            &[ServerAuth],
            -30,
            365,
        ),
        &issuing_params,
        &issuing.key,
    );
    put(
        "client-server-eku.pfx",
        &pfx(&client_server_eku, &[&issuing]),
    );
    put("client-no-key.pfx", &pfx_without_key(&client, &[&issuing]));

    put("corrupt.pem", b"-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n");
    put("key-only.pem", client.key.serialize_pem().as_bytes());
    put("not-a-cert.txt", b"hello, this is text\n");
    // Static certificates rcgen cannot make (RSA keys), shared with the GH208 and GH714 fixtures.
    put(
        "weak-ca-chain.pem",
        include_bytes!("../checks/gh208_weak_key_or_signature/fail/certs/partner-ca-weak.pem"),
    );
    put(
        "oversized-ca-bundle.pem",
        include_bytes!("../checks/gh714_client_ca_limits/fail/certs/partner-cas.pem"),
    );
    files.into_inner()
}
