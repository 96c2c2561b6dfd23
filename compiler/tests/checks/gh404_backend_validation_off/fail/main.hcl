# UP#15 (docs #112181), UP#16 (docs PR #2564): chain validation switched off so that a
# self-signed backend works; API Management then accepts any certificate.
api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "orders" {
    url                        = "https://orders.contoso.internal"
    validate_certificate_chain = false
  }

  api "orders" {
    path    = "orders"
    backend = backend.orders
  }
}
