certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

# The issuing CA, then its root, in one file.
certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

client "partner" {
  certificate = file("pki/client.pem")
  description = "Partner with the issuing CA in its file."
}

client "fabrikam" {
  certificate = file("pki/client-leaf.pem")
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas           = [certificate.partner_ca]
    verify_client_cert_issuer_dn = true
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
