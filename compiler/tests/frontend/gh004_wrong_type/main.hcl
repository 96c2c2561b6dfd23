certificate "partner_ca" {
  ca_chain = file("ca.pem")
}

app_gateway "edge" {
  sku = "WAF_v2"

  listener "api" {
    host_name   = "api.contoso.com"
    port        = "443"
    ssl_profile = certificate.partner_ca
  }
}
