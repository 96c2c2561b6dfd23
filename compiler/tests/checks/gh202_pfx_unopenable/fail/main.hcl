certificate "edge" {
  pfx      = file("pki/server.pfx")
  password = secret("WRONG_PASSWORD")
}

certificate "client" {
  pfx = file("pki/client.pfx")
}
