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

certificate "gateway_tls" {
  key_vault   = key_vault.certs
  secret_name = "partners-gateway-tls"
  identity    = identity.apim
}

certificate "portal_tls" {
  key_vault   = key_vault.certs
  secret_name = "developer-portal-tls"
  identity    = identity.apim
}

# A user-assigned identity: created and granted before the instance, so the instance can read
# its hostname certificates in the same deployment that creates it (GH510).
identity "apim" {
  type = "UserAssigned"
  name = "id-contoso-partners-apim"

  role_assignment {
    scope = key_vault.certs
    role  = "Key Vault Secrets User"
  }
}

key_vault "certs" {
  name = "kv-contoso-partners"
}
