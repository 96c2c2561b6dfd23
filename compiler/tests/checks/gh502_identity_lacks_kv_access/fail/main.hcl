# UP#27 (docs #122202): API Management reads the certificate's secret, so Key Vault
# Certificate User is not enough.
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
    role  = "Key Vault Certificate User"
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
    host_name   = "api.contoso.com"
    certificate = certificate.gateway_tls
  }
}

# UP#33 (docs #44746): "The key vault must have GET permissions on the secret" although Get on
# certificates was granted.
certificate "edge_tls" {
  key_vault   = key_vault.appgw
  secret_name = "edge-tls"
}

key_vault "appgw" {
  name             = "kv-contoso-appgw"
  permission_model = "access_policy"

  access_policy {
    identity                = identity.appgw
    certificate_permissions = ["Get"]
  }
}

identity "appgw" {
  type = "UserAssigned"
  name = "id-contoso-appgw"
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  identity     = identity.appgw
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
