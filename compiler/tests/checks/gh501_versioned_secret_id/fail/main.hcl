# UP#38 (docs PR #86115): a certificate pinned to one secret version is never refreshed after
# the certificate is renewed in Key Vault.
certificate "gateway_tls" {
  key_vault      = key_vault.edge
  secret_name    = "gateway-tls"
  secret_version = "3f1c0a6e9b2d4c8e8f7a6b5c4d3e2f10"
}

key_vault "edge" {
  name = "kv-contoso-edge"
}

identity "apim" {
  type = "SystemAssigned"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
  identities      = [identity.apim]
  two_phase_hostnames = true

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "api.contoso.com"
    certificate = certificate.gateway_tls
  }
}
