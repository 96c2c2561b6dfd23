# A complete edge for the runtime tests: Application Gateway with mutual TLS in front of an
# API Management instance, certificates from the test PKI (tests/support/pki.rs), which the
# tests write next to this file.

deployment {
  name           = "edge-local"
  location       = "westeurope"
  resource_group = "rg-edge-local"
}

certificate "edge_tls" {
  pem         = file("pki/server.pem")
  private_key = file("pki/server.key")
}

certificate "gateway_tls" {
  pem         = file("pki/server.pem")
  private_key = file("pki/server.key")
}

certificate "partner_ca" {
  ca_chain = file("pki/ca-chain.pem")
}

certificate "partner_root" {
  pem = file("pki/root-ca.pem")
}

certificate "ledger_client" {
  pem         = file("pki/client.pem")
  private_key = file("pki/client.key")
}

certificate "orders_backend" {
  pem = file("pki/backend-server.pem")
}
