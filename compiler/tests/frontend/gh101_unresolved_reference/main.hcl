api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "orders" {
    url = "https://orders.contoso.internal"
  }

  api "orders" {
    path    = "orders"
    backend = backend.order
  }
}

locals {
  env = var.environment
}
