certificate "edge_tls" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}

virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "appgw" {
    address_prefix = "10.20.1.0/24"
  }

  subnet "apim" {
    address_prefix = "10.20.2.0/24"
  }
}

virtual_network "hub" {
  name          = "vnet-contoso-hub"
  address_space = ["10.10.0.0/16"]
}

# Linked to the gateway's network, but without `gw`: the zone hides the name there.
private_dns_zone "internal" {
  name             = "contoso.internal"
  virtual_networks = [virtual_network.edge]

  a_record "portal" {
    records = ["10.20.2.4"]
  }
}

# Resolves the default name, but only in the hub network.
private_dns_zone "apim_default" {
  name             = "azure-api.net"
  virtual_networks = [virtual_network.hub]

  a_record "contoso-apim" {
    records = ["10.20.2.4"]
  }
}

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  subnet       = virtual_network.edge.subnet.appgw
  waf_mode     = "Prevention"

  listener "api" {
    host_name   = "api.contoso.com"
    certificate = certificate.edge_tls

    route "default" {
      to               = api_management.main.hostname.gateway
      backend_settings = backend_settings.apim
    }

    route "legacy" {
      paths = ["/legacy/*"]
      to    = backend_pool.apim_default
    }
  }

  backend_pool "apim_default" {
    fqdns = ["contoso-apim.azure-api.net"]
  }

  backend_settings "apim" {
    port      = 443
    protocol  = "Https"
    host_name = "gw.contoso.internal"

    probe {
      path = "/status-0123456789abcdef"
    }
  }
}

api_management "main" {
  name                 = "contoso-apim"
  sku                  = "Premium"
  publisher_name       = "Contoso"
  publisher_email      = "api@contoso.com"
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "gw.contoso.internal"
    certificate = certificate.edge_tls
  }

  api "orders" {
    path      = "orders"
    hostnames = [hostname.gateway]
  }
}
