# Broken on purpose: the SSL profile trusts the partners' issuing CA alone, without the root
# it chains to. Application Gateway refuses the upload (one root CA per trusted client
# certificate), and clients are never accepted.

deployment {
  name           = "contoso-broken"
  location       = "westeurope"
  resource_group = "rg-contoso-broken"
}

certificate "partner_issuing" {
  ca_chain = file("../../apim-negotiate-client-cert/certs/partner-issuing-ca.pem")
}

certificate "edge_tls" {
  key_vault   = key_vault.edge
  secret_name = "edge-tls"
  identity    = identity.appgw
}

key_vault "edge" {
  name = "kv-contoso-broken"
}

identity "appgw" {
  type = "UserAssigned"
  name = "id-contoso-broken-appgw"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

virtual_network "edge" {
  name          = "vnet-contoso-broken"
  address_space = ["10.30.0.0/16"]

  subnet "appgw" {
    address_prefix = "10.30.1.0/24"
  }
}

api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api-team@contoso.com"

  hostname "gateway" {
    type      = "Proxy"
    host_name = "gw.contoso.com"
  }
}

module "edge" {
  source             = "../../../modules/appgw-mtls-edge"
  subnet             = virtual_network.edge.subnet.appgw
  identity           = identity.appgw
  trusted_client_cas = [certificate.partner_issuing]
  host_name          = "api.contoso.com"
  certificate        = certificate.edge_tls
  apim_hostname      = api_management.main.hostname.gateway
  apim_host_name     = "gw.contoso.com"
}
