# A certificate kept in Key Vault and the managed identity that reads it, with the RBAC role
# that lets it: API Management and Application Gateway fetch the certificate from the vault
# themselves, so whoever reads it needs the grant before the first deployment that uses it.
# The secret is referenced without a version, so Azure picks up every rotation.

variable "key_vault" {
  type        = key_vault
  description = "The vault (Azure RBAC permission model) that holds the certificate."
}

variable "secret_name" {
  type        = string
  description = "Name of the Key Vault certificate (its secret), e.g. `gateway-tls`."
}

variable "content_type" {
  type        = string
  default     = null
  description = "Content type of the secret when known: `application/x-pkcs12` is what APIM and AppGW read."
}

variable "local_copy" {
  type        = any
  default     = null
  description = "`file(...)` of a local copy (PEM, DER or PFX), so that gatehouse can inspect the certificate."
}

variable "identity_type" {
  type        = string
  default     = "UserAssigned"
  description = "`UserAssigned` (needed by Application Gateway), or `SystemAssigned` for the instance that lists the identity."
}

variable "identity_name" {
  type        = string
  default     = null
  description = "Azure name of a user-assigned identity (leave out for `SystemAssigned`)."
}

variable "role" {
  type        = string
  default     = "Key Vault Secrets User"
  description = "Role granted on the vault; certificates are read as secrets, so `Key Vault Secrets User`."
}

variable "certificate_name" {
  type        = string
  default     = null
  description = "Azure name of the certificate where Azure needs one (default `this`): give each call used by one gateway or instance its own."
}

variable "description" {
  type        = string
  default     = null
  description = "Free text on the certificate."
}

identity "reader" {
  type = var.identity_type
  name = var.identity_name

  role_assignment {
    scope = var.key_vault
    role  = var.role
  }
}

certificate "this" {
  name         = var.certificate_name
  key_vault    = var.key_vault
  secret_name  = var.secret_name
  content_type = var.content_type
  identity     = identity.reader
  local_copy   = var.local_copy
  description  = var.description
}

output "certificate" {
  value       = certificate.this
  description = "The certificate, for a listener or hostname `certificate`."
}

output "identity" {
  value       = identity.reader
  description = "The identity that reads it: list it in `identities` or set it as the gateway's `identity`."
}
