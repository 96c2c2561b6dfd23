api_management "main" {
  sku             = "Premum"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  hostname "gateway" {
    type      = "proxy"
    host_name = "gw.contoso.com"
  }

  api "orders" {
    path = "orders"

    operation "create" {
      method       = "POST"
      url_template = "/"
      max_body_size = 1.5
    }
  }
}

app_gateway "edge" {
  sku = "WAF_v2"

  listener "api" {
    port = 70000
  }
}
