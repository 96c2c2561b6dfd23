# An API Management backend that APIM calls with mutual TLS: the client certificate APIM
# presents, the backend entity that names it, and the backend's TLS validation. The backend
# setting alone is declarative only: APIM sends the certificate only where an
# `authentication_certificate` policy names it, so the APIs using this backend must have one
# (the `client_certificate` output; GH401 reports an API that forgets it). Chain and name
# validation stay on; a backend whose chain ends in a private root needs that root in the
# instance's CA store (GH403), not validation switched off. Both blocks deploy under names
# made from the `name` input, so two calls on one instance do not collide (GH104).

variable "api_management" {
  type        = api_management
  description = "The instance the backend is added to."
}

variable "name" {
  type        = string
  description = "Azure name of the backend (the `backend-id` policies name); its client certificate is `<name>_client` in the instance's certificate store. Unique per instance: give each call its own (GH104)."
}

variable "url" {
  type        = string
  description = "Runtime URL of the backend, `https://...`."
}

variable "description" {
  type        = string
  default     = null
  description = "Free text on the backend."
}

variable "key_vault" {
  type        = key_vault
  description = "Vault that holds the client certificate (with its private key)."
}

variable "secret_name" {
  type        = string
  description = "Name of the client certificate in the vault."
}

variable "identity" {
  type        = identity
  description = "Identity that reads the client certificate; it must be one of the instance's `identities` and may read the vault."
}

variable "validate_certificate_chain" {
  type        = bool
  default     = true
  description = "Validate the backend's certificate chain."
}

variable "validate_certificate_name" {
  type        = bool
  default     = true
  description = "Validate the backend's certificate name against the URL's host."
}

variable "server_certificate" {
  type        = certificate
  default     = null
  description = "The certificate the backend serves, when a copy is at hand: lets the checks test the chain and name."
}

certificate "mtls_client" {
  name        = "${var.name}_client"
  key_vault   = var.key_vault
  secret_name = var.secret_name
  identity    = var.identity
  description = "Client certificate API Management presents to the backend."
}

backend "mtls" {
  name                       = var.name
  api_management             = var.api_management
  url                        = var.url
  description                = var.description
  client_certificate         = certificate.mtls_client
  validate_certificate_chain = var.validate_certificate_chain
  validate_certificate_name  = var.validate_certificate_name
  server_certificate         = var.server_certificate
}

output "backend" {
  value       = backend.mtls
  description = "The backend, for an API's `backend`."
}

output "client_certificate" {
  value       = certificate.mtls_client
  description = "The client certificate: name it in the API's `authentication_certificate` policy."
}
