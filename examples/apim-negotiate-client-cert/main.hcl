# API Management alone, without Application Gateway: partners call a dedicated gateway hostname
# that negotiates client certificates; the developer portal has its own hostname, which never
# asks for one (a shared hostname would make every portal visitor's browser prompt).

deployment {
  name           = "contoso-partners"
  location       = "northeurope"
  resource_group = "rg-contoso-partners"
  tags = {
    owner = "integration-team"
  }
}

variable "partner_issuer" {
  type        = string
  default     = "CN=Contoso Partner Issuing CA"
  description = "Issuer DN of accepted partner client certificates."
}

certificate "partner_root" {
  der         = file("certs/partner-root-ca.der")
  description = "Self-signed root of the partner PKI (not publicly trusted)."
}

certificate "partner_issuing" {
  pem = file("certs/partner-issuing-ca.pem")
}

# The gateway hostname's certificate and the user-assigned identity that reads it, granted
# Key Vault Secrets User: created and granted before the instance, so the instance can read
# its hostname certificates in the same deployment that creates it (GH510).
module "apim_certs" {
  source        = "../../modules/key-vault-certificate"
  key_vault     = key_vault.certs
  secret_name   = "partners-gateway-tls"
  identity_name = "id-contoso-partners-apim"
}

# The portal's certificate, read by the same identity.
certificate "portal_tls" {
  key_vault   = key_vault.certs
  secret_name = "developer-portal-tls"
  identity    = module.apim_certs.identity
}

key_vault "certs" {
  name = "kv-contoso-partners"
}
