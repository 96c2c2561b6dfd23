certificate "client" {
  pem = file("pki/client.pem")
}
