# Blocks that deploy under one Azure name: two APIs of one instance on the same path, two
# vaults with one (globally unique) name, two calls of one module whose blocks keep their
# labels (and a root API with the module's label), and two gateway certificates under one
# name. The last one written wins, or the deployment fails with a conflict.
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

  api "partner" {
    path = "partner"
  }
}

module "partners_eu" {
  source         = "./partner"
  api_management = api_management.main
  path           = "partners/eu"
}

module "partners_us" {
  source         = "./partner"
  api_management = api_management.main
  path           = "partners/us"
}

# `edge_tls` is `edge-tls` in a gateway (`_` as `-`), the name the other one sets.
certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "gateway_tls" {
  name     = "edge-tls"
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
