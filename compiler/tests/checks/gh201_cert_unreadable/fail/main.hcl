certificate "partner_ca" {
  ca_chain = file("pki/key-only.pem")
}

certificate "edge" {
  der = file("pki/root-ca.pem")
}

certificate "broken" {
  pem = file("pki/corrupt.pem")
}

# A known client's certificate: PEM or DER, never a key or text.
client "partner" {
  certificate = file("pki/key-only.pem")
}

client "fabrikam" {
  certificate = file("pki/not-a-cert.txt")
}
