//! The block tables of the gatehouse language (see `docs/language.md`, generated from them).
//!
//! Vocabulary is Azure's: block and attribute names follow the azurerm provider and the ARM
//! properties they compile to, so that a reader of the Azure docs recognises every name.

use super::{AttrSchema, BlockSchema, Kind, Repeat, Ty};

const fn opt(name: &'static str, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        name,
        ty,
        required: false,
        doc,
    }
}

const fn req(name: &'static str, ty: Ty, doc: &'static str) -> AttrSchema {
    AttrSchema {
        name,
        ty,
        required: true,
        doc,
    }
}

const S: Ty = Ty::String;
const B: Ty = Ty::Bool;

pub(super) static ALLOW: BlockSchema = BlockSchema {
    name: "allow",
    label: Some("check"),
    kind: None,
    repeat: Repeat::Many,
    doc: "Switches one check off for this block and the blocks inside it; the label is the check code or name (`GH404` or `backend-validation-off`).",
    attrs: &[
        req("reason", S, "Why the finding does not apply here; kept with the topology for reviewers."),
    ],
    blocks: &[],
    statement: false,
};

pub static ROOT: BlockSchema = BlockSchema {
    name: "topology",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "The top level of a topology: every `*.hcl` file of one directory.",
    attrs: &[],
    blocks: &[
        &DEPLOYMENT,
        &CERTIFICATE,
        &CLIENT,
        &KEY_VAULT,
        &IDENTITY,
        &VIRTUAL_NETWORK,
        &NETWORK_SECURITY_GROUP,
        &PRIVATE_DNS_ZONE,
        &APP_GATEWAY,
        &API_MANAGEMENT,
        &TOP_BACKEND,
        &TOP_API,
        &TOP_POLICY_FRAGMENT,
    ],
    statement: false,
};

pub(super) static DEPLOYMENT: BlockSchema = BlockSchema {
    name: "deployment",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Where and under which name the topology deploys (one per topology, in the root module).",
    attrs: &[
        req(
            "name",
            S,
            "Deployment name, used as the prefix of generated Azure resource names.",
        ),
        req("location", S, "Azure region, e.g. `westeurope`."),
        req(
            "resource_group",
            S,
            "Resource group that holds the resources.",
        ),
        opt(
            "tags",
            Ty::Map(&Ty::String),
            "Tags applied to every resource.",
        ),
        opt(
            "cert_expiry_warning_days",
            Ty::Integer { min: 0, max: 3650 },
            "Days before `notAfter` from which certificates are reported as expiring (default 30).",
        ),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static CERTIFICATE: BlockSchema = BlockSchema {
    name: "certificate",
    label: Some("name"),
    kind: Some(Kind::Certificate),
    repeat: Repeat::Many,
    doc: "A certificate from a file (PEM, DER, PFX, CA chain) or a Key Vault secret. Exactly one source.",
    attrs: &[
        opt("name", S, "Azure name of the certificate where Azure names it: its entry in an API Management instance's certificate store (the `certificate-id` policies name) and in an Application Gateway (default: the label, in a gateway with `_` as `-`). Give two certificates with one label (two instances of a module) their own names when they reach the same instance or gateway (GH104)."),
        opt("pem", Ty::File, "PEM file holding the certificate (and, for a server or client certificate, its chain)."),
        opt("private_key", Ty::File, "PEM private key belonging to `pem`."),
        opt("der", Ty::File, "DER (`.cer`) file holding one certificate."),
        opt("pfx", Ty::File, "PKCS#12 (`.pfx`/`.p12`) file with certificate, chain and private key."),
        opt("password", Ty::Secret, "Password of `pfx`: `secret(\"NAME\")` or a sensitive variable, never a literal."),
        opt("ca_chain", Ty::File, "PEM bundle of CA certificates (root and intermediates), e.g. the client CA chain Application Gateway trusts."),
        opt("key_vault", Ty::Ref(&[Kind::KeyVault]), "Key Vault that holds the certificate as a secret."),
        opt("secret_name", S, "Name of the Key Vault secret (with `key_vault`)."),
        opt("secret_version", S, "Pinned secret version; omit it so that Azure picks up rotations."),
        opt("content_type", S, "Content type of the Key Vault secret (with `key_vault`). A Key Vault certificate is stored as a secret of type `application/x-pkcs12` (PFX), or `application/x-pem-file` when its policy asks for PEM; API Management hostnames and certificates and Application Gateway listeners read only `application/x-pkcs12` secrets."),
        opt("identity", Ty::Ref(&[Kind::Identity]), "Identity used to read the Key Vault secret."),
        opt("local_copy", Ty::File, "Local copy of a Key Vault certificate (PEM, DER or PFX) so that its facts can be checked."),
        opt("description", S, "Free text."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static CLIENT: BlockSchema = BlockSchema {
    name: "client",
    label: Some("name"),
    kind: Some(Kind::Client),
    repeat: Repeat::Many,
    doc: "A known client (partner) of the topology and the certificate it presents. Nothing is deployed for it: checks test the SSL profiles' trusted client CAs against its chain.",
    attrs: &[
        req("certificate", Ty::File, "PEM file of the client's certificate, leaf first, then the chain the client holds (if any), or a DER file of the leaf; no private key is needed."),
        opt("description", S, "Free text, e.g. who the client is."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static KEY_VAULT: BlockSchema = BlockSchema {
    name: "key_vault",
    label: Some("name"),
    kind: Some(Kind::KeyVault),
    repeat: Repeat::Many,
    doc: "An Azure Key Vault holding certificates as secrets.",
    attrs: &[
        req("name", S, "Azure name of the vault (globally unique)."),
        opt("resource_group", S, "Resource group, when it differs from the deployment one: the vault is then an existing one, read and never created (grants on it are made there)."),
        opt("sku", Ty::Enum(&["standard", "premium"]), "Vault SKU (default `standard`)."),
        opt("permission_model", Ty::Enum(&["rbac", "access_policy"]), "How access is granted: Azure RBAC role assignments or vault access policies (default `rbac`)."),
        opt("soft_delete_retention_days", Ty::Integer { min: 7, max: 90 }, "Soft-delete retention (default 90)."),
        opt("purge_protection", B, "Purge protection (default true)."),
        opt("public_network_access", B, "Whether the public endpoint is enabled (default true)."),
    ],
    blocks: &[&NETWORK_RULES, &ACCESS_POLICY, &ALLOW],
    statement: false,
};

pub(super) static NETWORK_RULES: BlockSchema = BlockSchema {
    name: "network_rules",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "The vault firewall.",
    attrs: &[
        req(
            "default_action",
            Ty::Enum(&["Allow", "Deny"]),
            "Action when no rule matches.",
        ),
        opt(
            "bypass",
            Ty::Enum(&["AzureServices", "None"]),
            "Whether trusted Azure services bypass the firewall (default `AzureServices`).",
        ),
        opt(
            "allowed_subnets",
            Ty::List(&Ty::Ref(&[Kind::Subnet])),
            "Subnets allowed through the firewall (virtual network rules).",
        ),
        opt(
            "ip_rules",
            Ty::List(&S),
            "Public IP addresses or CIDR ranges allowed through the firewall.",
        ),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static ACCESS_POLICY: BlockSchema = BlockSchema {
    name: "access_policy",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "A vault access policy (with `permission_model = \"access_policy\"`).",
    attrs: &[
        req(
            "identity",
            Ty::Ref(&[Kind::Identity]),
            "Identity granted the permissions.",
        ),
        opt(
            "secret_permissions",
            Ty::List(&Ty::Enum(&[
                "Get", "List", "Set", "Delete", "Recover", "Backup", "Restore", "Purge",
            ])),
            "Permissions on secrets; APIM and Application Gateway need `Get` (APIM also `List`).",
        ),
        opt(
            "certificate_permissions",
            Ty::List(&Ty::Enum(&[
                "Get",
                "List",
                "Update",
                "Create",
                "Import",
                "Delete",
                "Recover",
                "Backup",
                "Restore",
                "ManageContacts",
                "ManageIssuers",
                "GetIssuers",
                "ListIssuers",
                "SetIssuers",
                "DeleteIssuers",
                "Purge",
            ])),
            "Permissions on certificates.",
        ),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static IDENTITY: BlockSchema = BlockSchema {
    name: "identity",
    label: Some("name"),
    kind: Some(Kind::Identity),
    repeat: Repeat::Many,
    doc: "A managed identity: the system-assigned identity of the resource that names it, or a user-assigned identity.",
    attrs: &[
        req("type", Ty::Enum(&["SystemAssigned", "UserAssigned"]), "Kind of managed identity."),
        opt("name", S, "Azure name of a user-assigned identity."),
        opt("resource_group", S, "Resource group of a user-assigned identity, when it differs: the identity is then an existing one, read and never created."),
    ],
    blocks: &[&ROLE_ASSIGNMENT, &ALLOW],
    statement: false,
};

pub(super) static ROLE_ASSIGNMENT: BlockSchema = BlockSchema {
    name: "role_assignment",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "An Azure RBAC role granted to the identity on a Key Vault.",
    attrs: &[
        req(
            "scope",
            Ty::Ref(&[Kind::KeyVault]),
            "Key Vault the role is granted on.",
        ),
        req(
            "role",
            Ty::Enum(&[
                "Key Vault Secrets User",
                "Key Vault Certificate User",
                "Key Vault Reader",
                "Key Vault Secrets Officer",
                "Key Vault Certificates Officer",
                "Key Vault Administrator",
            ]),
            "Built-in role name.",
        ),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static VIRTUAL_NETWORK: BlockSchema = BlockSchema {
    name: "virtual_network",
    label: Some("name"),
    kind: Some(Kind::VirtualNetwork),
    repeat: Repeat::Many,
    doc: "A virtual network and its subnets.",
    attrs: &[
        req("name", S, "Azure name of the virtual network."),
        req("address_space", Ty::List(&S), "CIDR ranges of the network."),
        opt("resource_group", S, "Resource group, when it differs: the network is then an existing one (a hub), read with its subnets and never created or changed."),
    ],
    blocks: &[&SUBNET, &ALLOW],
    statement: false,
};

pub(super) static SUBNET: BlockSchema = BlockSchema {
    name: "subnet",
    label: Some("name"),
    kind: Some(Kind::Subnet),
    repeat: Repeat::Many,
    doc: "A subnet (for Application Gateway, APIM VNet injection, private endpoints).",
    attrs: &[
        req("address_prefix", S, "CIDR range of the subnet."),
        opt("network_security_group", Ty::Ref(&[Kind::NetworkSecurityGroup]), "NSG associated with the subnet."),
        opt("service_endpoints", Ty::List(&S), "Service endpoints, e.g. `Microsoft.KeyVault`."),
        opt("delegation", S, "Service the subnet is delegated to, e.g. `Microsoft.Web/serverFarms` for APIM v2 tiers."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static NETWORK_SECURITY_GROUP: BlockSchema = BlockSchema {
    name: "network_security_group",
    label: Some("name"),
    kind: Some(Kind::NetworkSecurityGroup),
    repeat: Repeat::Many,
    doc: "A network security group.",
    attrs: &[req("name", S, "Azure name of the NSG.")],
    blocks: &[&NSG_RULE, &ALLOW],
    statement: false,
};

pub(super) static NSG_RULE: BlockSchema = BlockSchema {
    name: "rule",
    label: Some("name"),
    kind: None,
    repeat: Repeat::Many,
    doc: "A security rule; the label is the rule name.",
    attrs: &[
        req("priority", Ty::Integer { min: 100, max: 4096 }, "Priority, lower first."),
        req("direction", Ty::Enum(&["Inbound", "Outbound"]), "Traffic direction."),
        req("access", Ty::Enum(&["Allow", "Deny"]), "Allow or deny."),
        req("protocol", Ty::Enum(&["Tcp", "Udp", "Icmp", "*"]), "Protocol."),
        opt("source_address_prefix", S, "Source CIDR or service tag (default `*`)."),
        opt("source_port_range", S, "Source port or range (default `*`)."),
        opt("destination_address_prefix", S, "Destination CIDR or service tag such as `AzureKeyVault` or `AzureActiveDirectory` (default `*`)."),
        opt("destination_port_range", S, "Destination port or range, e.g. `443`."),
        opt("destination_port_ranges", Ty::List(&S), "Several destination ports or ranges."),
        opt("description", S, "Free text."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static PRIVATE_DNS_ZONE: BlockSchema = BlockSchema {
    name: "private_dns_zone",
    label: Some("name"),
    kind: Some(Kind::PrivateDnsZone),
    repeat: Repeat::Many,
    doc: "An Azure private DNS zone, its A records and the virtual networks linked to it: the zone answers for every name under it in those networks (a name it has no record for does not resolve there), e.g. the hostnames of an API Management instance in an internal virtual network.",
    attrs: &[
        req("name", S, "DNS name of the zone, e.g. `contoso.internal`, or `azure-api.net` for the default hostnames of API Management."),
        opt("virtual_networks", Ty::List(&Ty::Ref(&[Kind::VirtualNetwork])), "Virtual networks linked to the zone (virtual network links)."),
        opt("resource_group", S, "Resource group, when it differs: the zone is then an existing one (a hub zone), read, and the records and links are added to it there."),
    ],
    blocks: &[&A_RECORD, &ALLOW],
    statement: false,
};

pub(super) static A_RECORD: BlockSchema = BlockSchema {
    name: "a_record",
    label: Some("name"),
    kind: None,
    repeat: Repeat::Many,
    doc: "An A record set; the label is its name relative to the zone: `gw` for `gw.contoso.internal`, `@` for the zone itself, `*` for a wildcard.",
    attrs: &[
        req("records", Ty::List(&S), "IPv4 addresses, e.g. `[\"10.20.2.4\"]`, the private IP address of API Management."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static APP_GATEWAY: BlockSchema = BlockSchema {
    name: "app_gateway",
    label: Some("name"),
    kind: Some(Kind::AppGateway),
    repeat: Repeat::Many,
    doc: "An Application Gateway v2 (Standard_v2 or WAF_v2).",
    attrs: &[
        opt("name", S, "Azure name (default: deployment name + label)."),
        req(
            "sku",
            Ty::Enum(&[
                "Standard_v2",
                "WAF_v2",
                "Standard_Small",
                "Standard_Medium",
                "Standard_Large",
                "WAF_Medium",
                "WAF_Large",
            ]),
            "SKU; mutual authentication needs `Standard_v2` or `WAF_v2`.",
        ),
        opt(
            "capacity",
            Ty::Integer { min: 1, max: 125 },
            "Fixed instance count (or use `min_capacity`/`max_capacity`).",
        ),
        opt(
            "min_capacity",
            Ty::Integer { min: 0, max: 125 },
            "Autoscale minimum.",
        ),
        opt(
            "max_capacity",
            Ty::Integer { min: 2, max: 125 },
            "Autoscale maximum.",
        ),
        opt(
            "subnet",
            Ty::Ref(&[Kind::Subnet]),
            "Dedicated subnet of the gateway.",
        ),
        opt(
            "identity",
            Ty::Ref(&[Kind::Identity]),
            "User-assigned identity used to read Key Vault certificates.",
        ),
        opt(
            "public_frontend",
            B,
            "Whether the gateway has a public frontend IP (default true).",
        ),
        opt(
            "private_ip_address",
            S,
            "Static private frontend IP address.",
        ),
        opt("http2_enabled", B, "HTTP/2 towards clients."),
        opt(
            "waf_mode",
            Ty::Enum(&["Detection", "Prevention"]),
            "WAF mode (WAF_v2).",
        ),
        opt("zones", Ty::List(&S), "Availability zones."),
    ],
    blocks: &[
        &SSL_POLICY,
        &SSL_PROFILE,
        &LISTENER,
        &BACKEND_POOL,
        &BACKEND_SETTINGS,
        &REWRITE_RULE_SET,
        &ALLOW,
    ],
    statement: false,
};

pub(super) static SSL_POLICY: BlockSchema = BlockSchema {
    name: "ssl_policy",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "TLS policy (gateway default, or of one SSL profile).",
    attrs: &[
        opt(
            "policy_type",
            Ty::Enum(&["Predefined", "Custom", "CustomV2"]),
            "Kind of policy.",
        ),
        opt(
            "policy_name",
            Ty::Enum(&[
                "AppGwSslPolicy20150501",
                "AppGwSslPolicy20170401",
                "AppGwSslPolicy20170401S",
                "AppGwSslPolicy20220101",
                "AppGwSslPolicy20220101S",
            ]),
            "Predefined policy name.",
        ),
        opt(
            "min_protocol_version",
            Ty::Enum(&["TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3"]),
            "Minimum TLS version (Custom policies).",
        ),
        opt(
            "cipher_suites",
            Ty::List(&S),
            "Cipher suites (Custom policies), e.g. `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`.",
        ),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static SSL_PROFILE: BlockSchema = BlockSchema {
    name: "ssl_profile",
    label: Some("name"),
    kind: Some(Kind::SslProfile),
    repeat: Repeat::Many,
    doc: "An SSL profile: the client-certificate (mutual authentication) settings of the listeners that use it.",
    attrs: &[
        opt("trusted_client_cas", Ty::List(&Ty::Ref(&[Kind::Certificate])), "CA chains (root + intermediates) that client certificates must chain to; never a leaf."),
        opt("verify_client_cert_issuer_dn", B, "Also require the client certificate issuer DN to match the uploaded chain."),
        opt("verify_client_revocation", Ty::Enum(&["None", "OCSP"]), "Revocation check of client certificates (default `None`)."),
        opt("client_auth_mode", Ty::Enum(&["Strict", "Passthrough"]), "`Strict` rejects clients without a valid certificate; `Passthrough` requests one but lets the backend decide (default `Strict`)."),
    ],
    blocks: &[&SSL_POLICY, &ALLOW],
    statement: false,
};

pub(super) static LISTENER: BlockSchema = BlockSchema {
    name: "listener",
    label: Some("name"),
    kind: Some(Kind::Listener),
    repeat: Repeat::Many,
    doc: "An HTTP(S) listener with its routing.",
    attrs: &[
        opt(
            "host_name",
            S,
            "Host name the listener answers (multi-site listener).",
        ),
        opt(
            "host_names",
            Ty::List(&S),
            "Several host names (wildcards allowed, as in Azure).",
        ),
        opt(
            "port",
            Ty::Integer { min: 1, max: 65535 },
            "Frontend port (default 443 for Https, 80 for Http).",
        ),
        opt(
            "protocol",
            Ty::Enum(&["Https", "Http"]),
            "Listener protocol (default `Https`).",
        ),
        opt(
            "frontend",
            Ty::Enum(&["public", "private"]),
            "Which frontend IP the listener binds (default `public`).",
        ),
        opt(
            "certificate",
            Ty::Ref(&[Kind::Certificate]),
            "Server certificate (PFX or Key Vault) presented to clients.",
        ),
        opt(
            "ssl_profile",
            Ty::Ref(&[Kind::SslProfile]),
            "SSL profile with the client-certificate settings.",
        ),
    ],
    blocks: &[&ROUTE, &ALLOW],
    statement: false,
};

pub(super) static ROUTE: BlockSchema = BlockSchema {
    name: "route",
    label: Some("name"),
    kind: None,
    repeat: Repeat::Many,
    doc: "Where requests go: a route without `paths` is the default, routes with `paths` are path rules.",
    attrs: &[
        opt("paths", Ty::List(&S), "Path patterns such as `/orders/*`; omit for the default route."),
        req("to", Ty::Ref(&[Kind::Hostname, Kind::BackendPool]), "An APIM hostname (`api_management.main.hostname.gateway`) or a backend pool."),
        opt("backend_settings", Ty::Ref(&[Kind::BackendSettings]), "Backend settings for this hop (defaults are derived for APIM hostnames)."),
        opt("rewrite_rule_set", Ty::Ref(&[Kind::RewriteRuleSet]), "Rewrite rules applied, e.g. forwarding the client certificate in a header."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static BACKEND_POOL: BlockSchema = BlockSchema {
    name: "backend_pool",
    label: Some("name"),
    kind: Some(Kind::BackendPool),
    repeat: Repeat::Many,
    doc: "A backend pool of host names or IP addresses.",
    attrs: &[
        opt("fqdns", Ty::List(&S), "Backend host names."),
        opt("ip_addresses", Ty::List(&S), "Backend IP addresses."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static BACKEND_SETTINGS: BlockSchema = BlockSchema {
    name: "backend_settings",
    label: Some("name"),
    kind: Some(Kind::BackendSettings),
    repeat: Repeat::Many,
    doc: "How the gateway connects to a backend.",
    attrs: &[
        req("port", Ty::Integer { min: 1, max: 65535 }, "Backend port."),
        req(
            "protocol",
            Ty::Enum(&["Https", "Http"]),
            "Backend protocol.",
        ),
        opt(
            "host_name",
            S,
            "Host header and SNI sent to the backend (host name override).",
        ),
        opt(
            "pick_host_name_from_backend",
            B,
            "Use the backend pool member name as host name.",
        ),
        opt(
            "trusted_root_certificates",
            Ty::List(&Ty::Ref(&[Kind::Certificate])),
            "Root CAs that anchor the backend certificate (when not publicly trusted).",
        ),
        opt(
            "request_timeout",
            Ty::Integer { min: 1, max: 86400 },
            "Timeout in seconds (default 30).",
        ),
    ],
    blocks: &[&PROBE, &ALLOW],
    statement: false,
};

pub(super) static PROBE: BlockSchema = BlockSchema {
    name: "probe",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Health probe of the backend.",
    attrs: &[
        req(
            "path",
            S,
            "Probe path, e.g. `/status-0123456789abcdef` for APIM.",
        ),
        opt(
            "host",
            S,
            "Host name probed (default: the backend settings host name).",
        ),
        opt(
            "interval",
            Ty::Integer { min: 1, max: 86400 },
            "Seconds between probes (default 30).",
        ),
        opt(
            "timeout",
            Ty::Integer { min: 1, max: 86400 },
            "Probe timeout in seconds (default 30).",
        ),
        opt(
            "unhealthy_threshold",
            Ty::Integer { min: 1, max: 20 },
            "Failures before unhealthy (default 3).",
        ),
        opt(
            "match_status_codes",
            Ty::List(&S),
            "Healthy status codes, e.g. `200-399`.",
        ),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static REWRITE_RULE_SET: BlockSchema = BlockSchema {
    name: "rewrite_rule_set",
    label: Some("name"),
    kind: Some(Kind::RewriteRuleSet),
    repeat: Repeat::Many,
    doc: "A rewrite rule set (header rewrites with server variables such as `{var_client_certificate}`).",
    attrs: &[
    ],
    blocks: &[&REWRITE_RULE, &ALLOW],
    statement: false,
};

pub(super) static REWRITE_RULE: BlockSchema = BlockSchema {
    name: "rule",
    label: Some("name"),
    kind: None,
    repeat: Repeat::Many,
    doc: "One rewrite rule; the label is its name.",
    attrs: &[req(
        "sequence",
        Ty::Integer { min: 1, max: 1000 },
        "Evaluation order.",
    )],
    blocks: &[
        &REWRITE_CONDITION,
        &SET_REQUEST_HEADER,
        &SET_RESPONSE_HEADER,
    ],
    statement: false,
};

pub(super) static REWRITE_CONDITION: BlockSchema = BlockSchema {
    name: "condition",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "A condition on a server variable or header.",
    attrs: &[
        req(
            "variable",
            S,
            "Server variable or header, e.g. `var_client_certificate_verification`.",
        ),
        req("pattern", S, "Regular expression to match."),
        opt("ignore_case", B, "Case-insensitive match."),
        opt("negate", B, "Negate the match."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static SET_REQUEST_HEADER: BlockSchema = BlockSchema {
    name: "set_request_header",
    label: Some("header"),
    kind: None,
    repeat: Repeat::Many,
    doc: "Sets (or, with an empty value, removes) a request header; the label is the header name.",
    attrs: &[req(
        "value",
        S,
        "Header value, e.g. `{var_client_certificate}`; an empty string removes the header.",
    )],
    blocks: &[],
    statement: false,
};

pub(super) static SET_RESPONSE_HEADER: BlockSchema = BlockSchema {
    name: "set_response_header",
    label: Some("header"),
    kind: None,
    repeat: Repeat::Many,
    doc: "Sets (or removes) a response header; the label is the header name.",
    attrs: &[req(
        "value",
        S,
        "Header value; an empty string removes the header.",
    )],
    blocks: &[],
    statement: false,
};

pub(super) static API_MANAGEMENT: BlockSchema = BlockSchema {
    name: "api_management",
    label: Some("name"),
    kind: Some(Kind::ApiManagement),
    repeat: Repeat::Many,
    doc: "An API Management instance with its hostnames, backends, products and APIs.",
    attrs: &[
        opt(
            "name",
            S,
            "Azure name (globally unique; default: deployment name + label).",
        ),
        req(
            "sku",
            Ty::Enum(&[
                "Consumption",
                "Developer",
                "Basic",
                "Standard",
                "Premium",
                "BasicV2",
                "StandardV2",
                "PremiumV2",
            ]),
            "Pricing tier.",
        ),
        opt(
            "capacity",
            Ty::Integer { min: 0, max: 31 },
            "Scale units (default 1; 0 for Consumption).",
        ),
        req("publisher_name", S, "Publisher name."),
        req("publisher_email", S, "Publisher e-mail."),
        opt(
            "identities",
            Ty::List(&Ty::Ref(&[Kind::Identity])),
            "Managed identities of the instance (one system-assigned and/or user-assigned ones).",
        ),
        opt(
            "virtual_network_type",
            Ty::Enum(&["None", "External", "Internal"]),
            "VNet injection mode (default `None`).",
        ),
        opt(
            "subnet",
            Ty::Ref(&[Kind::Subnet]),
            "Subnet for VNet injection or integration.",
        ),
        opt(
            "public_network_access",
            B,
            "Whether the public endpoint is enabled (default true).",
        ),
        opt(
            "two_phase_hostnames",
            B,
            "Deploy the custom hostnames in a second step, after the Key Vault grants of the instance's system-assigned identity (default false; see GH510). Terraform: `azurerm_api_management_custom_domain`; Bicep: a second deployment of the instance.",
        ),
        opt(
            "enable_client_certificate",
            B,
            "Consumption tier: request a client certificate on every call (default false).",
        ),
        opt(
            "http2_enabled",
            B,
            "HTTP/2 on the gateway towards clients (default false).",
        ),
        opt(
            "min_api_version",
            S,
            "Minimum management API version accepted.",
        ),
    ],
    blocks: &[
        &SECURITY,
        &HOSTNAME,
        &CA_CERTIFICATE,
        &BACKEND,
        &NAMED_VALUE,
        &PRODUCT,
        &API_VERSION_SET,
        &API,
        &POLICY_FRAGMENT,
        &POLICY,
        &ALLOW,
    ],
    statement: false,
};

pub(super) static SECURITY: BlockSchema = BlockSchema {
    name: "security",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Protocol and cipher settings (classic tiers).",
    attrs: &[
        opt("frontend_tls10_enabled", B, "TLS 1.0 towards clients."),
        opt("frontend_tls11_enabled", B, "TLS 1.1 towards clients."),
        opt("backend_tls10_enabled", B, "TLS 1.0 towards backends."),
        opt("backend_tls11_enabled", B, "TLS 1.1 towards backends."),
        opt("triple_des_ciphers_enabled", B, "3DES ciphers."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static HOSTNAME: BlockSchema = BlockSchema {
    name: "hostname",
    label: Some("name"),
    kind: Some(Kind::Hostname),
    repeat: Repeat::Many,
    doc: "A custom hostname of the instance.",
    attrs: &[
        req("type", Ty::Enum(&["Proxy", "Management", "Portal", "DeveloperPortal", "Scm"]), "Hostname type; `Proxy` is the gateway."),
        req("host_name", S, "The DNS name, e.g. `api.contoso.com`."),
        opt("certificate", Ty::Ref(&[Kind::Certificate]), "TLS certificate of the hostname (PFX or Key Vault)."),
        opt("default_ssl_binding", B, "Certificate served to clients that send no SNI (Proxy only)."),
        opt("negotiate_client_certificate", B, "Request a client certificate in the TLS handshake (Proxy only; default false)."),
        opt("identity", Ty::Ref(&[Kind::Identity]), "User-assigned identity that reads the Key Vault certificate (default: the system-assigned identity)."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static CA_CERTIFICATE: BlockSchema = BlockSchema {
    name: "ca_certificate",
    label: Some("name"),
    kind: Some(Kind::CaCertificate),
    repeat: Repeat::Many,
    doc: "A CA certificate uploaded to the CA store of the instance (classic tiers), used to validate client and backend chains.",
    attrs: &[
        req("certificate", Ty::Ref(&[Kind::Certificate]), "The CA certificate."),
        req("store", Ty::Enum(&["Root", "CertificateAuthority"]), "`Root` for self-signed roots, `CertificateAuthority` for intermediates."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static BACKEND: BlockSchema = BlockSchema {
    name: "backend",
    label: Some("name"),
    kind: Some(Kind::Backend),
    repeat: Repeat::Many,
    doc: "A backend entity: where APIs forward requests, and how APIM connects.",
    attrs: &[
        opt("name", S, "Azure name of the backend, the `backend-id` policies name (default: the label); unique per instance (GH104)."),
        req("url", S, "Runtime URL, e.g. `https://orders.contoso.internal`."),
        opt("protocol", Ty::Enum(&["http", "soap"]), "Backend protocol (default `http`, which covers HTTPS URLs)."),
        opt("description", S, "Free text."),
        opt("client_certificate", Ty::Ref(&[Kind::Certificate]), "Client certificate for mutual TLS; only sent where an `authentication_certificate` policy references it."),
        opt("validate_certificate_chain", B, "Validate the certificate chain of the backend (default true)."),
        opt("validate_certificate_name", B, "Validate the certificate name of the backend (default true)."),
        opt("server_certificate", Ty::Ref(&[Kind::Certificate]), "The certificate the backend serves, for checks and the local runtime."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static TOP_BACKEND: BlockSchema = BlockSchema {
    name: "backend",
    label: Some("name"),
    kind: Some(Kind::Backend),
    repeat: Repeat::Many,
    doc: "A backend written outside its `api_management` block (e.g. in a module), attached with `api_management`.",
    attrs: &[
        req("api_management", Ty::Ref(&[Kind::ApiManagement]), "The instance this block belongs to (only when written outside `api_management`, e.g. in a module)."),
        opt("name", S, "Azure name of the backend, the `backend-id` policies name (default: the label); unique per instance (GH104)."),
        req("url", S, "Runtime URL, e.g. `https://orders.contoso.internal`."),
        opt("protocol", Ty::Enum(&["http", "soap"]), "Backend protocol (default `http`, which covers HTTPS URLs)."),
        opt("description", S, "Free text."),
        opt("client_certificate", Ty::Ref(&[Kind::Certificate]), "Client certificate for mutual TLS; only sent where an `authentication_certificate` policy references it."),
        opt("validate_certificate_chain", B, "Validate the certificate chain of the backend (default true)."),
        opt("validate_certificate_name", B, "Validate the certificate name of the backend (default true)."),
        opt("server_certificate", Ty::Ref(&[Kind::Certificate]), "The certificate the backend serves, for checks and the local runtime."),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static NAMED_VALUE: BlockSchema = BlockSchema {
    name: "named_value",
    label: Some("name"),
    kind: Some(Kind::NamedValue),
    repeat: Repeat::Many,
    doc: "A named value, usable in policies as `{{name}}`.",
    attrs: &[
        opt("display_name", S, "Display name (default: the label)."),
        opt(
            "value",
            Ty::Secret,
            "Plain value, or `secret(\"NAME\")` for a secret one.",
        ),
        opt(
            "secret",
            B,
            "Whether the value is a secret (default: true when the value is a secret).",
        ),
        opt(
            "key_vault",
            Ty::Ref(&[Kind::KeyVault]),
            "Key Vault holding the value.",
        ),
        opt(
            "secret_name",
            S,
            "Key Vault secret name (with `key_vault`).",
        ),
        opt(
            "identity",
            Ty::Ref(&[Kind::Identity]),
            "Identity reading the Key Vault secret.",
        ),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static PRODUCT: BlockSchema = BlockSchema {
    name: "product",
    label: Some("name"),
    kind: Some(Kind::Product),
    repeat: Repeat::Many,
    doc: "A product grouping APIs for subscriptions.",
    attrs: &[
        req("display_name", S, "Display name."),
        opt("description", S, "Free text."),
        opt(
            "subscription_required",
            B,
            "Whether calls need a subscription key (default true).",
        ),
        opt(
            "approval_required",
            B,
            "Whether subscriptions need approval (default false).",
        ),
        opt(
            "published",
            B,
            "Whether the product is published (default true).",
        ),
    ],
    blocks: &[&POLICY, &ALLOW],
    statement: false,
};

pub(super) static API_VERSION_SET: BlockSchema = BlockSchema {
    name: "api_version_set",
    label: Some("name"),
    kind: Some(Kind::ApiVersionSet),
    repeat: Repeat::Many,
    doc: "A version set grouping versions of one API.",
    attrs: &[
        req("display_name", S, "Display name."),
        req(
            "versioning_scheme",
            Ty::Enum(&["Segment", "Header", "Query"]),
            "Where the version is given.",
        ),
        opt(
            "version_header_name",
            S,
            "Header carrying the version (Header scheme).",
        ),
        opt(
            "version_query_name",
            S,
            "Query parameter carrying the version (Query scheme).",
        ),
    ],
    blocks: &[&ALLOW],
    statement: false,
};

pub(super) static API: BlockSchema = BlockSchema {
    name: "api",
    label: Some("name"),
    kind: Some(Kind::Api),
    repeat: Repeat::Many,
    doc: "An API served by the instance.",
    attrs: &[
        opt("name", S, "Azure name of the API (default: the label); unique per instance (GH104)."),
        opt("display_name", S, "Display name (default: the label)."),
        req("path", S, "URL suffix after the hostname, e.g. `orders`."),
        opt("protocols", Ty::List(&Ty::Enum(&["http", "https", "ws", "wss"])), "Accepted protocols (default `[\"https\"]`); HTTP/2 is an instance setting (`http2_enabled`)."),
        opt("hostnames", Ty::List(&Ty::Ref(&[Kind::Hostname])), "Proxy hostnames clients use for this API (default: every proxy hostname)."),
        opt("backend", Ty::Ref(&[Kind::Backend]), "Backend requests are forwarded to."),
        opt("subscription_required", B, "Whether calls need a subscription key (default true)."),
        opt("version_set", Ty::Ref(&[Kind::ApiVersionSet]), "Version set this API is a version of."),
        opt("version", S, "Version name within the version set."),
        opt("revision", S, "API revision (default `1`)."),
        opt("products", Ty::List(&Ty::Ref(&[Kind::Product])), "Products the API belongs to."),
    ],
    blocks: &[&OPERATION, &POLICY, &ALLOW],
    statement: false,
};

pub(super) static TOP_API: BlockSchema = BlockSchema {
    name: "api",
    label: Some("name"),
    kind: Some(Kind::Api),
    repeat: Repeat::Many,
    doc: "An API written outside its `api_management` block (e.g. in a module), attached with `api_management`.",
    attrs: &[
        req("api_management", Ty::Ref(&[Kind::ApiManagement]), "The instance this block belongs to (only when written outside `api_management`, e.g. in a module)."),
        opt("name", S, "Azure name of the API (default: the label); unique per instance (GH104)."),
        opt("display_name", S, "Display name (default: the label)."),
        req("path", S, "URL suffix after the hostname, e.g. `orders`."),
        opt("protocols", Ty::List(&Ty::Enum(&["http", "https", "ws", "wss"])), "Accepted protocols (default `[\"https\"]`); HTTP/2 is an instance setting (`http2_enabled`)."),
        opt("hostnames", Ty::List(&Ty::Ref(&[Kind::Hostname])), "Proxy hostnames clients use for this API (default: every proxy hostname)."),
        opt("backend", Ty::Ref(&[Kind::Backend]), "Backend requests are forwarded to."),
        opt("subscription_required", B, "Whether calls need a subscription key (default true)."),
        opt("version_set", Ty::Ref(&[Kind::ApiVersionSet]), "Version set this API is a version of."),
        opt("version", S, "Version name within the version set."),
        opt("revision", S, "API revision (default `1`)."),
        opt("products", Ty::List(&Ty::Ref(&[Kind::Product])), "Products the API belongs to."),
    ],
    blocks: &[&OPERATION, &POLICY, &ALLOW],
    statement: false,
};

pub(super) static OPERATION: BlockSchema = BlockSchema {
    name: "operation",
    label: Some("name"),
    kind: Some(Kind::Operation),
    repeat: Repeat::Many,
    doc: "An operation of an API.",
    attrs: &[
        opt("display_name", S, "Display name (default: the label)."),
        req(
            "method",
            Ty::Enum(&[
                "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
            ]),
            "HTTP method.",
        ),
        req("url_template", S, "URL template, e.g. `/orders/{id}`."),
        opt(
            "max_body_size",
            Ty::Integer {
                min: 0,
                max: 2147483647,
            },
            "Largest request body in bytes the operation accepts.",
        ),
    ],
    blocks: &[&POLICY, &ALLOW],
    statement: false,
};

pub(super) static POLICY_FRAGMENT: BlockSchema = BlockSchema {
    name: "policy_fragment",
    label: Some("name"),
    kind: Some(Kind::PolicyFragment),
    repeat: Repeat::Many,
    doc: "A policy fragment: policy statements that policies (and other fragments) run in place with `include_fragment`, in whichever section includes it. It holds typed statements (no sections, no `base {}`), or raw XML in `xml`; its label is the fragment id that raw XML names in `fragment-id`.",
    attrs: &[
        opt("description", S, "Free text."),
        opt("xml", Ty::Text, "A whole `<fragment>` document, inline or `file(\"...\")`; parsed and validated like typed blocks."),
    ],
    blocks: FRAGMENT_BLOCKS,
    statement: false,
};

pub(super) static TOP_POLICY_FRAGMENT: BlockSchema = BlockSchema {
    name: "policy_fragment",
    label: Some("name"),
    kind: Some(Kind::PolicyFragment),
    repeat: Repeat::Many,
    doc: "A policy fragment written outside its `api_management` block (e.g. in a module), attached with `api_management`.",
    attrs: &[
        req("api_management", Ty::Ref(&[Kind::ApiManagement]), "The instance this block belongs to (only when written outside `api_management`, e.g. in a module)."),
        opt("description", S, "Free text."),
        opt("xml", Ty::Text, "A whole `<fragment>` document, inline or `file(\"...\")`; parsed and validated like typed blocks."),
    ],
    blocks: FRAGMENT_BLOCKS,
    statement: false,
};

pub(super) static POLICY: BlockSchema = BlockSchema {
    name: "policy",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Policies at this scope (instance = global, product, API, operation): typed sections, or raw XML in `xml`.",
    attrs: &[
        opt("xml", Ty::Text, "A whole `<policies>` document, inline or `file(\"...\")`; parsed and validated like typed blocks."),
    ],
    blocks: &[&INBOUND, &BACKEND_SECTION, &OUTBOUND, &ON_ERROR],
    statement: false,
};

pub(super) static INBOUND: BlockSchema = BlockSchema {
    name: "inbound",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Policies applied to the request.",
    attrs: &[
        opt("inherit", B, "Whether the policies of the enclosing scope run (`<base/>`; default true, placed first unless a `base {}` statement says where)."),
    ],
    blocks: STATEMENTS,
    statement: false,
};

pub(super) static BACKEND_SECTION: BlockSchema = BlockSchema {
    name: "backend",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Policies applied before forwarding to the backend.",
    attrs: &[
        opt("inherit", B, "Whether the policies of the enclosing scope run (`<base/>`; default true, placed first unless a `base {}` statement says where)."),
    ],
    blocks: STATEMENTS,
    statement: false,
};

pub(super) static OUTBOUND: BlockSchema = BlockSchema {
    name: "outbound",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Policies applied to the response.",
    attrs: &[
        opt("inherit", B, "Whether the policies of the enclosing scope run (`<base/>`; default true, placed first unless a `base {}` statement says where)."),
    ],
    blocks: STATEMENTS,
    statement: false,
};

pub(super) static ON_ERROR: BlockSchema = BlockSchema {
    name: "on_error",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Policies applied when an error occurs.",
    attrs: &[
        opt("inherit", B, "Whether the policies of the enclosing scope run (`<base/>`; default true, placed first unless a `base {}` statement says where)."),
    ],
    blocks: STATEMENTS,
    statement: false,
};

/// The policy statements allowed in sections and in `when`/`otherwise`.
pub(super) static STATEMENTS: &[&BlockSchema] = &[
    &BASE,
    &VALIDATE_CLIENT_CERTIFICATE,
    &AUTHENTICATION_CERTIFICATE,
    &CHECK_HEADER,
    &SET_HEADER,
    &SET_BACKEND_SERVICE,
    &IP_FILTER,
    &RATE_LIMIT,
    &RATE_LIMIT_BY_KEY,
    &RETURN_RESPONSE,
    &CORS,
    &VALIDATE_JWT,
    &CHOOSE,
    &INCLUDE_FRAGMENT,
    &RAW,
];

/// The blocks of a `policy_fragment`: the policy statements but `base` (API Management rejects
/// `<base />` in a fragment), and `allow`.
pub(super) static FRAGMENT_BLOCKS: &[&BlockSchema] = &[
    &VALIDATE_CLIENT_CERTIFICATE,
    &AUTHENTICATION_CERTIFICATE,
    &CHECK_HEADER,
    &SET_HEADER,
    &SET_BACKEND_SERVICE,
    &IP_FILTER,
    &RATE_LIMIT,
    &RATE_LIMIT_BY_KEY,
    &RETURN_RESPONSE,
    &CORS,
    &VALIDATE_JWT,
    &CHOOSE,
    &INCLUDE_FRAGMENT,
    &RAW,
    &ALLOW,
];

pub(super) static BASE: BlockSchema = BlockSchema {
    name: "base",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "Where the policies of the enclosing scope run (`<base />`); only directly in a section, not in `when`, `otherwise` or a `policy_fragment`.",
    attrs: &[],
    blocks: &[],
    statement: true,
};

pub(super) static VALIDATE_CLIENT_CERTIFICATE: BlockSchema = BlockSchema {
    name: "validate_client_certificate",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`validate-client-certificate`: validates the client certificate of the TLS connection.",
    attrs: &[
        opt("validate_revocation", B, "Check revocation (default true)."),
        opt(
            "validate_trust",
            B,
            "Require a chain to a trusted CA (default true).",
        ),
        opt(
            "validate_not_before",
            B,
            "Reject certificates not yet valid (default true).",
        ),
        opt(
            "validate_not_after",
            B,
            "Reject expired certificates (default true).",
        ),
        opt(
            "ignore_error",
            B,
            "Record the result instead of rejecting (default false).",
        ),
    ],
    blocks: &[&VCC_IDENTITY],
    statement: true,
};

pub(super) static VCC_IDENTITY: BlockSchema = BlockSchema {
    name: "identity",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "An accepted certificate identity; a certificate passes when it matches one identity (all of its given claims).",
    attrs: &[
        opt("thumbprint", S, "SHA-1 thumbprint (40 upper-case hex characters)."),
        opt("serial_number", S, "Serial number."),
        opt("common_name", S, "Subject common name."),
        opt("subject", S, "Subject distinguished name."),
        opt("dns_name", S, "A DNS name in the subject alternative names."),
        opt("issuer_subject", S, "Issuer distinguished name."),
        opt("issuer_thumbprint", S, "Issuer SHA-1 thumbprint."),
        opt("issuer_certificate", Ty::Ref(&[Kind::CaCertificate]), "Issuer, as a CA certificate uploaded to the instance."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static AUTHENTICATION_CERTIFICATE: BlockSchema = BlockSchema {
    name: "authentication_certificate",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`authentication-certificate`: presents a client certificate to the backend.",
    attrs: &[
        opt(
            "certificate",
            Ty::Ref(&[Kind::Certificate]),
            "The client certificate (sent by its APIM certificate id).",
        ),
        opt(
            "thumbprint",
            S,
            "Thumbprint of a certificate uploaded to APIM (not for Key Vault certificates).",
        ),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static CHECK_HEADER: BlockSchema = BlockSchema {
    name: "check_header",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`check-header`: rejects requests whose header is missing or has another value.",
    attrs: &[
        req("name", S, "Header name."),
        req(
            "failed_check_httpcode",
            Ty::Integer { min: 100, max: 599 },
            "Status returned when the check fails.",
        ),
        req(
            "failed_check_error_message",
            S,
            "Error message returned when the check fails.",
        ),
        opt(
            "ignore_case",
            B,
            "Compare values case-insensitively (default false).",
        ),
        opt(
            "values",
            Ty::List(&S),
            "Accepted values (none: the header must only be present).",
        ),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static SET_HEADER: BlockSchema = BlockSchema {
    name: "set_header",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`set-header`: sets, appends or deletes a header.",
    attrs: &[
        req("name", S, "Header name."),
        opt("exists_action", Ty::Enum(&["override", "skip", "append", "delete"]), "What to do when the header exists (default `override`)."),
        opt("values", Ty::List(&S), "Values; policy expressions such as `@(context.Request.Certificate.Thumbprint)` allowed."),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static SET_BACKEND_SERVICE: BlockSchema = BlockSchema {
    name: "set_backend_service",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`set-backend-service`: changes the backend of the request.",
    attrs: &[
        opt(
            "backend",
            Ty::Ref(&[Kind::Backend]),
            "Backend entity (`backend-id`).",
        ),
        opt("base_url", S, "Backend base URL."),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static IP_FILTER: BlockSchema = BlockSchema {
    name: "ip_filter",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`ip-filter`: allows or forbids caller IP addresses.",
    attrs: &[
        req(
            "action",
            Ty::Enum(&["allow", "forbid"]),
            "Allow only, or forbid, the listed addresses.",
        ),
        opt("addresses", Ty::List(&S), "Single IP addresses."),
    ],
    blocks: &[&ADDRESS_RANGE],
    statement: true,
};

pub(super) static ADDRESS_RANGE: BlockSchema = BlockSchema {
    name: "address_range",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "An inclusive IP address range.",
    attrs: &[
        req("from", S, "First address."),
        req("to", S, "Last address."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static RATE_LIMIT: BlockSchema = BlockSchema {
    name: "rate_limit",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`rate-limit`: calls per subscription per period.",
    attrs: &[
        req(
            "calls",
            Ty::Integer {
                min: 1,
                max: 2147483647,
            },
            "Calls allowed per period.",
        ),
        req(
            "renewal_period",
            Ty::Integer { min: 1, max: 300 },
            "Period in seconds.",
        ),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static RATE_LIMIT_BY_KEY: BlockSchema = BlockSchema {
    name: "rate_limit_by_key",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`rate-limit-by-key`: calls per key (e.g. client certificate thumbprint) per period.",
    attrs: &[
        req(
            "calls",
            Ty::Integer {
                min: 1,
                max: 2147483647,
            },
            "Calls allowed per period.",
        ),
        req(
            "renewal_period",
            Ty::Integer { min: 1, max: 300 },
            "Period in seconds.",
        ),
        req(
            "counter_key",
            S,
            "Policy expression giving the key, e.g. `@(context.Request.Certificate?.Thumbprint)`.",
        ),
        opt(
            "increment_condition",
            S,
            "Policy expression: count this call only when true.",
        ),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static RETURN_RESPONSE: BlockSchema = BlockSchema {
    name: "return_response",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`return-response`: ends the pipeline with this response.",
    attrs: &[
        req(
            "status_code",
            Ty::Integer { min: 100, max: 599 },
            "Status code.",
        ),
        opt("reason", S, "Reason phrase."),
        opt("headers", Ty::Map(&Ty::String), "Response headers."),
        opt("body", S, "Response body."),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static CORS: BlockSchema = BlockSchema {
    name: "cors",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`cors`: cross-origin resource sharing.",
    attrs: &[
        opt("allow_credentials", B, "Allow credentials (default false)."),
        req("allowed_origins", Ty::List(&S), "Allowed origins."),
        opt("allowed_methods", Ty::List(&S), "Allowed methods."),
        req("allowed_headers", Ty::List(&S), "Allowed request headers."),
        opt(
            "expose_headers",
            Ty::List(&S),
            "Headers exposed to the browser.",
        ),
        opt(
            "preflight_result_max_age",
            Ty::Integer {
                min: 0,
                max: 2147483647,
            },
            "Seconds a preflight result may be cached.",
        ),
    ],
    blocks: &[],
    statement: true,
};

pub(super) static VALIDATE_JWT: BlockSchema = BlockSchema {
    name: "validate_jwt",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`validate-jwt`: validates a JSON web token.",
    attrs: &[
        opt(
            "header_name",
            S,
            "Header holding the token (default `Authorization`).",
        ),
        opt(
            "failed_validation_httpcode",
            Ty::Integer { min: 100, max: 599 },
            "Status returned when validation fails (default 401).",
        ),
        opt(
            "failed_validation_error_message",
            S,
            "Error message returned when validation fails.",
        ),
        opt("require_scheme", S, "Required scheme, e.g. `Bearer`."),
        opt(
            "openid_config_urls",
            Ty::List(&S),
            "OpenID configuration URLs.",
        ),
        opt("audiences", Ty::List(&S), "Accepted audiences."),
        opt("issuers", Ty::List(&S), "Accepted issuers."),
    ],
    blocks: &[&REQUIRED_CLAIM],
    statement: true,
};

pub(super) static REQUIRED_CLAIM: BlockSchema = BlockSchema {
    name: "required_claim",
    label: Some("name"),
    kind: None,
    repeat: Repeat::Many,
    doc: "A claim the token must carry; the label is the claim name.",
    attrs: &[
        opt(
            "match",
            Ty::Enum(&["all", "any"]),
            "Whether all or any of the values must be present (default `all`).",
        ),
        opt("values", Ty::List(&S), "Accepted values."),
    ],
    blocks: &[],
    statement: false,
};

pub(super) static CHOOSE: BlockSchema = BlockSchema {
    name: "choose",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`choose`: conditional policies.",
    attrs: &[],
    blocks: &[&WHEN, &OTHERWISE],
    statement: true,
};

pub(super) static WHEN: BlockSchema = BlockSchema {
    name: "when",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "A branch taken when `condition` is true; holds policy statements.",
    attrs: &[req(
        "condition",
        S,
        "Policy expression, e.g. `@(context.Request.Certificate == null)`.",
    )],
    blocks: STATEMENTS,
    statement: false,
};

pub(super) static OTHERWISE: BlockSchema = BlockSchema {
    name: "otherwise",
    label: None,
    kind: None,
    repeat: Repeat::Once,
    doc: "The branch taken when no `when` matched; holds policy statements.",
    attrs: &[],
    blocks: STATEMENTS,
    statement: false,
};

pub(super) static INCLUDE_FRAGMENT: BlockSchema = BlockSchema {
    name: "include_fragment",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "`include-fragment`: runs the statements of a policy fragment here.",
    attrs: &[req(
        "fragment",
        Ty::Ref(&[Kind::PolicyFragment]),
        "The fragment (`fragment-id`), of the same instance.",
    )],
    blocks: &[],
    statement: true,
};

pub(super) static RAW: BlockSchema = BlockSchema {
    name: "raw",
    label: None,
    kind: None,
    repeat: Repeat::Many,
    doc: "Any other policy element as XML (e.g. `<set-variable .../>`); parsed and checked against the APIM policy names.",
    attrs: &[
        req("xml", Ty::Text, "One policy element."),
    ],
    blocks: &[],
    statement: true,
};

/// Names of all typed policy statements (HCL spelling).
pub fn policy_statement_names() -> impl Iterator<Item = &'static str> {
    STATEMENTS.iter().map(|b| b.name)
}
