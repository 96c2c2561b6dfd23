app_gateway "edge" {
  sku = "WAF_v2"

  listner "api" {
    host_name = "api.contoso.com"
  }
}

api_managment "main" {
  sku = "Premium"
}
