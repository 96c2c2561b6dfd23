# This module calls itself.
module "again" {
  source = "./"
}
