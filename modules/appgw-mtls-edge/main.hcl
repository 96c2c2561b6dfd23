# An Application Gateway v2 that terminates mutual TLS in front of API Management: an SSL
# profile that trusts the client CA chain (roots and intermediates, never a leaf), one HTTPS
# listener, and a route to an APIM gateway hostname with explicit backend settings and a health
# probe. A rewrite rule overwrites the client certificate header with the certificate the
# gateway verified (`{var_client_certificate}`): APIM behind AppGW never sees the client's TLS
# connection, so the header is the only way the certificate reaches its policies.

variable "name" {
  type        = string
  default     = null
  description = "Azure name of the gateway (default: deployment name + `edge`)."
}

variable "sku" {
  type        = string
  default     = "WAF_v2"
  description = "`WAF_v2` or `Standard_v2`; mutual authentication needs a v2 SKU."
}

variable "min_capacity" {
  type        = number
  default     = 2
  description = "Autoscale minimum instance count."
}

variable "max_capacity" {
  type        = number
  default     = 10
  description = "Autoscale maximum instance count."
}

variable "subnet" {
  type        = subnet
  description = "Dedicated subnet of the gateway."
}

variable "identity" {
  type        = identity
  description = "User-assigned identity that reads the listener certificate from Key Vault."
}

variable "waf_mode" {
  type        = string
  default     = "Prevention"
  description = "WAF mode with the `WAF_v2` SKU: `Prevention` or `Detection`."
}

variable "ssl_policy_name" {
  type        = string
  default     = "AppGwSslPolicy20220101S"
  description = "Predefined TLS policy of the gateway."
}

variable "trusted_client_cas" {
  type        = list(certificate)
  description = "CA chain certificates (`ca_chain`) that client certificates must chain to."
}

variable "verify_client_cert_issuer_dn" {
  type        = bool
  default     = true
  description = "Also require the client certificate's issuer DN to match a trusted CA."
}

variable "verify_client_revocation" {
  type        = string
  default     = "OCSP"
  description = "Client certificate revocation check: `OCSP`, or `None`."
}

variable "host_name" {
  type        = string
  description = "Host name the listener answers, e.g. `api.contoso.com`."
}

variable "certificate" {
  type        = certificate
  description = "Server certificate of the listener (PFX or Key Vault)."
}

variable "apim_hostname" {
  type        = hostname
  description = "The API Management `Proxy` hostname requests are routed to."
}

variable "apim_host_name" {
  type        = string
  description = "DNS name of `apim_hostname`: the Host header and SNI sent to API Management."
}

variable "probe_path" {
  type        = string
  default     = "/status-0123456789abcdef"
  description = "Health probe path; API Management answers 200 on this one without a subscription."
}

app_gateway "edge" {
  name         = var.name
  sku          = var.sku
  min_capacity = var.min_capacity
  max_capacity = var.max_capacity
  subnet       = var.subnet
  identity     = var.identity
  waf_mode     = var.sku == "WAF_v2" ? var.waf_mode : null

  ssl_policy {
    policy_type = "Predefined"
    policy_name = var.ssl_policy_name
  }

  ssl_profile "clients" {
    trusted_client_cas           = var.trusted_client_cas
    verify_client_cert_issuer_dn = var.verify_client_cert_issuer_dn
    verify_client_revocation     = var.verify_client_revocation
  }

  listener "api" {
    host_name   = var.host_name
    certificate = var.certificate
    ssl_profile = ssl_profile.clients

    route "default" {
      to               = var.apim_hostname
      backend_settings = backend_settings.apim
      rewrite_rule_set = rewrite_rule_set.forward_client_cert
    }
  }

  backend_settings "apim" {
    port      = 443
    protocol  = "Https"
    host_name = var.apim_host_name

    probe {
      path = var.probe_path
    }
  }

  # Set on every request: whatever a client sent in this header is overwritten with the
  # certificate AppGW verified, so the header cannot be spoofed. (The header is a block label,
  # so it is fixed here; the `client_cert_header` output names it.)
  rewrite_rule_set "forward_client_cert" {
    rule "client_cert" {
      sequence = 100

      set_request_header "X-ARR-ClientCert" {
        value = "{var_client_certificate}"
      }
    }
  }
}

output "app_gateway" {
  value       = app_gateway.edge
  description = "The gateway."
}

output "listener" {
  value       = app_gateway.edge.listener.api
  description = "The mutual-TLS listener."
}

output "ssl_profile" {
  value       = app_gateway.edge.ssl_profile.clients
  description = "The SSL profile holding the trusted client CAs."
}

output "client_cert_header" {
  value       = "X-ARR-ClientCert"
  description = "Header API Management reads the client certificate from (give it to `partner-api`)."
}
