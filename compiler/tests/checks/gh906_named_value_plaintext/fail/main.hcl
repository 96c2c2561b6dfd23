# PSRule Azure.APIM.EncryptValues asks only that the value be secret; API Management still
# stores it itself, outside Key Vault's rotation and audit.
api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  named_value "partner_key" {
    value = secret("PARTNER_KEY")
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
