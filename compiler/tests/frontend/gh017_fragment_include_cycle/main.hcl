api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  policy_fragment "partner_mtls" {
    validate_client_certificate {
      validate_trust = true
    }

    include_fragment {
      fragment = policy_fragment.audit
    }
  }

  policy_fragment "audit" {
    choose {
      when {
        condition = "@(context.Request.Certificate == null)"

        include_fragment {
          fragment = policy_fragment.partner_mtls
        }
      }
    }
  }

  # Includes itself through raw XML.
  policy_fragment "trace" {
    xml = "<fragment><trace source=\"gateway\" /><include-fragment fragment-id=\"trace\" /></fragment>"
  }

  api "orders" {
    path = "orders"

    policy {
      inbound {
        include_fragment {
          fragment = policy_fragment.partner_mtls
        }

        include_fragment {
          fragment = policy_fragment.trace
        }
      }
    }
  }
}
