# UP#21 (specs #25045): API Management in an internal virtual network cannot get its hostname
# certificates; seed 003: the subnet's NSG denies outbound traffic before any rule allows Key
# Vault and Microsoft Entra ID.
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

virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "apim" {
    address_prefix         = "10.20.2.0/24"
    network_security_group = network_security_group.apim
  }
}

network_security_group "apim" {
  name = "nsg-contoso-apim"

  rule "storage" {
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_address_prefix = "Storage"
    destination_port_range     = "443"
  }

  rule "deny_internet" {
    priority                   = 4000
    direction                  = "Outbound"
    access                     = "Deny"
    protocol                   = "*"
    destination_address_prefix = "Internet"
  }
}

api_management "main" {
  sku                  = "Premium"
  publisher_name       = "Contoso"
  publisher_email      = "api@contoso.com"
  identities           = [identity.apim]
  two_phase_hostnames = true
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "gw.contoso.internal"
    certificate = certificate.gateway_tls
  }
}
