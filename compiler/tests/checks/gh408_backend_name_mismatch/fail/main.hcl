# UP#19 (docs #123380): the backend URL names another host than the certificate was issued for;
# the name check fails and every call gets 500.
certificate "internal_root" {
  pem = file("pki/root-ca.pem")
}

certificate "orders_server" {
  pem = file("pki/backend-server.pem")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  ca_certificate "internal_root" {
    certificate = certificate.internal_root
    store       = "Root"
  }

  backend "orders" {
    url                = "https://orders-lb.contoso.internal"
    server_certificate = certificate.orders_server
  }

  api "orders" {
    path    = "orders"
    backend = backend.orders
  }
}
