app_gateway "edge" {
  sku          = "Standard_v2"
  min_capacity = 1
  max_capacity = 2

  ssl_profile "partners" {
    trusted_client_cas           = [certificate.partner_ca]
    verify_client_cert_issuer_dn = true
  }

  listener "api" {
    host_name   = "api.contoso.com"
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to               = api_management.main.hostname.gateway
      backend_settings = backend_settings.apim
      rewrite_rule_set = rewrite_rule_set.forward_client_cert
    }
  }

  backend_settings "apim" {
    port                      = 443
    protocol                  = "Https"
    host_name                 = "gw.contoso.internal"
    trusted_root_certificates = [certificate.partner_root]

    probe {
      path = "/status-0123456789abcdef"
    }
  }

  rewrite_rule_set "forward_client_cert" {
    rule "client_cert" {
      sequence = 100

      set_request_header "X-ARR-ClientCert" {
        value = "{var_client_certificate}"
      }
    }
  }
}
