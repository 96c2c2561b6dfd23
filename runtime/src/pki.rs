//! Reading certificate, key and CRL files, and the facts policies and logs read from a certificate.
//!
//! Every error names the file it came from. Facts are formatted the way Azure shows them: APIM's
//! `X509Certificate2` properties (upper-case hex thumbprint, .NET distinguished names) and AppGW's
//! `client_certificate*` server variables (URL-encoded PEM on one line).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls_pki_types::pem::PemObject;
use x509_parser::prelude::*;

use crate::error::LoadError;

/// Reads a file, naming it on failure.
pub fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// All certificates in a PEM file, in file order.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, LoadError> {
    let bytes = read(path)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e.to_string()))?;
    if certs.is_empty() {
        return Err(pem_error(path, "no CERTIFICATE block".into()));
    }
    for cert in &certs {
        X509Certificate::from_der(cert)
            .map_err(|e| pem_error(path, format!("not a certificate: {e}")))?;
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, LoadError> {
    let bytes = read(path)?;
    PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| pem_error(path, format!("no usable private key: {e}")))
}

/// A certificate chain with its key, checked to belong together.
pub fn load_certified_key(
    cert_path: &Path,
    key_path: &Path,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<Arc<rustls::sign::CertifiedKey>, LoadError> {
    let chain = load_certs(cert_path)?;
    let key = load_key(key_path)?;
    let certified = rustls::sign::CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        LoadError::KeyMismatch {
            cert: cert_path.to_path_buf(),
            key: key_path.to_path_buf(),
            message: e.to_string(),
        }
    })?;
    Ok(Arc::new(certified))
}

/// CRLs from a PEM (`X509 CRL` blocks) or DER file.
pub fn load_crls(path: &Path) -> Result<Vec<webpki::CertRevocationList<'static>>, LoadError> {
    let bytes = read(path)?;
    let ders: Vec<Vec<u8>> = if bytes.starts_with(b"-----") {
        CertificateRevocationListDer::pem_slice_iter(&bytes)
            .map(|r| r.map(|d| d.as_ref().to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| LoadError::Crl {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?
    } else {
        vec![bytes]
    };
    if ders.is_empty() {
        return Err(LoadError::Crl {
            path: path.to_path_buf(),
            message: "no X509 CRL block".into(),
        });
    }
    ders.iter()
        .map(|der| {
            webpki::OwnedCertRevocationList::from_der(der)
                .map(webpki::CertRevocationList::from)
                .map_err(|e| LoadError::Crl {
                    path: path.to_path_buf(),
                    message: format!("{e:?}"),
                })
        })
        .collect()
}

fn pem_error(path: &Path, message: String) -> LoadError {
    LoadError::Pem {
        path: path.to_path_buf(),
        message,
    }
}

/// Resolves a config path against the config file's directory.
pub fn resolve(base: &Path, file: &str) -> PathBuf {
    base.join(file)
}

/// What a policy, a rewrite or a log line can read from a certificate.
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub der: Vec<u8>,
    /// SHA-1 of the DER, upper-case hex (APIM `Thumbprint`, AppGW `client_certificate_fingerprint`).
    pub thumbprint: String,
    /// .NET form, most specific first: `CN=client, O=Contoso`.
    pub subject: String,
    pub issuer: String,
    pub common_name: Option<String>,
    pub dns_names: Vec<String>,
    /// Upper-case hex, no separators (APIM `SerialNumber`).
    pub serial: String,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    pub raw_subject: Vec<u8>,
    pub raw_issuer: Vec<u8>,
    pub is_ca: bool,
    url_encoded_pem: std::sync::OnceLock<String>,
}

impl CertFacts {
    pub fn parse(der: &[u8]) -> Option<CertFacts> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_string);
        let dns_names = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|san| {
                san.value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DNSName(d) => Some(d.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(CertFacts {
            der: der.to_vec(),
            thumbprint: thumbprint(der),
            subject: dotnet_name(cert.subject()),
            issuer: dotnet_name(cert.issuer()),
            common_name,
            dns_names,
            serial: hex_upper(cert.raw_serial()),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            raw_subject: cert.subject().as_raw().to_vec(),
            raw_issuer: cert.issuer().as_raw().to_vec(),
            is_ca: cert.is_ca(),
            url_encoded_pem: std::sync::OnceLock::new(),
        })
    }

    /// Self-signed: the subject issued it (a root).
    pub fn is_self_issued(&self) -> bool {
        self.raw_subject == self.raw_issuer
    }

    /// PEM of the certificate, URL-encoded on one line, as AppGW's `{var_client_certificate}`.
    /// Computed once per connection: every request on it forwards the same value.
    pub fn url_encoded_pem(&self) -> &str {
        self.url_encoded_pem
            .get_or_init(|| url_encode(&pem(&self.der)))
    }
}

pub fn thumbprint(der: &[u8]) -> String {
    hex_upper(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref())
}

pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A certificate as PEM with 64-column base64 lines and a trailing newline.
pub fn pem(der: &[u8]) -> String {
    let b64 = base64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Percent-encoding as AppGW applies it to `client_certificate`: everything but unreserved
/// characters (so `%20` for space, `%0A` for newline, `%2B %2F %3D` for `+ / =`).
pub fn url_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// A distinguished name as .NET's `X500DistinguishedName.Name`: RDNs most specific first,
/// `, ` between them, values with special characters quoted.
pub fn dotnet_name(name: &X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for rdn in name.iter() {
        for attr in rdn.iter() {
            let key = attribute_key(&attr.attr_type().to_id_string());
            let value = attr
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|_| hex_upper(attr.as_slice()));
            let needs_quotes = value.contains([',', '+', '=', '"', '<', '>', '#', ';'])
                || value.starts_with(' ')
                || value.ends_with(' ');
            if needs_quotes {
                parts.push(format!("{key}=\"{}\"", value.replace('"', "\"\"")));
            } else {
                parts.push(format!("{key}={value}"));
            }
        }
    }
    parts.reverse();
    parts.join(", ")
}

fn attribute_key(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN".into(),
        "2.5.4.6" => "C".into(),
        "2.5.4.7" => "L".into(),
        "2.5.4.8" => "S".into(),
        "2.5.4.9" => "STREET".into(),
        "2.5.4.10" => "O".into(),
        "2.5.4.11" => "OU".into(),
        "2.5.4.5" => "SERIALNUMBER".into(),
        "1.2.840.113549.1.9.1" => "E".into(),
        "0.9.2342.19200300.100.1.25" => "DC".into(),
        other => format!("OID.{other}"),
    }
}

/// Compares two DN strings the way users write them: case-insensitive, spaces around `,` and `=`
/// ignored.
pub fn same_dn(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        s.split(',')
            .map(|part| {
                part.split('=')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("=")
                    .to_ascii_lowercase()
            })
            .collect::<Vec<_>>()
            .join(",")
    }
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn url_encodes_like_appgw() {
        assert_eq!(
            url_encode("-----BEGIN CERTIFICATE-----\nA+/=\n"),
            "-----BEGIN%20CERTIFICATE-----%0AA%2B%2F%3D%0A"
        );
    }

    #[test]
    fn dn_comparison_ignores_case_and_spacing() {
        assert!(same_dn("CN=client, O=Contoso", "cn=client,o=contoso"));
        assert!(!same_dn("CN=client, O=Contoso", "CN=other, O=Contoso"));
    }
}
