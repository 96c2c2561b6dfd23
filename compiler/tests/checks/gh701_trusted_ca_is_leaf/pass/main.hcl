certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

app_gateway "edge" {
  sku = "WAF_v2"

  ssl_profile "partners" {
    trusted_client_cas = [certificate.partner_ca]
  }
}
