certificate "ledger_client" {
  pem         = file("pki/client.pem")
  private_key = file("pki/client.key")
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
        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }
  }
}
