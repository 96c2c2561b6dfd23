# Every API on the mTLS hostname validates the client certificate: through the shared fragment
# (typed or raw XML include) or with a check of its own.
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
        validate_client_certificate {
          identity {
            issuer_certificate = ca_certificate.partner_root
          }
        }
      }
    }
  }
}

# Written outside the instance block, as a module would.
policy_fragment "partner_mtls" {
  api_management = api_management.main
  xml            = file("partner-mtls.xml")
}
