# aspnet/Security#1118: the backend rejects client certificates without the clientAuth EKU.
certificate "ledger_client" {
  pfx      = file("pki/client-server-eku.pfx")
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

# A partner given a server certificate: Application Gateway rejects it.
client "partner" {
  certificate = file("pki/server.pem")
}
