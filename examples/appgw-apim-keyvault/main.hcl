# Application Gateway (WAF_v2) terminates mutual TLS for partners and forwards the verified
# client certificate to API Management in a header; APIM validates that header. Every server
# certificate lives in Key Vault and is read by managed identities.

deployment {
  name           = "contoso-edge"
  location       = "westeurope"
  resource_group = "rg-contoso-edge"
  tags = {
    owner = "platform-team"
    env   = var.environment
  }
}

variable "environment" {
  type        = string
  default     = "prod"
  description = "Environment name, used in tags and host names."
}

locals {
  api_host     = "api.contoso.com"
  gateway_host = "gw-${var.environment}.contoso.internal"
  cert_header  = "X-ARR-ClientCert"
}

certificate "partner_ca" {
  ca_chain    = file("certs/partner-ca-chain.pem")
  description = "Root and issuing CA of partner client certificates."
}

certificate "edge_tls" {
  key_vault   = key_vault.edge
  secret_name = "edge-tls"
  identity    = identity.appgw
}

certificate "gateway_tls" {
  key_vault   = key_vault.edge
  secret_name = "gateway-tls"
  identity    = identity.apim
}

output "partner_api_url" {
  value = "https://${local.api_host}/${module.orders.path}"
}
