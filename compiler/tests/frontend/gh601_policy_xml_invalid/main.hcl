api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "inline" {
    path = "inline"

    policy {
      xml = "<policies><inbound><base/></inbound>"
    }
  }

  api "from_file" {
    path = "from-file"

    policy {
      xml = file("policies/orders.xml")
    }
  }
}
