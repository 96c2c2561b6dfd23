//! Facts about one X.509 certificate, extracted with x509-parser.

use sha1::{Digest, Sha1};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::public_key::PublicKey;

/// Extended key usage, when the extension is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Eku {
    pub server_auth: bool,
    pub client_auth: bool,
    pub any: bool,
}

/// The public key's algorithm and strength.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    Rsa { bits: usize },
    Ec { curve: String, bits: usize },
    Other(String),
}

/// What the checks know about one certificate.
#[derive(Debug, Clone)]
pub struct X509Facts {
    /// Subject DN as APIM and AppGW print it (`CN=Contoso Partner CA, O=Contoso`).
    pub subject: String,
    pub issuer: String,
    pub common_name: Option<String>,
    /// Serial number, upper-case hex without separators.
    pub serial: String,
    /// SHA-1 thumbprint of the DER, upper-case hex, as APIM shows it.
    pub thumbprint: String,
    /// Validity in seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// `basicConstraints CA:TRUE`.
    pub is_ca: bool,
    pub path_len: Option<u32>,
    /// `keyCertSign` in key usage; `None` when there is no key usage extension.
    pub key_cert_sign: Option<bool>,
    /// `None` when there is no extended key usage extension (any use allowed).
    pub eku: Option<Eku>,
    /// Subject equals issuer.
    pub self_issued: bool,
    /// Self-issued and its signature verifies with its own key.
    pub self_signed: bool,
    pub key: KeyKind,
    /// Signature algorithm name, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`.
    pub signature_algorithm: String,
    /// DNS names of the subject alternative name extension.
    pub dns_names: Vec<String>,
    /// The DER encoding.
    pub der: Vec<u8>,
    /// The DER SubjectPublicKeyInfo, to compare keys and verify signatures.
    pub spki: Vec<u8>,
}

impl X509Facts {
    pub fn from_der(der: &[u8]) -> Result<X509Facts, String> {
        let (rest, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| format!("not a valid X.509 certificate ({e})"))?;
        if !rest.is_empty() {
            return Err(format!(
                "{} bytes of garbage follow the certificate",
                rest.len()
            ));
        }
        Ok(facts(&cert, der))
    }

    /// Whether the certificate allows server authentication (no EKU means any use).
    pub fn allows_server_auth(&self) -> bool {
        self.eku.is_none_or(|e| e.server_auth || e.any)
    }

    pub fn allows_client_auth(&self) -> bool {
        self.eku.is_none_or(|e| e.client_auth || e.any)
    }

    /// Whether `self` issued `child`: names match and the signature verifies with our key.
    pub fn issued(&self, child: &X509Facts) -> bool {
        if child.issuer != self.subject {
            return false;
        }
        let (Ok((_, parent)), Ok((_, cert))) = (
            x509_parser::parse_x509_certificate(&self.der),
            x509_parser::parse_x509_certificate(&child.der),
        ) else {
            return false;
        };
        cert.verify_signature(Some(parent.public_key())).is_ok()
    }

    /// Days from `now` until `notAfter` (negative when expired).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }
}

fn facts(cert: &X509Certificate<'_>, der: &[u8]) -> X509Facts {
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let common_name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let (is_ca, path_len) = match cert.basic_constraints() {
        Ok(Some(bc)) => (bc.value.ca, bc.value.path_len_constraint),
        _ => (false, None),
    };
    let key_cert_sign = match cert.key_usage() {
        Ok(Some(ku)) => Some(ku.value.key_cert_sign()),
        _ => None,
    };
    let eku = match cert.extended_key_usage() {
        Ok(Some(ext)) => Some(Eku {
            server_auth: ext.value.server_auth,
            client_auth: ext.value.client_auth,
            any: ext.value.any,
        }),
        _ => None,
    };
    let dns_names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let self_issued = subject == issuer;
    let self_signed = self_issued && cert.verify_signature(None).is_ok();
    let spki = cert.public_key();
    let key = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyKind::Rsa {
            bits: modulus_bits(rsa.modulus),
        },
        Ok(PublicKey::EC(point)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| curve_name(&oid.to_id_string()))
                .unwrap_or_else(|| "unknown".to_string());
            KeyKind::Ec {
                bits: point.key_size(),
                curve,
            }
        }
        _ => KeyKind::Other(spki.algorithm.algorithm.to_id_string()),
    };
    let sig_oid = &cert.signature_algorithm.algorithm;
    let signature_algorithm = x509_parser::oid_registry::OidRegistry::default()
        .with_all_crypto()
        .get(sig_oid)
        .map_or_else(|| sig_oid.to_id_string(), |e| e.sn().to_string());
    X509Facts {
        subject,
        issuer,
        common_name,
        serial: cert
            .raw_serial()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
            .trim_start_matches("00")
            .to_string(),
        thumbprint: Sha1::digest(der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        is_ca,
        path_len,
        key_cert_sign,
        eku,
        self_issued,
        self_signed,
        key,
        signature_algorithm,
        dns_names,
        der: der.to_vec(),
        spki: spki.raw.to_vec(),
    }
}

fn modulus_bits(modulus: &[u8]) -> usize {
    let trimmed: &[u8] = match modulus.iter().position(|b| *b != 0) {
        Some(i) => &modulus[i..],
        None => return 0,
    };
    (trimmed.len() - 1) * 8 + (8 - trimmed[0].leading_zeros() as usize)
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        other => other,
    }
    .to_string()
}
