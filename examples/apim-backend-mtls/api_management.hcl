api_management "main" {
  sku             = "Standard"
  publisher_name  = "Contoso"
  publisher_email = "ledger-team@contoso.com"
  identities      = [identity.apim_reader]

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "ledger-api.contoso.com"
    certificate = certificate.gateway_tls
    identity    = identity.apim_reader
  }

  ca_certificate "internal_root" {
    certificate = certificate.internal_root
    store       = "Root"
  }

  named_value "ledger_audience" {
    value = "api://contoso-ledger"
  }

  backend "ledger" {
    url                        = "https://ledger.contoso.internal:8443"
    client_certificate         = certificate.ledger_client
    validate_certificate_chain = true
    validate_certificate_name  = true
  }

  api "ledger" {
    display_name = "Ledger"
    path         = "ledger"
    backend      = backend.ledger

    operation "entries" {
      method       = "GET"
      url_template = "/entries"
    }

    operation "post_entry" {
      method        = "POST"
      url_template  = "/entries"
      max_body_size = 65536

      policy {
        xml = file("policies/post-entry.xml")
      }
    }

    policy {
      inbound {
        validate_jwt {
          header_name                = "Authorization"
          failed_validation_httpcode = 401
          require_scheme             = "Bearer"
          openid_config_urls         = ["https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"]
          audiences                  = ["{{ledger_audience}}"]
        }

        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }
  }
}
