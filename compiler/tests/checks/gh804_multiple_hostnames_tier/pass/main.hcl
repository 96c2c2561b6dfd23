api_management "main" {
  sku             = "Premium"
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
