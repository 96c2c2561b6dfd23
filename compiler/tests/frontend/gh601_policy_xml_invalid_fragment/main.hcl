api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  api "orders" {
    path = "orders"

    policy {
      inbound {
        include_fragment {
          fragment = policy_fragment.audit
        }

        include_fragment {
          fragment = policy_fragment.headers
        }

        raw {
          xml = "<include-fragment id=\"audit\" />"
        }
      }
    }
  }
}

# A fragment has no sections and no `<base />`.
policy_fragment "audit" {
  api_management = api_management.main
  xml            = "<fragment><base /><set-header name=\"X-Audit\" exists-action=\"override\"><value>orders</value></set-header></fragment>"
}

policy_fragment "headers" {
  api_management = api_management.main
  xml            = "<policies><inbound><base /></inbound></policies>"
}
