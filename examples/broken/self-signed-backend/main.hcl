# Broken on purpose: the backend serves a certificate issued by a private root, and that root
# is not in the instance's CA store. API Management validates the backend chain (as it should)
# and cannot build it, so every call fails with 500 BackendConnectionFailure.

deployment {
  name           = "contoso-broken"
  location       = "westeurope"
  resource_group = "rg-contoso-broken"
}

# The certificate the backend serves: for the example, the private root itself (self-signed).
certificate "ledger_server" {
  pem = file("../../apim-backend-mtls/certs/backend-root-ca.pem")
}

api_management "main" {
  sku             = "Standard"
  publisher_name  = "Contoso"
  publisher_email = "ledger-team@contoso.com"

  backend "ledger" {
    url                = "https://ledger.contoso.internal:8443"
    server_certificate = certificate.ledger_server
  }

  api "ledger" {
    path    = "ledger"
    backend = backend.ledger

    operation "entries" {
      method       = "GET"
      url_template = "/entries"
    }
  }
}
