//! Synthetic topologies of any size, for benchmarks (`compiler/benches/load.rs`) and scale tests.
//!
//! [`topology`] writes what a real repository of one Application Gateway in front of one API
//! Management instance looks like: a file per concern, APIs split over `apis-NNN.hcl` files of
//! [`APIS_PER_FILE`] each, variables, locals and interpolation where people use them. Every
//! generated topology loads with zero diagnostics, so that a benchmark measures the happy path.
//!
//! This module only builds text: it must never read or write files. The CA chain is named with
//! `file("certs/ca.pem")` ([`CA_CHAIN_PATH`]); the caller provides that file.

/// APIs per `apis-NNN.hcl` file.
pub const APIS_PER_FILE: usize = 100;

/// APIs sharing one backend.
pub const APIS_PER_BACKEND: usize = 10;

/// Operations of every API.
pub const OPERATIONS_PER_API: usize = 10;

/// The file the generated `certificate "partner_ca"` reads, relative to the topology root.
pub const CA_CHAIN_PATH: &str = "certs/ca.pem";

/// A topology of `apis` APIs with [`OPERATIONS_PER_API`] operations each: `(file name, HCL
/// text)` pairs, sorted by name, all at the topology root.
pub fn topology(apis: usize) -> Vec<(String, String)> {
    let mut files = vec![
        ("api_management.hcl".to_string(), api_management(apis)),
        ("app_gateway.hcl".to_string(), APP_GATEWAY.to_string()),
        ("certificates.hcl".to_string(), CERTIFICATES.to_string()),
        ("identity.hcl".to_string(), IDENTITY.to_string()),
        ("main.hcl".to_string(), main(apis)),
        ("network.hcl".to_string(), NETWORK.to_string()),
    ];
    for (file, first) in (0..apis).step_by(APIS_PER_FILE).enumerate() {
        let last = (first + APIS_PER_FILE).min(apis);
        files.push((format!("apis-{file:03}.hcl"), apis_file(file, first..last)));
    }
    files.sort();
    files
}

fn main(apis: usize) -> String {
    format!(
        "# Synthetic topology of {apis} APIs (gatehouse::synth): Application Gateway verifies partners'\n\
         # client certificates and forwards them in a header to API Management, which checks it.\n\
         \n{MAIN}"
    )
}

const MAIN: &str = r#"deployment {
  name           = "contoso-edge"
  location       = "westeurope"
  resource_group = "rg-contoso-edge"
  tags = {
    owner = "platform-team"
    env   = var.environment
  }
}

variable "environment" {
  type        = string
  default     = "prod"
  description = "Environment name, used in tags and host names."
}

variable "calls_per_minute" {
  type        = number
  default     = 600
  description = "Calls each partner certificate may make per minute, per API."
}

locals {
  org          = "contoso"
  api_host     = "api.${local.org}.com"
  partner_host = "partners.${local.org}.com"
  gateway_host = "gw-${var.environment}.${local.org}.internal"
  cert_header  = "X-ARR-ClientCert"
}

output "api_url" {
  value = "https://${local.api_host}"
}
"#;

const CERTIFICATES: &str = r#"# The CA chain partners' client certificates must chain to, and the server certificates of
# both tiers, read from Key Vault by managed identities.

certificate "partner_ca" {
  ca_chain    = file("certs/ca.pem")
  description = "Root and issuing CA of partner client certificates."
}

certificate "edge_tls" {
  key_vault   = key_vault.edge
  secret_name = "edge-tls"
  identity    = identity.appgw
}

certificate "partner_tls" {
  key_vault   = key_vault.edge
  secret_name = "partner-tls"
  identity    = identity.appgw
}

certificate "gateway_tls" {
  key_vault   = key_vault.edge
  secret_name = "gateway-tls"
  identity    = identity.apim
}

certificate "management_tls" {
  key_vault   = key_vault.edge
  secret_name = "management-tls"
  identity    = identity.apim
}
"#;

const IDENTITY: &str = r#"identity "appgw" {
  type = "UserAssigned"
  name = "id-contoso-appgw"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

identity "apim" {
  type = "SystemAssigned"

  role_assignment {
    scope = key_vault.edge
    role  = "Key Vault Secrets User"
  }
}

key_vault "edge" {
  name             = "kv-contoso-edge"
  permission_model = "rbac"
  purge_protection = true

  network_rules {
    default_action  = "Deny"
    bypass          = "AzureServices"
    allowed_subnets = [virtual_network.edge.subnet.appgw, virtual_network.edge.subnet.apim]
  }
}
"#;

const NETWORK: &str = r#"virtual_network "edge" {
  name          = "vnet-contoso-edge"
  address_space = ["10.20.0.0/16"]

  subnet "appgw" {
    address_prefix    = "10.20.1.0/24"
    service_endpoints = ["Microsoft.KeyVault"]
  }

  subnet "apim" {
    address_prefix         = "10.20.2.0/24"
    network_security_group = network_security_group.apim
    service_endpoints      = ["Microsoft.KeyVault"]
  }
}

# APIM is internal: the gateway resolves its hostnames through this zone.
private_dns_zone "internal" {
  name             = "contoso.internal"
  virtual_networks = [virtual_network.edge]

  a_record "*" {
    records = ["10.20.2.4"]
  }
}

# The rules APIM needs in an internal virtual network.
network_security_group "apim" {
  name = "nsg-contoso-apim"

  rule "management" {
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "ApiManagement"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "3443"
  }

  rule "load_balancer" {
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "AzureLoadBalancer"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "6390"
  }

  rule "from_appgw" {
    priority                   = 120
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "10.20.1.0/24"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "443"
  }

  rule "key_vault" {
    priority                   = 100
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_address_prefix = "AzureKeyVault"
    destination_port_range     = "443"
  }

  rule "entra_id" {
    priority                   = 110
    direction                  = "Outbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    destination_address_prefix = "AzureActiveDirectory"
    destination_port_range     = "443"
  }
}
"#;

const APP_GATEWAY: &str = r#"app_gateway "edge" {
  sku          = "WAF_v2"
  min_capacity = 2
  max_capacity = 10
  subnet       = virtual_network.edge.subnet.appgw
  identity     = identity.appgw
  waf_mode     = "Prevention"

  ssl_policy {
    policy_type = "Predefined"
    policy_name = "AppGwSslPolicy20220101S"
  }

  ssl_profile "partners" {
    trusted_client_cas           = [certificate.partner_ca]
    verify_client_cert_issuer_dn = true
    verify_client_revocation     = "OCSP"
  }

  listener "api" {
    host_name   = local.api_host
    certificate = certificate.edge_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to               = api_management.main.hostname.gateway
      backend_settings = backend_settings.apim
      rewrite_rule_set = rewrite_rule_set.forward_client_cert
    }
  }

  listener "partners" {
    host_name   = local.partner_host
    certificate = certificate.partner_tls
    ssl_profile = ssl_profile.partners

    route "default" {
      to               = api_management.main.hostname.gateway
      backend_settings = backend_settings.apim
      rewrite_rule_set = rewrite_rule_set.forward_client_cert
    }
  }

  backend_settings "apim" {
    port      = 443
    protocol  = "Https"
    host_name = local.gateway_host

    probe {
      path = "/status-0123456789abcdef"
    }
  }

  # Overwrites whatever the client sent in the header with the certificate AppGW verified.
  rewrite_rule_set "forward_client_cert" {
    rule "client_cert" {
      sequence = 100

      set_request_header "X-ARR-ClientCert" {
        value = "{var_client_certificate}"
      }
    }
  }
}
"#;

fn api_management(apis: usize) -> String {
    let mut backends = String::new();
    for group in 0..apis.div_ceil(APIS_PER_BACKEND) {
        backends.push_str(&format!(
            r#"
  backend "group_{group:04}" {{
    url         = "https://svc-{group:04}.${{local.org}}.internal"
    description = "Services {first:05} to {last:05}"
  }}
"#,
            first = group * APIS_PER_BACKEND,
            last = ((group + 1) * APIS_PER_BACKEND).min(apis) - 1,
        ));
    }
    format!(
        r#"api_management "main" {{
  sku                  = "Premium"
  capacity             = 1
  publisher_name       = "Contoso"
  publisher_email      = "api-team@contoso.com"
  identities           = [identity.apim]
  virtual_network_type = "Internal"
  subnet               = virtual_network.edge.subnet.apim

  hostname "gateway" {{
    type                = "Proxy"
    host_name           = local.gateway_host
    certificate         = certificate.gateway_tls
    default_ssl_binding = true
  }}

  hostname "management" {{
    type        = "Management"
    host_name   = "mgmt-${{var.environment}}.${{local.org}}.internal"
    certificate = certificate.management_tls
  }}

  product "partners" {{
    display_name          = "Partners"
    subscription_required = false
  }}

  product "internal" {{
    display_name          = "Internal"
    description           = "APIs also offered to internal teams."
    subscription_required = false
  }}

  # Every call gets a correlation id, whatever the API.
  policy {{
    inbound {{
      set_header {{
        name          = "X-Correlation-Id"
        exists_action = "skip"
        values        = ["@(context.RequestId.ToString())"]
      }}
    }}
  }}
{backends}}}
"#
    )
}

/// One `apis-NNN.hcl` file: a team's APIs, with the team name in a local.
fn apis_file(file: usize, apis: std::ops::Range<usize>) -> String {
    let mut out = format!(
        r#"# APIs {first:05} to {last:05}.

locals {{
  team_{file:03} = "team-{file:03}"
}}
"#,
        first = apis.start,
        last = apis.end - 1,
    );
    for index in apis {
        out.push('\n');
        out.push_str(&api(file, index));
    }
    out
}

/// The operations of every API: label, method, URL template, and the operation policy if any.
const OPERATIONS: [(&str, &str, &str, Option<&str>); OPERATIONS_PER_API] = [
    ("list", "GET", "/", None),
    ("get", "GET", "/{id}", None),
    ("create", "POST", "/", Some(CREATE_POLICY)),
    ("replace", "PUT", "/{id}", None),
    ("update", "PATCH", "/{id}", None),
    ("remove", "DELETE", "/{id}", Some(REMOVE_POLICY)),
    ("search", "GET", "/search", None),
    ("export", "GET", "/export", None),
    ("items", "GET", "/{id}/items", None),
    ("status", "HEAD", "/status", None),
];

/// Writes are counted separately and more strictly.
const CREATE_POLICY: &str = r#"
    policy {
      inbound {
        rate_limit_by_key {
          calls               = 60
          renewal_period      = 60
          counter_key         = "@(context.Request.Headers.GetValueOrDefault(\"${local.cert_header}\", \"\").GetHashCode().ToString())"
          increment_condition = "@(context.Response.StatusCode == 201)"
        }
      }
    }
"#;

/// Deletes only from the gateway subnet.
const REMOVE_POLICY: &str = r#"
    policy {
      inbound {
        ip_filter {
          action = "allow"

          address_range {
            from = "10.20.1.0"
            to   = "10.20.1.255"
          }
        }
      }
    }
"#;

fn api(file: usize, index: usize) -> String {
    // Every other API is also offered to internal teams.
    let products = match index % 2 {
        0 => "[api_management.main.product.partners, api_management.main.product.internal]",
        _ => "[api_management.main.product.partners]",
    };
    let mut operations = String::new();
    for (label, method, url_template, policy) in OPERATIONS {
        let body_limit = if method == "POST" || method == "PUT" || method == "PATCH" {
            "\n    max_body_size = 1048576"
        } else {
            ""
        };
        let pad = if body_limit.is_empty() { "" } else { " " };
        operations.push_str(&format!(
            r#"
  operation "{label}" {{
    method       {pad}= "{method}"
    url_template {pad}= "{url_template}"{body_limit}
{policy}  }}
"#,
            policy = policy.unwrap_or(""),
        ));
    }
    format!(
        r#"api "svc_{index:05}" {{
  api_management        = api_management.main
  display_name          = "Service {index:05} (${{local.team_{file:03}}})"
  path                  = "svc-{index:05}"
  protocols             = ["https"]
  hostnames             = [api_management.main.hostname.gateway]
  backend               = api_management.main.backend.group_{group:04}
  subscription_required = false
  products              = {products}
{operations}
  # Only calls that came through Application Gateway carry the verified certificate.
  policy {{
    inbound {{
      check_header {{
        name                       = local.cert_header
        failed_check_httpcode      = 401
        failed_check_error_message = "A client certificate is required"
      }}

      set_header {{
        name   = "X-Api-Name"
        values = ["svc-{index:05}"]
      }}

      rate_limit_by_key {{
        calls          = var.calls_per_minute
        renewal_period = 60
        counter_key    = "@(context.Request.Headers.GetValueOrDefault(\"${{local.cert_header}}\", \"\").GetHashCode().ToString())"
      }}

      choose {{
        when {{
          condition = "@(context.Request.Headers.GetValueOrDefault(\"${{local.cert_header}}\", \"\").Length > 8192)"

          return_response {{
            status_code = 431
            reason      = "Client certificate header too large"
          }}
        }}

        otherwise {{
          set_header {{
            name   = "X-Client-Verified"
            values = ["true"]
          }}
        }}
      }}
    }}

    outbound {{
      set_header {{
        name          = "X-Powered-By"
        exists_action = "delete"
      }}
    }}
  }}
}}
"#,
        group = index / APIS_PER_BACKEND,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Options;
    use crate::load::{load, Loaded};
    use crate::syntax::MemoryWorld;

    fn load_synthetic(apis: usize) -> Loaded {
        let mut world = MemoryWorld::new().with_file(
            CA_CHAIN_PATH,
            "any text: certificates are read by later stages",
        );
        for (name, text) in topology(apis) {
            world = world.with_file(&name, text);
        }
        load(&world, "", &Options::default())
    }

    #[test]
    fn loads_without_diagnostics_with_every_api_and_operation() {
        let loaded = load_synthetic(20);
        let messages: Vec<&str> = loaded
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert!(messages.is_empty(), "diagnostics: {messages:#?}");
        let model = &loaded.model;
        assert_eq!(model.apis.len(), 20);
        assert_eq!(model.operations.len(), 200);
        assert_eq!(model.backends.len(), 2);
        assert_eq!(model.app_gateways.len(), 1);
        assert_eq!(model.listeners.len(), 2);
        assert_eq!(model.api_managements[0].apis.len(), 20);
        // 20 API policies, 40 operation policies and the global one.
        assert_eq!(model.policies.len(), 61);
    }

    #[test]
    fn splits_apis_into_files_of_a_hundred() {
        let files = topology(250);
        let apis: Vec<&str> = files
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with("apis-"))
            .collect();
        assert_eq!(apis, ["apis-000.hcl", "apis-001.hcl", "apis-002.hcl"]);
        let last = &files
            .iter()
            .find(|(n, _)| n == "apis-002.hcl")
            .expect("third file")
            .1;
        assert_eq!(last.matches("\napi \"").count(), 50);
        assert_eq!(load_synthetic(250).model.apis.len(), 250);
    }

    #[test]
    fn is_already_formatted() {
        for (name, text) in topology(3) {
            let formatted = crate::fmt::format_source(&text).expect("generated HCL parses");
            assert!(
                formatted == text,
                "{name} is not in `gatehouse fmt` layout:\n{formatted}"
            );
        }
    }
}
