certificate "edge" {
  pfx      = file("edge.pfx")
  password = "x"
}

api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "orders" {
    path = "orders"
  }

  api "orders" {
    path = "orders-v2"
  }
}
