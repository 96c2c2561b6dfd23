//! Helpers several checks share: reading client-certificate use out of policy statements, and
//! common diagnostic shapes.

use crate::model::*;
use crate::source::Span;

/// The text of every policy expression or value a statement carries (conditions, header
/// values, keys, bodies, raw XML), for finding what it reads.
pub(crate) fn statement_texts(statement: &Statement) -> Vec<(&str, Span)> {
    let mut out: Vec<(&str, Span)> = Vec::new();
    match &statement.kind {
        StatementKind::SetHeader(h) => {
            out.extend(h.values.iter().map(|v| (v.value.as_str(), v.span)))
        }
        StatementKind::CheckHeader(h) => {
            out.extend(h.values.iter().map(|v| (v.value.as_str(), v.span)))
        }
        StatementKind::RateLimitByKey(r) => {
            out.push((r.counter_key.value.as_str(), r.counter_key.span));
            if let Some(c) = &r.increment_condition {
                out.push((c.value.as_str(), c.span));
            }
        }
        StatementKind::Choose(c) => {
            for w in &c.whens {
                out.push((w.condition.value.as_str(), w.condition.span));
            }
        }
        StatementKind::ReturnResponse(r) => {
            if let Some(body) = &r.body {
                out.push((body.as_str(), statement.span));
            }
        }
        StatementKind::Other(o) => out.push((o.xml.as_str(), statement.span)),
        _ => {}
    }
    out
}

/// Where a statement reads the client certificate of the TLS connection: a
/// `validate-client-certificate`, or an expression using `context.Request.Certificate`.
pub(crate) fn reads_client_certificate(statement: &Statement) -> Option<Span> {
    if matches!(statement.kind, StatementKind::ValidateClientCertificate(_)) {
        return Some(statement.span);
    }
    statement_texts(statement)
        .into_iter()
        .find(|(text, _)| text.contains("context.Request.Certificate"))
        .map(|(_, span)| span)
}
