//! The model builder: indexes every entity by address, then builds typed entities in the same
//! order, resolving references through the index.

use super::*;
use crate::diagnostics::{codes, did_you_mean, Code};
use crate::eval::{Node, Value, ValueKind};
use crate::schema::Kind;
use rustc_hash::FxHashMap as HashMap;

/// An id type of one entity kind.
pub(super) trait EntityId: Copy {
    const KIND: Kind;
    fn from_index(index: u32) -> Self;
}

macro_rules! entity_ids {
    ($($id:ident => $kind:ident),* $(,)?) => {
        $(impl EntityId for $id {
            const KIND: Kind = Kind::$kind;
            fn from_index(index: u32) -> Self { $id(index) }
        })*
    };
}

entity_ids! {
    CertificateId => Certificate, ClientId => Client, KeyVaultId => KeyVault, IdentityId => Identity,
    VirtualNetworkId => VirtualNetwork, SubnetId => Subnet, NetworkSecurityGroupId => NetworkSecurityGroup,
    PrivateDnsZoneId => PrivateDnsZone,
    AppGatewayId => AppGateway, SslProfileId => SslProfile, ListenerId => Listener,
    BackendPoolId => BackendPool, BackendSettingsId => BackendSettings, RewriteRuleSetId => RewriteRuleSet,
    ApiManagementId => ApiManagement, HostnameId => Hostname, CaCertificateId => CaCertificate,
    BackendId => Backend, NamedValueId => NamedValue, ProductId => Product,
    ApiVersionSetId => ApiVersionSet, ApiId => Api, OperationId => Operation,
    PolicyFragmentId => PolicyFragment,
}

pub(super) struct Builder<'a> {
    index: HashMap<String, (Kind, u32, Span)>,
    pub(super) model: Model,
    pub(super) sources: &'a mut Sources,
    pub(super) world: &'a dyn World,
    diagnostics: &'a mut Vec<Diagnostic>,
}

pub(super) fn build(
    evaluated: Evaluated,
    sources: &mut Sources,
    world: &dyn World,
    diagnostics: &mut Vec<Diagnostic>,
) -> Model {
    let mut b = Builder {
        index: HashMap::default(),
        model: Model::default(),
        sources,
        world,
        diagnostics,
    };
    let mut counters: HashMap<Kind, u32> = HashMap::default();
    let mut kept = Vec::new();
    let mut attached = Vec::new();
    let mut deployment: Option<Span> = None;
    for node in evaluated.nodes {
        if node.name() == "deployment" {
            if let Some(first) = deployment {
                let d = Diagnostic::new(
                    &codes::DUPLICATE_NAME,
                    node.ident_span,
                    "a topology has only one `deployment` block",
                )
                .with_label(first, "first declared here")
                .with_help("merge the two deployment blocks");
                b.report(&node, d);
                continue;
            }
            deployment = Some(node.ident_span);
        }
        if is_attached(&node) {
            attached.push(node);
        } else if b.index_node(&node, &mut counters) {
            kept.push(node);
        }
    }
    // Blocks written outside their `api_management` (in modules) join the index once the
    // instances they name are known; one naming no instance is reported and dropped.
    let mut attached_to = Vec::new();
    for node in attached {
        let Some(value) = node.value("api_management").cloned() else {
            continue;
        };
        let Some((_, index, _)) = b.resolve(&node, &value, &[Kind::ApiManagement]) else {
            continue;
        };
        if b.index_node(&node, &mut counters) {
            attached_to.push((node, ApiManagementId(index)));
        }
    }
    for node in &kept {
        match node.name() {
            "deployment" => b.model.deployment = Some(b.deployment(node)),
            "certificate" => b.certificate(node),
            "client" => b.client(node),
            "key_vault" => b.key_vault(node),
            "identity" => b.identity(node),
            "virtual_network" => b.virtual_network(node),
            "network_security_group" => b.network_security_group(node),
            "private_dns_zone" => b.private_dns_zone(node),
            "app_gateway" => b.app_gateway(node),
            "api_management" => b.api_management(node),
            other => unreachable!("the schema has no top-level block `{other}`"),
        }
    }
    for (node, api_management) in &attached_to {
        match node.name() {
            "api" => b.api(node, *api_management),
            "policy_fragment" => b.policy_fragment(node, *api_management),
            _ => b.backend(node, *api_management),
        }
    }
    b.link_attached();
    b.fragment_cycles();
    for node in kept.iter().chain(attached_to.iter().map(|(n, _)| n)) {
        b.collect_allows(node);
    }
    b.model.outputs = evaluated.outputs;
    b.model
}

/// A top-level `api`, `backend` or `policy_fragment`, attached to an instance by its
/// `api_management` attribute.
fn is_attached(node: &Node) -> bool {
    matches!(node.name(), "api" | "backend" | "policy_fragment")
}

impl Builder<'_> {
    /// Makes every instance list the APIs, backends and policy fragments attached to it from
    /// outside its block, after its own, in id order.
    fn link_attached(&mut self) {
        let listed: std::collections::HashSet<ApiId> = self
            .model
            .api_managements
            .iter()
            .flat_map(|a| a.apis.iter().copied())
            .collect();
        for (index, api) in self.model.apis.iter().enumerate() {
            let id = ApiId(index as u32);
            if !listed.contains(&id) {
                self.model.api_managements[api.api_management.index()]
                    .apis
                    .push(id);
            }
        }
        let listed: std::collections::HashSet<BackendId> = self
            .model
            .api_managements
            .iter()
            .flat_map(|a| a.backends.iter().copied())
            .collect();
        for (index, backend) in self.model.backends.iter().enumerate() {
            let id = BackendId(index as u32);
            if !listed.contains(&id) {
                self.model.api_managements[backend.api_management.index()]
                    .backends
                    .push(id);
            }
        }
        let listed: std::collections::HashSet<PolicyFragmentId> = self
            .model
            .api_managements
            .iter()
            .flat_map(|a| a.policy_fragments.iter().copied())
            .collect();
        for (index, fragment) in self.model.policy_fragments.iter().enumerate() {
            let id = PolicyFragmentId(index as u32);
            if !listed.contains(&id) {
                self.model.api_managements[fragment.api_management.index()]
                    .policy_fragments
                    .push(id);
            }
        }
    }

    /// Records the `allow` blocks of `node` and its descendants; an unknown check is reported.
    fn collect_allows(&mut self, node: &Node) {
        for child in &node.children {
            if child.name() != "allow" {
                self.collect_allows(child);
                continue;
            }
            let (check, check_span) = child
                .label
                .clone()
                .unwrap_or_else(|| (String::new(), child.ident_span));
            let known = crate::diagnostics::codes::find(&check).is_some();
            if !known {
                let all = crate::diagnostics::codes::all();
                let names = all.iter().flat_map(|c| [c.code, c.name]);
                let help = match did_you_mean(&check, names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => {
                        "name a check code such as `GH404`; `gatehouse explain --list` lists them"
                            .to_string()
                    }
                };
                self.error(
                    child,
                    &codes::INVALID_VALUE,
                    check_span,
                    format!("`allow` names no known check `{check}`"),
                    help,
                );
                continue;
            }
            let allow = Allow {
                owner: node.address.clone(),
                check: Spanned::new(check, check_span),
                reason: self.string_or(child, "reason", ""),
                span: child.span,
            };
            self.model.allows.push(allow);
        }
    }

    /// Adds `node` and its entity descendants to the index; false when its address is taken.
    fn index_node(&mut self, node: &Node, counters: &mut HashMap<Kind, u32>) -> bool {
        if let Some(kind) = node.schema.kind {
            let span = node.label.as_ref().map_or(node.span, |(_, s)| *s);
            if let Some((_, _, first)) = self.index.get(&node.address) {
                let d = Diagnostic::new(
                    &codes::DUPLICATE_NAME,
                    span,
                    format!("`{}` is declared twice", node.address),
                )
                .with_label(*first, "first declared here")
                .with_help("names must be unique per scope; rename one of them");
                self.report(node, d);
                return false;
            }
            let counter = counters.entry(kind).or_insert(0);
            self.index
                .insert(node.address.clone(), (kind, *counter, span));
            *counter += 1;
        }
        for child in &node.children {
            // Children were de-duplicated by the decoder; their addresses are unique.
            self.index_node(child, counters);
        }
        true
    }

    /// Records a diagnostic that already carries its trace.
    pub(super) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn report(&mut self, node: &Node, diagnostic: Diagnostic) {
        let diagnostic = if diagnostic.trace.is_empty() {
            diagnostic.with_trace(node.trace.clone())
        } else {
            diagnostic
        };
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn error(
        &mut self,
        node: &Node,
        code: Code,
        span: Span,
        message: String,
        help: String,
    ) {
        let d = Diagnostic::new(code, span, message)
            .with_help(help)
            .with_address(node.address.clone());
        self.report(node, d);
    }

    pub(super) fn decl(&self, node: &Node) -> Decl {
        Decl {
            name: node.label().to_string(),
            address: node.address.clone(),
            span: node.span,
            name_span: node.label.as_ref().map_or(node.ident_span, |(_, s)| *s),
            trace: node.trace.clone(),
        }
    }

    /// The id an entity node was given in the index.
    pub(super) fn id_of<T: EntityId>(&self, node: &Node) -> T {
        let (kind, index, _) = self.index[&node.address];
        debug_assert_eq!(kind, T::KIND);
        T::from_index(index)
    }

    /// Ids of the children of `node` named `name` (entity children only).
    pub(super) fn child_ids<T: EntityId>(&self, node: &Node, name: &str) -> Vec<T> {
        node.children_named(name).map(|c| self.id_of(c)).collect()
    }

    pub(super) fn string(&self, node: &Node, name: &str) -> Option<Spanned<String>> {
        let v = node.value(name)?;
        v.as_str().map(|s| Spanned::new(s.to_string(), v.span))
    }

    pub(super) fn string_or(&self, node: &Node, name: &str, default: &str) -> Spanned<String> {
        self.string(node, name)
            .unwrap_or_else(|| Spanned::new(default.to_string(), node.ident_span))
    }

    pub(super) fn flag(&self, node: &Node, name: &str) -> Option<Spanned<bool>> {
        let v = node.value(name)?;
        v.as_bool().map(|b| Spanned::new(b, v.span))
    }

    /// A bool with its default; the span is the attribute's, or the block's when defaulted.
    pub(super) fn flag_or(&self, node: &Node, name: &str, default: bool) -> Spanned<bool> {
        self.flag(node, name)
            .unwrap_or_else(|| Spanned::new(default, node.ident_span))
    }

    pub(super) fn integer(&self, node: &Node, name: &str) -> Option<Spanned<i64>> {
        let v = node.value(name)?;
        v.as_number().map(|n| Spanned::new(n as i64, v.span))
    }

    pub(super) fn strings(&self, node: &Node, name: &str) -> Vec<Spanned<String>> {
        let Some(items) = node.value(name).and_then(Value::as_list) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|v| v.as_str().map(|s| Spanned::new(s.to_string(), v.span)))
            .collect()
    }

    pub(super) fn string_map(&self, node: &Node, name: &str) -> Vec<(String, String)> {
        let Some(ValueKind::Object(entries)) = node.value(name).map(|v| &v.kind) else {
            return Vec::new();
        };
        let mut pairs: Vec<(String, String)> = entries
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect();
        pairs.sort();
        pairs
    }

    pub(super) fn file(&self, node: &Node, name: &str) -> Option<Spanned<String>> {
        let v = node.value(name)?;
        match &v.kind {
            ValueKind::File(path) => Some(Spanned::new(path.clone(), v.span)),
            _ => None,
        }
    }

    pub(super) fn secret(&self, node: &Node, name: &str) -> Option<Spanned<SecretText>> {
        let v = node.value(name)?;
        let text = match &v.kind {
            ValueKind::Secret(s) => SecretText::Secret(s.clone()),
            ValueKind::String(s) => SecretText::Literal(s.clone()),
            _ => return None,
        };
        Some(Spanned::new(text, v.span))
    }

    /// Resolves the reference in attribute `name` to an entity of kind `T`.
    pub(super) fn reference<T: EntityId>(&mut self, node: &Node, name: &str) -> Option<Ref<T>> {
        let value = node.value(name)?;
        let (kind, index, span) = self.resolve(node, value, &[T::KIND])?;
        debug_assert_eq!(kind, T::KIND);
        Some(Ref {
            id: T::from_index(index),
            span,
        })
    }

    /// Resolves every reference in the list attribute `name`.
    pub(super) fn references<T: EntityId>(&mut self, node: &Node, name: &str) -> Vec<Ref<T>> {
        let Some(items) = node.value(name).and_then(Value::as_list) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|v| self.resolve(node, v, &[T::KIND]))
            .map(|(_, index, span)| Ref {
                id: T::from_index(index),
                span,
            })
            .collect()
    }

    /// Resolves a reference value to one of `expected`; reports what went wrong.
    pub(super) fn resolve(
        &mut self,
        node: &Node,
        value: &Value,
        expected: &[Kind],
    ) -> Option<(Kind, u32, Span)> {
        let ValueKind::Ref(reference) = &value.kind else {
            return None;
        };
        let text = reference.text();
        let mut key = String::with_capacity(64);
        let found = reference.scopes.iter().find_map(|scope| {
            key.clear();
            key.push_str(scope);
            if !(scope.is_empty() || scope.ends_with('.')) {
                key.push('.');
            }
            key.push_str(&text);
            self.index
                .get(key.as_str())
                .map(|&(k, i, _)| (k, i, key.clone()))
        });
        if let Some((kind, index, _)) = &found {
            if expected.contains(kind) && reference.declared.is_none_or(|(d, _)| d == *kind) {
                return Some((*kind, *index, value.span));
            }
        }
        let expected_names: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
        let expected_text = expected_names.join(" or ");
        if let (Some((declared, decl_span)), Some((kind, _, address))) =
            (reference.declared, &found)
        {
            if declared != *kind {
                let d = Diagnostic::new(
                    &codes::MODULE_INPUT,
                    value.span,
                    format!("`{text}` is a `{kind}`, but the variable it is passed to is declared as `{declared}`"),
                )
                .with_label(decl_span, format!("declared as `{declared}` here"))
                .with_label(self.index[address].2, format!("`{address}` is declared here"))
                .with_help(format!("pass a reference to a `{declared}` block"))
                .with_address(node.address.clone());
                self.report(node, d);
                return None;
            }
        }
        match found {
            Some((kind, index, _)) if expected.contains(&kind) => Some((kind, index, value.span)),
            Some((kind, _, address)) => {
                let d = Diagnostic::new(
                    &codes::WRONG_TYPE,
                    value.span,
                    format!("expected a reference to {expected_text}, but `{text}` is a `{kind}`"),
                )
                .with_label(
                    self.index[&address].2,
                    format!("`{address}` is declared here"),
                )
                .with_help(format!("refer to a {expected_text} block"))
                .with_address(node.address.clone());
                self.report(node, d);
                None
            }
            None => {
                let suggestion = self.suggest(reference, expected);
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("declare the {expected_text} block, or correct the name"),
                };
                let d = Diagnostic::new(
                    &codes::UNRESOLVED_REFERENCE,
                    value.span,
                    format!("`{text}` is not declared"),
                )
                .with_primary_message(format!("no {expected_text} with this name"))
                .with_help(help)
                .with_address(node.address.clone());
                self.report(node, d);
                None
            }
        }
    }

    /// The closest reference text to `reference` among entities of the expected kinds visible
    /// from its scopes.
    fn suggest(&self, reference: &crate::eval::Reference, expected: &[Kind]) -> Option<String> {
        let written = reference.text();
        let mut best: Option<(usize, String)> = None;
        for (address, (kind, _, _)) in &self.index {
            if !expected.contains(kind) {
                continue;
            }
            for scope in reference.scopes.iter() {
                let prefix = if scope.is_empty() || scope.ends_with('.') {
                    scope.clone()
                } else {
                    format!("{scope}.")
                };
                let Some(relative) = address.strip_prefix(&prefix) else {
                    continue;
                };
                if relative.starts_with("module.") {
                    continue;
                }
                let distance = strsim::damerau_levenshtein(&written, relative);
                let better = best.as_ref().is_none_or(|(d, s)| {
                    distance < *d || (distance == *d && relative < s.as_str())
                });
                if better {
                    best = Some((distance, relative.to_string()));
                }
            }
        }
        let (distance, text) = best?;
        let limit = (written.len() / 3).max(2);
        (distance <= limit).then(|| {
            did_you_mean(&written, [text.as_str()])
                .unwrap_or(&text)
                .to_string()
        })
    }

    fn deployment(&mut self, node: &Node) -> Deployment {
        Deployment {
            name: self.string_or(node, "name", ""),
            location: self.string_or(node, "location", ""),
            resource_group: self.string_or(node, "resource_group", ""),
            tags: self.string_map(node, "tags"),
            cert_expiry_warning_days: self
                .integer(node, "cert_expiry_warning_days")
                .map_or(30, |d| d.value as u32),
            span: node.span,
        }
    }

    /// Reports attributes that exclude each other (`set` holds the attributes present).
    pub(super) fn exactly_one(
        &mut self,
        node: &Node,
        names: &[&str],
        what: &str,
    ) -> Option<&'static str> {
        if names.iter().any(|n| node.failed.contains(n)) {
            return None;
        }
        let present: Vec<&crate::eval::Attr> = names.iter().filter_map(|n| node.attr(n)).collect();
        match present.as_slice() {
            [one] => Some(one.name),
            [] => {
                let list = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    node,
                    &codes::CONFLICTING_ATTRIBUTES,
                    node.ident_span,
                    format!("`{}` needs {what}", node.address),
                    format!("set exactly one of {list}"),
                );
                None
            }
            [first, second, ..] => {
                let d = Diagnostic::new(
                    &codes::CONFLICTING_ATTRIBUTES,
                    second.key_span,
                    format!(
                        "`{}` sets both `{}` and `{}`",
                        node.address, first.name, second.name
                    ),
                )
                .with_label(first.key_span, "first set here")
                .with_help(format!("{what}: keep only one"))
                .with_address(node.address.clone());
                self.report(node, d);
                None
            }
        }
    }
}
