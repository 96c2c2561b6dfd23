//! `client` blocks: the known clients (partners) of the topology and the certificate file each
//! presents. Nothing is deployed for a client; the certificate is read by `certs/`.

use super::builder::Builder;
use super::*;
use crate::eval::Node;

/// A known client of the topology.
#[derive(Debug, Clone)]
pub struct Client {
    pub decl: Decl,
    /// PEM (leaf first, then the chain the client holds) or DER file, relative to the topology
    /// root; `None` when the attribute did not evaluate to a file (already reported).
    pub certificate: Option<Spanned<String>>,
    pub description: Option<String>,
}

impl Builder<'_> {
    pub(super) fn client(&mut self, node: &Node) {
        let client = Client {
            decl: self.decl(node),
            certificate: self.file(node, "certificate"),
            description: self.string(node, "description").map(|s| s.value),
        };
        self.model.clients.push(client);
    }
}
