# Passthrough: nobody downstream validates the client certificate.
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

app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  subnet       = virtual_network.edge.subnet.appgw
  waf_mode     = "Prevention"

  # The gateway asks for the certificate but lets every client through.
  ssl_profile "partners" {
    client_auth_mode = "Passthrough"
  }

  listener "api" {
    host_name   = "api.contoso.com"
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to = api_management.main.hostname.gateway
    }
  }
}

api_management "main" {
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

  api "partners" {
    path = "partners"

    policy {
      inbound {
        set_header {
          name   = "X-Partner-Api"
          values = ["partners"]
        }
      }
    }
  }
}

# API Management is internal: its names resolve in the gateway's network through this zone.
private_dns_zone "internal" {
  name             = "contoso.internal"
  virtual_networks = [virtual_network.edge]

  a_record "*" {
    records = ["10.20.2.4"]
  }
}
