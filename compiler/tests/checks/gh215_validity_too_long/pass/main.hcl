certificate "edge_tls" {
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

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
