api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "orders" {
    display_name = "Orders"
  }

  backend {
    url = "https://orders.contoso.internal"
  }
}
