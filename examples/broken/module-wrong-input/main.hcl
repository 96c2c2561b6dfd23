# Broken on purpose: the call to `modules/partner-api` misspells an input (`hostname` for
# `hostnames`) and leaves out a required one (`backend`). A module only takes the inputs its
# `variable` blocks declare.

api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api-team@contoso.com"

  hostname "gateway" {
    type      = "Proxy"
    host_name = "gw.contoso.com"
  }

  backend "orders" {
    url = "https://orders.contoso.internal"
  }
}

module "orders" {
  source         = "../../../modules/partner-api"
  api_management = api_management.main
  name           = "orders"
  path           = "orders"
  hostname       = [api_management.main.hostname.gateway]
}
