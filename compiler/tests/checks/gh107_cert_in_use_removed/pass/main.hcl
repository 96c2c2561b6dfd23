# The rotation keeps the certificate's name and changes only its file (here the same
# fixture file): nothing is deleted.
certificate "ledger_client" {
  pfx      = file("pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "ledger" {
    url                = "https://ledger.contoso.internal"
    client_certificate = certificate.ledger_client
  }

  api "ledger" {
    path    = "ledger"
    backend = backend.ledger

    policy {
      inbound {
        base {}
        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }
  }
}
