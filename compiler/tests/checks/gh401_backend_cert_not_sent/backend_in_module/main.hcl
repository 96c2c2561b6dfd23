# The backends with their client certificates are two calls of one module; the APIs that
# forget to send the certificates are in the root. Each finding names its own call.
api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "ledger" {
    path    = "ledger"
    backend = module.ledger.backend
  }

  api "audit" {
    path    = "audit"
    backend = module.audit.backend
  }
}

module "ledger" {
  source         = "./ledger"
  api_management = api_management.main
  name           = "ledger"
}

module "audit" {
  source         = "./ledger"
  api_management = api_management.main
  name           = "audit"
}
