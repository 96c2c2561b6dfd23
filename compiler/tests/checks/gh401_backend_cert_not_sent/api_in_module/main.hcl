# The backend with its client certificate is in the root; the APIs that forget to send it are
# in two calls of one module. Each finding names its own call.
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
}

module "partners_eu" {
  source         = "./partner"
  api_management = api_management.main
  name           = "partners-eu"
  backend        = api_management.main.backend.ledger
}

module "partners_us" {
  source         = "./partner"
  api_management = api_management.main
  name           = "partners-us"
  backend        = api_management.main.backend.ledger
}
