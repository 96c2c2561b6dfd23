//! The access log and the runtime's own event lines, as JSON lines or text.
//!
//! One line per request, written when the response head is ready; one line per start, reload
//! and rejected reload. Where lines go is chosen by the caller ([`crate::LogSink`]).

use std::sync::{Arc, Mutex};

use serde::Serialize;

/// `--log-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Where log lines go.
#[derive(Debug, Clone, Default)]
pub enum LogSink {
    #[default]
    Stderr,
    /// Kept in memory (tests read them back).
    Memory(Arc<Mutex<Vec<String>>>),
    Discard,
}

#[derive(Debug, Clone)]
pub struct Logger {
    pub format: LogFormat,
    pub sink: LogSink,
    /// Whether request lines are written at all.
    pub access: bool,
}

/// One request, as logged.
#[derive(Debug, Default, Serialize)]
pub struct AccessRecord {
    pub time: String,
    /// `application_gateway.main.listener.public` or `api_management.main.hostname.api.contoso.com`.
    pub site: String,
    pub host: String,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert_subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert_thumbprint: Option<String>,
    /// AppGW's `sslClientVerify`: `NONE`, `SUCCESS`, `FAILED:<reason>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_client_verify: Option<String>,
    /// `forwarded`, `rejected`, `returned` (return-response), `error`.
    pub decision: String,
    /// APIM `LastError.Reason` or the AppGW rejection reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    pub duration_ms: f64,
}

impl Logger {
    pub fn access(&self, record: &AccessRecord) {
        if !self.access {
            return;
        }
        let line = match self.format {
            LogFormat::Json => serde_json::to_string(record).unwrap_or_default(),
            LogFormat::Text => format!(
                "{} {} {} {}{} {} {}{}{}",
                record.time,
                record.site,
                record.method,
                record.host,
                record.path,
                record.status,
                record.decision,
                record
                    .reason
                    .as_deref()
                    .map(|r| format!(" reason={r}"))
                    .unwrap_or_default(),
                record
                    .client_cert_subject
                    .as_deref()
                    .map(|s| format!(" cert=\"{s}\""))
                    .unwrap_or_default(),
            ),
        };
        self.write(line);
    }

    /// A runtime event: `start`, `reload`, `reload_rejected`, `shutdown`, …
    pub fn event(&self, event: &str, message: &str) {
        let line = match self.format {
            LogFormat::Json => serde_json::json!({
                "time": crate::time::iso8601(crate::time::unix(std::time::SystemTime::now())),
                "event": event,
                "message": message,
            })
            .to_string(),
            LogFormat::Text => format!("gatehouse-runtime: {event}: {message}"),
        };
        self.write(line);
    }

    fn write(&self, line: String) {
        match &self.sink {
            LogSink::Stderr => {
                use std::io::Write;
                let mut line = line;
                line.push('\n');
                // One write per line, so lines from concurrent requests never interleave.
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }
            LogSink::Memory(lines) => lines.lock().unwrap_or_else(|e| e.into_inner()).push(line),
            LogSink::Discard => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AccessRecord {
        AccessRecord {
            time: "2030-06-01T12:00:00Z".into(),
            site: "api_management.main.hostname.api.contoso.com".into(),
            host: "api.contoso.com".into(),
            method: "GET".into(),
            path: "/orders".into(),
            api: Some("orders".into()),
            status: 401,
            decision: "rejected".into(),
            reason: Some("ClientCertificateNotFound".into()),
            ..AccessRecord::default()
        }
    }

    fn line(format: LogFormat) -> String {
        let lines = Arc::new(Mutex::new(Vec::new()));
        Logger {
            format,
            sink: LogSink::Memory(lines.clone()),
            access: true,
        }
        .access(&record());
        let out = lines.lock().unwrap()[0].clone();
        out
    }

    #[test]
    fn json_line_names_the_decision() {
        let v: serde_json::Value = serde_json::from_str(&line(LogFormat::Json)).unwrap();
        assert_eq!(v["api"], "orders");
        assert_eq!(v["status"], 401);
        assert_eq!(v["reason"], "ClientCertificateNotFound");
        assert!(v.get("operation").is_none(), "absent facts are left out");
    }

    #[test]
    fn text_line_reads_in_one_glance() {
        assert_eq!(
            line(LogFormat::Text),
            "2030-06-01T12:00:00Z api_management.main.hostname.api.contoso.com GET api.contoso.com/orders 401 rejected reason=ClientCertificateNotFound"
        );
    }
}
