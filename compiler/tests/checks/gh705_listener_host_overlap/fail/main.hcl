certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

# GEP-91: `*.contoso.internal` also answers orders.contoso.internal, without client authentication.
app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner_ca]
  }

  listener "partners" {
    host_name   = "orders.contoso.internal"
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to = backend_pool.orders
    }
  }

  listener "tools" {
    host_names  = ["*.contoso.internal"]
    certificate = certificate.edge_tls

    route "default" {
      to = backend_pool.orders
    }
  }

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
