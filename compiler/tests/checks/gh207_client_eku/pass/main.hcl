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
        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }

    operation "entries" {
      method       = "GET"
      url_template = "/entries"
    }
  }
}

client "partner" {
  certificate = file("pki/client.pem")
}
