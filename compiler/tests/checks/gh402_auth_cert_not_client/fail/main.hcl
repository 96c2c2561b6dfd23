# The client certificate was exported without its private key: API Management cannot sign the
# handshake with it.
certificate "ledger_client" {
  pem = file("pki/client-leaf.pem")
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
