api_management "main" {
  sku             = "Premium"
  capacity        = 1
  publisher_name  = "Contoso"
  publisher_email = "api-team@contoso.com"
  identities      = [identity.apim]
  # The vault admits API Management as a trusted service, which needs the system-assigned
  # identity; its grant can only follow the instance, so hostnames are a second step (GH510).
  two_phase_hostnames  = true
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim

  hostname "gateway" {
    type                = "Proxy"
    host_name           = local.gateway_host
    certificate         = certificate.gateway_tls
    default_ssl_binding = true
  }

  backend "orders" {
    url = "https://orders.contoso.internal"
  }

  product "partners" {
    display_name          = "Partners"
    subscription_required = false
  }
}

module "orders" {
  source             = "../../modules/partner-api"
  api_management     = api_management.main
  name               = "orders"
  path               = "orders"
  backend            = api_management.main.backend.orders
  hostnames          = [api_management.main.hostname.gateway]
  client_cert_header = local.cert_header
}
