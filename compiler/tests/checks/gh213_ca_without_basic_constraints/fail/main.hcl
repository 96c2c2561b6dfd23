certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

certificate "orders_root" {
  pem = file("pki/root-no-basic-constraints.pem")
}

# UP#50 (docs #60015): health probe "Invalid CA" with a home-made root.
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
      to               = backend_pool.orders
      backend_settings = backend_settings.orders
    }
  }

  backend_settings "orders" {
    port                      = 443
    protocol                  = "Https"
    host_name                 = "orders.contoso.internal"
    trusted_root_certificates = [certificate.orders_root]
  }

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
