# Broken on purpose: the backend names a client certificate, but no policy sends it. A
# backend's `client_certificate` is declarative only: API Management presents a certificate
# only where an `authentication-certificate` policy says so, so the backend never receives one
# and rejects the handshake (or answers 401/403).

deployment {
  name           = "contoso-broken"
  location       = "westeurope"
  resource_group = "rg-contoso-broken"
}

identity "apim" {
  type = "UserAssigned"
  name = "id-contoso-broken-apim"

  role_assignment {
    scope = key_vault.ledger
    role  = "Key Vault Secrets User"
  }
}

key_vault "ledger" {
  name = "kv-contoso-broken"
}

api_management "main" {
  sku             = "Standard"
  publisher_name  = "Contoso"
  publisher_email = "ledger-team@contoso.com"
  identities      = [identity.apim]

  api "ledger" {
    display_name = "Ledger"
    path         = "ledger"
    backend      = module.ledger.backend

    operation "entries" {
      method       = "GET"
      url_template = "/entries"
    }
  }
}

module "ledger" {
  source         = "../../../modules/backend-mtls"
  name           = "ledger"
  api_management = api_management.main
  url            = "https://ledger.contoso.internal:8443"
  key_vault      = key_vault.ledger
  secret_name    = "apim-ledger-client"
  identity       = identity.apim
}
