key_vault "edge" {
  name = "kv-contoso-edge"
}

identity "appgw" {
  type = "UserAssigned"
  name = "id-contoso-appgw"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

identity "apim" {
  type = "SystemAssigned"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

# No content type given, but the local copy is what a PEM secret downloads as.
certificate "edge_tls" {
  key_vault   = key_vault.edge
  secret_name = "edge-tls"
  identity    = identity.appgw
  local_copy  = file("pki/server-with-key.pem")
}

# Created with a PEM certificate policy.
certificate "gateway_tls" {
  key_vault    = key_vault.edge
  secret_name  = "gateway-tls"
  content_type = "application/x-pem-file"
}

certificate "ledger_client" {
  key_vault    = key_vault.edge
  secret_name  = "ledger-client"
  content_type = "application/x-pem-file"
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  identity     = identity.appgw
  waf_mode     = "Prevention"

  listener "api" {
    host_name   = "api.contoso.com"
    certificate = certificate.edge_tls

    route "default" {
      to = backend_pool.web
    }
  }

  backend_pool "web" {
    fqdns = ["web.contoso.internal"]
  }
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
  identities      = [identity.apim]
  two_phase_hostnames = true

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "gw.contoso.com"
    certificate = certificate.gateway_tls
  }

  backend "ledger" {
    url                = "https://ledger.contoso.internal"
    client_certificate = certificate.ledger_client
  }

  api "ledger" {
    path    = "ledger"
    backend = backend.ledger

    policy {
      inbound {
        authentication_certificate {
          certificate = certificate.ledger_client
        }
      }
    }
  }
}
