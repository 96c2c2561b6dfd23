//! Evaluates a parsed policy expression against one request.
//!
//! The only run-time failure is APIM's: reading a property of a null certificate (a
//! `NullReferenceException` there), which the caller turns into a 500.

use std::net::IpAddr;
use std::time::SystemTime;

use gatehouse_runtime_config::expr::{CertificateProperty, CompareOp, Expr, StrMethod};
use http::HeaderMap;

use crate::pki::CertFacts;

pub struct EvalCx<'a> {
    pub cert: Option<&'a CertFacts>,
    pub headers: &'a HeaderMap,
    pub ip: IpAddr,
    pub method: &'a str,
    pub path: &'a str,
    pub now: SystemTime,
    /// `Certificate.Verify()` (true: with revocation) against the instance's CA certificates.
    pub verify: &'a dyn Fn(bool) -> bool,
    /// Thumbprints of the instance's uploaded certificates (`context.Deployment.Certificates`).
    pub deployment_thumbprints: &'a [String],
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Null,
    /// Unix seconds.
    DateTime(i64),
    Certificate,
}

impl Value {
    /// The text a value becomes in a header (C# `ToString()`).
    pub fn into_text(self) -> String {
        match self {
            Value::Str(s) => s,
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Null => String::new(),
            Value::DateTime(t) => crate::time::iso8601(t),
            Value::Certificate => {
                "System.Security.Cryptography.X509Certificates.X509Certificate2".into()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

pub fn eval(expr: &Expr, cx: &EvalCx<'_>) -> Result<Value, EvalError> {
    Ok(match expr {
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Null => Value::Null,
        Expr::Certificate => match cx.cert {
            Some(_) => Value::Certificate,
            None => Value::Null,
        },
        Expr::CertificateProperty(p) => {
            let Some(cert) = cx.cert else {
                return Err(EvalError(
                    "Object reference not set to an instance of an object (context.Request.Certificate is null)".into(),
                ));
            };
            match p {
                CertificateProperty::Thumbprint => Value::Str(cert.thumbprint.clone()),
                CertificateProperty::Issuer => Value::Str(cert.issuer.clone()),
                CertificateProperty::Subject | CertificateProperty::SubjectName => {
                    Value::Str(cert.subject.clone())
                }
                CertificateProperty::SerialNumber => Value::Str(cert.serial.clone()),
                CertificateProperty::NotBefore => Value::DateTime(cert.not_before),
                CertificateProperty::NotAfter => Value::DateTime(cert.not_after),
            }
        }
        Expr::CertificateVerify { revocation } => {
            if cx.cert.is_none() {
                return Err(EvalError(
                    "Object reference not set to an instance of an object (context.Request.Certificate is null)".into(),
                ));
            }
            Value::Bool((cx.verify)(*revocation))
        }
        Expr::DeploymentCertificateThumbprint(x) => match eval(x, cx)? {
            Value::Str(t) => Value::Bool(
                cx.deployment_thumbprints
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(&t)),
            ),
            _ => Value::Bool(false),
        },
        Expr::Header { name, default } => {
            let values: Vec<&str> = cx
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if values.is_empty() {
                default.clone().map_or(Value::Null, Value::Str)
            } else {
                Value::Str(values.join(","))
            }
        }
        Expr::IpAddress => Value::Str(cx.ip.to_string()),
        Expr::Method => Value::Str(cx.method.to_string()),
        Expr::UrlPath => Value::Str(cx.path.to_string()),
        Expr::UtcNow => Value::DateTime(crate::time::unix(cx.now)),
        Expr::Not(inner) => Value::Bool(!truth(inner, cx)?),
        // Short-circuit, as C# does: `cert == null || cert.Thumbprint == …` must not fail.
        Expr::And(a, b) => Value::Bool(truth(a, cx)? && truth(b, cx)?),
        Expr::Or(a, b) => Value::Bool(truth(a, cx)? || truth(b, cx)?),
        Expr::Compare(op, a, b) => {
            let (a, b) = (eval(a, cx)?, eval(b, cx)?);
            Value::Bool(match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                _ => {
                    let (Value::DateTime(x), Value::DateTime(y)) = (a, b) else {
                        return Err(EvalError("comparison of non-DateTime values".into()));
                    };
                    match op {
                        CompareOp::Lt => x < y,
                        CompareOp::Le => x <= y,
                        CompareOp::Gt => x > y,
                        _ => x >= y,
                    }
                }
            })
        }
        Expr::StrMethod(method, target, arg) => {
            let Value::Str(s) = eval(target, cx)? else {
                return Err(EvalError(
                    "Object reference not set to an instance of an object (string is null)".into(),
                ));
            };
            let arg = match arg {
                Some(a) => match eval(a, cx)? {
                    Value::Str(v) => Some(v),
                    _ => return Err(EvalError("string method argument is null".into())),
                },
                None => None,
            };
            let arg = arg.unwrap_or_default();
            match method {
                StrMethod::Contains => Value::Bool(s.contains(&arg)),
                StrMethod::StartsWith => Value::Bool(s.starts_with(&arg)),
                StrMethod::EndsWith => Value::Bool(s.ends_with(&arg)),
                StrMethod::ToUpper => Value::Str(s.to_uppercase()),
                StrMethod::ToLower => Value::Str(s.to_lowercase()),
            }
        }
    })
}

pub fn truth(expr: &Expr, cx: &EvalCx<'_>) -> Result<bool, EvalError> {
    match eval(expr, cx)? {
        Value::Bool(b) => Ok(b),
        other => Err(EvalError(format!("expected a bool, got {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_runtime_config::parse_expression;

    fn run(src: &str, cert: Option<&CertFacts>) -> Result<Value, EvalError> {
        let mut headers = HeaderMap::new();
        headers.insert("x-a", "1".parse().unwrap());
        let cx = EvalCx {
            cert,
            headers: &headers,
            ip: "127.0.0.1".parse().unwrap(),
            method: "GET",
            path: "/p",
            now: SystemTime::UNIX_EPOCH,
            verify: &|_| true,
            deployment_thumbprints: &[],
        };
        eval(&parse_expression(src).unwrap(), &cx)
    }

    #[test]
    fn null_certificate_checks_short_circuit() {
        assert_eq!(
            run("context.Request.Certificate == null", None),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            run("context.Request.Certificate == null || context.Request.Certificate.Thumbprint == \"A\"", None),
            Ok(Value::Bool(true))
        );
        assert!(run("context.Request.Certificate.Thumbprint == \"A\"", None).is_err());
    }

    #[test]
    fn headers_and_defaults() {
        assert_eq!(
            run(
                "context.Request.Headers.GetValueOrDefault(\"X-A\", \"\")",
                None
            ),
            Ok(Value::Str("1".into()))
        );
        assert_eq!(
            run(
                "context.Request.Headers.GetValueOrDefault(\"x-b\", \"d\")",
                None
            ),
            Ok(Value::Str("d".into()))
        );
        assert_eq!(
            run(
                "context.Request.Headers.GetValueOrDefault(\"x-b\") == null",
                None
            ),
            Ok(Value::Bool(true))
        );
    }
}
