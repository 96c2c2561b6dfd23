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

  api "partner" {
    path = "partner"
  }
}

module "partners_eu" {
  source         = "./partner"
  api_management = api_management.main
  name           = "partners-eu"
  path           = "partners/eu"
}

module "partners_us" {
  source         = "./partner"
  api_management = api_management.main
  name           = "partners-us"
  path           = "partners/us"
}

certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "gateway_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  listener "api" {
    host_name   = "api.contoso.com"
    certificate = certificate.edge_tls

    route "default" {
      to = backend_pool.orders
    }
  }

  listener "gw" {
    host_name   = "gw.contoso.com"
    certificate = certificate.gateway_tls

    route "default" {
      to = backend_pool.orders
    }
  }

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
