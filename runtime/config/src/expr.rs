//! The subset of APIM policy expressions (C# in `@(…)`) that the runtime executes.
//!
//! The compiler calls [`parse_expression`] / [`parse_condition`] to reject, at compile time, any
//! expression outside this subset; the runtime evaluates the resulting [`Expr`]. Parsing also type
//! checks, so an accepted expression can only fail at run time the way APIM's does: reading a
//! property of a null `context.Request.Certificate`.
//!
//! The subset:
//! - literals: `"string"`, `true`, `false`, `null`;
//! - `context.Request.Certificate` and its `Thumbprint`, `Issuer`, `Subject`, `SubjectName.Name`,
//!   `SerialNumber` (strings), `NotBefore`, `NotAfter` (date-times), `Verify()` (chain to the
//!   uploaded CA certificates, and revocation) and `VerifyNoRevocation()` (bools);
//! - `context.Deployment.Certificates.Any(c => c.Value.Thumbprint == x)` (either side of `==`);
//! - `context.Request.Headers.GetValueOrDefault("name")` / `(…, "default")`,
//!   `context.Request.IpAddress`, `context.Request.Method`, `context.Request.Url.Path`;
//! - `DateTime.UtcNow`;
//! - `==`, `!=` (same types, or anything nullable against `null`), `<`, `<=`, `>`, `>=` on
//!   date-times, `&&`, `||`, `!`, parentheses;
//! - string methods `.Contains(s)`, `.StartsWith(s)`, `.EndsWith(s)`, `.ToUpper()`, `.ToLower()`.
//!
//! It never evaluates anything: evaluation needs certificate facts and lives in the runtime.

use std::fmt;

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Str,
    DateTime,
    Certificate,
    Null,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Bool => "bool",
            Ty::Str => "string",
            Ty::DateTime => "DateTime",
            Ty::Certificate => "X509Certificate2",
            Ty::Null => "null",
        })
    }
}

/// A typed, resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Bool(bool),
    Null,
    /// `context.Request.Certificate` (null when the client sent none or the hostname does not
    /// negotiate).
    Certificate,
    CertificateProperty(CertificateProperty),
    /// `context.Request.Certificate.Verify()` (`revocation: true`) or `.VerifyNoRevocation()`.
    CertificateVerify {
        revocation: bool,
    },
    /// `context.Deployment.Certificates.Any(c => c.Value.Thumbprint == x)`: an uploaded
    /// certificate has thumbprint `x`.
    DeploymentCertificateThumbprint(Box<Expr>),
    /// `context.Request.Headers.GetValueOrDefault(name, default)`.
    Header {
        name: String,
        default: Option<String>,
    },
    IpAddress,
    Method,
    UrlPath,
    UtcNow,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    StrMethod(StrMethod, Box<Expr>, Option<Box<Expr>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProperty {
    Thumbprint,
    Issuer,
    Subject,
    /// `SubjectName.Name`: the same text as `Subject`.
    SubjectName,
    SerialNumber,
    NotBefore,
    NotAfter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrMethod {
    Contains,
    StartsWith,
    EndsWith,
    ToUpper,
    ToLower,
}

impl Expr {
    /// The static type. Strings from headers and certificate properties are nullable at run time.
    pub fn ty(&self) -> Ty {
        match self {
            Expr::Str(_) | Expr::Header { .. } | Expr::IpAddress | Expr::Method | Expr::UrlPath => {
                Ty::Str
            }
            Expr::Bool(_)
            | Expr::Not(_)
            | Expr::And(..)
            | Expr::Or(..)
            | Expr::Compare(..)
            | Expr::CertificateVerify { .. }
            | Expr::DeploymentCertificateThumbprint(_) => Ty::Bool,
            Expr::Null => Ty::Null,
            Expr::Certificate => Ty::Certificate,
            Expr::CertificateProperty(p) => match p {
                CertificateProperty::NotBefore | CertificateProperty::NotAfter => Ty::DateTime,
                _ => Ty::Str,
            },
            Expr::UtcNow => Ty::DateTime,
            Expr::StrMethod(m, ..) => match m {
                StrMethod::ToUpper | StrMethod::ToLower => Ty::Str,
                _ => Ty::Bool,
            },
        }
    }
}

/// Why an expression is outside the subset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {message}")]
pub struct ExprError {
    /// 0-based byte offset into the text handed to the parser.
    pub offset: usize,
    pub message: String,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        offset,
        message: message.into(),
    })
}

/// Parses an expression, with or without the `@(…)` wrapper.
pub fn parse_expression(source: &str) -> Result<Expr, ExprError> {
    let (body, base) = unwrap_at(source)?;
    let tokens = lex(body, base)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: base + body.len(),
    };
    let expr = parser.or()?;
    if let Some(tok) = parser.peek() {
        return err(tok.offset, format!("unexpected `{}`", tok.kind));
    }
    Ok(expr.expr)
}

/// Parses an expression that must be a `bool` (a `when` condition).
pub fn parse_condition(source: &str) -> Result<Expr, ExprError> {
    let expr = parse_expression(source)?;
    match expr.ty() {
        Ty::Bool => Ok(expr),
        other => err(0, format!("a condition must be bool, this is {other}")),
    }
}

fn unwrap_at(source: &str) -> Result<(&str, usize), ExprError> {
    let trimmed = source.trim_start();
    let lead = source.len() - trimmed.len();
    let Some(rest) = trimmed.strip_prefix('@') else {
        return Ok((source, 0));
    };
    if rest.starts_with('{') {
        return err(
            lead,
            "multi-statement expressions `@{ … }` are not supported; use `@(…)`",
        );
    }
    let rest_trimmed = rest.trim_end();
    if !(rest_trimmed.starts_with('(') && rest_trimmed.ends_with(')')) {
        return err(lead, "expected `@(` … `)`");
    }
    let inner = &rest_trimmed[1..rest_trimmed.len() - 1];
    Ok((inner, lead + 2))
}

#[derive(Debug, Clone, PartialEq)]
enum TokKind {
    Ident(String),
    Str(String),
    Punct(&'static str),
}

impl fmt::Display for TokKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokKind::Ident(s) => f.write_str(s),
            TokKind::Str(s) => write!(f, "\"{s}\""),
            TokKind::Punct(p) => f.write_str(p),
        }
    }
}

#[derive(Debug, Clone)]
struct Tok {
    kind: TokKind,
    offset: usize,
}

const PUNCTS: [&str; 16] = [
    "==", "!=", "<=", ">=", "&&", "||", "=>", "<", ">", "!", "(", ")", ".", ",", "?", "=",
];

fn lex(body: &str, base: usize) -> Result<Vec<Tok>, ExprError> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let offset = base + i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'"' {
            let (text, len) = lex_string(&body[i..], offset)?;
            out.push(Tok {
                kind: TokKind::Str(text),
                offset,
            });
            i += len;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Tok {
                kind: TokKind::Ident(body[start..i].to_string()),
                offset,
            });
        } else if let Some(p) = PUNCTS.iter().find(|p| body[i..].starts_with(**p)) {
            if *p == "?" || *p == "=" {
                return err(
                    offset,
                    format!("`{p}` is not in the supported expression subset"),
                );
            }
            out.push(Tok {
                kind: TokKind::Punct(p),
                offset,
            });
            i += p.len();
        } else {
            let ch = body[i..].chars().next().unwrap_or('?');
            return err(offset, format!("unexpected character `{ch}`"));
        }
    }
    Ok(out)
}

/// A C# regular string literal with the common escapes; returns the text and bytes consumed.
fn lex_string(s: &str, offset: usize) -> Result<(String, usize), ExprError> {
    let mut text = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((text, i + 1)),
            '\\' => match chars.next() {
                Some((_, '"')) => text.push('"'),
                Some((_, '\\')) => text.push('\\'),
                Some((_, 'n')) => text.push('\n'),
                Some((_, 't')) => text.push('\t'),
                Some((j, other)) => {
                    return err(offset + j, format!("unsupported escape `\\{other}`"))
                }
                None => break,
            },
            c => text.push(c),
        }
    }
    err(offset, "unterminated string literal")
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    end: usize,
}

/// An expression with the offset where it starts, for messages.
struct Spanned {
    expr: Expr,
    offset: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn offset(&self) -> usize {
        self.peek().map_or(self.end, |t| t.offset)
    }

    fn eat(&mut self, punct: &str) -> bool {
        match self.peek() {
            Some(Tok {
                kind: TokKind::Punct(p),
                ..
            }) if *p == punct => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), ExprError> {
        if self.eat(punct) {
            return Ok(());
        }
        let found = self
            .peek()
            .map_or("end of expression".to_string(), |t| format!("`{}`", t.kind));
        err(self.offset(), format!("expected `{punct}`, found {found}"))
    }

    fn or(&mut self) -> Result<Spanned, ExprError> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            left = bool_pair(left, right, Expr::Or)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Spanned, ExprError> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            let right = self.unary()?;
            left = bool_pair(left, right, Expr::And)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Spanned, ExprError> {
        let offset = self.offset();
        if self.eat("!") {
            let inner = self.unary()?;
            want(&inner, Ty::Bool, "`!`")?;
            return Ok(Spanned {
                expr: Expr::Not(Box::new(inner.expr)),
                offset,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Spanned, ExprError> {
        let left = self.postfix()?;
        let ops = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ];
        let Some((punct, op)) = ops.into_iter().find(|(p, _)| self.eat(p)) else {
            return Ok(left);
        };
        let right = self.postfix()?;
        let (l, r) = (left.expr.ty(), right.expr.ty());
        let ok = match op {
            CompareOp::Eq | CompareOp::Ne => {
                l == r || (l == Ty::Null && r != Ty::Bool) || (r == Ty::Null && l != Ty::Bool)
            }
            _ => l == Ty::DateTime && r == Ty::DateTime,
        };
        if !ok {
            return err(left.offset, format!("cannot compare {l} {punct} {r}"));
        }
        Ok(Spanned {
            expr: Expr::Compare(op, Box::new(left.expr), Box::new(right.expr)),
            offset: left.offset,
        })
    }

    fn postfix(&mut self) -> Result<Spanned, ExprError> {
        let offset = self.offset();
        let Some(tok) = self.peek().cloned() else {
            return err(offset, "expected an expression, found the end");
        };
        self.pos += 1;
        let mut expr = match tok.kind {
            TokKind::Str(s) => Expr::Str(s),
            TokKind::Punct("(") => {
                let inner = self.or()?;
                self.expect(")")?;
                inner.expr
            }
            TokKind::Ident(name) => self.path(&name, offset)?,
            TokKind::Punct(p) => return err(offset, format!("unexpected `{p}`")),
        };
        // String methods chain on any string.
        while self.eat(".") {
            let at = self.offset();
            let name = self.ident()?;
            let method = match name.as_str() {
                "Contains" => StrMethod::Contains,
                "StartsWith" => StrMethod::StartsWith,
                "EndsWith" => StrMethod::EndsWith,
                "ToUpper" => StrMethod::ToUpper,
                "ToLower" => StrMethod::ToLower,
                other => {
                    return err(
                        at,
                        format!("`.{other}` is not in the supported expression subset"),
                    )
                }
            };
            if expr.ty() != Ty::Str {
                return err(
                    at,
                    format!("`.{name}` needs a string, this is {}", expr.ty()),
                );
            }
            self.expect("(")?;
            let arg = match method {
                StrMethod::ToUpper | StrMethod::ToLower => None,
                _ => {
                    let arg = self.or()?;
                    want(&arg, Ty::Str, &format!("`.{name}`"))?;
                    Some(Box::new(arg.expr))
                }
            };
            self.expect(")")?;
            expr = Expr::StrMethod(method, Box::new(expr), arg);
        }
        Ok(Spanned { expr, offset })
    }

    fn ident(&mut self) -> Result<String, ExprError> {
        match self.peek().cloned() {
            Some(Tok {
                kind: TokKind::Ident(name),
                ..
            }) => {
                self.pos += 1;
                Ok(name)
            }
            _ => err(self.offset(), "expected a name"),
        }
    }

    /// Reads `a.b.c` after its first name and resolves it to a known value.
    fn path(&mut self, first: &str, offset: usize) -> Result<Expr, ExprError> {
        match first {
            "true" => return Ok(Expr::Bool(true)),
            "false" => return Ok(Expr::Bool(false)),
            "null" => return Ok(Expr::Null),
            _ => {}
        }
        let mut segments = vec![first.to_string()];
        // Greedily take segments while they lead to a known path; a leftover `.X(` is a method.
        loop {
            let joined = segments.join(".");
            if let Some(expr) = resolve(&joined) {
                if !self.next_extends(&joined) {
                    return Ok(expr);
                }
            }
            if joined == "context.Request.Headers.GetValueOrDefault" {
                return self.header_call();
            }
            if let Some(revocation) = verify_call(&joined) {
                self.expect("(")?;
                self.expect(")")?;
                return Ok(Expr::CertificateVerify { revocation });
            }
            if joined == "context.Deployment.Certificates.Any" {
                return self.deployment_any();
            }
            if !self.eat(".") {
                return err(
                    offset,
                    format!("`{joined}` is not in the supported expression subset"),
                );
            }
            segments.push(self.ident()?);
        }
    }

    /// Whether `.name` follows and `path.name` is a longer known path (or a prefix of one).
    fn next_extends(&self, path: &str) -> bool {
        let (
            Some(Tok {
                kind: TokKind::Punct("."),
                ..
            }),
            Some(Tok {
                kind: TokKind::Ident(name),
                ..
            }),
        ) = (self.tokens.get(self.pos), self.tokens.get(self.pos + 1))
        else {
            return false;
        };
        let longer = format!("{path}.{name}");
        KNOWN_PATHS
            .iter()
            .any(|k| *k == longer || k.starts_with(&format!("{longer}.")))
    }

    /// `(c => c.Value.Thumbprint == x)` or `(c => x == c.Value.Thumbprint)`: the one lambda the
    /// subset has.
    fn deployment_any(&mut self) -> Result<Expr, ExprError> {
        self.expect("(")?;
        let var = self.ident()?;
        self.expect("=>")?;
        let other = if self.lambda_thumbprint(&var) {
            self.expect("==")?;
            self.postfix()?
        } else {
            let other = self.postfix()?;
            self.expect("==")?;
            if !self.lambda_thumbprint(&var) {
                return err(
                    self.offset(),
                    format!(
                        "expected `{var}.Value.Thumbprint`; only thumbprint lookups are supported"
                    ),
                );
            }
            other
        };
        want(&other, Ty::Str, "a thumbprint comparison")?;
        self.expect(")")?;
        Ok(Expr::DeploymentCertificateThumbprint(Box::new(other.expr)))
    }

    /// Consumes `var.Value.Thumbprint` if it comes next.
    fn lambda_thumbprint(&mut self, var: &str) -> bool {
        let want = [
            TokKind::Ident(var.to_string()),
            TokKind::Punct("."),
            TokKind::Ident("Value".into()),
            TokKind::Punct("."),
            TokKind::Ident("Thumbprint".into()),
        ];
        let matches = want.iter().enumerate().all(|(i, kind)| {
            self.tokens
                .get(self.pos + i)
                .is_some_and(|t| t.kind == *kind)
        });
        if matches {
            self.pos += want.len();
        }
        matches
    }

    fn header_call(&mut self) -> Result<Expr, ExprError> {
        self.expect("(")?;
        let name = self.string_literal("the header name")?;
        let default = if self.eat(",") {
            let at = self.offset();
            match self.peek().map(|t| t.kind.clone()) {
                Some(TokKind::Ident(n)) if n == "null" => {
                    self.pos += 1;
                    None
                }
                Some(TokKind::Str(_)) => Some(self.string_literal("the default")?),
                _ => return err(at, "the default must be a string literal"),
            }
        } else {
            None
        };
        self.expect(")")?;
        Ok(Expr::Header { name, default })
    }

    fn string_literal(&mut self, what: &str) -> Result<String, ExprError> {
        match self.peek().cloned() {
            Some(Tok {
                kind: TokKind::Str(s),
                ..
            }) => {
                self.pos += 1;
                Ok(s)
            }
            _ => err(self.offset(), format!("{what} must be a string literal")),
        }
    }
}

fn verify_call(path: &str) -> Option<bool> {
    match path {
        "context.Request.Certificate.Verify" => Some(true),
        "context.Request.Certificate.VerifyNoRevocation" => Some(false),
        _ => None,
    }
}

const KNOWN_PATHS: [&str; 17] = [
    "context.Deployment.Certificates.Any",
    "context.Request.Certificate.Verify",
    "context.Request.Certificate.VerifyNoRevocation",
    "context.Request.Certificate",
    "context.Request.Certificate.Thumbprint",
    "context.Request.Certificate.Issuer",
    "context.Request.Certificate.Subject",
    "context.Request.Certificate.SubjectName.Name",
    "context.Request.Certificate.SerialNumber",
    "context.Request.Certificate.NotBefore",
    "context.Request.Certificate.NotAfter",
    "context.Request.Headers.GetValueOrDefault",
    "context.Request.IpAddress",
    "context.Request.Method",
    "context.Request.Url.Path",
    "DateTime.UtcNow",
    "DateTime.Now",
];

fn resolve(path: &str) -> Option<Expr> {
    use CertificateProperty as P;
    let property = |p| Some(Expr::CertificateProperty(p));
    match path {
        "context.Request.Certificate" => Some(Expr::Certificate),
        "context.Request.Certificate.Thumbprint" => property(P::Thumbprint),
        "context.Request.Certificate.Issuer" => property(P::Issuer),
        "context.Request.Certificate.Subject" => property(P::Subject),
        "context.Request.Certificate.SubjectName.Name" => property(P::SubjectName),
        "context.Request.Certificate.SerialNumber" => property(P::SerialNumber),
        "context.Request.Certificate.NotBefore" => property(P::NotBefore),
        "context.Request.Certificate.NotAfter" => property(P::NotAfter),
        "context.Request.IpAddress" => Some(Expr::IpAddress),
        "context.Request.Method" => Some(Expr::Method),
        "context.Request.Url.Path" => Some(Expr::UrlPath),
        // APIM runs in UTC, so `Now` and `UtcNow` agree there.
        "DateTime.UtcNow" | "DateTime.Now" => Some(Expr::UtcNow),
        _ => None,
    }
}

fn want(e: &Spanned, ty: Ty, context: &str) -> Result<(), ExprError> {
    if e.expr.ty() == ty {
        return Ok(());
    }
    err(
        e.offset,
        format!("{context} needs {ty}, this is {}", e.expr.ty()),
    )
}

fn bool_pair(
    left: Spanned,
    right: Spanned,
    make: fn(Box<Expr>, Box<Expr>) -> Expr,
) -> Result<Spanned, ExprError> {
    want(&left, Ty::Bool, "`&&`/`||`")?;
    want(&right, Ty::Bool, "`&&`/`||`")?;
    Ok(Spanned {
        offset: left.offset,
        expr: make(Box::new(left.expr), Box::new(right.expr)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Expr {
        parse_expression(src).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn fails(src: &str, needle: &str) {
        let e = parse_expression(src).expect_err(src);
        assert!(e.to_string().contains(needle), "{src}: {e}");
    }

    #[test]
    fn accepts_the_documented_subset() {
        let cases = [
            "context.Request.Certificate == null",
            "@(context.Request.Certificate != null)",
            "@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != \"AB\")",
            "context.Request.Certificate.SubjectName.Name == \"CN=client\"",
            "context.Request.Certificate.Issuer.Contains(\"Contoso\")",
            "context.Request.Certificate.NotAfter < DateTime.UtcNow",
            "@(context.Request.Certificate != null && context.Request.Certificate.Verify())",
            "!context.Request.Certificate.VerifyNoRevocation()",
            "context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint)",
            "@(context.Deployment.Certificates.Any(x => context.Request.Headers.GetValueOrDefault(\"t\", \"\") == x.Value.Thumbprint))",
            "context.Request.Certificate.NotBefore <= DateTime.Now",
            "!(context.Request.Certificate.SerialNumber == \"01\") && true",
            "context.Request.Headers.GetValueOrDefault(\"X-ARR-ClientCert\", \"\") != \"\"",
            "context.Request.Headers.GetValueOrDefault(\"a\").ToLower().StartsWith(\"b\")",
            "context.Request.IpAddress == \"127.0.0.1\"",
            "context.Request.Url.Path.EndsWith(\"/x\") || context.Request.Method == \"POST\"",
        ];
        for src in cases {
            ok(src);
        }
    }

    #[test]
    fn resolves_property_chains() {
        assert_eq!(
            ok("context.Request.Certificate.SubjectName.Name"),
            Expr::CertificateProperty(CertificateProperty::SubjectName)
        );
        assert_eq!(
            ok("@(context.Request.Headers.GetValueOrDefault(\"h\",\"d\"))"),
            Expr::Header {
                name: "h".into(),
                default: Some("d".into())
            }
        );
    }

    #[test]
    fn rejects_outside_the_subset() {
        fails("context.Request.Body.As<string>()", "context.Request.Body");
        fails("context.Request.Certificate.Verify", "expected `(`");
        fails("context.Request.Certificate.Export()", "Export");
        fails("@{ return true; }", "multi-statement");
        fails("context.Request.Certificate == \"x\"", "cannot compare");
        fails(
            "context.Request.Certificate.Thumbprint && true",
            "needs bool",
        );
        fails("\"a\" < \"b\"", "cannot compare");
        fails("context.Variables[\"x\"]", "unexpected character `[`");
        fails(
            "context.Request.Headers.GetValueOrDefault(name)",
            "string literal",
        );
        fails("\"open", "unterminated");
        fails("true true", "unexpected `true`");
        fails("a ?? b", "`?`");
        fails(
            "context.Deployment.Certificates.Any(c => c.Value.Subject == \"x\")",
            "c.Value.Subject",
        );
        fails(
            "context.Deployment.Certificates.Any(c => \"x\" == c.Value.Subject)",
            "only thumbprint",
        );
        fails(
            "context.Deployment.Certificates.Count",
            "not in the supported",
        );
    }

    #[test]
    fn condition_must_be_bool() {
        let e = parse_condition("context.Request.Certificate.Thumbprint").unwrap_err();
        assert!(e.message.contains("must be bool"), "{e}");
        assert!(parse_condition("@(context.Request.Certificate != null)").is_ok());
    }

    #[test]
    fn error_offset_points_into_the_source() {
        let e = parse_expression("@(true && context.Nope)").unwrap_err();
        assert_eq!(e.offset, 10);
    }
}
