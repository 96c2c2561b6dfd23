certificate "partner_ca" {
  ca_chain = file("pki/key-only.pem")
}

certificate "edge" {
  der = file("pki/root-ca.pem")
}

certificate "broken" {
  pem = file("pki/corrupt.pem")
}
