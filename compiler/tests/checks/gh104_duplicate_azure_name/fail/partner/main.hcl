# A partner API and the backend it calls with mutual TLS. The blocks have no `name`, so they
# deploy under their labels: two calls on one instance collide.

variable "api_management" {
  type = api_management
}

variable "path" {
  type = string
}

certificate "client" {
  pfx      = file("../pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

backend "partner" {
  api_management     = var.api_management
  url                = "https://partner.contoso.internal"
  client_certificate = certificate.client
}

api "partner" {
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
