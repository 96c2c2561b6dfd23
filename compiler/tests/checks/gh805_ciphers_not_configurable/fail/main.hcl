# Learn manage-protocols-ciphers: the v2 tiers do not support changes to the default cipher
# configuration, so TLS 1.1 for a legacy client cannot be turned on here.
api_management "main" {
  sku             = "StandardV2"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  security {
    frontend_tls11_enabled = true
  }
}
