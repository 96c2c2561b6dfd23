certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

certificate "edge" {
  der = file("pki/root-ca.der")
}

client "partner" {
  certificate = file("pki/client.pem")
  description = "Partner client: leaf and the issuing CA it holds."
}

client "fabrikam" {
  certificate = file("pki/client-leaf.der")
}
