# UP#6 (notetoself.tech 2019-06-13): a 32 KB POST freezes while the certificate is renegotiated.
api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "partners" {
    type                         = "Proxy"
    host_name                    = "partners.contoso.com"
    negotiate_client_certificate = true
  }

  hostname "gateway" {
    type      = "Proxy"
    host_name = "api.contoso.com"
  }

  api "documents" {
    path = "documents"

    operation "list" {
      method       = "GET"
      url_template = "/"
    }

    operation "upload" {
      method        = "POST"
      url_template  = "/"
      max_body_size = 1048576
    }

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
