app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  subnet       = virtual_network.edge.subnet.appgw
  identity     = identity.appgw
  waf_mode     = "Prevention"

  ssl_policy {
    policy_type = "Predefined"
    policy_name = "AppGwSslPolicy20220101S"
  }

  ssl_profile "partners" {
    trusted_client_cas           = [certificate.partner_ca]
    verify_client_cert_issuer_dn = true
    verify_client_revocation     = "OCSP"
  }

  listener "api" {
    host_name   = local.api_host
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to               = api_management.main.hostname.gateway
      backend_settings = backend_settings.apim
      rewrite_rule_set = rewrite_rule_set.forward_client_cert
    }
  }

  backend_settings "apim" {
    port      = 443
    protocol  = "Https"
    host_name = local.gateway_host

    probe {
      path = "/status-0123456789abcdef"
    }
  }

  # Overwrites whatever the client sent in the header with the certificate AppGW verified.
  rewrite_rule_set "forward_client_cert" {
    rule "client_cert" {
      sequence = 100

      set_request_header "X-ARR-ClientCert" {
        value = "{var_client_certificate}"
      }
    }
  }
}
