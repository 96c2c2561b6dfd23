api_management "main" {
  sku             = "StandardV2"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
}
