//! Reading certificate files: PEM (one or a bundle), DER, PKCS#12, with the private key when one
//! comes with the certificate.

use super::{CertFacts, FileFormat, Problem, X509Facts};
use crate::syntax::World;
use x509_parser::pem::Pem;

/// The format an attribute promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Pem,
    Der,
    Pfx,
    /// A Key Vault local copy: PEM, DER or PFX.
    Guess,
    /// A known client's certificate: PEM or DER, no key needed.
    PemOrDer,
}

fn unreadable(reason: impl Into<String>, help: impl Into<String>) -> CertFacts {
    CertFacts {
        problem: Some(Problem::Unreadable {
            reason: reason.into(),
            help: help.into(),
        }),
        ..CertFacts::default()
    }
}

pub(super) fn read(
    world: &dyn World,
    path: &str,
    format: Format,
    password: Option<&str>,
    key_file: Option<&str>,
) -> CertFacts {
    let bytes = match world.read(path) {
        Ok(bytes) => bytes,
        Err(err) => return unreadable(format!("cannot read `{path}`: {err}"), "check the path"),
    };
    let looks_pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    let mut facts = match (format, looks_pem) {
        (Format::Pem, _) | (Format::Guess | Format::PemOrDer, true) => read_pem(&bytes, path, format),
        (Format::Der, true) => unreadable(
            format!("`{path}` is PEM, not DER"),
            format!("write `pem = file(\"{path}\")` instead of `der`"),
        ),
        (Format::Der, false) => read_der(&bytes, path),
        (Format::Pfx, true) => unreadable(
            format!("`{path}` is PEM, not PKCS#12"),
            format!("write `pem = file(\"{path}\")` (and `private_key`) instead of `pfx`"),
        ),
        (Format::Pfx, false) => read_pfx(&bytes, path, password),
        (Format::Guess, false) => match X509Facts::from_der(&bytes) {
            Ok(cert) => CertFacts {
                chain: vec![cert],
                format: Some(FileFormat::Der),
                ..CertFacts::default()
            },
            Err(_) => read_pfx(&bytes, path, password),
        },
        (Format::PemOrDer, false) => match X509Facts::from_der(&bytes) {
            Ok(cert) => CertFacts {
                chain: vec![cert],
                format: Some(FileFormat::Der),
                ..CertFacts::default()
            },
            Err(err) => unreadable(
                format!("`{path}` is neither PEM nor a DER certificate: {err}"),
                "name a PEM file with the client's certificate first, then the chain it holds, or a DER (`.cer`) file",
            ),
        },
    };
    if let (Some(key_path), Some(leaf)) = (key_file, facts.chain.first()) {
        match world.read(key_path) {
            Ok(key_bytes) => match pem_private_key(&key_bytes) {
                Some((label, der)) => {
                    facts.has_private_key = true;
                    facts.key_matches = key_matches(&label, &der, &leaf.spki);
                }
                None => {
                    return unreadable(
                        format!("`{key_path}` holds no PEM private key"),
                        "name a PEM file with a `PRIVATE KEY` block in `private_key`",
                    )
                }
            },
            Err(err) => {
                return unreadable(format!("cannot read `{key_path}`: {err}"), "check the path")
            }
        }
    }
    facts
}

fn read_pem(bytes: &[u8], path: &str, format: Format) -> CertFacts {
    let mut chain = Vec::new();
    let mut has_key = false;
    let mut labels = Vec::new();
    for (index, block) in Pem::iter_from_buffer(bytes).enumerate() {
        let block = match block {
            Ok(block) => block,
            Err(err) => {
                return unreadable(
                    format!("PEM block {} of `{path}` is corrupt ({err})", index + 1),
                    "re-export the file; each block must be base64 between BEGIN and END lines",
                )
            }
        };
        match block.label.as_str() {
            "CERTIFICATE" => match X509Facts::from_der(&block.contents) {
                Ok(cert) => chain.push(cert),
                Err(err) => {
                    return unreadable(
                        format!("certificate {} of `{path}` is corrupt: {err}", index + 1),
                        "re-export the certificate",
                    )
                }
            },
            label if label.contains("PRIVATE KEY") => has_key = true,
            label => labels.push(label.to_string()),
        }
    }
    if chain.is_empty() {
        let (reason, help) = if has_key {
            (
                format!("`{path}` holds a private key, not a certificate"),
                if format == Format::PemOrDer {
                    "name the client's certificate file here; a client needs no private key"
                } else {
                    "name the certificate file here; a PEM key goes in `private_key`"
                },
            )
        } else if let Some(label) = labels.first() {
            (
                format!("`{path}` holds a `{label}` PEM block, not a certificate"),
                "name a file with `-----BEGIN CERTIFICATE-----` blocks",
            )
        } else {
            (
                format!("`{path}` holds no PEM certificate"),
                "name a file with `-----BEGIN CERTIFICATE-----` blocks",
            )
        };
        return unreadable(reason, help);
    }
    CertFacts {
        chain,
        has_private_key: has_key,
        format: Some(FileFormat::Pem),
        ..CertFacts::default()
    }
}

fn read_der(bytes: &[u8], path: &str) -> CertFacts {
    match X509Facts::from_der(bytes) {
        Ok(cert) => CertFacts {
            chain: vec![cert],
            format: Some(FileFormat::Der),
            ..CertFacts::default()
        },
        Err(err) => unreadable(
            format!("`{path}` is not a DER certificate: {err}"),
            "name a `.cer`/`.der` certificate file, or use `pfx` for PKCS#12",
        ),
    }
}

fn read_pfx(bytes: &[u8], path: &str, password: Option<&str>) -> CertFacts {
    let Some(password) = password else {
        return CertFacts {
            problem: Some(Problem::PfxUnopenable {
                reason: format!("`{path}` is PKCS#12 but no `password` is given"),
                help: "add `password = secret(\"<ENV_NAME>\")`".to_string(),
            }),
            ..CertFacts::default()
        };
    };
    let store = match p12_keystore::KeyStore::from_pkcs12(
        bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    ) {
        Ok(store) => store,
        Err(p12_keystore::error::Error::MacError(_)) => {
            return CertFacts {
                problem: Some(Problem::PfxUnopenable {
                    reason: format!("`{path}` cannot be opened with the given password"),
                    help: "set the password the PFX was exported with".to_string(),
                }),
                ..CertFacts::default()
            }
        }
        Err(err) => {
            return unreadable(
                format!("`{path}` is not a readable PKCS#12 file: {err}"),
                "re-export the certificate as PFX with its chain and key",
            )
        }
    };
    let mut chain = Vec::new();
    let mut matches = None;
    let mut has_key = false;
    if let Some((_, keychain)) = store.private_key_chain() {
        has_key = true;
        for cert in keychain.certs() {
            if let Ok(facts) = X509Facts::from_der(cert.as_der()) {
                chain.push(facts);
            }
        }
        if let Some(leaf) = chain.first() {
            matches = key_matches("PRIVATE KEY", keychain.key().as_der(), &leaf.spki);
        }
    }
    for (_, entry) in store.entries() {
        if let p12_keystore::KeyStoreEntry::Certificate(cert) = entry {
            if let Ok(facts) = X509Facts::from_der(cert.as_der()) {
                if !chain.iter().any(|c| c.thumbprint == facts.thumbprint) {
                    chain.push(facts);
                }
            }
        }
    }
    if chain.is_empty() {
        return unreadable(
            format!("`{path}` holds no certificate"),
            "export the PFX with its certificate",
        );
    }
    CertFacts {
        chain,
        has_private_key: has_key,
        key_matches: matches,
        format: Some(FileFormat::Pkcs12),
        ..CertFacts::default()
    }
}

fn pem_private_key(bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    Pem::iter_from_buffer(bytes)
        .filter_map(Result::ok)
        .find(|b| b.label.contains("PRIVATE KEY"))
        .map(|b| (b.label, b.contents))
}

/// Whether a private key (PKCS#8, or PKCS#1 RSA) belongs to the public key `spki`; `None` when
/// the key's format is not one ring reads (e.g. SEC1 EC keys, encrypted keys).
fn key_matches(label: &str, der: &[u8], spki: &[u8]) -> Option<bool> {
    use ring::signature::{self, KeyPair};
    let (_, info) =
        <x509_parser::x509::SubjectPublicKeyInfo as x509_parser::prelude::FromDer<_>>::from_der(
            spki,
        )
        .ok()?;
    let public = info.subject_public_key.data.as_ref();
    let rsa = match label {
        "RSA PRIVATE KEY" => signature::RsaKeyPair::from_der(der).ok(),
        "PRIVATE KEY" => signature::RsaKeyPair::from_pkcs8(der).ok(),
        _ => None,
    };
    if let Some(pair) = rsa {
        return Some(pair.public().as_ref() == public);
    }
    if label != "PRIVATE KEY" {
        return None;
    }
    let rng = ring::rand::SystemRandom::new();
    for alg in [
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
    ] {
        if let Ok(pair) = signature::EcdsaKeyPair::from_pkcs8(alg, der, &rng) {
            return Some(pair.public_key().as_ref() == public);
        }
    }
    if let Ok(pair) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        return Some(pair.public_key().as_ref() == public);
    }
    None
}
