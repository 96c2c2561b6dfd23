# Issued ahead of a rotation: valid only from five days after today.
certificate "partner_client" {
  pem = file("pki/not-yet-valid.pem")
}
