certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

certificate "edge" {
  der = file("pki/root-ca.der")
}
