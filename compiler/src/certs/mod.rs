//! Certificate inspection: the facts the checks need, read from every certificate the topology
//! names (PEM, DER, PKCS#12/PFX with its password, CA chain bundles, Key Vault local copies,
//! the certificates of known clients).
//!
//! [`inspect`] reads files through the [`World`] and never fails: a file that is corrupt, a PEM
//! without a certificate, a private key where a certificate is expected, a PFX with a wrong
//! password, each becomes a [`Problem`] on the attribute that named the file, which the checks
//! GH201 and GH202 report. Key Vault certificates without a `local_copy` are not inspected
//! (Azure is never called).

mod facts;
mod hosts;
mod read;

pub use facts::{Eku, KeyKind, X509Facts};
pub use hosts::{covers, matches_host};

use crate::model::{CertSource, CertificateId, ClientId, Model, SecretText};
use crate::source::Span;
use crate::syntax::World;

/// What was read for one `certificate` block.
#[derive(Debug, Clone, Default)]
pub struct CertFacts {
    /// The certificates in the order of the file (leaf first for PEM/PFX as written).
    pub chain: Vec<X509Facts>,
    /// Whether a private key came with the certificate (PFX key bag, or `private_key`).
    pub has_private_key: bool,
    /// `Some(false)` when the private key does not belong to the first certificate.
    pub key_matches: Option<bool>,
    /// Where the bytes came from (the attribute that named the file).
    pub span: Option<Span>,
    /// The file read, relative to the topology root.
    pub path: Option<String>,
    /// The format the file turned out to be in, when it could be read.
    pub format: Option<FileFormat>,
    pub problem: Option<Problem>,
}

/// The format of a certificate file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Pem,
    Der,
    Pkcs12,
}

impl CertFacts {
    /// The certificate itself (the first in the file).
    pub fn leaf(&self) -> Option<&X509Facts> {
        self.chain.first()
    }

    /// Whether the certificate could be read.
    pub fn inspected(&self) -> bool {
        !self.chain.is_empty()
    }
}

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a certificate at all, corrupt, or the wrong kind of PEM block (GH201).
    Unreadable { reason: String, help: String },
    /// A PFX that cannot be opened with the given password, or has no password (GH202).
    PfxUnopenable { reason: String, help: String },
}

/// Facts for every certificate, indexed like `model.certificates`, and for every known client,
/// indexed like `model.clients`.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub certs: Vec<CertFacts>,
    pub clients: Vec<CertFacts>,
}

impl Inventory {
    pub fn get(&self, id: CertificateId) -> &CertFacts {
        &self.certs[id.index()]
    }

    /// The certificate (and chain) a known client presents.
    pub fn client(&self, id: ClientId) -> &CertFacts {
        &self.clients[id.index()]
    }
}

/// Reads every certificate of the model.
pub fn inspect(model: &Model, world: &dyn World) -> Inventory {
    let certs = model
        .certificates
        .iter()
        .map(|cert| {
            let password = cert.password.as_ref().map(|p| match &p.value {
                SecretText::Secret(s) => s.expose().to_string(),
                SecretText::Literal(l) => l.clone(),
            });
            let (format, file) = match &cert.source {
                Some(CertSource::Pem(f)) => (read::Format::Pem, f),
                Some(CertSource::CaChain(f)) => (read::Format::Pem, f),
                Some(CertSource::Der(f)) => (read::Format::Der, f),
                Some(CertSource::Pfx(f)) => (read::Format::Pfx, f),
                Some(CertSource::KeyVault(_)) => match &cert.local_copy {
                    Some(f) => (read::Format::Guess, f),
                    None => return CertFacts::default(),
                },
                None => return CertFacts::default(),
            };
            let key_file = cert.private_key.as_ref().map(|k| k.value.as_str());
            let mut facts = read::read(world, &file.value, format, password.as_deref(), key_file);
            facts.span = Some(file.span);
            facts.path = Some(file.value.clone());
            facts
        })
        .collect();
    let clients = model
        .clients
        .iter()
        .map(|client| {
            let Some(file) = &client.certificate else {
                return CertFacts::default();
            };
            let mut facts = read::read(world, &file.value, read::Format::PemOrDer, None, None);
            facts.span = Some(file.span);
            facts.path = Some(file.value.clone());
            facts
        })
        .collect();
    Inventory { certs, clients }
}
