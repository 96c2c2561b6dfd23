//! Issuing the dev PKI with rcgen: two CAs (servers; clients with root and issuing CA), the
//! stand-ins by role, partner client certificates, a revoked one and its CRL, PFX copies.
//!
//! A file that already exists is kept (the caller passes what it finds); the CAs are loaded
//! back from their files so that a re-run or `pki client` issues from the same CAs.

use super::Role;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SerialNumber,
};
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};

type Files = BTreeMap<String, Vec<u8>>;

/// Why the PKI could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot issue `{file}`: {source}")]
    Issue { file: String, source: rcgen::Error },
    #[error("`{file}` in the PKI directory is not what gatehouse wrote there ({reason}); rerun with --force to make a new PKI")]
    Corrupt { file: String, reason: String },
    #[error("`{0}` is not a valid client name: use letters, digits, `-` and `_`")]
    Name(String),
}

const SERVER_CA: &str = "server-ca";
const CLIENT_ROOT: &str = "client-root-ca";
const CLIENT_ISSUING: &str = "client-issuing-ca";

/// A CA read back or made.
struct Ca {
    cert_pem: String,
    key: KeyPair,
}

impl Ca {
    fn issuer(&self) -> Result<Issuer<'static, &KeyPair>, PkiError> {
        Issuer::from_ca_cert_pem(&self.cert_pem, &self.key).map_err(|source| PkiError::Issue {
            file: String::from("CA"),
            source,
        })
    }
}

struct Ctx<'r> {
    read: &'r dyn Fn(&str) -> Option<Vec<u8>>,
    now: OffsetDateTime,
    out: Files,
    /// Serial numbers of what is issued in this run come from the clock and a counter, so
    /// two certificates from one CA never share one.
    serial: u64,
}

impl Ctx<'_> {
    fn exists(&self, path: &str) -> bool {
        self.out.contains_key(path) || (self.read)(path).is_some()
    }

    fn text(&self, path: &str) -> Option<String> {
        if let Some(b) = self.out.get(path) {
            return String::from_utf8(b.clone()).ok();
        }
        (self.read)(path).and_then(|b| String::from_utf8(b).ok())
    }

    fn next_serial(&mut self) -> SerialNumber {
        self.serial += 1;
        let n = (self.now.unix_timestamp() as u64) << 16 | (self.serial & 0xffff);
        SerialNumber::from(n.to_be_bytes().to_vec())
    }

    /// A CA from its files, or a new one (self-signed, or issued by `parent`).
    fn ca(&mut self, name: &str, cn: &str, parent: Option<&Ca>) -> Result<Ca, PkiError> {
        let (cert_file, key_file) = (format!("{name}.pem"), format!("{name}.key"));
        if let (Some(cert_pem), Some(key_pem)) = (self.text(&cert_file), self.text(&key_file)) {
            let key = KeyPair::from_pem(&key_pem).map_err(|e| PkiError::Corrupt {
                file: key_file.clone(),
                reason: e.to_string(),
            })?;
            return Ok(Ca { cert_pem, key });
        }
        let mut p = self.params(cn, &[], Duration::days(3650))?;
        p.is_ca = IsCa::Ca(match parent {
            Some(_) => BasicConstraints::Constrained(0),
            None => BasicConstraints::Unconstrained,
        });
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = new_key(&cert_file)?;
        let cert = match parent {
            Some(parent) => p.signed_by(&key, &parent.issuer()?),
            None => p.self_signed(&key),
        }
        .map_err(|source| PkiError::Issue {
            file: cert_file.clone(),
            source,
        })?;
        let cert_pem = cert.pem();
        self.out.insert(cert_file, cert_pem.clone().into_bytes());
        self.out.insert(key_file, key.serialize_pem().into_bytes());
        Ok(Ca { cert_pem, key })
    }

    fn params(
        &mut self,
        cn: &str,
        sans: &[String],
        valid: Duration,
    ) -> Result<CertificateParams, PkiError> {
        let mut p = CertificateParams::new(sans.to_vec()).map_err(|source| PkiError::Issue {
            file: cn.to_string(),
            source,
        })?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn.push(DnType::OrganizationName, "gatehouse dev PKI");
        p.distinguished_name = dn;
        p.not_before = self.now - Duration::days(1);
        p.not_after = self.now + valid;
        p.serial_number = Some(self.next_serial());
        p.key_identifier_method = KeyIdMethod::Sha256;
        Ok(p)
    }

    /// A leaf `<name>.pem` (leaf, then `chain`) and `<name>.key`, unless both exist. Returns
    /// the serial it was issued with, when issued now.
    fn leaf(
        &mut self,
        name: &str,
        cn: &str,
        sans: &[String],
        eku: ExtendedKeyUsagePurpose,
        ca: &Ca,
        chain: &[&str],
    ) -> Result<Option<SerialNumber>, PkiError> {
        let (cert_file, key_file) = (format!("{name}.pem"), format!("{name}.key"));
        if self.exists(&cert_file) && self.exists(&key_file) {
            return Ok(None);
        }
        let mut p = self.params(cn, sans, Duration::days(365))?;
        p.extended_key_usages = vec![eku];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let serial = p.serial_number.clone();
        let key = new_key(&cert_file)?;
        let cert = p
            .signed_by(&key, &ca.issuer()?)
            .map_err(|source| PkiError::Issue {
                file: cert_file.clone(),
                source,
            })?;
        let mut pem = cert.pem();
        for c in chain {
            pem.push_str(c);
        }
        self.out.insert(cert_file, pem.into_bytes());
        self.out.insert(key_file, key.serialize_pem().into_bytes());
        Ok(serial)
    }

    fn put(&mut self, path: &str, bytes: Vec<u8>) {
        if !self.exists(path) {
            self.out.insert(path.to_string(), bytes);
        }
    }
}

fn new_key(file: &str) -> Result<KeyPair, PkiError> {
    KeyPair::generate().map_err(|source| PkiError::Issue {
        file: file.to_string(),
        source,
    })
}

fn time(now: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(now).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The whole PKI for these roles and backend hosts.
pub(super) fn init(
    roles: &BTreeMap<String, Role>,
    backend_hosts: &[String],
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    now: i64,
) -> Result<Files, PkiError> {
    let mut cx = Ctx {
        read,
        now: time(now),
        out: Files::new(),
        serial: 0,
    };
    let server_ca = cx.ca(SERVER_CA, "gatehouse dev server CA", None)?;
    let client_root = cx.ca(CLIENT_ROOT, "gatehouse dev client root CA", None)?;
    let client_issuing = cx.ca(
        CLIENT_ISSUING,
        "gatehouse dev client issuing CA",
        Some(&client_root),
    )?;
    let chain = format!("{}{}", client_issuing.cert_pem, client_root.cert_pem);
    cx.put("client-ca-chain.pem", chain.clone().into_bytes());
    cx.put(
        ".gitignore",
        b"# The dev PKI holds private keys: never commit it.\n*\n".to_vec(),
    );

    for (label, role) in roles {
        match role {
            Role::Server(hosts) => {
                let cn = hosts.first().cloned().unwrap_or_else(|| label.clone());
                cx.leaf(
                    label,
                    &cn,
                    hosts,
                    ExtendedKeyUsagePurpose::ServerAuth,
                    &server_ca,
                    &[],
                )?;
            }
            Role::Client => {
                cx.leaf(
                    label,
                    label,
                    &[],
                    ExtendedKeyUsagePurpose::ClientAuth,
                    &client_issuing,
                    &[&client_issuing.cert_pem],
                )?;
            }
            Role::ClientCaChain => cx.put(&format!("{label}.pem"), chain.clone().into_bytes()),
            Role::ClientRoot => cx.put(
                &format!("{label}.pem"),
                client_root.cert_pem.clone().into_bytes(),
            ),
            Role::ClientIssuing => cx.put(
                &format!("{label}.pem"),
                client_issuing.cert_pem.clone().into_bytes(),
            ),
            Role::ServerRoot => cx.put(
                &format!("{label}.pem"),
                server_ca.cert_pem.clone().into_bytes(),
            ),
        }
    }
    for host in backend_hosts {
        cx.leaf(
            &format!("backends/{host}"),
            host,
            std::slice::from_ref(host),
            ExtendedKeyUsagePurpose::ServerAuth,
            &server_ca,
            &[],
        )?;
    }

    // A partner that AppGW and API Management accept, and one whose certificate is revoked.
    cx.leaf(
        "client",
        "partner-client",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        &client_issuing,
        &[&client_issuing.cert_pem],
    )?;
    let revoked = cx.leaf(
        "revoked",
        "revoked-client",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        &client_issuing,
        &[&client_issuing.cert_pem],
    )?;
    if let Some(serial) = revoked {
        let crl = CertificateRevocationListParams {
            this_update: cx.now - Duration::days(1),
            next_update: cx.now + Duration::days(365),
            crl_number: cx.next_serial(),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: serial,
                revocation_time: cx.now - Duration::hours(1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&client_issuing.issuer()?)
        .map_err(|source| PkiError::Issue {
            file: String::from("clients.crl"),
            source,
        })?;
        let pem = crl.pem().map_err(|source| PkiError::Issue {
            file: String::from("clients.crl"),
            source,
        })?;
        cx.out.insert(String::from("clients.crl"), pem.into_bytes());
    }
    pfx_copies(&mut cx, roles)?;
    Ok(cx.out)
}

/// `<name>.pfx` of the partner client and of every server and client stand-in, with a
/// generated password each in `passwords.env` (`GATEHOUSE_PKI_<NAME>_PASSWORD=...`), for
/// topologies and tools that take PFX files.
fn pfx_copies(cx: &mut Ctx, roles: &BTreeMap<String, Role>) -> Result<(), PkiError> {
    let mut names: Vec<String> = vec![String::from("client")];
    names.extend(
        roles
            .iter()
            .filter(|(_, r)| matches!(r, Role::Server(_) | Role::Client))
            .map(|(l, _)| l.clone()),
    );
    let mut env = cx.text("passwords.env").unwrap_or_default();
    let mut added = false;
    for name in names {
        let pfx_file = format!("{name}.pfx");
        if cx.exists(&pfx_file) {
            continue;
        }
        let (Some(cert_pem), Some(key_pem)) = (
            cx.text(&format!("{name}.pem")),
            cx.text(&format!("{name}.key")),
        ) else {
            continue;
        };
        let password = password()?;
        let bytes = pfx(&cert_pem, &key_pem, &password).map_err(|reason| PkiError::Corrupt {
            file: format!("{name}.pem"),
            reason,
        })?;
        cx.out.insert(pfx_file, bytes);
        added = true;
        env.push_str(&format!(
            "GATEHOUSE_PKI_{}_PASSWORD={password}\n",
            name.to_ascii_uppercase().replace('-', "_")
        ));
    }
    if added {
        cx.out
            .insert(String::from("passwords.env"), env.into_bytes());
    }
    Ok(())
}

fn password() -> Result<String, PkiError> {
    let mut bytes = [0u8; 18];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).map_err(|_| {
        PkiError::Corrupt {
            file: String::from("passwords.env"),
            reason: String::from("the system random source failed"),
        }
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn pfx(cert_pem: &str, key_pem: &str, password: &str) -> Result<Vec<u8>, String> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let certs = pem::parse_many(cert_pem)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|p| Certificate::from_der(p.contents()).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let key = pem::parse(key_pem).map_err(|e| e.to_string())?;
    let key = PrivateKey::from_der(key.contents()).map_err(|e| e.to_string())?;
    let mut store = KeyStore::new();
    store.add_entry(
        "gatehouse",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(vec![1u8, 2, 3, 4], key, certs)),
    );
    store.writer(password).write().map_err(|e| e.to_string())
}

/// `pki client NAME`: another partner client certificate `clients/NAME.pem`/`.key`, issued
/// by the dev client CA of an existing PKI.
pub fn issue_client(
    name: &str,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    now: i64,
) -> Result<Files, PkiError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(PkiError::Name(name.to_string()));
    }
    let mut cx = Ctx {
        read,
        now: time(now),
        out: Files::new(),
        serial: 1000,
    };
    if !cx.exists(&format!("{CLIENT_ISSUING}.pem")) {
        return Err(PkiError::Corrupt {
            file: format!("{CLIENT_ISSUING}.pem"),
            reason: String::from("there is no dev PKI yet: run `gatehouse pki init` first"),
        });
    }
    let root = cx.ca(CLIENT_ROOT, "", None)?;
    let issuing = cx.ca(CLIENT_ISSUING, "", Some(&root))?;
    cx.leaf(
        &format!("clients/{name}"),
        name,
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        &issuing,
        &[&issuing.cert_pem],
    )?;
    Ok(cx.out)
}
