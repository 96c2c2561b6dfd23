# UP#8 (Learn Q&A 5922698), fixed: only the gateway host name asks for a certificate.
certificate "partner_root" {
  pem = file("pki/root-ca.pem")
}

certificate "contoso_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  listener "portal" {
    host_name   = "portal.contoso.com"
    certificate = certificate.contoso_tls

    route "default" {
      to = api_management.main.hostname.portal
    }
  }
}

api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type                         = "Proxy"
    host_name                    = "api.contoso.com"
    certificate                  = certificate.contoso_tls
    negotiate_client_certificate = true
  }

  ca_certificate "partner_root" {
    certificate = certificate.partner_root
    store       = "Root"
  }

  hostname "portal" {
    type        = "DeveloperPortal"
    host_name   = "portal.contoso.com"
    certificate = certificate.contoso_tls
  }

  api "partners" {
    path = "partners"

    policy {
      inbound {
        validate_client_certificate {
          identity {
            issuer_subject = "CN=Contoso Test Issuing CA, O=Contoso"
          }
        }
      }
    }
  }
}
