certificate "partner_client" {
  pem = file("pki/client-leaf.pem")
}
