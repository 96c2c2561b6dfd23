locals {
  prefix = "${local.name}-api"
  name   = "${local.prefix}-edge"
}

deployment {
  name           = local.name
  location       = "westeurope"
  resource_group = "rg-edge"
}
