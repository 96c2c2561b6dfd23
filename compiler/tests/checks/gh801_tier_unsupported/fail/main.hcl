# UP#9 (docs #64003): a Consumption instance has no "Negotiate client certificate" on its
# gateway custom domain (it has "Request client certificate" instead); and VNet injection is
# a Developer and Premium feature.
api_management "serverless" {
  sku             = "Consumption"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type                         = "Proxy"
    host_name                    = "api.contoso.com"
    negotiate_client_certificate = true
  }
}

virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "apim" {
    address_prefix = "10.20.2.0/24"
  }
}

api_management "internal" {
  sku                  = "Standard"
  publisher_name       = "Contoso"
  publisher_email      = "api@contoso.com"
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim
}
