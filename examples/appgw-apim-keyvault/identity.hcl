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

key_vault "edge" {
  name             = "kv-contoso-edge"
  permission_model = "rbac"
  purge_protection = true

  network_rules {
    default_action  = "Deny"
    bypass          = "AzureServices"
    allowed_subnets = [virtual_network.edge.subnet.appgw, virtual_network.edge.subnet.apim]
  }
}
