# UP#35 (application-gateway-kubernetes-ingress#1744): "Key Vault doesn't allow access to the
# managed identity": the vault firewall denies by default and Application Gateway is not a
# trusted service, so only a virtual network rule for its subnet lets it through.
certificate "edge_tls" {
  key_vault   = key_vault.edge
  secret_name = "edge-tls"
}

key_vault "edge" {
  name = "kv-contoso-edge"

  network_rules {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

identity "appgw" {
  type = "UserAssigned"
  name = "id-contoso-appgw"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "appgw" {
    address_prefix = "10.20.1.0/24"
  }
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  subnet       = virtual_network.edge.subnet.appgw
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
