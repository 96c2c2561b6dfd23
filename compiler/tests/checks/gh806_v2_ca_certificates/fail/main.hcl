# UP#17 (Azure/azure-service-operator#5322): on StandardV2 the CA of a private backend cannot be
# set at instance level.
certificate "internal_root" {
  pem = file("pki/root-ca.pem")
}

api_management "main" {
  sku             = "StandardV2"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  ca_certificate "internal_root" {
    certificate = certificate.internal_root
    store       = "Root"
  }
}
