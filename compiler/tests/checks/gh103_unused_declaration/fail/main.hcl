# Left over after a migration: the old certificate, backend, identity and named value are still
# declared (and would still be deployed), but nothing uses them.
certificate "old_client" {
  pfx      = file("pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

identity "old_reader" {
  type = "UserAssigned"
  name = "id-contoso-old-reader"
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  named_value "audience" {
    value = "api://contoso-orders"
  }

  named_value "legacy_audience" {
    value = "api://contoso-orders-v1"
  }

  backend "orders" {
    url = "https://orders.contoso.internal"
  }

  backend "orders_v1" {
    url = "https://orders-v1.contoso.internal"
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
