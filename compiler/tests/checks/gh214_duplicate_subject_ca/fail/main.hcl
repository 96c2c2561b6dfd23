# UP#44 (docs #81745): the CA store keeps one certificate per subject.
certificate "root_2024" {
  pem = file("pki/root-ca.pem")
}

certificate "root_2026" {
  pem = file("pki/root-ca-same-subject.pem")
}

api_management "main" {
  sku             = "Premium"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  ca_certificate "root_2024" {
    certificate = certificate.root_2024
    store       = "Root"
  }

  ca_certificate "root_2026" {
    certificate = certificate.root_2026
    store       = "Root"
  }
}
