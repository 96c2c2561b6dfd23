# Broken on purpose: Application Gateway terminates mutual TLS, and the API behind it
# validates `context.Request.Certificate`. APIM's TLS connection comes from the gateway, which
# presents no client certificate, so the certificate is always null there: behind AppGW, APIM
# sees the client certificate only in the header the gateway's rewrite rule sets.

deployment {
  name           = "contoso-broken"
  location       = "westeurope"
  resource_group = "rg-contoso-broken"
}

certificate "partner_ca" {
  ca_chain = file("../../appgw-apim-keyvault/certs/partner-ca-chain.pem")
}

certificate "partner_root" {
  der = file("../../apim-negotiate-client-cert/certs/partner-root-ca.der")
}

certificate "partner_issuing" {
  pem = file("../../apim-negotiate-client-cert/certs/partner-issuing-ca.pem")
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

  subnet "apim" {
    address_prefix = "10.30.2.0/24"
  }
}

# APIM is internal: only the gateway reaches it, through this zone.
private_dns_zone "internal" {
  name             = "contoso.internal"
  virtual_networks = [virtual_network.edge]

  a_record "gw" {
    records = ["10.30.2.4"]
  }
}

api_management "main" {
  sku                  = "Developer"
  publisher_name       = "Contoso"
  publisher_email      = "api-team@contoso.com"
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim

  hostname "gateway" {
    type      = "Proxy"
    host_name = "gw.contoso.internal"
  }

  ca_certificate "partner_root" {
    certificate = certificate.partner_root
    store       = "Root"
  }

  ca_certificate "partner_issuing" {
    certificate = certificate.partner_issuing
    store       = "CertificateAuthority"
  }

  backend "orders" {
    url = "https://orders.contoso.internal"
  }

  api "orders" {
    path                  = "orders"
    hostnames             = [hostname.gateway]
    backend               = backend.orders
    subscription_required = false

    operation "list" {
      method       = "GET"
      url_template = "/"
    }

    policy {
      inbound {
        validate_client_certificate {
          validate_revocation = true

          identity {
            issuer_subject = "CN=Contoso Partner Issuing CA"
          }
        }
      }
    }
  }
}

module "edge" {
  source             = "../../../modules/appgw-mtls-edge"
  subnet             = virtual_network.edge.subnet.appgw
  identity           = identity.appgw
  trusted_client_cas = [certificate.partner_ca]
  host_name          = "api.contoso.com"
  certificate        = certificate.edge_tls
  apim_hostname      = api_management.main.hostname.gateway
  apim_host_name     = "gw.contoso.internal"
}
