# A partner API behind an Application Gateway that verifies partners' client certificates and
# forwards the verified certificate in a header. The API trusts only that header, only on the
# hostnames AppGW reaches, and rate-limits per certificate.

variable "api_management" {
  type        = api_management
  description = "The instance the API is added to."
}

variable "name" {
  type        = string
  description = "Display name of the API."
}

variable "api_name" {
  type        = string
  default     = null
  description = "Azure name of the API (default `partner`): give each call on one instance its own."
}

variable "path" {
  type        = string
  description = "URL suffix, e.g. `orders`."
}

variable "backend" {
  type        = backend
  description = "Backend the API forwards to."
}

variable "hostnames" {
  type        = list(hostname)
  default     = []
  description = "Proxy hostnames the API is served on (default: all)."
}

variable "client_cert_header" {
  type        = string
  default     = "X-ARR-ClientCert"
  description = "Header in which Application Gateway forwards the verified client certificate."
}

variable "calls_per_minute" {
  type        = number
  default     = 600
  description = "Calls each partner certificate may make per minute."
}

api "partner" {
  name                  = var.api_name
  api_management        = var.api_management
  display_name          = var.name
  path                  = var.path
  protocols             = ["https"]
  hostnames             = var.hostnames
  backend               = var.backend
  subscription_required = false

  operation "list" {
    method       = "GET"
    url_template = "/"
  }

  operation "get" {
    method       = "GET"
    url_template = "/{id}"
  }

  operation "create" {
    method        = "POST"
    url_template  = "/"
    max_body_size = 1048576
  }

  policy {
    inbound {
      check_header {
        name                       = var.client_cert_header
        failed_check_httpcode      = 401
        failed_check_error_message = "A client certificate is required"
      }

      # One counter per partner certificate: the forwarded certificate itself is the key.
      # (`GetHashCode()` would be shorter, but .NET randomizes string hashes per process, so
      # each gateway instance would count the same partner under a different key.)
      rate_limit_by_key {
        calls          = var.calls_per_minute
        renewal_period = 60
        counter_key    = "@(context.Request.Headers.GetValueOrDefault(\"${var.client_cert_header}\", \"\"))"
      }
    }
  }
}

output "path" {
  value = var.path
}

output "api" {
  value = api.partner
}
