deployment {
  name                     = "contoso"
  location                 = "westeurope"
  resource_group           = "rg-contoso"
  cert_expiry_warning_days = 7
}

certificate "soon" {
  pem = file("pki/expiring.pem")
}
