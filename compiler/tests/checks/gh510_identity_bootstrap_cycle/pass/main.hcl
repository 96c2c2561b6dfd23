# The hostname reads with a user-assigned identity, created and granted before the instance.
# The system-assigned identity still reads a named value: that is a separate resource,
# created after the instance and its grant, so there is no cycle.
certificate "gateway_tls" {
  key_vault   = key_vault.edge
  secret_name = "gateway-tls"
}

key_vault "edge" {
  name = "kv-contoso-edge"
}

identity "apim" {
  type = "SystemAssigned"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

identity "apim_tls" {
  type = "UserAssigned"
  name = "id-contoso-apim-tls"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
  identities      = [identity.apim, identity.apim_tls]

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "api.contoso.com"
    certificate = certificate.gateway_tls
    identity    = identity.apim_tls
  }

  named_value "ledger_key" {
    key_vault   = key_vault.edge
    secret_name = "ledger-key"
  }

  api "ledger" {
    path = "ledger"

    policy {
      inbound {
        set_header {
          name   = "X-Ledger-Key"
          values = ["{{ledger_key}}"]
        }
      }
    }
  }
}
