# Seed 002 / MicrosoftDocs/azure-docs #35369: the partners' private CA is not in the CA store.
certificate "partner_issuing" {
  pem = file("pki/issuing-ca.pem")
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
