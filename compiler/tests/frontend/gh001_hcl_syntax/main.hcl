certificate "edge" {
  pem = file("edge.pem"
}
