//! `certificate` blocks: where a certificate's bytes come from (a file or a Key Vault secret).

use super::builder::Builder;
use super::*;
use crate::diagnostics::codes;
use crate::eval::{Node, Secret};

/// A certificate declared by the topology.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub decl: Decl,
    /// The `name` written on the block; without one Azure gets the label (see
    /// [`Certificate::apim_name`] and [`Certificate::gateway_name`]).
    pub azure_name: Option<Spanned<String>>,
    /// `None` when the block names no valid source (already reported).
    pub source: Option<CertSource>,
    /// PEM private key for a `pem` certificate.
    pub private_key: Option<Spanned<String>>,
    /// PFX password.
    pub password: Option<Spanned<SecretText>>,
    /// Identity that reads the Key Vault secret.
    pub identity: Option<Ref<IdentityId>>,
    /// Local stand-in for a Key Vault certificate, for inspection.
    pub local_copy: Option<Spanned<String>>,
    pub description: Option<String>,
}

impl Certificate {
    /// The name of the certificate in an API Management instance's certificate store, the
    /// `certificate-id` policies name: its `name`, else its label.
    pub fn apim_name(&self) -> &str {
        self.azure_name
            .as_ref()
            .map_or(self.decl.name.as_str(), |n| n.value.as_str())
    }

    /// The name of the certificate in an Application Gateway (`ssl_certificate`,
    /// `trusted_client_certificate`, `trusted_root_certificate`): its `name`, else its label
    /// with `_` as `-`, as every gateway child is named.
    pub fn gateway_name(&self) -> String {
        self.azure_name
            .as_ref()
            .map_or_else(|| gateway_name(&self.decl.name), |n| n.value.clone())
    }

    /// Where the Azure name comes from: the `name` attribute, else the label.
    pub fn azure_name_span(&self) -> Span {
        self.azure_name
            .as_ref()
            .map_or(self.decl.name_span, |n| n.span)
    }
}

/// Where the certificate comes from. File paths are relative to the topology root.
#[derive(Debug, Clone)]
pub enum CertSource {
    Pem(Spanned<String>),
    Der(Spanned<String>),
    Pfx(Spanned<String>),
    CaChain(Spanned<String>),
    KeyVault(KeyVaultSecret),
}

impl CertSource {
    /// The file the certificate is read from, if any.
    pub fn file(&self) -> Option<&Spanned<String>> {
        match self {
            CertSource::Pem(f)
            | CertSource::Der(f)
            | CertSource::Pfx(f)
            | CertSource::CaChain(f) => Some(f),
            CertSource::KeyVault(_) => None,
        }
    }
}

/// A certificate held as a Key Vault secret.
#[derive(Debug, Clone)]
pub struct KeyVaultSecret {
    pub vault: Ref<KeyVaultId>,
    pub secret_name: Spanned<String>,
    /// A pinned version: Azure then never picks up a rotation.
    pub secret_version: Option<Spanned<String>>,
    /// The secret's content type, when the topology states it (`application/x-pkcs12`).
    pub content_type: Option<Spanned<String>>,
}

/// A secret attribute: from `secret()` or a sensitive variable, or (wrongly) a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretText {
    Secret(Secret),
    Literal(String),
}

impl Builder<'_> {
    pub(super) fn certificate(&mut self, node: &Node) {
        let source = match self.exactly_one(
            node,
            &["pem", "der", "pfx", "ca_chain", "key_vault"],
            "exactly one certificate source",
        ) {
            Some("pem") => self.file(node, "pem").map(CertSource::Pem),
            Some("der") => self.file(node, "der").map(CertSource::Der),
            Some("pfx") => self.file(node, "pfx").map(CertSource::Pfx),
            Some("ca_chain") => self.file(node, "ca_chain").map(CertSource::CaChain),
            Some(_) => self.key_vault_secret(node),
            None => None,
        };
        self.only_with(node, "password", "pfx");
        self.only_with(node, "private_key", "pem");
        self.only_with(node, "secret_name", "key_vault");
        self.only_with(node, "secret_version", "key_vault");
        self.only_with(node, "content_type", "key_vault");
        self.only_with(node, "local_copy", "key_vault");
        let certificate = Certificate {
            decl: self.decl(node),
            azure_name: self.string(node, "name"),
            source,
            private_key: self.file(node, "private_key"),
            password: self.secret(node, "password"),
            identity: self.reference(node, "identity"),
            local_copy: self.file(node, "local_copy"),
            description: self.string(node, "description").map(|s| s.value),
        };
        self.model.certificates.push(certificate);
    }

    fn key_vault_secret(&mut self, node: &Node) -> Option<CertSource> {
        let vault = self.reference(node, "key_vault");
        let Some(secret_name) = self.string(node, "secret_name") else {
            self.error(
                node,
                &codes::MISSING_REQUIRED,
                node.ident_span,
                format!("`{}` names a Key Vault but no `secret_name`", node.address),
                "add `secret_name = \"<name of the secret holding the certificate>\"`".to_string(),
            );
            return None;
        };
        Some(CertSource::KeyVault(KeyVaultSecret {
            vault: vault?,
            secret_name,
            secret_version: self.string(node, "secret_version"),
            content_type: self.string(node, "content_type"),
        }))
    }

    /// Reports `attr` when it is set without `requires`.
    pub(super) fn only_with(&mut self, node: &Node, attr: &str, requires: &str) {
        let Some(a) = node.attr(attr) else { return };
        if node.attr(requires).is_none() && !node.failed.contains(&requires) {
            self.error(
                node,
                &codes::CONFLICTING_ATTRIBUTES,
                a.key_span,
                format!("`{attr}` is only meaningful with `{requires}`"),
                format!("remove `{attr}`, or set `{requires}`"),
            );
        }
    }
}
