# UP#9 / UP#10, fixed: the Consumption gateway requests the certificate.
api_management "main" {
  sku                       = "Consumption"
  publisher_name            = "Contoso"
  publisher_email           = "api@contoso.com"
  enable_client_certificate = true

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
