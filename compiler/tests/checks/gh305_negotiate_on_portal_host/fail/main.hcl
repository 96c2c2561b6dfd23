# UP#8 (Learn Q&A 5922698): portal visitors get a certificate prompt.
certificate "partner_root" {
  pem = file("pki/root-ca.pem")
}

certificate "contoso_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner_ca]
  }

  # The portal is published through the partners' mTLS listener.
  listener "portal" {
    host_name   = "portal.contoso.com"
    certificate = certificate.contoso_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to = api_management.main.hostname.portal
    }
  }
}

api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  # The gateway was moved to the portal's host name.
  hostname "gateway" {
    type                         = "Proxy"
    host_name                    = "portal.contoso.com"
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
