api_management "serverless" {
  sku                       = "Consumption"
  publisher_name            = "Contoso"
  publisher_email           = "api@contoso.com"
  enable_client_certificate = true

  hostname "gateway" {
    type      = "Proxy"
    host_name = "api.contoso.com"
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
  sku                  = "Premium"
  publisher_name       = "Contoso"
  publisher_email      = "api@contoso.com"
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim
}
