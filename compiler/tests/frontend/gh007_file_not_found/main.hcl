certificate "partner_ca" {
  ca_chain = file("certs/partner-ca-chain.pem")
}
