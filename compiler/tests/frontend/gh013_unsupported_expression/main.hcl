locals {
  hosts  = [for h in ["a", "b"] : "${h}.contoso.com"]
  upper  = uppercase("x")
  bare   = Premium
  summed = "a" + 1
}
