variable "host_name" {
  type = string
}

variable "port" {
  type    = number
  default = 443
}

variable "ca" {
  type = certificate
}

app_gateway "edge" {
  sku = "WAF_v2"

  ssl_profile "partners" {
    trusted_client_cas = [var.ca]
  }
}
