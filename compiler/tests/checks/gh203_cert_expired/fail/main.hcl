certificate "old_client" {
  pem = file("pki/expired.pem")
}
