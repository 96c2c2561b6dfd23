certificate "edge" {
  pfx      = file("edge.pfx")
  password = secret("EDGE_PFX_PASSWORD")
}
