certificate "internal_root" {
  pem = file("pki/root-ca.pem")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  ca_certificate "internal_root" {
    certificate = certificate.internal_root
    store       = "Root"
  }
}
