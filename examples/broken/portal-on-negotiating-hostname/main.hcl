# Broken on purpose: the developer portal is served on the hostname that negotiates client
# certificates. Every visitor's browser then prompts for a certificate (and without one the
# portal does not load).

deployment {
  name           = "contoso-broken"
  location       = "northeurope"
  resource_group = "rg-contoso-broken"
}

api_management "partners" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "integration@contoso.com"

  hostname "partners" {
    type                         = "Proxy"
    host_name                    = "partners.contoso.com"
    negotiate_client_certificate = true
  }

  hostname "portal" {
    type      = "DeveloperPortal"
    host_name = "partners.contoso.com"
  }
}
