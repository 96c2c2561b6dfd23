api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "orders" {
    url = "https://orders.contoso.internal"
  }

  api "orders" {
    path    = "orders"
    backend = backend.orders
  }
}
