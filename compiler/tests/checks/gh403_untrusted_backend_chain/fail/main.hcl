# UP#15 (docs #112181): a self-signed backend certificate that API Management does not trust:
# every call fails with 500 while chain validation is on.
certificate "orders_server" {
  pem = file("pki/backend-self-signed.pem")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "orders" {
    url                = "https://orders.contoso.internal"
    server_certificate = certificate.orders_server
  }

  api "orders" {
    path    = "orders"
    backend = backend.orders
  }
}
