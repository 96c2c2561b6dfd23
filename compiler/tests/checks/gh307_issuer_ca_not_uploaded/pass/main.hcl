# Seed 002, fixed: root and issuing CA are uploaded.
certificate "partner_issuing" {
  pem = file("pki/issuing-ca.pem")
}

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

  ca_certificate "partner_issuing" {
    certificate = certificate.partner_issuing
    store       = "CertificateAuthority"
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
