//! Expression evaluation: literals, templates, references, `var.`/`local.`/`module.`
//! traversals, operators, conditionals and the built-in functions.
//!
//! The language is deliberately small (no `for`, no splats) so that every value is known at
//! compile time; what it does not evaluate is a GH013 diagnostic, never a silent null.

use super::value::{Reference, Scope, Secret, Value, ValueKind};
use super::Evaluator;
use crate::diagnostics::{codes, did_you_mean, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::{path, InstanceId};
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};

/// Built-in functions, for "did you mean".
const FUNCTIONS: &[&str] = &[
    "file", "secret", "lower", "upper", "join", "concat", "merge", "format",
];

impl<'t> Evaluator<'t> {
    fn unsupported(
        &mut self,
        id: InstanceId,
        span: Span,
        message: impl Into<String>,
        help: &str,
    ) -> Option<Value> {
        let d = Diagnostic::new(&codes::UNSUPPORTED_EXPRESSION, span, message).with_help(help);
        self.report(id, d);
        None
    }

    /// Evaluates `expr`, written in instance `id`, file `file`, inside the blocks `scope`
    /// (innermost first) for reference resolution.
    pub(super) fn expr(
        &mut self,
        id: InstanceId,
        file: FileId,
        expr: &'t Expression,
        scope: &Scope,
    ) -> Option<Value> {
        let span = self.span(file, expr);
        let kind = match expr {
            Expression::Null(_) => ValueKind::Null,
            Expression::Bool(b) => ValueKind::Bool(*b.value()),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) => ValueKind::Number(f),
                None => {
                    return self.unsupported(
                        id,
                        span,
                        "number out of range",
                        "use a smaller number",
                    )
                }
            },
            Expression::String(s) => ValueKind::String(s.value().to_string()),
            Expression::StringTemplate(t) => {
                let mut out = String::new();
                for element in t.iter() {
                    self.element(id, file, element, scope, &mut out)?;
                }
                ValueKind::String(out)
            }
            Expression::HeredocTemplate(h) => {
                ValueKind::String(self.template(id, file, &h.template, scope)?)
            }
            Expression::Array(items) => {
                let mut values = Vec::new();
                let mut failed = false;
                for item in items.iter() {
                    match self.expr(id, file, item, scope) {
                        Some(v) => values.push(v),
                        None => failed = true,
                    }
                }
                if failed {
                    return None;
                }
                ValueKind::List(values)
            }
            Expression::Object(object) => {
                let mut entries: Vec<(String, Value)> = Vec::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            let k = self.expr(id, file, e, scope)?;
                            match k.kind {
                                ValueKind::String(s) => s,
                                _ => {
                                    let d = Diagnostic::new(
                                        &codes::WRONG_TYPE,
                                        k.span,
                                        format!(
                                            "object keys must be strings, found {}",
                                            k.describe()
                                        ),
                                    )
                                    .with_help("quote the key");
                                    self.report(id, d);
                                    return None;
                                }
                            }
                        }
                    };
                    let value = self.expr(id, file, value.expr(), scope)?;
                    if let Some(pos) = entries.iter().position(|(k, _)| *k == key) {
                        let d = Diagnostic::new(
                            &codes::DUPLICATE_NAME,
                            value.span,
                            format!("key `{key}` appears twice in this object"),
                        )
                        .with_label(entries[pos].1.span, "first here")
                        .with_help("remove one of them");
                        self.report(id, d);
                        return None;
                    }
                    entries.push((key, value));
                }
                ValueKind::Object(entries)
            }
            Expression::Parenthesis(inner) => {
                return self
                    .expr(id, file, inner.inner(), scope)
                    .map(|v| Value::new(v.kind, span))
            }
            Expression::Variable(ident) => {
                let name = ident.as_str();
                let help = if crate::schema::Kind::from_block_name(name).is_some() {
                    format!("a reference names a block: `{name}.<name>`")
                } else {
                    format!("to write the text `{name}`, quote it: \"{name}\"")
                };
                return self.unsupported(id, span, format!("`{name}` alone is not a value"), &help);
            }
            Expression::Conditional(c) => {
                let cond = self.expr(id, file, &c.cond_expr, scope)?;
                let Some(b) = cond.as_bool() else {
                    let d = Diagnostic::new(
                        &codes::WRONG_TYPE,
                        cond.span,
                        format!("a condition must be a bool, found {}", cond.describe()),
                    )
                    .with_help("compare with `==` to get a bool");
                    self.report(id, d);
                    return None;
                };
                let chosen = if b { &c.true_expr } else { &c.false_expr };
                return self.expr(id, file, chosen, scope);
            }
            Expression::FuncCall(call) => return self.call(id, file, call, scope, span),
            Expression::Traversal(t) => return self.traversal(id, file, t, scope, span),
            Expression::UnaryOp(op) => {
                let v = self.expr(id, file, &op.expr, scope)?;
                match (op.operator.value(), &v.kind) {
                    (UnaryOperator::Not, ValueKind::Bool(b)) => ValueKind::Bool(!b),
                    (UnaryOperator::Neg, ValueKind::Number(n)) => ValueKind::Number(-n),
                    _ => {
                        return self.unsupported(
                            id,
                            span,
                            format!("this operator cannot be applied to {}", v.describe()),
                            "`!` needs a bool and `-` a number",
                        )
                    }
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.expr(id, file, &op.lhs_expr, scope)?;
                let rhs = self.expr(id, file, &op.rhs_expr, scope)?;
                return self.binary(id, *op.operator.value(), lhs, rhs, span);
            }
            Expression::ForExpr(_) => {
                return self.unsupported(
                    id,
                    span,
                    "`for` expressions are not supported",
                    "write the list or map out, or use a module per item",
                )
            }
        };
        Some(Value::new(kind, span))
    }

    fn template(
        &mut self,
        id: InstanceId,
        file: FileId,
        template: &'t Template,
        scope: &Scope,
    ) -> Option<String> {
        let mut out = String::new();
        for element in template.iter() {
            self.element(id, file, element, scope, &mut out)?;
        }
        Some(out)
    }

    fn element(
        &mut self,
        id: InstanceId,
        file: FileId,
        element: &'t Element,
        scope: &Scope,
        out: &mut String,
    ) -> Option<()> {
        match element {
            Element::Literal(s) => out.push_str(s.value()),
            Element::Interpolation(interp) => {
                let v = self.expr(id, file, &interp.expr, scope)?;
                match &v.kind {
                    ValueKind::String(s) => out.push_str(s),
                    ValueKind::Number(n) => out.push_str(&format_number(*n)),
                    ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                    ValueKind::Secret(_) => {
                        self.unsupported(
                            id,
                            v.span,
                            "a secret cannot be interpolated into a string",
                            "pass the secret as the whole attribute value so that it stays secret",
                        );
                        return None;
                    }
                    _ => {
                        self.unsupported(
                            id,
                            v.span,
                            format!("{} cannot be interpolated into a string", v.describe()),
                            "interpolate strings, numbers or bools only",
                        );
                        return None;
                    }
                }
            }
            Element::Directive(d) => {
                let span = self.span(file, d.as_ref());
                self.unsupported(
                    id,
                    span,
                    "template directives (`%{if}`, `%{for}`) are not supported",
                    "compute the string with a conditional expression instead",
                );
                return None;
            }
        }
        Some(())
    }

    fn binary(
        &mut self,
        id: InstanceId,
        op: BinaryOperator,
        lhs: Value,
        rhs: Value,
        span: Span,
    ) -> Option<Value> {
        use BinaryOperator::*;
        let kind = match (op, &lhs.kind, &rhs.kind) {
            (Eq, _, _) => ValueKind::Bool(values_equal(&lhs, &rhs)),
            (NotEq, _, _) => ValueKind::Bool(!values_equal(&lhs, &rhs)),
            (And, ValueKind::Bool(a), ValueKind::Bool(b)) => ValueKind::Bool(*a && *b),
            (Or, ValueKind::Bool(a), ValueKind::Bool(b)) => ValueKind::Bool(*a || *b),
            (Plus, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Number(a + b),
            (Minus, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Number(a - b),
            (Mul, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Number(a * b),
            (Div | Mod, ValueKind::Number(_), ValueKind::Number(b)) if *b == 0.0 => {
                return self.unsupported(
                    id,
                    span,
                    "division by zero",
                    "divide by a number other than 0",
                )
            }
            (Div, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Number(a / b),
            (Mod, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Number(a % b),
            (Less, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Bool(a < b),
            (LessEq, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Bool(a <= b),
            (Greater, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Bool(a > b),
            (GreaterEq, ValueKind::Number(a), ValueKind::Number(b)) => ValueKind::Bool(a >= b),
            _ => {
                return self.unsupported(
                    id,
                    span,
                    format!(
                        "operator `{}` cannot be applied to {} and {}",
                        op.as_str(),
                        lhs.describe(),
                        rhs.describe()
                    ),
                    "arithmetic and comparisons need numbers, `&&` and `||` need bools",
                )
            }
        };
        Some(Value::new(kind, span))
    }

    fn call(
        &mut self,
        id: InstanceId,
        file: FileId,
        call: &'t hcl_edit::expr::FuncCall,
        scope: &Scope,
        span: Span,
    ) -> Option<Value> {
        let name = call.name.name.as_str();
        if !FUNCTIONS.contains(&name) || call.name.is_namespaced() {
            let help = match did_you_mean(name, FUNCTIONS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the functions are: {}", FUNCTIONS.join(", ")),
            };
            return self.unsupported(id, span, format!("unknown function `{name}`"), &help);
        }
        let mut args = Vec::new();
        for arg in call.args.iter() {
            args.push(self.expr(id, file, arg, scope)?);
        }
        if call.args.expand_final() {
            return self.unsupported(
                id,
                span,
                "argument expansion (`...`) is not supported",
                "pass the arguments one by one",
            );
        }
        let arity = |n: usize| args.len() == n;
        let kind = match name {
            "file" | "secret" | "lower" | "upper" if !arity(1) => {
                return self.unsupported(
                    id,
                    span,
                    format!("`{name}` takes one argument, found {}", args.len()),
                    "pass one string",
                )
            }
            "file" => {
                let rel = self.string_arg(id, &args[0], name)?;
                let dir = &self.tree.instance(id).dir;
                let full = path::join(dir, &rel);
                if !self.world.is_file(&full) {
                    let d = Diagnostic::new(&codes::FILE_NOT_FOUND, args[0].span, format!("file `{full}` does not exist"))
                        .with_help("the path is relative to the directory of this .hcl file; certificates for development come from `gatehouse pki init`");
                    self.report(id, d);
                    return None;
                }
                ValueKind::File(full)
            }
            "secret" => {
                let var = self.string_arg(id, &args[0], name)?;
                match self.world.env(&var) {
                    Some(value) => {
                        ValueKind::Secret(Secret::new(format!("secret(\"{var}\")"), value))
                    }
                    None => {
                        let d = Diagnostic::new(&codes::SECRET_UNSET, span, format!("environment variable `{var}` is not set"))
                            .with_help(format!("set `{var}` in the environment (a secret pipeline variable in CI) before running gatehouse"));
                        self.report(id, d);
                        return None;
                    }
                }
            }
            "lower" => ValueKind::String(self.string_arg(id, &args[0], name)?.to_lowercase()),
            "upper" => ValueKind::String(self.string_arg(id, &args[0], name)?.to_uppercase()),
            "join" => {
                if !arity(2) {
                    return self.unsupported(
                        id,
                        span,
                        "`join` takes a separator and a list",
                        "write `join(\",\", local.items)`",
                    );
                }
                let sep = self.string_arg(id, &args[0], name)?;
                let Some(items) = args[1].as_list() else {
                    return self.wrong_arg(id, &args[1], name, "a list");
                };
                let mut parts = Vec::new();
                for item in items {
                    parts.push(self.string_arg(id, item, name)?);
                }
                ValueKind::String(parts.join(&sep))
            }
            "concat" => {
                let mut all = Vec::new();
                for arg in &args {
                    let Some(items) = arg.as_list() else {
                        return self.wrong_arg(id, arg, name, "a list");
                    };
                    all.extend(items.iter().cloned());
                }
                ValueKind::List(all)
            }
            "merge" => {
                let mut all: Vec<(String, Value)> = Vec::new();
                for arg in &args {
                    let ValueKind::Object(entries) = &arg.kind else {
                        return self.wrong_arg(id, arg, name, "an object");
                    };
                    for (k, v) in entries {
                        all.retain(|(key, _)| key != k);
                        all.push((k.clone(), v.clone()));
                    }
                }
                ValueKind::Object(all)
            }
            "format" => {
                let Some(first) = args.first() else {
                    return self.unsupported(
                        id,
                        span,
                        "`format` needs a format string",
                        "write `format(\"%s-api\", local.name)`",
                    );
                };
                let spec = self.string_arg(id, first, name)?;
                let mut rest = args[1..].iter();
                let mut out = String::new();
                let mut chars = spec.chars().peekable();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some('s' | 'd') => {
                            let Some(arg) = rest.next() else {
                                return self.unsupported(
                                    id,
                                    span,
                                    "`format` has more verbs than arguments",
                                    "pass one argument per `%s` or `%d`",
                                );
                            };
                            match &arg.kind {
                                ValueKind::String(s) => out.push_str(s),
                                ValueKind::Number(n) => out.push_str(&format_number(*n)),
                                ValueKind::Bool(b) => out.push_str(&b.to_string()),
                                _ => return self.wrong_arg(id, arg, name, "a string or number"),
                            }
                        }
                        _ => {
                            return self.unsupported(
                                id,
                                first.span,
                                "`format` supports only `%s`, `%d` and `%%`",
                                "use `%s` for strings and `%d` for numbers",
                            )
                        }
                    }
                }
                if rest.next().is_some() {
                    return self.unsupported(
                        id,
                        span,
                        "`format` has more arguments than verbs",
                        "remove the extra arguments",
                    );
                }
                ValueKind::String(out)
            }
            _ => unreachable!("FUNCTIONS lists every function matched above"),
        };
        Some(Value::new(kind, span))
    }

    fn string_arg(&mut self, id: InstanceId, arg: &Value, function: &str) -> Option<String> {
        match &arg.kind {
            ValueKind::String(s) => Some(s.clone()),
            _ => {
                self.wrong_arg(id, arg, function, "a string");
                None
            }
        }
    }

    fn wrong_arg(
        &mut self,
        id: InstanceId,
        arg: &Value,
        function: &str,
        expected: &str,
    ) -> Option<Value> {
        let d = Diagnostic::new(
            &codes::WRONG_TYPE,
            arg.span,
            format!("`{function}` expects {expected}, found {}", arg.describe()),
        )
        .with_help(format!("pass {expected}"));
        self.report(id, d);
        None
    }

    fn traversal(
        &mut self,
        id: InstanceId,
        file: FileId,
        t: &'t hcl_edit::expr::Traversal,
        scope: &Scope,
        span: Span,
    ) -> Option<Value> {
        let Expression::Variable(root) = &t.expr else {
            let base = self.expr(id, file, &t.expr, scope)?;
            return self.apply_operators(id, file, base, &t.operators, scope, span);
        };
        let root = root.as_str();
        let ops = &t.operators;
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(ident)) => Some(ident.as_str()),
            _ => None,
        };
        match root {
            "var" | "local" => {
                let Some(name) = attr(0) else {
                    return self.unsupported(
                        id,
                        span,
                        format!("`{root}` must be followed by a name"),
                        &format!("write `{root}.<name>`"),
                    );
                };
                let known = if root == "var" {
                    self.instances[id.0].variables.contains_key(name)
                } else {
                    self.instances[id.0].locals.contains_key(name)
                };
                if !known {
                    return self.unknown_name(id, span, root, name);
                }
                let base = if root == "var" {
                    self.variable(id, name, Some(span))?
                } else {
                    self.local(id, name, Some(span))?
                };
                let base = Value::new(base.kind, span);
                self.apply_operators(id, file, base, &ops[1..], scope, span)
            }
            "module" => {
                let (Some(module), Some(output)) = (attr(0), attr(1)) else {
                    return self.unsupported(
                        id,
                        span,
                        "a module output is written `module.<name>.<output>`",
                        "name the module and one of its outputs",
                    );
                };
                let Some(child) = self.tree.instance(id).child(module) else {
                    let known: Vec<&str> = self
                        .tree
                        .instance(id)
                        .children
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let help = did_you_mean(module, known.iter().copied()).map_or_else(
                        || "declare it with a `module` block".to_string(),
                        |s| format!("did you mean `module.{s}`?"),
                    );
                    let d = Diagnostic::new(
                        &codes::UNRESOLVED_REFERENCE,
                        span,
                        format!("there is no module `{module}`"),
                    )
                    .with_help(help);
                    self.report(id, d);
                    return None;
                };
                if !self.instances[child.0].outputs.contains_key(output) {
                    let known: Vec<String> =
                        self.instances[child.0].outputs.keys().cloned().collect();
                    let help = did_you_mean(output, known.iter().map(String::as_str)).map_or_else(
                        || format!("the module's outputs are: {}", known.join(", ")),
                        |s| format!("did you mean `module.{module}.{s}`?"),
                    );
                    let d = Diagnostic::new(
                        &codes::UNRESOLVED_REFERENCE,
                        span,
                        format!("module `{module}` has no output `{output}`"),
                    )
                    .with_help(help);
                    self.report(id, d);
                    return None;
                }
                let base = self.output(child, output, Some(span))?;
                self.apply_operators(id, file, base, &ops[2..], scope, span)
            }
            _ => {
                let mut segments = vec![root.to_string()];
                for op in ops {
                    match op.value() {
                        TraversalOperator::GetAttr(ident) => {
                            segments.push(ident.as_str().to_string())
                        }
                        _ => {
                            return self.unsupported(
                                id,
                                span,
                                "a block reference cannot be indexed or splatted",
                                "write the reference as `kind.name`, e.g. `certificate.partner_ca`",
                            )
                        }
                    }
                }
                if segments.len() < 2 {
                    return self.unsupported(id, span, "incomplete reference", "write `kind.name`");
                }
                Some(Value::new(
                    ValueKind::Ref(Reference {
                        segments,
                        scopes: scope.clone(),
                        declared: None,
                    }),
                    span,
                ))
            }
        }
    }

    fn unknown_name(
        &mut self,
        id: InstanceId,
        span: Span,
        root: &str,
        name: &str,
    ) -> Option<Value> {
        let known: Vec<String> = if root == "var" {
            self.instances[id.0].variables.keys().cloned().collect()
        } else {
            self.instances[id.0].locals.keys().cloned().collect()
        };
        let what = if root == "var" { "variable" } else { "local" };
        let help = match did_you_mean(name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{root}.{s}`?"),
            None if root == "var" => {
                format!("declare it: `variable \"{name}\" {{ type = string }}`")
            }
            None => format!("declare it in a `locals` block: `{name} = ...`"),
        };
        let d = Diagnostic::new(
            &codes::UNRESOLVED_REFERENCE,
            span,
            format!("there is no {what} `{name}`"),
        )
        .with_help(help);
        self.report(id, d);
        None
    }

    fn apply_operators(
        &mut self,
        id: InstanceId,
        file: FileId,
        mut value: Value,
        ops: &'t [hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope,
        span: Span,
    ) -> Option<Value> {
        for op in ops {
            value = match op.value() {
                TraversalOperator::GetAttr(ident) => {
                    let key = ident.as_str();
                    match &value.kind {
                        ValueKind::Object(entries) => {
                            match entries.iter().find(|(k, _)| k == key) {
                                Some((_, v)) => v.clone(),
                                None => {
                                    return self.unsupported(
                                        id,
                                        span,
                                        format!("the object has no key `{key}`"),
                                        "use one of its keys",
                                    )
                                }
                            }
                        }
                        ValueKind::Ref(r) => {
                            let mut r = r.clone();
                            r.segments.push(key.to_string());
                            // A path into the block names another block than the variable's kind.
                            r.declared = None;
                            Value::new(ValueKind::Ref(r), span)
                        }
                        _ => {
                            return self.unsupported(
                                id,
                                span,
                                format!("{} has no attribute `{key}`", value.describe()),
                                "only objects have attributes",
                            )
                        }
                    }
                }
                TraversalOperator::Index(index) => {
                    let index = self.expr(id, file, index, scope)?;
                    self.index(id, &value, &index, span)?
                }
                TraversalOperator::LegacyIndex(i) => {
                    let index = Value::new(ValueKind::Number(*i.value() as f64), span);
                    self.index(id, &value, &index, span)?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    return self.unsupported(
                        id,
                        span,
                        "splat expressions are not supported",
                        "index the list instead",
                    )
                }
            };
        }
        Some(value)
    }

    fn index(&mut self, id: InstanceId, value: &Value, index: &Value, span: Span) -> Option<Value> {
        match (&value.kind, &index.kind) {
            (ValueKind::List(items), ValueKind::Number(n)) => {
                let i = *n as usize;
                if n.fract() != 0.0 || *n < 0.0 || i >= items.len() {
                    return self.unsupported(
                        id,
                        index.span,
                        format!(
                            "index {} is out of range for a list of {}",
                            format_number(*n),
                            items.len()
                        ),
                        "use an index from 0 to the length minus one",
                    );
                }
                Some(items[i].clone())
            }
            (ValueKind::Object(entries), ValueKind::String(key)) => {
                match entries.iter().find(|(k, _)| k == key) {
                    Some((_, v)) => Some(v.clone()),
                    None => self.unsupported(
                        id,
                        index.span,
                        format!("the object has no key `{key}`"),
                        "use one of its keys",
                    ),
                }
            }
            _ => self.unsupported(
                id,
                span,
                format!(
                    "{} cannot be indexed by {}",
                    value.describe(),
                    index.describe()
                ),
                "index lists by number and objects by string",
            ),
        }
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (ValueKind::Null, ValueKind::Null) => true,
        (ValueKind::Bool(x), ValueKind::Bool(y)) => x == y,
        (ValueKind::Number(x), ValueKind::Number(y)) => x == y,
        (ValueKind::String(x), ValueKind::String(y)) => x == y,
        (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (ValueKind::Ref(x), ValueKind::Ref(y)) => x == y,
        (ValueKind::File(x), ValueKind::File(y)) => x == y,
        (ValueKind::Object(x), ValueKind::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && values_equal(v, v2)))
        }
        (ValueKind::Secret(x), ValueKind::Secret(y)) => x == y,
        _ => false,
    }
}

/// Numbers as HCL prints them: whole numbers without a fraction.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
