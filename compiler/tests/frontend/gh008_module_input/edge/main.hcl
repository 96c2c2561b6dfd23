variable "host_name" {
  type = string
}

variable "port" {
  type    = number
  default = 443
}
