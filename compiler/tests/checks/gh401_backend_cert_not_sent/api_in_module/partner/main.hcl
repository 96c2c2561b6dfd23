variable "api_management" {
  type = api_management
}

variable "name" {
  type = string
}

variable "backend" {
  type = backend
}

api "partner" {
  name           = var.name
  api_management = var.api_management
  path           = var.name
  backend        = var.backend
}
