# Seed 002, fixed: the API is served only where the certificate is negotiated.
api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
  http2_enabled   = true

  hostname "partners" {
    type                         = "Proxy"
    host_name                    = "partners.contoso.com"
    negotiate_client_certificate = true
  }

  hostname "gateway" {
    type      = "Proxy"
    host_name = "api.contoso.com"
  }

  api "partners" {
    path      = "partners"
    hostnames = [hostname.partners]

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
