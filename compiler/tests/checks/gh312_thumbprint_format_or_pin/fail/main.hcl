# MicrosoftDocs/azure-docs #124686: thumbprints copied with colons and in lower case match nothing.
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
        validate_client_certificate {
          identity {
            issuer_certificate = ca_certificate.partner_root
            thumbprint         = "3a:5f:09:77:c1:2e:48:b0:9d:61:f3:aa:10:42:8c:e5:7b:d4:36:9f"
          }
        }
      }
    }
  }
}
