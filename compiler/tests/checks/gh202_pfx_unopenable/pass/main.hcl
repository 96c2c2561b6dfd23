certificate "edge" {
  pfx      = file("pki/server.pfx")
  password = secret("PFX_PASSWORD")
}
