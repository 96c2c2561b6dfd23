# Broken on purpose: the API validates the client certificate, but the only hostname that
# serves it never asks for one (`negotiate_client_certificate` is off). API Management requests
# a client certificate only on hostnames that negotiate it, so `context.Request.Certificate` is
# null and every call is rejected.

deployment {
  name           = "contoso-broken"
  location       = "northeurope"
  resource_group = "rg-contoso-broken"
}

certificate "partner_root" {
  der = file("../../apim-negotiate-client-cert/certs/partner-root-ca.der")
}

certificate "partner_issuing" {
  pem = file("../../apim-negotiate-client-cert/certs/partner-issuing-ca.pem")
}

api_management "partners" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "integration@contoso.com"

  hostname "partners" {
    type      = "Proxy"
    host_name = "partners.contoso.com"
  }

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
    path                  = "shipments"
    hostnames             = [hostname.partners]
    backend               = backend.shipments
    subscription_required = false

    operation "track" {
      method       = "GET"
      url_template = "/{id}"
    }

    policy {
      inbound {
        validate_client_certificate {
          validate_revocation = true

          identity {
            issuer_subject = "CN=Contoso Partner Issuing CA"
          }
        }
      }
    }
  }
}
