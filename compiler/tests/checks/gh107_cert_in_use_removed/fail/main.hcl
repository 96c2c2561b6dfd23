# Seed 003: the rotation renames the certificate block, so the deployment deletes
# `ledger_client` while the deployed backend and policy still reference it.
certificate "ledger_client_2027" {
  pfx      = file("pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "ledger" {
    url                = "https://ledger.contoso.internal"
    client_certificate = certificate.ledger_client_2027
  }

  api "ledger" {
    path    = "ledger"
    backend = backend.ledger

    policy {
      inbound {
        base {}
        authentication_certificate {
          certificate = certificate.ledger_client_2027
        }
      }
    }
  }
}
