# A partner API and the backend it calls with mutual TLS, each deployed under a name made
# from the `name` input: every call gets its own.

variable "api_management" {
  type = api_management
}

variable "name" {
  type = string
}

variable "path" {
  type = string
}

certificate "client" {
  name     = "${var.name}-client"
  pfx      = file("../pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

backend "partner" {
  name               = var.name
  api_management     = var.api_management
  url                = "https://partner.contoso.internal"
  client_certificate = certificate.client
}

api "partner" {
  name           = var.name
  api_management = var.api_management
  path           = var.path
  backend        = backend.partner

  policy {
    inbound {
      authentication_certificate {
        certificate = certificate.client
      }
    }
  }
}
