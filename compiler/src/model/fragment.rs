//! `policy_fragment` blocks: policy statements that policies include by name
//! (`include_fragment`, `<include-fragment fragment-id="..." />`), and the include cycles
//! between fragments (GH017).
//!
//! A fragment has no sections and no `<base />`: API Management inserts it as-is in whichever
//! section includes it. The model keeps each fragment once; the graph inlines it where it is
//! included (`graph::queries`), so statements keep their spans in the fragment.

use super::builder::Builder;
use super::*;
use crate::diagnostics::codes;
use crate::eval::Node;

#[derive(Debug, Clone)]
pub struct PolicyFragment {
    /// The label is the fragment id raw XML names in `fragment-id`.
    pub decl: Decl,
    pub api_management: ApiManagementId,
    pub description: Option<String>,
    /// Set when the fragment was written as raw XML: the file it came from, or `None` inline.
    pub xml_file: Option<Option<String>>,
    pub statements: Vec<Statement>,
}

impl Model {
    /// The fragment an `include_fragment` written in a policy or fragment of `instance` names:
    /// the fragment referred to, or the fragment of `instance` whose label is the id. `None`
    /// for an id no fragment of the instance has (GH102).
    pub fn included_fragment(
        &self,
        instance: ApiManagementId,
        name: &FragmentName,
    ) -> Option<PolicyFragmentId> {
        match name {
            FragmentName::Fragment(r) => Some(r.id),
            FragmentName::Id(id) => self[instance]
                .policy_fragments
                .iter()
                .copied()
                .find(|f| self[*f].decl.name == id.value),
        }
    }
}

/// The fragments `include_fragment` statements among `statements` name, `choose` branches
/// included.
pub fn fragment_includes(statements: &[Statement]) -> Vec<&FragmentName> {
    let mut out = Vec::new();
    for s in statements {
        match &s.kind {
            StatementKind::IncludeFragment(name) => out.push(name),
            StatementKind::Choose(c) => {
                for w in &c.whens {
                    out.extend(fragment_includes(&w.statements));
                }
                if let Some(o) = &c.otherwise {
                    out.extend(fragment_includes(o));
                }
            }
            _ => {}
        }
    }
    out
}

impl Builder<'_> {
    pub(super) fn policy_fragment(&mut self, node: &Node, api_management: ApiManagementId) {
        let mut xml_file = None;
        let mut statements = if let Some(xml) = node.value("xml").cloned() {
            if let Some(first) = node.children.iter().find(|c| c.schema.statement) {
                let d = Diagnostic::new(
                    &codes::CONFLICTING_ATTRIBUTES,
                    first.ident_span,
                    format!("`{}` has both `xml` and typed statements", node.address),
                )
                .with_label(xml.span, "raw XML here")
                .with_help(
                    "write the fragment either as raw XML or as typed statement blocks, not both",
                );
                self.report(node, d);
            }
            match self.xml_text(node, &xml) {
                Some((text, file, base_span)) => {
                    let exact = file.is_some();
                    xml_file = Some(file);
                    self.parse_fragment_document(node, &text, base_span, exact)
                }
                None => Vec::new(),
            }
        } else {
            self.statements(node)
        };
        self.drop_base(node, &mut statements);
        let fragment = PolicyFragment {
            decl: self.decl(node),
            api_management,
            description: self.string(node, "description").map(|s| s.value),
            xml_file,
            statements,
        };
        self.model.policy_fragments.push(fragment);
    }

    /// Reports and removes `<base />` (from raw XML) at the top of a fragment.
    fn drop_base(&mut self, node: &Node, statements: &mut Vec<Statement>) {
        let bases: Vec<Span> = statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Base))
            .map(|s| s.span)
            .collect();
        for span in bases {
            let d = Diagnostic::new(
                &codes::POLICY_XML_INVALID,
                span,
                "`<base />` is not allowed in a policy fragment".to_string(),
            )
            .with_help("remove it: a fragment runs inside the section that includes it, and that section's `<base />` runs the enclosing scope's policies")
            .with_address(node.address.clone());
            self.report(node, d);
        }
        statements.retain(|s| !matches!(s.kind, StatementKind::Base));
    }

    /// Reports every cycle of fragments that include each other (GH017), once, at the include
    /// that closes it. The graph's inlining stops at a fragment already being inlined, so a
    /// cycle costs a diagnostic, not a hang.
    pub(super) fn fragment_cycles(&mut self) {
        let count = self.model.policy_fragments.len();
        // 0: not visited, 1: on the current path, 2: done.
        let mut state = vec![0u8; count];
        let includes: Vec<Vec<(PolicyFragmentId, Span)>> = (0..count)
            .map(|i| self.includes_of(PolicyFragmentId(i as u32)))
            .collect();
        for start in 0..count {
            if state[start] != 0 {
                continue;
            }
            // Depth-first, without recursion: a frame is a fragment on the path and the index
            // of its next include to follow.
            let mut path: Vec<(PolicyFragmentId, usize)> =
                vec![(PolicyFragmentId(start as u32), 0)];
            state[start] = 1;
            while let Some(&mut (fragment, ref mut next)) = path.last_mut() {
                let Some(&(target, span)) = includes[fragment.index()].get(*next) else {
                    state[fragment.index()] = 2;
                    path.pop();
                    continue;
                };
                *next += 1;
                match state[target.index()] {
                    0 => {
                        state[target.index()] = 1;
                        path.push((target, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(f, _)| *f == target).unwrap_or(0);
                        // Each fragment on the cycle with the include that leads on (the one
                        // just followed, for all but the last).
                        let cycle: Vec<(PolicyFragmentId, Span)> = path[from..]
                            .iter()
                            .map(|(f, n)| {
                                let followed = includes[f.index()].get(n.saturating_sub(1));
                                (*f, followed.map_or(span, |(_, s)| *s))
                            })
                            .collect();
                        let d = self.cycle_diagnostic(&cycle, (fragment, span));
                        self.push(d);
                    }
                    _ => {}
                }
            }
        }
    }

    /// The fragments `fragment` includes, with the include statements, in order.
    fn includes_of(&self, fragment: PolicyFragmentId) -> Vec<(PolicyFragmentId, Span)> {
        let f = &self.model[fragment];
        fragment_includes(&f.statements)
            .into_iter()
            .filter_map(|name| {
                self.model
                    .included_fragment(f.api_management, name)
                    .map(|id| (id, name.span()))
            })
            .collect()
    }

    /// The diagnostic for a cycle: the fragments on it, each with the include that leads to the
    /// next (`path`, the last of them `closing.0`), and the include that closes it.
    fn cycle_diagnostic(
        &self,
        path: &[(PolicyFragmentId, Span)],
        closing: (PolicyFragmentId, Span),
    ) -> Diagnostic {
        let m = &self.model;
        let (last, at) = closing;
        let first = path.first().map_or(last, |(f, _)| *f);
        let decl = &m[last].decl;
        let message = if path.len() <= 1 {
            format!("policy fragment `{}` includes itself", decl.name)
        } else {
            let names: Vec<String> = path
                .iter()
                .map(|(f, _)| format!("`{}`", m[*f].decl.name))
                .chain(std::iter::once(format!("`{}`", m[first].decl.name)))
                .collect();
            format!(
                "policy fragments include each other in a cycle: {}",
                names.join(" → ")
            )
        };
        let mut d =
            Diagnostic::new(&codes::FRAGMENT_INCLUDE_CYCLE, at, message).with_primary_message(
                format!("`{}` includes `{}` here", decl.name, m[first].decl.name),
            );
        // Every include on the cycle but the closing one.
        for pair in path.windows(2) {
            let ((f, span), (next, _)) = (pair[0], pair[1]);
            d = d.with_label(
                span,
                format!("`{}` includes `{}` here", m[f].decl.name, m[next].decl.name),
            );
        }
        let which = if path.len() <= 1 {
            "the include"
        } else {
            "one of these includes"
        };
        d.with_help(format!(
            "remove {which}: API Management inserts a fragment as it is, so inlining `{}` would never end",
            m[first].decl.name
        ))
        .with_address(decl.address.clone())
        .with_trace(decl.trace.clone())
    }
}
