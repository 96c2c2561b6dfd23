api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "integration@contoso.com"

  hostname "gateway" {
    type                         = "Proxy"
    host_name                    = "gw.contoso.internal"
    certificate                  = certificate.gateway_tls
    negotiate_client_certificate = false
    default_ssl_binding          = true
  }

  hostname "partners" {
    type                         = "Proxy"
    host_name                    = "portal.contoso.com"
    certificate                  = certificate.gateway_tls
    negotiate_client_certificate = true
  }

  ca_certificate "partner_root" {
    certificate = certificate.partner_root
    store       = "Root"
  }

  backend "orders" {
    url                        = "https://orders.contoso.internal/api"
    server_certificate         = certificate.orders_backend
    validate_certificate_chain = true
    validate_certificate_name  = true
  }

  api "orders" {
    display_name          = "Orders"
    path                  = "orders"
    hostnames             = [hostname.gateway]
    backend               = backend.orders
    subscription_required = false

    operation "list" {
      method       = "GET"
      url_template = "/"
    }

    operation "create" {
      method       = "POST"
      url_template = "/"
    }

    policy {
      inbound {
        set_header {
          name   = "X-Gatehouse-Api"
          values = ["orders"]
        }

        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }
  }

  api "partners" {
    display_name          = "Partners"
    path                  = "partners"
    hostnames             = [hostname.partners]
    backend               = backend.orders
    subscription_required = false

    operation "get" {
      method       = "GET"
      url_template = "/{id}"
    }

    policy {
      inbound {
        validate_client_certificate {
          validate_revocation = false

          identity {
            common_name = "partner-client"
          }
        }

        choose {
          when {
            condition = "@(context.Request.Certificate == null)"
            return_response {
              status_code = 403
            }
          }
        }
      }
    }
  }
}
