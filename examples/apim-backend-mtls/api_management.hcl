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

  api "ledger" {
    display_name = "Ledger"
    path         = "ledger"
    backend      = module.ledger.backend

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

        # The backend's client certificate is declarative only: this is what sends it.
        authentication_certificate {
          certificate = module.ledger.client_certificate
        }
      }
    }
  }
}

# The backend with its client certificate (a Key Vault secret read by the instance's
# identity) and TLS validation on: `name` keeps the Azure names `ledger` (backend) and
# `ledger_client` (certificate), whatever the module names its blocks.
module "ledger" {
  source         = "../../modules/backend-mtls"
  name           = "ledger"
  api_management = api_management.main
  url            = "https://ledger.contoso.internal:8443"
  key_vault      = key_vault.ledger
  secret_name    = "apim-ledger-client"
  identity       = identity.apim_reader
}
