//! The graph's effective-policy queries on small topologies: `<base />` expanded and policy
//! fragments inlined where they are included, each statement keeping its own span.

mod support;

use gatehouse::graph::{EffectiveStatement, Graph};
use gatehouse::load::{load, Loaded};
use gatehouse::model::*;
use gatehouse::syntax::MemoryWorld;

const INSTANCE: &str = r#"api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"
"#;

fn load_text(body: &str) -> Loaded {
    let world = MemoryWorld::new().with_file("main.hcl", format!("{INSTANCE}{body}}}\n"));
    load(&world, "", &Default::default())
}

/// The effective statements of the first API (no operations): `(section, kind, fragment)`.
fn effective(loaded: &Loaded) -> (Vec<String>, Vec<String>) {
    let graph = Graph::new(&loaded.model);
    let policy = graph.effective_policy(ApiId(0), None);
    let describe = |s: &EffectiveStatement| {
        let fragment = s
            .fragment
            .map_or("-".to_string(), |f| loaded.model[f].decl.name.clone());
        format!("{}@{fragment}", kind(&s.statement.kind))
    };
    (
        policy.inbound.iter().map(describe).collect(),
        policy.all().iter().map(describe).collect(),
    )
}

fn kind(kind: &StatementKind) -> &'static str {
    match kind {
        StatementKind::ValidateClientCertificate(_) => "validate-client-certificate",
        StatementKind::SetHeader(_) => "set-header",
        StatementKind::Choose(_) => "choose",
        StatementKind::IncludeFragment(_) => "include-fragment",
        StatementKind::Base => "base",
        _ => "other",
    }
}

#[test]
fn included_fragments_are_inlined_in_place_with_their_own_spans() {
    let loaded = load_text(
        r#"
  policy_fragment "mtls" {
    validate_client_certificate {
      validate_trust = true
    }
  }

  policy_fragment "audit" {
    xml = "<fragment><set-header name=\"X-Audit\" exists-action=\"override\"><value>1</value></set-header></fragment>"
  }

  api "orders" {
    path = "orders"

    policy {
      inbound {
        include_fragment {
          fragment = policy_fragment.mtls
        }

        choose {
          when {
            condition = "@(true)"

            raw {
              xml = "<include-fragment fragment-id=\"audit\" />"
            }
          }
        }
      }
    }
  }
"#,
    );
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    let (inbound, all) = effective(&loaded);
    assert_eq!(
        inbound,
        [
            "include-fragment@-",
            "validate-client-certificate@mtls",
            "choose@-"
        ]
    );
    assert_eq!(
        all,
        [
            "include-fragment@-",
            "validate-client-certificate@mtls",
            "choose@-",
            "include-fragment@-",
            "set-header@audit"
        ],
        "includes inside `choose` branches are inlined in `all()`"
    );
    // The inlined statement's span is the one in the fragment.
    let graph = Graph::new(&loaded.model);
    let policy = graph.effective_policy(ApiId(0), None);
    let validate = policy.inbound[1];
    let fragment = &loaded.model.policy_fragments[0];
    assert_eq!(validate.statement.span, fragment.statements[0].span);
    assert_eq!(
        validate.policy,
        loaded.model.apis[0].policy.expect("policy"),
        "the including policy runs it"
    );
}

#[test]
fn a_fragment_written_outside_its_instance_attaches_and_is_included() {
    let world = MemoryWorld::new().with_file(
        "main.hcl",
        format!(
            "{INSTANCE}}}\n\n{}",
            r#"policy_fragment "mtls" {
  api_management = api_management.main

  validate_client_certificate {
    validate_trust = true
  }
}

api "orders" {
  api_management = api_management.main
  path           = "orders"

  policy {
    inbound {
      include_fragment {
        fragment = policy_fragment.mtls
      }
    }
  }
}
"#
        ),
    );
    let loaded = load(&world, "", &Default::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    let m = &loaded.model;
    assert_eq!(m.api_managements[0].policy_fragments, [PolicyFragmentId(0)]);
    assert_eq!(m.policy_fragments[0].decl.address, "policy_fragment.mtls");
    let (inbound, _) = effective(&loaded);
    assert_eq!(
        inbound,
        ["include-fragment@-", "validate-client-certificate@mtls"]
    );
}

#[test]
fn an_include_cycle_is_reported_and_inlined_once() {
    let loaded = load_text(
        r#"
  policy_fragment "a" {
    set_header {
      name   = "X-A"
      values = ["1"]
    }

    include_fragment {
      fragment = policy_fragment.b
    }
  }

  policy_fragment "b" {
    include_fragment {
      fragment = policy_fragment.a
    }
  }

  api "orders" {
    path = "orders"

    policy {
      inbound {
        include_fragment {
          fragment = policy_fragment.a
        }
      }
    }
  }
"#,
    );
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.code).collect();
    assert_eq!(codes, ["GH017"], "{}", support::render(&loaded));
    let (inbound, all) = effective(&loaded);
    assert_eq!(
        inbound,
        [
            "include-fragment@-",
            "set-header@a",
            "include-fragment@a",
            "include-fragment@b"
        ],
        "`a` is not inlined again inside itself"
    );
    assert_eq!(all, inbound);
}

#[test]
fn fragments_that_each_include_the_next_twice_stay_bounded() {
    // 24 levels of doubling would be 16 million statements.
    let mut body = String::new();
    for i in 0..24 {
        body.push_str(&format!(
            "  policy_fragment \"f{i}\" {{\n    include_fragment {{\n      fragment = policy_fragment.f{next}\n    }}\n\n    include_fragment {{\n      fragment = policy_fragment.f{next}\n    }}\n  }}\n\n",
            next = i + 1
        ));
    }
    body.push_str(
        "  policy_fragment \"f24\" {\n    set_header {\n      name   = \"X-A\"\n      values = [\"1\"]\n    }\n  }\n\n",
    );
    body.push_str("  api \"orders\" {\n    path = \"orders\"\n\n    policy {\n      inbound {\n        include_fragment {\n          fragment = policy_fragment.f0\n        }\n      }\n    }\n  }\n");
    let loaded = load_text(&body);
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    let (inbound, all) = effective(&loaded);
    assert!(inbound.len() < 25_000, "{} statements", inbound.len());
    assert!(all.len() < 25_000, "{} statements", all.len());
}
