certificate "edge" {
  pem = file("edge.pfx")
}

locals {
  region = "westeurope"
}

locals {
  region = "northeurope"
}
