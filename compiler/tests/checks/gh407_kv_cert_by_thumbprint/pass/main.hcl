certificate "ledger_client" {
  key_vault   = key_vault.edge
  secret_name = "ledger-client"
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

  backend "ledger" {
    url                = "https://ledger.contoso.internal"
    client_certificate = certificate.ledger_client
  }

  api "ledger" {
    path    = "ledger"
    backend = backend.ledger

    policy {
      inbound {
        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }
  }
}
