certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner_ca]
  }

  listener "api" {
    host_name   = "api.contoso.com"
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to = backend_pool.orders
    }
  }

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
