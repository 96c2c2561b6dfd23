# Broken on purpose: the gateway hostname's certificate is pinned to one Key Vault secret
# version. Azure then keeps serving that version after the certificate is renewed in the vault,
# until it expires.

deployment {
  name           = "contoso-broken"
  location       = "northeurope"
  resource_group = "rg-contoso-broken"
}

certificate "gateway_tls" {
  key_vault      = key_vault.certs
  secret_name    = "partners-gateway-tls"
  secret_version = "3f1c7a2be9d04c6f8e5b1a2c3d4e5f60"
  identity       = identity.apim
}

identity "apim" {
  type = "UserAssigned"
  name = "id-contoso-broken-apim"

  role_assignment {
    scope = key_vault.certs
    role  = "Key Vault Secrets User"
  }
}

key_vault "certs" {
  name = "kv-contoso-broken"
}

api_management "partners" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "integration@contoso.com"
  identities      = [identity.apim]

  hostname "partners" {
    type                = "Proxy"
    host_name           = "partners.contoso.com"
    certificate         = certificate.gateway_tls
    identity            = identity.apim
    default_ssl_binding = true
  }
}
