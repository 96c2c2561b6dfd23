# The partner APIs share one client-certificate check as a policy fragment; `invoices` was
# added later on the same hostname without it.
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

  policy_fragment "partner_mtls" {
    description = "Partner client certificates, issued by the partner root"

    validate_client_certificate {
      identity {
        issuer_certificate = ca_certificate.partner_root
      }
    }
  }

  api "orders" {
    path = "orders"

    policy {
      inbound {
        include_fragment {
          fragment = policy_fragment.partner_mtls
        }
      }
    }
  }

  api "shipments" {
    path = "shipments"

    policy {
      xml = file("shipments.xml")
    }
  }

  api "invoices" {
    path = "invoices"

    policy {
      inbound {
        set_header {
          name   = "X-Caller"
          values = ["partner"]
        }
      }
    }
  }
}
