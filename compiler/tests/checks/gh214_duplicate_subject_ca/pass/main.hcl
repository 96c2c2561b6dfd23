certificate "root_2026" {
  pem = file("pki/root-ca-same-subject.pem")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  ca_certificate "root_2026" {
    certificate = certificate.root_2026
    store       = "Root"
  }
}
