# UP#13 (docs #71385): "The Certificate with id … is configured with KeyVault secret … and cannot
# be referenced by thumbprint. Please reference it with certificate-id".
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
          thumbprint = "8A5C0E4B0D7F4D8D9B6C2F1E3A7B9C0D1E2F3A4B"
        }
      }
    }
  }
}
