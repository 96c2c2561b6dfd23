# UP#36 (docs #33157): Application Gateway went to Failed after adding a Key Vault certificate
# (`MissingIdentityIds`): the gateway has no user-assigned identity; the one named on the
# certificate is not used by it.
certificate "edge_tls" {
  key_vault   = key_vault.edge
  secret_name = "edge-tls"
  identity    = identity.appgw
}

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

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  waf_mode     = "Prevention"

  listener "api" {
    host_name   = "www.contoso.com"
    certificate = certificate.edge_tls

    route "default" {
      to = backend_pool.web
    }
  }

  backend_pool "web" {
    fqdns = ["web.contoso.internal"]
  }
}
