# MicrosoftDocs/azure-docs #124686, fixed: a SHA-1 thumbprint in upper-case hex.
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
            thumbprint         = "3A5F0977C12E48B09D61F3AA10428CE57BD4369F"
          }
        }
      }
    }
  }
}
