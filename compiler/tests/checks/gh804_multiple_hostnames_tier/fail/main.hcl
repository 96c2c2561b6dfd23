# "Multiple custom domain names for gateway" is a Developer and Premium feature (Learn
# api-management-features): a Standard instance cannot have a second gateway hostname.
api_management "main" {
  sku             = "Standard"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type      = "Proxy"
    host_name = "api.contoso.com"
  }

  hostname "partners" {
    type      = "Proxy"
    host_name = "partners.contoso.com"
  }
}
