# UP#13, fixed: the policy names a declared backend.
api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type      = "Proxy"
    host_name = "api.contoso.com"
  }

  backend "ledger" {
    url = "https://ledger.contoso.internal"
  }

  backend "ledger_eu" {
    url = "https://ledger-eu.contoso.internal"
  }

  policy_fragment "ledger_audit" {
    set_header {
      name   = "X-Audit"
      values = ["ledger"]
    }
  }

  api "ledger" {
    path    = "ledger"
    backend = backend.ledger

    policy {
      xml = file("ledger.xml")
    }
  }
}
