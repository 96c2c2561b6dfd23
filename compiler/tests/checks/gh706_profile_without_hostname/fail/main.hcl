certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

# The catch-all listener asks every caller of every host name for a client certificate.
app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner_ca]
  }

  listener "catch_all" {
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to = backend_pool.orders
    }
  }

  listener "portal" {
    host_name   = "portal.contoso.com"
    certificate = certificate.edge_tls

    route "default" {
      to = backend_pool.orders
    }
  }

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
