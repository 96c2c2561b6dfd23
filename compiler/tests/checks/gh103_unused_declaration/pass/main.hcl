api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  named_value "audience" {
    value = "api://contoso-orders"
  }

  backend "orders" {
    url = "https://orders.contoso.internal"
  }

  api "orders" {
    path    = "orders"
    backend = backend.orders

    policy {
      inbound {
        set_header {
          name   = "X-Audience"
          values = ["{{audience}}"]
        }
      }
    }
  }
}
