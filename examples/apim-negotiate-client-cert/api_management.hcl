api_management "partners" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "integration@contoso.com"
  identities      = [module.apim_certs.identity]
  http2_enabled   = true

  # Partners: the handshake asks for a client certificate, so policies can read it over
  # HTTP/1.1 and HTTP/2 alike.
  hostname "partners" {
    type                         = "Proxy"
    host_name                    = "partners.contoso.com"
    certificate                  = module.apim_certs.certificate
    negotiate_client_certificate = true
    default_ssl_binding          = true
  }

  hostname "portal" {
    type        = "DeveloperPortal"
    host_name   = "developer.contoso.com"
    certificate = certificate.portal_tls
  }

  # The partner PKI is private: its root and issuing CA must be in the APIM CA store for
  # validate-trust to pass.
  ca_certificate "partner_root" {
    certificate = certificate.partner_root
    store       = "Root"
  }

  ca_certificate "partner_issuing" {
    certificate = certificate.partner_issuing
    store       = "CertificateAuthority"
  }

  backend "shipments" {
    url = "https://shipments.contoso.internal/api"
  }

  api "shipments" {
    display_name          = "Shipments"
    path                  = "shipments"
    hostnames             = [hostname.partners]
    backend               = backend.shipments
    subscription_required = false

    operation "track" {
      method       = "GET"
      url_template = "/{id}"
    }

    operation "book" {
      method        = "POST"
      url_template  = "/"
      max_body_size = 262144
    }

    policy {
      inbound {
        validate_client_certificate {
          validate_revocation = true
          validate_trust      = true

          identity {
            issuer_subject = var.partner_issuer
          }
        }

        rate_limit_by_key {
          calls          = 300
          renewal_period = 60
          counter_key    = "@(context.Request.Certificate.Thumbprint)"
        }

        set_header {
          name   = "X-Partner-Thumbprint"
          values = ["@(context.Request.Certificate.Thumbprint)"]
        }
      }

      on_error {
        set_header {
          name          = "X-Partner-Thumbprint"
          exists_action = "delete"
        }
      }
    }
  }
}
