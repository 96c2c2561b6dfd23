# The PFX password and a partner key are written into the topology: they end up in git, CI
# logs and the emitted Terraform state.
certificate "gateway_tls" {
  pfx      = file("pki/server.pfx")
  password = "fixture-password"
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type        = "Proxy"
    host_name   = "api.contoso.com"
    certificate = certificate.gateway_tls
  }

  named_value "partner_key" {
    value  = "2f8e-partner-key"
    secret = true
  }

  api "orders" {
    path = "orders"

    policy {
      inbound {
        set_header {
          name   = "X-Partner-Key"
          values = ["{{partner_key}}"]
        }
      }
    }
  }
}
