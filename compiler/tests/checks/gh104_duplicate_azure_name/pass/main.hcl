key_vault "edge" {
  name = "kv-contoso-edge"
}

key_vault "edge_dr" {
  name = "kv-contoso-edge-dr"
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "orders" {
    path = "orders"
  }

  api "orders_v2" {
    path = "orders/v2"
  }
}
