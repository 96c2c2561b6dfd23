module "edge" {
  source   = "./edge"
  hostname = "api.contoso.com"
  port     = "443"
}
