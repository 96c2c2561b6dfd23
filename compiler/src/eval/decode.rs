//! Decoding blocks against the schema into generic [`Node`]s.
//!
//! This is where unknown blocks and attributes, wrong types, values outside an enumeration,
//! missing required attributes, repeated blocks and duplicate names are found, once for every
//! block kind. The model builders then read nodes whose shape is already right.

use super::expr::format_number;
use super::value::{Scope, Value, ValueKind};
use super::Evaluator;
use crate::diagnostics::{codes, did_you_mean, Code, Diagnostic, Label};
use crate::schema::{BlockSchema, Repeat, Ty};
use crate::source::{FileId, Span};
use crate::syntax::InstanceId;
use hcl_edit::structure::{Block, Structure};

/// A decoded block: schema-checked attributes and child blocks, with spans.
#[derive(Debug, Clone)]
pub struct Node {
    pub schema: &'static BlockSchema,
    /// The label and its span, for labelled blocks.
    pub label: Option<(String, Span)>,
    /// The whole block.
    pub span: Span,
    /// The block's type name (`listener`).
    pub ident_span: Span,
    /// HCL address: `module.edge.app_gateway.main.listener.api`; for blocks that are not
    /// entities, the enclosing address followed by the block name.
    pub address: String,
    pub instance: InstanceId,
    pub attrs: Vec<Attr>,
    /// Child blocks in source order.
    pub children: Vec<Node>,
    /// Module calls that led to this block.
    pub trace: Vec<Label>,
    /// Attributes written but not decoded because of a reported error; rules about which
    /// attributes must be present skip them so that one mistake is reported once.
    pub failed: Vec<&'static str>,
}

/// A decoded attribute.
#[derive(Debug, Clone)]
pub struct Attr {
    pub name: &'static str,
    pub key_span: Span,
    pub value: Value,
}

impl Node {
    pub fn name(&self) -> &'static str {
        self.schema.name
    }

    /// The label (`""` for unlabelled blocks).
    pub fn label(&self) -> &str {
        self.label.as_ref().map_or("", |(l, _)| l.as_str())
    }

    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.attr(name).map(|a| &a.value)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name() == name)
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name() == name)
    }
}

/// `parent.ident.label` (one allocation: this runs for every block).
fn block_address(parent: &str, ident: &str, label: Option<&str>) -> String {
    let mut address =
        String::with_capacity(parent.len() + ident.len() + label.map_or(0, str::len) + 2);
    address.push_str(parent);
    if !(parent.is_empty() || parent.ends_with('.')) {
        address.push('.');
    }
    address.push_str(ident);
    if let Some(label) = label {
        address.push('.');
        address.push_str(label);
    }
    address
}

impl<'t> Evaluator<'t> {
    /// Decodes `block`, a child of a block with schema `parent`.
    pub(super) fn decode(
        &mut self,
        id: InstanceId,
        file: FileId,
        block: &'t Block,
        parent: &'static BlockSchema,
        scope: &Scope,
        parent_address: &str,
    ) -> Option<Node> {
        let ident = block.ident.as_str();
        let ident_span = self.span(file, &block.ident);
        let span = self.span(file, block);
        let Some(schema) = parent.block(ident) else {
            let candidates = parent.blocks.iter().map(|b| b.name);
            let help = if parent.attr(ident).is_some() {
                format!("`{ident}` is an attribute here: write `{ident} = ...`")
            } else {
                match did_you_mean(ident, candidates) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if parent.blocks.is_empty() => format!("`{}` has no blocks", parent.name),
                    None => format!(
                        "the blocks allowed in `{}` are: {}",
                        parent.name,
                        parent
                            .blocks
                            .iter()
                            .map(|b| b.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            };
            let d = Diagnostic::new(
                &codes::UNKNOWN_BLOCK,
                ident_span,
                format!("unknown block `{ident}` in `{}`", parent.name),
            )
            .with_help(help);
            self.report(id, d);
            return None;
        };

        let label = self.decode_label(id, file, block, schema, ident_span)?;
        let address = block_address(
            parent_address,
            ident,
            label.as_ref().map(|(l, _)| l.as_str()),
        );
        let inner_scope: Scope = if schema.kind.is_some() {
            std::iter::once(address.clone())
                .chain(scope.iter().cloned())
                .collect()
        } else {
            scope.clone()
        };

        let mut node = Node {
            schema,
            label,
            span,
            ident_span,
            address: address.clone(),
            instance: id,
            attrs: Vec::new(),
            children: Vec::new(),
            trace: self.tree.trace(id),
            failed: Vec::new(),
        };
        let mut labelled: rustc_hash::FxHashMap<(&'static str, String), usize> = Default::default();
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    let key_span = self.span(file, &attr.key);
                    let Some(attr_schema) = schema.attr(key) else {
                        self.unknown_attribute(id, schema, key, key_span, &address);
                        continue;
                    };
                    if let Some(first) = node.attr(key) {
                        let d = Diagnostic::new(
                            &codes::DUPLICATE_NAME,
                            key_span,
                            format!("attribute `{key}` is set twice in `{address}`"),
                        )
                        .with_label(first.key_span, "first set here")
                        .with_help("remove one of them");
                        self.report(id, d);
                        continue;
                    }
                    let Some(value) = self.expr(id, file, &attr.value, &inner_scope) else {
                        node.failed.push(attr_schema.name);
                        continue;
                    };
                    if matches!(value.kind, ValueKind::Null) {
                        continue;
                    }
                    if let Err((code, message, help)) = conforms(&value, &attr_schema.ty) {
                        let d = Diagnostic::new(
                            code,
                            value.span,
                            format!("`{key}` in `{address}`: {message}"),
                        )
                        .with_help(help);
                        self.report(id, d);
                        node.failed.push(attr_schema.name);
                        continue;
                    }
                    node.attrs.push(super::Attr {
                        name: attr_schema.name,
                        key_span,
                        value,
                    });
                }
                Structure::Block(child) => {
                    let child_ident = child.ident.as_str();
                    if let Some(child_schema) = schema.block(child_ident) {
                        let child_span = self.span(file, &child.ident);
                        if child_schema.repeat == Repeat::Once {
                            if let Some(first) = node.child(child_ident) {
                                let d = Diagnostic::new(
                                    &codes::DUPLICATE_NAME,
                                    child_span,
                                    format!("`{address}` may have only one `{child_ident}` block"),
                                )
                                .with_label(first.ident_span, "first here")
                                .with_help("merge the two blocks into one");
                                self.report(id, d);
                                continue;
                            }
                        }
                    }
                    let Some(decoded) =
                        self.decode(id, file, child, schema, &inner_scope, &address)
                    else {
                        continue;
                    };
                    if let Some((label, label_span)) = &decoded.label {
                        // Children by (kind, label): blocks can hold thousands of children.
                        let twin = labelled
                            .get(&(decoded.name(), label.clone()))
                            .map(|&i| &node.children[i]);
                        if let Some(first) = twin {
                            let d = Diagnostic::new(
                                &codes::DUPLICATE_NAME,
                                *label_span,
                                format!(
                                    "`{}` `{label}` is declared twice in `{address}`",
                                    decoded.name()
                                ),
                            )
                            .with_label(
                                first.label.as_ref().map_or(first.span, |(_, s)| *s),
                                "first declared here",
                            )
                            .with_help("names must be unique per scope; rename one of them");
                            self.report(id, d);
                            continue;
                        }
                    }
                    if let Some((label, _)) = &decoded.label {
                        labelled.insert((decoded.name(), label.clone()), node.children.len());
                    }
                    node.children.push(decoded);
                }
            }
        }
        {
            for attr in schema.attrs.iter().filter(|a| a.required) {
                if node.attr(attr.name).is_none() && !node.failed.contains(&attr.name) {
                    let d = Diagnostic::new(
                        &codes::MISSING_REQUIRED,
                        ident_span,
                        format!(
                            "`{address}` is missing the required attribute `{}`",
                            attr.name
                        ),
                    )
                    .with_primary_message(format!("needs `{}`", attr.name))
                    .with_help(format!(
                        "add `{} = ...` ({}): {}",
                        attr.name, attr.ty, attr.doc
                    ));
                    self.report(id, d);
                }
            }
        }
        Some(node)
    }

    fn decode_label(
        &mut self,
        id: InstanceId,
        file: FileId,
        block: &Block,
        schema: &'static BlockSchema,
        ident_span: Span,
    ) -> Option<Option<(String, Span)>> {
        let ident = schema.name;
        match (schema.label, block.labels.as_slice()) {
            (None, []) => Some(None),
            (Some(_), [label]) => {
                let label_span = self.span(file, label);
                let text = label.as_str().to_string();
                if schema.kind.is_some() && !is_identifier(&text) {
                    let d = Diagnostic::new(&codes::INVALID_VALUE, label_span, format!("`{text}` is not a valid name for a `{ident}`"))
                        .with_help("names of blocks that can be referenced are identifiers: letters, digits, `_` and `-`, starting with a letter");
                    self.report(id, d);
                    return None;
                }
                Some(Some((text, label_span)))
            }
            (Some(what), []) => {
                let d = Diagnostic::new(
                    &codes::MISSING_REQUIRED,
                    ident_span,
                    format!("`{ident}` block needs a {what} label"),
                )
                .with_help(format!("write `{ident} \"<{what}>\" {{ ... }}`"));
                self.report(id, d);
                None
            }
            (Some(what), labels) => {
                let span = self.span(file, &labels[1]);
                let d = Diagnostic::new(
                    &codes::WRONG_TYPE,
                    span,
                    format!("`{ident}` block takes one label, found {}", labels.len()),
                )
                .with_help(format!("write `{ident} \"<{what}>\" {{ ... }}`"));
                self.report(id, d);
                None
            }
            (None, labels) => {
                let span = self.span(file, &labels[0]);
                let d = Diagnostic::new(
                    &codes::WRONG_TYPE,
                    span,
                    format!("`{ident}` block takes no label"),
                )
                .with_help(format!("write `{ident} {{ ... }}`"));
                self.report(id, d);
                None
            }
        }
    }

    fn unknown_attribute(
        &mut self,
        id: InstanceId,
        schema: &'static BlockSchema,
        key: &str,
        key_span: Span,
        address: &str,
    ) {
        let help = if schema.block(key).is_some() {
            format!("`{key}` is a block here: write `{key} {{ ... }}`")
        } else {
            match did_you_mean(key, schema.attrs.iter().map(|a| a.name)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if schema.attrs.is_empty() => format!("`{}` has no attributes", schema.name),
                None => format!(
                    "the attributes of `{}` are: {}",
                    schema.name,
                    schema
                        .attrs
                        .iter()
                        .map(|a| a.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        };
        let d = Diagnostic::new(
            &codes::UNKNOWN_ATTRIBUTE,
            key_span,
            format!("unknown attribute `{key}` in `{address}`"),
        )
        .with_help(help);
        self.report(id, d);
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

type Mismatch = (Code, String, String);

/// Whether `value` has type `ty`: the code, message and help when not.
fn conforms(value: &Value, ty: &Ty) -> Result<(), Mismatch> {
    let wrong = |expected: String, help: String| {
        Err((
            &codes::WRONG_TYPE as Code,
            format!("expected {expected}, found {}", value.describe()),
            help,
        ))
    };
    match (ty, &value.kind) {
        (Ty::Any, _) => Ok(()),
        (Ty::String, ValueKind::String(_))
        | (Ty::Bool, ValueKind::Bool(_))
        | (Ty::Number, ValueKind::Number(_)) => Ok(()),
        (Ty::Integer { min, max }, ValueKind::Number(n)) => {
            if n.fract() != 0.0 {
                return Err((
                    &codes::INVALID_VALUE,
                    format!("{} is not a whole number", format_number(*n)),
                    "write a whole number".to_string(),
                ));
            }
            if *n < *min as f64 || *n > *max as f64 {
                return Err((
                    &codes::INVALID_VALUE,
                    format!("{} is outside {min}..={max}", format_number(*n)),
                    format!("use a number from {min} to {max}"),
                ));
            }
            Ok(())
        }
        (Ty::Enum(allowed), ValueKind::String(s)) => {
            if allowed.contains(&s.as_str()) {
                return Ok(());
            }
            let help = match did_you_mean(s, allowed.iter().copied())
                .or_else(|| allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(s)))
            {
                Some(close) => format!(
                    "did you mean \"{close}\"? values are case-sensitive, in Azure's spelling"
                ),
                None => format!("use {ty}"),
            };
            Err((
                &codes::INVALID_VALUE,
                format!("\"{s}\" is not allowed here"),
                help,
            ))
        }
        (Ty::List(inner), ValueKind::List(items)) => {
            items.iter().try_for_each(|item| conforms(item, inner))
        }
        (Ty::Map(inner), ValueKind::Object(entries)) => {
            entries.iter().try_for_each(|(_, v)| conforms(v, inner))
        }
        (Ty::Ref(_), ValueKind::Ref(_)) => Ok(()),
        (Ty::File, ValueKind::File(_)) => Ok(()),
        (Ty::File, ValueKind::String(s)) => wrong(
            ty.to_string(),
            format!("name the file with `file(\"{s}\")`"),
        ),
        (Ty::Secret, ValueKind::Secret(_) | ValueKind::String(_)) => Ok(()),
        (Ty::Text, ValueKind::String(_) | ValueKind::File(_)) => Ok(()),
        (Ty::Ref(kinds), _) => wrong(
            ty.to_string(),
            format!("write a reference such as `{}.<name>`", kinds[0]),
        ),
        (Ty::List(_), _) => wrong(ty.to_string(), "write a list: `[ ... ]`".to_string()),
        (Ty::Integer { .. } | Ty::Number, ValueKind::String(s)) => wrong(
            ty.to_string(),
            format!("write the number without quotes: `{s}`"),
        ),
        (Ty::Bool, ValueKind::String(s)) => wrong(
            ty.to_string(),
            format!("write `true` or `false` without quotes, not \"{s}\""),
        ),
        (Ty::Enum(_) | Ty::String, _) => wrong(ty.to_string(), "write a quoted string".to_string()),
        _ => wrong(ty.to_string(), format!("write {ty}")),
    }
}
