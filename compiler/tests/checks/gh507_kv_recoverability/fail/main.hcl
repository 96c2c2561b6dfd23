# UP#43 (docs #102784): a deleted certificate behind an APIM custom domain made the instance
# unusable until it was restored; without purge protection it can be gone for good.
certificate "gateway_tls" {
  key_vault   = key_vault.edge
  secret_name = "gateway-tls"
}

key_vault "edge" {
  name             = "kv-contoso-edge"
  purge_protection = false
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
