# Two APIs of one instance on the same path, and two vaults with one (globally unique) name:
# the last one written wins, or the deployment fails with a conflict.
key_vault "edge" {
  name = "kv-contoso-edge"
}

key_vault "edge_dr" {
  name = "kv-contoso-edge"
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "orders" {
    path = "orders"
  }

  api "orders_v2" {
    path = "/orders"
  }
}
