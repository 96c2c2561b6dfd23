# UP#45 (Azure-Samples/api-management-samples #21): clients authorised by uploaded certificate.
certificate "partner_root" {
  pem = file("pki/root-ca.pem")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type                         = "Proxy"
    host_name                    = "api.contoso.com"
    negotiate_client_certificate = true
  }

  ca_certificate "partner_root" {
    certificate = certificate.partner_root
    store       = "Root"
  }

  api "partners" {
    path = "partners"

    policy {
      inbound {
        choose {
          when {
            condition = "@(context.Request.Certificate == null || !context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"

            return_response {
              status_code = 403
            }
          }
        }
      }
    }
  }
}
