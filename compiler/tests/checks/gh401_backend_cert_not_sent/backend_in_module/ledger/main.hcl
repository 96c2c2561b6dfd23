variable "api_management" {
  type = api_management
}

variable "name" {
  type = string
}

certificate "client" {
  name     = "${var.name}-client"
  pfx      = file("../pki/client.pfx")
  password = secret("PFX_PASSWORD")
}

backend "mtls" {
  name               = var.name
  api_management     = var.api_management
  url                = "https://${var.name}.contoso.internal"
  client_certificate = certificate.client
}

output "backend" {
  value = backend.mtls
}

output "client_certificate" {
  value = certificate.client
}
