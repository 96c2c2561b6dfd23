# Every shipped module in one topology: the flagship example's edge written with modules.
# Application Gateway (`appgw-mtls-edge`) terminates mutual TLS and forwards the verified
# certificate to an internal API Management, whose `partner-api` requires it; server
# certificates are Key Vault secrets (`key-vault-certificate`); the API calls its backend
# with mutual TLS (`backend-mtls`).

deployment {
  name           = "contoso-edge"
  location       = "westeurope"
  resource_group = "rg-contoso-edge"
}

certificate "partner_ca" {
  ca_chain = file("certs/partner-ca-chain.pem")
}

key_vault "edge" {
  name             = "kv-contoso-edge"
  permission_model = "rbac"
  purge_protection = true
}

module "edge_tls" {
  source        = "../../../modules/key-vault-certificate"
  key_vault     = key_vault.edge
  secret_name   = "edge-tls"
  identity_name = "id-contoso-appgw"
}

module "gateway_tls" {
  source        = "../../../modules/key-vault-certificate"
  key_vault     = key_vault.edge
  secret_name   = "gateway-tls"
  identity_name = "id-contoso-apim"
}

module "edge" {
  source             = "../../../modules/appgw-mtls-edge"
  name               = "agw-contoso-edge"
  subnet             = virtual_network.edge.subnet.appgw
  identity           = module.edge_tls.identity
  trusted_client_cas = [certificate.partner_ca]
  host_name          = "api.contoso.com"
  certificate        = module.edge_tls.certificate
  apim_hostname      = api_management.main.hostname.gateway
  apim_host_name     = "gw.contoso.internal"
}

api_management "main" {
  sku                  = "Premium"
  publisher_name       = "Contoso"
  publisher_email      = "api-team@contoso.com"
  identities           = [module.gateway_tls.identity]
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim

  hostname "gateway" {
    type                = "Proxy"
    host_name           = "gw.contoso.internal"
    certificate         = module.gateway_tls.certificate
    identity            = module.gateway_tls.identity
    default_ssl_binding = true
  }

  # `partner-api` writes its own API policy, so the backend's client certificate is sent from
  # the instance's global policy, which every API runs first (`<base />`).
  policy {
    inbound {
      authentication_certificate {
        certificate = module.ledger.client_certificate
      }
    }
  }
}

module "ledger" {
  source         = "../../../modules/backend-mtls"
  name           = "ledger"
  api_management = api_management.main
  url            = "https://ledger.contoso.internal"
  key_vault      = key_vault.edge
  secret_name    = "apim-ledger-client"
  identity       = module.gateway_tls.identity
}

module "orders" {
  source             = "../../../modules/partner-api"
  api_management     = api_management.main
  name               = "orders"
  path               = "orders"
  backend            = module.ledger.backend
  hostnames          = [api_management.main.hostname.gateway]
  client_cert_header = module.edge.client_cert_header
}

virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "appgw" {
    address_prefix = "10.20.1.0/24"
  }

  subnet "apim" {
    address_prefix         = "10.20.2.0/24"
    network_security_group = network_security_group.apim
  }
}

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
}

private_dns_zone "internal" {
  name             = "contoso.internal"
  virtual_networks = [virtual_network.edge]

  a_record "gw" {
    records = ["10.20.2.4"]
  }
}
