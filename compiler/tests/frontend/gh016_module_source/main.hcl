module "edge" {
  source = "contoso/edge/azure"
}

module "empty" {
  source = "./empty"
}
