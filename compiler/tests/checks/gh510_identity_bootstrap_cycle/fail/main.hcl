# UP#22/#23/#28: the instance's system-assigned identity is granted Key Vault access in the
# same deployment that creates the instance with a Key Vault hostname certificate.
certificate "gateway_tls" {
  key_vault   = key_vault.edge
  secret_name = "gateway-tls"
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

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "api.contoso.com"
    certificate = certificate.gateway_tls
  }
}
