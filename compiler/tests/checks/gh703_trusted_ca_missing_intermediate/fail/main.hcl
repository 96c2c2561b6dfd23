certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

# The root only: partner certificates are issued by the Contoso Test Issuing CA below it.
certificate "partner_root" {
  ca_chain = file("pki/root-ca.pem")
}

# Holds its leaf and the issuing CA, but may send only the leaf.
client "partner" {
  certificate = file("pki/client.pem")
  description = "Partner with the issuing CA in its file."
}

# Holds only its leaf; the issuing CA is known from the chain of `edge_tls`.
client "fabrikam" {
  certificate = file("pki/client-leaf.pem")
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas           = [certificate.partner_root]
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
