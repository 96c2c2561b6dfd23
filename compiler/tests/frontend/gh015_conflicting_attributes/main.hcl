certificate "edge" {
  pem = file("edge.pem")
  pfx = file("edge.pem")
}

certificate "nothing" {
  description = "no source at all"
}

certificate "pinned" {
  pem      = file("edge.pem")
  password = secret("EDGE_PASSWORD")
}
