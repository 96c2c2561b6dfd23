//! Evaluation: variables, locals, functions and modules applied to the parsed files, and every
//! block decoded against the language schema into generic [`Node`]s with spans.
//!
//! Locals, variables and module outputs are evaluated lazily and memoised, so that a reference
//! cycle is found wherever it starts. Module instances are flattened: their blocks get addresses
//! prefixed with `module.<name>.`, and references written inside a module resolve inside it.
//! Nothing here reads files: `file()` only checks that a file exists, through the [`World`].

mod decode;
mod expr;
pub mod types;
pub mod value;

pub use decode::{Attr, Node};
pub use value::{Reference, Secret, Value, ValueKind};

use crate::diagnostics::{codes, did_you_mean, Diagnostic};
use crate::schema::{self, META_BLOCKS};
use crate::source::{FileId, Span};
use crate::syntax::{span_of, InstanceId, Tree, World};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Structure};
use std::collections::BTreeMap;
use types::VarType;

/// Inputs of an evaluation that do not come from files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Root variable values given on the command line (`--var name=value`), as text.
    pub vars: BTreeMap<String, String>,
}

/// A root `output`.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub span: Span,
    pub value: Value,
    pub sensitive: bool,
    pub description: Option<String>,
}

/// What evaluation produced.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// Top-level blocks of every instance, root first, then modules in call order.
    pub nodes: Vec<Node>,
    pub outputs: Vec<Output>,
}

/// Evaluates a loaded tree.
pub fn evaluate(
    tree: &Tree,
    world: &dyn World,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Evaluated {
    let mut eval = Evaluator {
        tree,
        world,
        options,
        instances: Vec::new(),
        diagnostics: Vec::new(),
        depth: 0,
    };
    for instance in &tree.instances {
        let state = eval.collect(instance.id);
        eval.instances.push(state);
    }
    let mut evaluated = Evaluated::default();
    for instance in &tree.instances {
        eval.check_module_call(instance.id);
        let names: Vec<String> = eval.instances[instance.id.0]
            .locals
            .keys()
            .cloned()
            .collect();
        for name in names {
            eval.local(instance.id, &name, None);
        }
        let blocks = std::mem::take(&mut eval.instances[instance.id.0].entity_blocks);
        for (file, block) in blocks {
            let prefix = instance.address_prefix();
            let scope: value::Scope = vec![prefix.clone()].into();
            if let Some(node) =
                eval.decode(instance.id, file, block, &schema::ROOT, &scope, &prefix)
            {
                evaluated.nodes.push(node);
            }
        }
        let outputs: Vec<String> = eval.instances[instance.id.0]
            .outputs
            .keys()
            .cloned()
            .collect();
        for name in outputs {
            let value = eval.output(instance.id, &name, None);
            if instance.id.0 == 0 {
                let decl = &eval.instances[0].outputs[&name];
                if let Some(value) = value {
                    evaluated.outputs.push(Output {
                        name: name.clone(),
                        span: decl.span,
                        value,
                        sensitive: decl.sensitive,
                        description: decl.description.clone(),
                    });
                }
            }
        }
    }
    diagnostics.append(&mut eval.diagnostics);
    evaluated
}

/// The lazily filled value of a local, variable or output.
#[derive(Debug, Clone)]
enum Slot {
    InProgress,
    /// `None`: evaluation failed and was reported.
    Done(Option<Value>),
}

struct VarDecl<'t> {
    span: Span,
    file: FileId,
    ty: VarType,
    default: Option<&'t Expression>,
    sensitive: bool,
}

struct LocalDecl<'t> {
    span: Span,
    file: FileId,
    expr: &'t Expression,
}

struct OutputDecl<'t> {
    span: Span,
    file: FileId,
    expr: Option<&'t Expression>,
    sensitive: bool,
    description: Option<String>,
}

struct ModuleBlock<'t> {
    file: FileId,
    block: &'t Block,
}

#[derive(Default)]
struct InstanceState<'t> {
    variables: BTreeMap<String, VarDecl<'t>>,
    var_values: BTreeMap<String, Slot>,
    locals: BTreeMap<String, LocalDecl<'t>>,
    local_values: BTreeMap<String, Slot>,
    outputs: BTreeMap<String, OutputDecl<'t>>,
    output_values: BTreeMap<String, Slot>,
    modules: BTreeMap<String, ModuleBlock<'t>>,
    entity_blocks: Vec<(FileId, &'t Block)>,
}

struct Evaluator<'t> {
    tree: &'t Tree,
    world: &'t dyn World,
    options: &'t Options,
    instances: Vec<InstanceState<'t>>,
    diagnostics: Vec<Diagnostic>,
    /// How many local, variable and output evaluations are in progress (recursion depth).
    depth: usize,
}

/// Deepest chain of locals, variables and module outputs evaluated one through another; a
/// longer chain is reported instead of overflowing the stack.
const MAX_EVAL_DEPTH: usize = 128;

impl<'t> Evaluator<'t> {
    fn report(&mut self, instance: InstanceId, diagnostic: Diagnostic) {
        let trace = self.tree.trace(instance);
        self.diagnostics.push(diagnostic.with_trace(trace));
    }

    fn span(&self, file: FileId, node: &impl hcl_edit::Span) -> Span {
        span_of(file, node, Span::file_start(file))
    }

    /// The `kind "label"` header of a block, for labels that should not cover the whole block.
    fn header(&self, file: FileId, block: &Block) -> Span {
        let start = self.span(file, &block.ident);
        let end = block.labels.last().map_or(start, |l| self.span(file, l));
        Span {
            file,
            start: start.start,
            end: end.end.max(start.end),
        }
    }

    /// Sorts the top-level structures of an instance into declarations and entity blocks.
    fn collect(&mut self, id: InstanceId) -> InstanceState<'t> {
        let tree = self.tree;
        let instance = tree.instance(id);
        let mut state = InstanceState::default();
        let mut first_seen: BTreeMap<String, Span> = BTreeMap::new();
        for parsed in &instance.files {
            let file = parsed.file;
            for structure in parsed.body.iter() {
                match structure {
                    Structure::Attribute(attr) => {
                        let span = self.span(file, &attr.key);
                        let d = Diagnostic::new(
                            &codes::UNKNOWN_ATTRIBUTE,
                            span,
                            format!(
                                "attribute `{}` is not allowed at the top level",
                                attr.key.as_str()
                            ),
                        )
                        .with_help(
                            "top-level values go in a `locals { ... }` block or a `variable` block",
                        );
                        self.report(id, d);
                    }
                    Structure::Block(block) => {
                        let name = block.ident.as_str();
                        let span = self.span(file, block);
                        match name {
                            "variable" => {
                                self.collect_variable(id, file, block, &mut state, &mut first_seen)
                            }
                            "locals" => {
                                self.collect_locals(id, file, block, &mut state, &mut first_seen)
                            }
                            "output" => {
                                self.collect_output(id, file, block, &mut state, &mut first_seen)
                            }
                            "module" => {
                                if let Some(label) = block.labels.first() {
                                    state.modules.insert(
                                        label.as_str().to_string(),
                                        ModuleBlock { file, block },
                                    );
                                } else {
                                    let d = Diagnostic::new(
                                        &codes::MISSING_REQUIRED,
                                        span,
                                        "module block has no name",
                                    )
                                    .with_help("write `module \"name\" { source = \"...\" }`");
                                    self.report(id, d);
                                }
                            }
                            "deployment" if id.0 != 0 => {
                                let d = Diagnostic::new(
                                    &codes::UNKNOWN_BLOCK,
                                    self.span(file, &block.ident),
                                    "a `deployment` block is only allowed in the root topology, not in a module",
                                )
                                .with_help("move it to the topology that calls this module");
                                self.report(id, d);
                            }
                            _ if schema::ROOT.block(name).is_some() => {
                                state.entity_blocks.push((file, block))
                            }
                            _ => {
                                let candidates = schema::ROOT
                                    .blocks
                                    .iter()
                                    .map(|b| b.name)
                                    .chain(META_BLOCKS.iter().copied());
                                let mut d = Diagnostic::new(
                                    &codes::UNKNOWN_BLOCK,
                                    self.span(file, &block.ident),
                                    format!("unknown block type `{name}`"),
                                );
                                d = match did_you_mean(name, candidates) {
                                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                                    None => d.with_help(nested_hint(name)),
                                };
                                self.report(id, d);
                            }
                        }
                    }
                }
            }
        }
        state
    }

    fn declare(
        &mut self,
        id: InstanceId,
        first_seen: &mut BTreeMap<String, Span>,
        key: String,
        span: Span,
        what: &str,
    ) -> bool {
        if let Some(first) = first_seen.get(&key) {
            let d = Diagnostic::new(
                &codes::DUPLICATE_NAME,
                span,
                format!("{what} is declared twice"),
            )
            .with_label(*first, "first declared here")
            .with_help("names must be unique in a topology or module; rename or remove one");
            self.report(id, d);
            return false;
        }
        first_seen.insert(key, span);
        true
    }

    fn collect_variable(
        &mut self,
        id: InstanceId,
        file: FileId,
        block: &'t Block,
        state: &mut InstanceState<'t>,
        first_seen: &mut BTreeMap<String, Span>,
    ) {
        let span = self.header(file, block);
        let Some(label) = block.labels.first() else {
            let d = Diagnostic::new(&codes::MISSING_REQUIRED, span, "variable block has no name")
                .with_help("write `variable \"name\" { type = string }`");
            self.report(id, d);
            return;
        };
        let name = label.as_str().to_string();
        if !self.declare(
            id,
            first_seen,
            format!("var.{name}"),
            span,
            &format!("variable `{name}`"),
        ) {
            return;
        }
        let mut decl = VarDecl {
            span,
            file,
            ty: VarType::Any,
            default: None,
            sensitive: false,
        };
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "type" => match types::parse_type(&attr.value) {
                        Ok(ty) => decl.ty = ty,
                        Err(message) => {
                            let d = Diagnostic::new(
                                &codes::WRONG_TYPE,
                                self.span(file, &attr.value),
                                message,
                            )
                            .with_help("for example `type = string` or `type = list(string)`");
                            self.report(id, d);
                        }
                    },
                    "default" => decl.default = Some(&attr.value),
                    "sensitive" => match attr.value.as_bool() {
                        Some(b) => decl.sensitive = b,
                        None => {
                            let d = Diagnostic::new(
                                &codes::WRONG_TYPE,
                                self.span(file, &attr.value),
                                "`sensitive` must be `true` or `false`",
                            )
                            .with_help("write `sensitive = true`");
                            self.report(id, d);
                        }
                    },
                    "description" => {}
                    other => {
                        let mut d = Diagnostic::new(
                            &codes::UNKNOWN_ATTRIBUTE,
                            self.span(file, &attr.key),
                            format!("unknown attribute `{other}` in variable `{name}`"),
                        );
                        d = d.with_help(match did_you_mean(other, ["type", "default", "description", "sensitive"]) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "a variable has `type`, `default`, `description` and `sensitive`".to_string(),
                        });
                        self.report(id, d);
                    }
                },
                Structure::Block(inner) => {
                    let d = Diagnostic::new(
                        &codes::UNKNOWN_BLOCK,
                        self.span(file, &inner.ident),
                        format!("a variable has no `{}` block", inner.ident.as_str()),
                    )
                    .with_help("a variable has only the attributes `type`, `default`, `description` and `sensitive`");
                    self.report(id, d);
                }
            }
        }
        state.variables.insert(name, decl);
    }

    fn collect_locals(
        &mut self,
        id: InstanceId,
        file: FileId,
        block: &'t Block,
        state: &mut InstanceState<'t>,
        first_seen: &mut BTreeMap<String, Span>,
    ) {
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let name = attr.key.as_str().to_string();
                    let span = self.span(file, &attr.key);
                    if self.declare(
                        id,
                        first_seen,
                        format!("local.{name}"),
                        span,
                        &format!("local `{name}`"),
                    ) {
                        state.locals.insert(
                            name,
                            LocalDecl {
                                span,
                                file,
                                expr: &attr.value,
                            },
                        );
                    }
                }
                Structure::Block(inner) => {
                    let d = Diagnostic::new(
                        &codes::UNKNOWN_BLOCK,
                        self.span(file, &inner.ident),
                        "blocks are not allowed in `locals`",
                    )
                    .with_help("locals hold attributes only: `name = value`");
                    self.report(id, d);
                }
            }
        }
    }

    fn collect_output(
        &mut self,
        id: InstanceId,
        file: FileId,
        block: &'t Block,
        state: &mut InstanceState<'t>,
        first_seen: &mut BTreeMap<String, Span>,
    ) {
        let span = self.header(file, block);
        let Some(label) = block.labels.first() else {
            let d = Diagnostic::new(&codes::MISSING_REQUIRED, span, "output block has no name")
                .with_help("write `output \"name\" { value = ... }`");
            self.report(id, d);
            return;
        };
        let name = label.as_str().to_string();
        if !self.declare(
            id,
            first_seen,
            format!("output.{name}"),
            span,
            &format!("output `{name}`"),
        ) {
            return;
        }
        let mut decl = OutputDecl {
            span,
            file,
            expr: None,
            sensitive: false,
            description: None,
        };
        for structure in block.body.iter() {
            let attr = match structure {
                Structure::Attribute(attr) => attr,
                Structure::Block(inner) => {
                    let d = Diagnostic::new(
                        &codes::UNKNOWN_BLOCK,
                        self.span(file, &inner.ident),
                        format!("an output has no `{}` block", inner.ident.as_str()),
                    )
                    .with_help(
                        "an output has only the attributes `value`, `description` and `sensitive`",
                    );
                    self.report(id, d);
                    continue;
                }
            };
            match attr.key.as_str() {
                "value" => decl.expr = Some(&attr.value),
                "sensitive" => match attr.value.as_bool() {
                    Some(b) => decl.sensitive = b,
                    None => {
                        let d = Diagnostic::new(
                            &codes::WRONG_TYPE,
                            self.span(file, &attr.value),
                            "`sensitive` must be `true` or `false`",
                        )
                        .with_help("write `sensitive = true`");
                        self.report(id, d);
                    }
                },
                "description" => match attr.value.as_str() {
                    Some(text) => decl.description = Some(text.to_string()),
                    None => {
                        let d = Diagnostic::new(
                            &codes::WRONG_TYPE,
                            self.span(file, &attr.value),
                            "`description` must be a literal string",
                        )
                        .with_help("quote the description");
                        self.report(id, d);
                    }
                },
                other => {
                    let help = match did_you_mean(other, ["value", "description", "sensitive"]) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "an output has `value`, `description` and `sensitive`".to_string(),
                    };
                    let d = Diagnostic::new(
                        &codes::UNKNOWN_ATTRIBUTE,
                        self.span(file, &attr.key),
                        format!("unknown attribute `{other}` in output `{name}`"),
                    )
                    .with_help(help);
                    self.report(id, d);
                }
            }
        }
        if decl.expr.is_none() {
            let d = Diagnostic::new(
                &codes::MISSING_REQUIRED,
                span,
                format!("output `{name}` has no `value`"),
            )
            .with_help("add `value = ...`");
            self.report(id, d);
        }
        state.outputs.insert(name, decl);
    }

    /// Runs `f` one evaluation level deeper, or reports the chain as too deep.
    fn nested(
        &mut self,
        id: InstanceId,
        at: Span,
        f: impl FnOnce(&mut Self) -> Option<Value>,
    ) -> Option<Value> {
        if self.depth >= MAX_EVAL_DEPTH {
            let d = Diagnostic::new(
                &codes::UNSUPPORTED_EXPRESSION,
                at,
                format!("locals, variables and outputs refer to each other more than {MAX_EVAL_DEPTH} levels deep"),
            )
            .with_help("shorten the chain of references");
            self.report(id, d);
            return None;
        }
        self.depth += 1;
        let value = f(self);
        self.depth -= 1;
        value
    }

    /// The value of `local.name` in `id`; `used_at` is the span of the reference.
    fn local(&mut self, id: InstanceId, name: &str, used_at: Option<Span>) -> Option<Value> {
        match self.instances[id.0].local_values.get(name) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => {
                let decl_span = self.instances[id.0].locals[name].span;
                let d = Diagnostic::new(
                    &codes::REFERENCE_CYCLE,
                    used_at.unwrap_or(decl_span),
                    format!("local `{name}` depends on itself"),
                )
                .with_label(decl_span, "declared here")
                .with_help("break the cycle: one of the locals must not depend on the others");
                self.report(id, d);
                return None;
            }
            None => {}
        }
        let decl = self.instances[id.0].locals.get(name)?;
        let (file, expr) = (decl.file, decl.expr);
        self.instances[id.0]
            .local_values
            .insert(name.to_string(), Slot::InProgress);
        let scope: value::Scope = vec![self.tree.instance(id).address_prefix()].into();
        let value = self.nested(
            id,
            used_at.unwrap_or(self.instances[id.0].locals[name].span),
            |e| e.expr(id, file, expr, &scope),
        );
        self.instances[id.0]
            .local_values
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    /// The value of `var.name` in `id`: a module input, a command-line value, the environment,
    /// or the default.
    fn variable(&mut self, id: InstanceId, name: &str, used_at: Option<Span>) -> Option<Value> {
        match self.instances[id.0].var_values.get(name) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => {
                let decl_span = self.instances[id.0].variables[name].span;
                let d = Diagnostic::new(
                    &codes::REFERENCE_CYCLE,
                    used_at.unwrap_or(decl_span),
                    format!("variable `{name}` depends on itself"),
                )
                .with_label(decl_span, "declared here")
                .with_help("a module input must not depend on the module's own outputs");
                self.report(id, d);
                return None;
            }
            None => {}
        }
        self.instances[id.0]
            .var_values
            .insert(name.to_string(), Slot::InProgress);
        let at = used_at.unwrap_or(self.instances[id.0].variables[name].span);
        let value = self.nested(id, at, |e| e.variable_value(id, name));
        self.instances[id.0]
            .var_values
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    fn variable_value(&mut self, id: InstanceId, name: &str) -> Option<Value> {
        let decl = &self.instances[id.0].variables[name];
        let (decl_span, decl_file, ty, default, sensitive) = (
            decl.span,
            decl.file,
            decl.ty.clone(),
            decl.default,
            decl.sensitive,
        );
        let given = match self.tree.instance(id).call.clone() {
            Some(call) => self.module_input(call.parent, &call.name, name),
            None => self.root_input(name, decl_span, &ty),
        };
        let (value, from_input) = match given {
            Some(v) => (v, true),
            None => match default {
                Some(expr) => {
                    let scope: value::Scope = vec![self.tree.instance(id).address_prefix()].into();
                    (self.expr(id, decl_file, expr, &scope)?, false)
                }
                None => {
                    self.report_missing_variable(id, name, decl_span);
                    return None;
                }
            },
        };
        if let Err(message) = types::check(&value, &ty) {
            let code = if from_input && id.0 != 0 {
                &codes::MODULE_INPUT
            } else {
                &codes::WRONG_TYPE
            };
            let d = Diagnostic::new(code, value.span, format!("variable `{name}`: {message}"))
                .with_label(decl_span, format!("declared with type `{ty}` here"))
                .with_help(format!("pass a value of type `{ty}`"));
            self.report(id, d);
            return None;
        }
        let value = declare_kinds(value, &ty, decl_span);
        Some(if sensitive {
            into_secret(value, name)
        } else {
            value
        })
    }

    fn report_missing_variable(&mut self, id: InstanceId, name: &str, decl_span: Span) {
        match self.tree.instance(id).call.clone() {
            Some(call) => {
                let d = Diagnostic::new(
                    &codes::MODULE_INPUT,
                    call.span,
                    format!(
                        "module `{}` needs input `{name}`, which has no default",
                        call.name
                    ),
                )
                .with_label(decl_span, "declared here without a default")
                .with_help(format!("add `{name} = ...` to the module block"));
                self.report(call.parent, d);
            }
            None => {
                let d = Diagnostic::new(
                    &codes::MISSING_REQUIRED,
                    decl_span,
                    format!("variable `{name}` has no value and no default"),
                )
                .with_help(format!(
                    "pass `--var {name}=...`, set GATEHOUSE_VAR_{name} in the environment, or give it a default"
                ));
                self.report(id, d);
            }
        }
    }

    /// A root variable from `--var` or `GATEHOUSE_VAR_<name>`, converted to its type.
    fn root_input(&mut self, name: &str, decl_span: Span, ty: &VarType) -> Option<Value> {
        let text = self
            .options
            .vars
            .get(name)
            .cloned()
            .or_else(|| self.world.env(&format!("GATEHOUSE_VAR_{name}")))?;
        let kind = match ty {
            VarType::String | VarType::Any => ValueKind::String(text),
            VarType::Number => match text.trim().parse::<f64>() {
                Ok(n) => ValueKind::Number(n),
                Err(_) => ValueKind::String(text),
            },
            VarType::Bool => match text.trim() {
                "true" => ValueKind::Bool(true),
                "false" => ValueKind::Bool(false),
                _ => ValueKind::String(text),
            },
            VarType::List(_) | VarType::Map(_) | VarType::Ref(_) => {
                match hcl_edit::parser::parse_expr(&text) {
                    Ok(expr) => return self.literal_input(&expr, decl_span),
                    Err(_) => ValueKind::String(text),
                }
            }
        };
        Some(Value::new(kind, decl_span))
    }

    /// A structured command-line value: literals only, spans at the declaration.
    fn literal_input(&mut self, expr: &Expression, span: Span) -> Option<Value> {
        let kind = match expr {
            Expression::String(s) => ValueKind::String(s.value().to_string()),
            Expression::Number(n) => ValueKind::Number(n.value().as_f64().unwrap_or(0.0)),
            Expression::Bool(b) => ValueKind::Bool(*b.value()),
            Expression::Array(items) => ValueKind::List(
                items
                    .iter()
                    .map(|e| self.literal_input(e, span))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expression::Object(obj) => {
                let mut entries = Vec::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(Expression::String(s)) => {
                            s.value().to_string()
                        }
                        _ => return None,
                    };
                    entries.push((key, self.literal_input(v.expr(), span)?));
                }
                ValueKind::Object(entries)
            }
            Expression::Traversal(t) => {
                // `--var ca=certificate.partner_ca`: a reference, resolved at the root.
                let Expression::Variable(root) = &t.expr else {
                    return None;
                };
                let mut segments = vec![root.as_str().to_string()];
                for op in &t.operators {
                    match op.value() {
                        hcl_edit::expr::TraversalOperator::GetAttr(a) => {
                            segments.push(a.as_str().to_string())
                        }
                        _ => return None,
                    }
                }
                ValueKind::Ref(Reference {
                    segments,
                    scopes: vec![String::new()].into(),
                    declared: None,
                })
            }
            _ => ValueKind::String(expr.to_string().trim().to_string()),
        };
        Some(Value::new(kind, span))
    }

    /// The value the module block `module_name` in `parent` passes for `input`.
    fn module_input(
        &mut self,
        parent: InstanceId,
        module_name: &str,
        input: &str,
    ) -> Option<Value> {
        let block = self.instances[parent.0].modules.get(module_name)?;
        let (file, block) = (block.file, block.block);
        let attr = block.body.iter().find_map(|s| match s {
            Structure::Attribute(a) if a.key.as_str() == input => Some(a),
            _ => None,
        })?;
        let scope: value::Scope = vec![self.tree.instance(parent).address_prefix()].into();
        self.expr(parent, file, &attr.value, &scope)
    }

    /// The value of output `name` of instance `id`.
    fn output(&mut self, id: InstanceId, name: &str, used_at: Option<Span>) -> Option<Value> {
        match self.instances[id.0].output_values.get(name) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => {
                let decl_span = self.instances[id.0].outputs[name].span;
                let d = Diagnostic::new(
                    &codes::REFERENCE_CYCLE,
                    used_at.unwrap_or(decl_span),
                    format!("output `{name}` depends on itself"),
                )
                .with_label(decl_span, "declared here")
                .with_help("an output must not depend, through module inputs, on itself");
                self.report(id, d);
                return None;
            }
            None => {}
        }
        let decl = self.instances[id.0].outputs.get(name)?;
        let (file, expr) = (decl.file, decl.expr?);
        self.instances[id.0]
            .output_values
            .insert(name.to_string(), Slot::InProgress);
        let scope: value::Scope = vec![self.tree.instance(id).address_prefix()].into();
        let at = used_at.unwrap_or(self.instances[id.0].outputs[name].span);
        let value = self.nested(id, at, |e| e.expr(id, file, expr, &scope));
        self.instances[id.0]
            .output_values
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    /// Checks the module block that called `id`: unknown inputs, and every variable evaluated
    /// (which reports missing and mistyped inputs).
    fn check_module_call(&mut self, id: InstanceId) {
        if let Some(call) = self.tree.instance(id).call.clone() {
            if let Some(block) = self.instances[call.parent.0].modules.get(&call.name) {
                let (file, block) = (block.file, block.block);
                for structure in block.body.iter() {
                    match structure {
                        Structure::Attribute(attr) => {
                            let key = attr.key.as_str();
                            if key == "source" || self.instances[id.0].variables.contains_key(key) {
                                continue;
                            }
                            let known: Vec<&str> = self.instances[id.0]
                                .variables
                                .keys()
                                .map(String::as_str)
                                .collect();
                            let help = match did_you_mean(key, known.iter().copied()) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None if known.is_empty() => {
                                    "this module declares no variables".to_string()
                                }
                                None => format!("the module's inputs are: {}", known.join(", ")),
                            };
                            let mut d = Diagnostic::new(
                                &codes::MODULE_INPUT,
                                self.span(file, &attr.key),
                                format!("module `{}` has no input `{key}`", call.name),
                            )
                            .with_help(help);
                            if let Some(decl) = self.instances[id.0].variables.values().next() {
                                d = d.with_label(decl.span, format!("the inputs of module `{}` are its `variable` blocks, such as this one", call.name));
                            }
                            self.report(call.parent, d);
                        }
                        Structure::Block(inner) => {
                            let d = Diagnostic::new(
                                &codes::UNKNOWN_BLOCK,
                                self.span(file, &inner.ident),
                                format!(
                                    "a module block takes attributes only, not a `{}` block",
                                    inner.ident.as_str()
                                ),
                            )
                            .with_help("pass module inputs as `name = value`");
                            self.report(call.parent, d);
                        }
                    }
                }
            }
        }
        let names: Vec<String> = self.instances[id.0].variables.keys().cloned().collect();
        for name in names {
            self.variable(id, &name, None);
        }
    }
}

/// Records on references the block kind their variable declares, so that the model can report
/// a reference of another kind against the variable.
fn declare_kinds(value: Value, ty: &VarType, decl: Span) -> Value {
    let span = value.span;
    match (ty, value.kind) {
        (VarType::Ref(kind), ValueKind::Ref(mut r)) => {
            r.declared.get_or_insert((*kind, decl));
            Value::new(ValueKind::Ref(r), span)
        }
        (VarType::List(inner), ValueKind::List(items)) => Value::new(
            ValueKind::List(
                items
                    .into_iter()
                    .map(|v| declare_kinds(v, inner, decl))
                    .collect(),
            ),
            span,
        ),
        (VarType::Map(inner), ValueKind::Object(entries)) => Value::new(
            ValueKind::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, declare_kinds(v, inner, decl)))
                    .collect(),
            ),
            span,
        ),
        (_, kind) => Value::new(kind, span),
    }
}

/// Marks a sensitive variable's string values as secrets.
fn into_secret(value: Value, name: &str) -> Value {
    match value.kind {
        ValueKind::String(s) => Value::new(
            ValueKind::Secret(Secret::new(format!("var.{name}"), s)),
            value.span,
        ),
        ValueKind::List(items) => Value::new(
            ValueKind::List(items.into_iter().map(|v| into_secret(v, name)).collect()),
            value.span,
        ),
        ValueKind::Object(entries) => Value::new(
            ValueKind::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, into_secret(v, name)))
                    .collect(),
            ),
            value.span,
        ),
        kind => Value::new(kind, value.span),
    }
}

/// Help for a block name that is valid, but somewhere else.
fn nested_hint(name: &str) -> String {
    fn find(
        schema: &'static schema::BlockSchema,
        name: &str,
        path: &mut Vec<&'static str>,
        depth: usize,
    ) -> bool {
        if depth > 6 {
            return false;
        }
        for b in schema.blocks {
            path.push(b.name);
            if b.name == name || find(b, name, path, depth + 1) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    if find(&schema::ROOT, name, &mut path, 0) {
        path.pop();
        format!("`{name}` blocks belong inside `{}`", path.join(" > "))
    } else {
        "see docs/language.md for the blocks of a topology".to_string()
    }
}
