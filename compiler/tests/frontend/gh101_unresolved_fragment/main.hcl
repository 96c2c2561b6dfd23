api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  policy_fragment "partner_mtls" {
    validate_client_certificate {
      validate_trust = true
    }
  }

  api "orders" {
    path = "orders"

    policy {
      inbound {
        include_fragment {
          fragment = policy_fragment.partner_mlts
        }
      }
    }
  }
}
