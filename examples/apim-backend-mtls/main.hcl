# API Management calls a private backend with mutual TLS: the backend entity (from
# `modules/backend-mtls`) names the client certificate, and an `authentication-certificate`
# policy actually sends it (the backend setting alone is declarative only). The backend's
# server certificate chains to a private root, uploaded to the APIM CA store so that chain
# validation stays on.

deployment {
  name           = "contoso-ledger"
  location       = "westeurope"
  resource_group = "rg-contoso-ledger"
}

certificate "internal_root" {
  pem = file("certs/backend-root-ca.pem")
}

certificate "gateway_tls" {
  key_vault   = key_vault.ledger
  secret_name = "ledger-gateway-tls"
  identity    = identity.apim_reader
}

identity "apim_reader" {
  type = "UserAssigned"
  name = "id-contoso-apim-kv-reader"
}

# Vault with access policies (not RBAC): the reader gets Get and List on secrets.
key_vault "ledger" {
  name             = "kv-contoso-ledger"
  permission_model = "access_policy"

  access_policy {
    identity           = identity.apim_reader
    secret_permissions = ["Get", "List"]
  }
}
