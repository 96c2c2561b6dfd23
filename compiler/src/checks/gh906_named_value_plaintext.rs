//! GH906 named-value-plaintext.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{NamedValueSource, SecretText};

declare_check! {
    /// ## What it checks
    /// A named value that holds a secret (`secret = true`, or a value from `secret("NAME")`)
    /// is given its value directly instead of being Key Vault-backed. A secret written as a
    /// literal is GH901.
    /// ## Why
    /// API Management then stores the secret itself: it is copied into every deployment
    /// (Terraform state, Bicep parameters), cannot be rotated without a redeployment, and its
    /// access is not audited by Key Vault. A Key Vault named value is read by the instance's
    /// managed identity and refreshed after rotation. Also reported by PSRule
    /// Azure.APIM.EncryptValues (AZR-000045), which only asks that the value be secret.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   named_value "partner_key" {
    ///     value = secret("PARTNER_KEY")
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///
    ///     policy {
    ///       inbound {
    ///         set_header {
    ///           name   = "X-Partner-Key"
    ///           values = ["{{partner_key}}"]
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    ///
    /// identity "apim" {
    ///   type = "SystemAssigned"
    ///
    ///   role_assignment {
    ///     scope = key_vault.edge
    ///     role  = "Key Vault Secrets User"
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   identities      = [identity.apim]
    ///
    ///   named_value "partner_key" {
    ///     key_vault   = key_vault.edge
    ///     secret_name = "partner-key"
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///
    ///     policy {
    ///       inbound {
    ///         set_header {
    ///           name   = "X-Partner-Key"
    ///           values = ["{{partner_key}}"]
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH906", "named-value-plaintext", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for nv in &cx.model.named_values {
        let Some(NamedValueSource::Value(value)) = &nv.source else {
            continue;
        };
        let from_secret = matches!(value.value, SecretText::Secret(_));
        if !from_secret || !nv.secret.value {
            continue;
        }
        out.push(
            Diagnostic::new(
                &CODE,
                value.span,
                format!("secret named value `{}` is not kept in Key Vault", nv.decl.name),
            )
            .with_primary_message("API Management stores this secret itself")
            .with_help("replace `value` with `key_vault = key_vault.<name>` and `secret_name = \"...\"`, read by a managed identity of the instance")
            .with_address(nv.decl.address.clone())
            .with_trace(nv.decl.trace.clone()),
        );
    }
}
