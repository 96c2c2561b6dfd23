virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "appgw" {
    address_prefix    = "10.20.1.0/24"
    service_endpoints = ["Microsoft.KeyVault"]
  }

  subnet "apim" {
    address_prefix         = "10.20.2.0/24"
    network_security_group = network_security_group.apim
    service_endpoints      = ["Microsoft.KeyVault"]
  }
}

# The rules APIM needs in an internal virtual network (management endpoint, Key Vault and
# Entra ID for certificate refresh, load balancer probes).
network_security_group "apim" {
  name = "nsg-contoso-apim"

  rule "management" {
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "ApiManagement"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "3443"
  }

  rule "load_balancer" {
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "AzureLoadBalancer"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "6390"
  }

  rule "from_appgw" {
    priority                   = 120
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "10.20.1.0/24"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "443"
  }

  rule "key_vault" {
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_address_prefix = "AzureKeyVault"
    destination_port_range     = "443"
  }

  rule "entra_id" {
    priority                   = 110
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_address_prefix = "AzureActiveDirectory"
    destination_port_range     = "443"
  }

  rule "storage" {
    priority                   = 120
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_address_prefix = "Storage"
    destination_port_range     = "443"
  }
}

# API Management is internal: none of its names are in public DNS. The gateway reaches
# `gw-<environment>.contoso.internal` through this zone (one record per environment would do as
# well; the wildcard keeps the file the same for every environment).
private_dns_zone "internal" {
  name             = "contoso.internal"
  virtual_networks = [virtual_network.edge]

  a_record "*" {
    records = ["10.20.2.4"]
  }
}
