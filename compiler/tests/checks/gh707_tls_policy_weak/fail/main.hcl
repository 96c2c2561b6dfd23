certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

# The partners' SSL profile accepts TLS 1.0 although the gateway default does not.
app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner_ca]

    ssl_policy {
      policy_type = "Predefined"
      policy_name = "AppGwSslPolicy20150501"
    }
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
