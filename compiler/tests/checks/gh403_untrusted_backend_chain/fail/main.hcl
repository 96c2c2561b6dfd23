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

# A backend certificate issued under the test root, which the topology declares but does not
# upload: the help names the block to upload.
certificate "internal_root" {
  pem = file("pki/root-ca.pem")
}

certificate "billing_server" {
  pem = file("pki/backend-server.pem")
}

api_management "billing" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "billing" {
    url                = "https://orders.contoso.internal"
    server_certificate = certificate.billing_server
  }

  api "billing" {
    path    = "billing"
    backend = backend.billing
  }
}

# A v2 tier has no CA store for backends: uploading the root is no fix there.
api_management "edge" {
  sku             = "StandardV2"
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
