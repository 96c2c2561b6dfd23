certificate "partner" {
  pem = file("pki/client-leaf.pem")
}

app_gateway "edge" {
  sku = "WAF_v2"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner]
  }
}
