certificate "gateway_tls" {
  key_vault   = key_vault.edge
  secret_name = "gateway-tls"
}

certificate "partners_tls" {
  key_vault   = key_vault.edge
  secret_name = "partners-tls"
}

key_vault "edge" {
  name = "kv-contoso-edge"
}

identity "apim_reader" {
  type = "UserAssigned"
  name = "id-contoso-apim-reader"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
  identities      = [identity.apim_reader]

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "api.contoso.com"
    certificate = certificate.gateway_tls
    identity    = identity.apim_reader
  }

  hostname "partners" {
    type        = "Proxy"
    host_name   = "partners.contoso.com"
    certificate = certificate.partners_tls
    identity    = identity.apim_reader
  }
}
