certificate "soon" {
  pem = file("pki/expiring.pem")
}
