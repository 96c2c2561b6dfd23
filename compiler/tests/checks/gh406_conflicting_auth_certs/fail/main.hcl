# Scope inheritance: the global policy still presents the old client certificate, and the API
# adds the ledger's; only one of them reaches the backend.
certificate "legacy_client" {
  pem         = file("pki/client.pem")
  private_key = file("pki/client.key")
}

certificate "ledger_client" {
  pfx      = file("pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  policy {
    inbound {
      authentication_certificate {
        certificate = certificate.legacy_client
      }
    }
  }

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
