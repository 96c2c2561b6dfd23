certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

# UP#46 (docs #82773): sslClientVerify is NONE although partners send a certificate.
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

    route "default" {
      to               = backend_pool.orders
      rewrite_rule_set = rewrite_rule_set.forward_client_cert
    }
  }

  # Overwrites whatever the client sent with the certificate the gateway verified.
  rewrite_rule_set "forward_client_cert" {
    rule "client_cert" {
      sequence = 100

      set_request_header "X-ARR-ClientCert" {
        value = "{var_client_certificate}"
      }
    }
  }

  backend_pool "orders" {
    fqdns = ["orders.contoso.internal"]
  }
}
