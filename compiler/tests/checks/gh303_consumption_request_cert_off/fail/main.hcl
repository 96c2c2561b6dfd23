# UP#9 / UP#10 (MicrosoftDocs/azure-docs #64003, #39105): Consumption has "Request client
# certificate", not per-hostname negotiation.
api_management "main" {
  sku             = "Consumption"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

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
