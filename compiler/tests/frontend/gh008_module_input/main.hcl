module "edge" {
  source   = "./edge"
  hostname = "api.contoso.com"
  port     = "443"
  ca       = key_vault.certs
}

key_vault "certs" {
  name = "kv-contoso"
}
