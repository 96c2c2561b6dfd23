//! API Management semantics for one request on a gateway hostname: API and operation matching,
//! the flattened policy (inbound → backend → forward-request → outbound, on-error on failure),
//! and forwarding with the backend entity's TLS settings and the authentication certificate.
//!
//! Every step the config holds is executed; the config crate's validation has already refused
//! any expression outside the supported subset, so nothing is skipped silently.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gatehouse_runtime_config as cfg;
use gatehouse_runtime_config::{Expr, Step};
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use rustls::pki_types::CertificateDer;

use crate::clientauth::verify_chain;
use crate::eval::{self, EvalCx, EvalError};
use crate::log::AccessRecord;
use crate::outbound::{self, BaseUrl, ForwardError, ProxyBody};
use crate::pki::{same_dn, CertFacts};
use crate::respond::{self, apim_json};
use crate::server::Conn;
use crate::snapshot::{ApimInstance, ApimSite};

/// Sliding-window counters for rate-limit and rate-limit-by-key; they outlive reloads.
#[derive(Default)]
pub struct RateLimits {
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimits {
    /// Counts a call; `Err(seconds)` when over the limit, with the time until a slot frees.
    fn hit(&self, key: String, calls: u64, period: Duration, count: bool) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.entry(key).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= period)
        {
            window.pop_front();
        }
        if window.len() as u64 >= calls {
            let oldest = window.front().copied().unwrap_or(now);
            let wait = period.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        if count {
            window.push_back(now);
        }
        Ok(())
    }
}

/// A policy failure, as APIM's `LastError`.
#[derive(Debug, Clone)]
struct PolicyError {
    status: StatusCode,
    /// `LastError.Reason`.
    reason: String,
    message: String,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl PolicyError {
    fn new(status: StatusCode, reason: &str, message: impl Into<String>) -> PolicyError {
        PolicyError {
            status,
            reason: reason.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    fn expression(e: EvalError) -> PolicyError {
        PolicyError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ExpressionValueEvaluationFailure",
            e.0,
        )
    }
}

enum Flow {
    Continue,
    Respond(Response<ProxyBody>),
}

/// Which side of the request a step acts on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Inbound,
    Backend,
    Outbound,
    OnError,
}

/// The request as policies see and change it.
struct Cx<'a> {
    instance: &'a ApimInstance,
    rates: &'a RateLimits,
    conn: &'a Conn,
    api: &'a str,
    operation: &'a str,
    method: Method,
    path: String,
    request_headers: HeaderMap,
    /// Response headers during outbound/on-error.
    response_headers: HeaderMap,
    backend_id: Option<String>,
    base_url: Option<String>,
    auth_cert: Option<String>,
    cors_headers: Vec<(HeaderName, HeaderValue)>,
    /// The subscription the key belongs to, when the API requires one.
    subscription: Option<String>,
    now: std::time::SystemTime,
    /// Failures passed over by `ignore-error`.
    ignored: Vec<String>,
}

impl Cx<'_> {
    fn cert(&self) -> Option<&CertFacts> {
        self.conn.facts.as_deref()
    }

    fn expr(&self, source: &str) -> Result<Arc<Expr>, PolicyError> {
        if let Some(e) = self.instance.expressions.get(source) {
            return Ok(e.clone());
        }
        gatehouse_runtime_config::parse_expression(source)
            .map(Arc::new)
            .map_err(|e| {
                PolicyError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "ExpressionValueEvaluationFailure",
                    e.to_string(),
                )
            })
    }

    fn eval(&self, source: &str) -> Result<eval::Value, PolicyError> {
        let expr = self.expr(source)?;
        let headers = &self.request_headers;
        let verify = |revocation: bool| {
            let Some(chain) = self.conn.chain.as_deref() else {
                return false;
            };
            let Some(leaf) = chain.first() else {
                return false;
            };
            let ca = &self.instance.ca;
            let mut intermediates = ca.intermediates.clone();
            intermediates.extend(chain[1..].iter().cloned());
            verify_chain(
                leaf,
                &ca.anchors,
                &intermediates,
                &ca.crls,
                self.now,
                revocation,
            )
            .is_ok()
        };
        let cx = EvalCx {
            cert: self.cert(),
            headers,
            ip: self.conn.peer.ip(),
            method: self.method.as_str(),
            path: &self.path,
            now: self.now,
            verify: &verify,
            deployment_thumbprints: &self.instance.certificate_thumbprints,
        };
        eval::eval(&expr, &cx).map_err(PolicyError::expression)
    }

    fn truth(&self, source: &str) -> Result<bool, PolicyError> {
        match self.eval(source)? {
            eval::Value::Bool(b) => Ok(b),
            other => Err(PolicyError::expression(EvalError(format!(
                "condition is not a bool: {other:?}"
            )))),
        }
    }
}

pub async fn handle(
    site: &ApimSite,
    rates: &RateLimits,
    conn: &Conn,
    request: Request<ProxyBody>,
    log: &mut AccessRecord,
) -> Response<ProxyBody> {
    let instance = &site.instance;
    let path = request.uri().path().to_string();
    let Some((api_name, api, rest)) = match_api(instance, &site.hostname, &path) else {
        log.decision = "rejected".into();
        log.reason = Some("ApiNotFound".into());
        return apim_json(StatusCode::NOT_FOUND, "Resource not found");
    };
    log.api = Some(api_name.to_string());
    // The most specific template wins: `/items/special` over `/items/{id}` over `/*`.
    let Some((op_name, operation)) = api
        .operations
        .iter()
        .filter(|(_, op)| {
            method_matches(&op.method, request.method()) && template_matches(&op.url_template, rest)
        })
        .max_by_key(|(name, op)| {
            (
                specificity(&op.url_template, &op.method),
                std::cmp::Reverse(*name),
            )
        })
    else {
        log.decision = "rejected".into();
        log.reason = Some("OperationNotFound".into());
        return apim_json(
            StatusCode::NOT_FOUND,
            "Unable to match incoming request to an operation.",
        );
    };
    log.operation = Some(op_name.clone());
    let rest = rest.to_string();
    let (mut parts, body) = request.into_parts();
    let subscription = match take_subscription(api, &mut parts) {
        Ok(subscription) => subscription,
        Err((reason, message)) => {
            log.decision = "rejected".into();
            log.reason = Some(reason.into());
            return apim_json(StatusCode::UNAUTHORIZED, message);
        }
    };
    let mut cx = Cx {
        instance,
        rates,
        conn,
        api: api_name,
        operation: op_name,
        method: parts.method.clone(),
        path: path.clone(),
        request_headers: parts.headers.clone(),
        response_headers: HeaderMap::new(),
        backend_id: None,
        base_url: None,
        auth_cert: None,
        cors_headers: Vec::new(),
        subscription,
        now: instance.clock.now(),
        ignored: Vec::new(),
    };
    let policy = &operation.policy;
    let result = pipeline(&mut cx, policy, api, parts, body, &rest, log).await;
    let mut response = match result {
        Ok(response) => response,
        Err(error) => on_error(&mut cx, policy, error, log),
    };
    for (name, value) in cx.cors_headers.drain(..) {
        response.headers_mut().insert(name, value);
    }
    if !cx.ignored.is_empty() && log.reason.is_none() {
        log.reason = Some(format!("ignored: {}", cx.ignored.join(", ")));
    }
    response
}

async fn pipeline(
    cx: &mut Cx<'_>,
    policy: &cfg::Policy,
    api: &cfg::Api,
    parts: http::request::Parts,
    body: ProxyBody,
    rest: &str,
    log: &mut AccessRecord,
) -> Result<Response<ProxyBody>, PolicyError> {
    for (section, steps) in [
        (Section::Inbound, &policy.inbound),
        (Section::Backend, &policy.backend),
    ] {
        if let Flow::Respond(response) = run_steps(cx, section, steps)? {
            log.decision = "returned".into();
            return Ok(response);
        }
    }
    let response = forward(cx, api, parts, body, rest, log).await?;
    let (mut head, body) = response.into_parts();
    cx.response_headers = std::mem::take(&mut head.headers);
    if let Flow::Respond(response) = run_steps(cx, Section::Outbound, &policy.outbound)? {
        log.decision = "returned".into();
        return Ok(response);
    }
    head.headers = std::mem::take(&mut cx.response_headers);
    log.decision = "forwarded".into();
    Ok(Response::from_parts(head, body))
}

fn on_error(
    cx: &mut Cx<'_>,
    policy: &cfg::Policy,
    error: PolicyError,
    log: &mut AccessRecord,
) -> Response<ProxyBody> {
    log.decision = "rejected".into();
    log.reason = Some(error.reason.clone());
    cx.response_headers = HeaderMap::new();
    match run_steps(cx, Section::OnError, &policy.on_error) {
        Ok(Flow::Respond(response)) => return response,
        Ok(Flow::Continue) => {}
        // An error inside on-error ends it; APIM then answers with the original error.
        Err(_) => {}
    }
    let mut response = apim_json(error.status, &error.message);
    for (name, value) in error.headers {
        response.headers_mut().insert(name, value);
    }
    for (name, value) in cx.response_headers.drain() {
        if let Some(name) = name {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn run_steps(cx: &mut Cx<'_>, section: Section, steps: &[Step]) -> Result<Flow, PolicyError> {
    for step in steps {
        if let Flow::Respond(response) = run_step(cx, section, step)? {
            return Ok(Flow::Respond(response));
        }
    }
    Ok(Flow::Continue)
}

fn run_step(cx: &mut Cx<'_>, section: Section, step: &Step) -> Result<Flow, PolicyError> {
    match step {
        Step::ValidateClientCertificate(v) => validate_client_certificate(cx, v)?,
        Step::CheckHeader(c) => check_header(cx, c)?,
        Step::SetHeader(s) => set_header(cx, section, s)?,
        Step::IpFilter(f) => ip_filter(cx.conn.peer.ip(), f)?,
        Step::RateLimit(r) => {
            // Counted per subscription, as APIM does; callers without one share a counter.
            let subscription = cx.subscription.as_deref().unwrap_or("");
            let key = format!(
                "{}/{}/{}/{subscription}",
                cx.instance.name, cx.api, cx.operation
            );
            rate_limit(
                cx,
                key,
                r.calls,
                r.renewal_period_s,
                r.retry_after_header_name.as_deref(),
                true,
            )?;
        }
        Step::RateLimitByKey(r) => {
            let key = format!(
                "{}/key/{}",
                cx.instance.name,
                cx.eval(&r.counter_key)?.into_text()
            );
            let count = match &r.increment_condition {
                Some(condition) => cx.truth(condition)?,
                None => true,
            };
            rate_limit(
                cx,
                key,
                r.calls,
                r.renewal_period_s,
                r.retry_after_header_name.as_deref(),
                count,
            )?;
        }
        Step::Cors(c) => return Ok(cors(cx, c)),
        Step::ReturnResponse(r) => return Ok(Flow::Respond(return_response(r))),
        Step::SetBackendService(target) => match target {
            cfg::BackendTarget::BackendId(id) => {
                cx.backend_id = Some(id.clone());
                cx.base_url = None;
            }
            cfg::BackendTarget::BaseUrl(url) => {
                cx.base_url = Some(url.clone());
                cx.backend_id = None;
            }
        },
        Step::Choose(choose) => {
            for when in &choose.when {
                if cx.truth(&when.condition)? {
                    return run_steps(cx, section, &when.steps);
                }
            }
            return run_steps(cx, section, &choose.otherwise);
        }
        Step::AuthenticationCertificate(a) => cx.auth_cert = Some(a.certificate_id.clone()),
    }
    Ok(Flow::Continue)
}

fn validate_client_certificate(
    cx: &mut Cx<'_>,
    v: &cfg::ValidateClientCertificate,
) -> Result<(), PolicyError> {
    let result = check_client_certificate(cx, v);
    match result {
        Err(e) if v.ignore_error => {
            cx.ignored.push(e.reason);
            Ok(())
        }
        other => other,
    }
}

fn check_client_certificate(
    cx: &Cx<'_>,
    v: &cfg::ValidateClientCertificate,
) -> Result<(), PolicyError> {
    let fail = |reason: &str, message: &str| {
        Err(PolicyError::new(StatusCode::UNAUTHORIZED, reason, message))
    };
    let (Some(cert), Some(chain)) = (cx.cert(), cx.conn.chain.as_deref()) else {
        return fail(
            "ClientCertificateNotFound",
            "Client certificate is missing.",
        );
    };
    let now = crate::time::unix(cx.now);
    if v.validate_not_after && now > cert.not_after {
        return fail(
            "ClientCertificateExpired",
            "Client certificate has expired.",
        );
    }
    if v.validate_not_before && now < cert.not_before {
        return fail(
            "ClientCertificateNotYetValid",
            "Client certificate is not yet valid.",
        );
    }
    if v.validate_trust && !trusted(cx.instance, chain, cert, cx.now, v.validate_revocation) {
        return fail(
            "ClientCertificateNotTrusted",
            "Client certificate is not trusted.",
        );
    }
    if !v.identities.is_empty()
        && !v
            .identities
            .iter()
            .any(|i| identity_matches(cx.instance, chain, cert, i))
    {
        return fail(
            "ClientCertificateIdentityNotMatched",
            "Client certificate does not match any allowed identity.",
        );
    }
    Ok(())
}

/// Chain to the uploaded CA certificates. Validity was already decided by the not-before/after
/// flags, so the chain is built at a time inside the leaf's validity.
fn trusted(
    instance: &ApimInstance,
    chain: &[CertificateDer<'static>],
    cert: &CertFacts,
    now: std::time::SystemTime,
    revocation: bool,
) -> bool {
    let Some(leaf) = chain.first() else {
        return false;
    };
    let secs = crate::time::unix(now).clamp(cert.not_before, cert.not_after);
    let at = std::time::UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64);
    let mut intermediates = instance.ca.intermediates.clone();
    intermediates.extend(chain[1..].iter().cloned());
    verify_chain(
        leaf,
        &instance.ca.anchors,
        &intermediates,
        &instance.ca.crls,
        at,
        revocation,
    )
    .is_ok()
}

fn identity_matches(
    instance: &ApimInstance,
    chain: &[CertificateDer<'static>],
    cert: &CertFacts,
    identity: &cfg::CertificateIdentity,
) -> bool {
    let eq = |want: &Option<String>, have: &str| {
        want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(have))
    };
    let dn = |want: &Option<String>, have: &str| want.as_ref().is_none_or(|w| same_dn(w, have));
    let serial = |s: &str| {
        s.replace([':', ' '], "")
            .trim_start_matches('0')
            .to_ascii_uppercase()
    };
    let issuer_ca = instance.ca.issuer_of(cert);
    // The issuer may also come from the chain the client sent.
    let sent_issuer = chain[1..]
        .iter()
        .filter_map(|der| CertFacts::parse(der))
        .find(|c| c.raw_subject == cert.raw_issuer);
    let issuer_thumbprint = issuer_ca
        .map(|(_, c)| c.thumbprint.clone())
        .or(sent_issuer.map(|c| c.thumbprint));
    eq(&identity.thumbprint, &cert.thumbprint)
        && identity
            .serial_number
            .as_ref()
            .is_none_or(|s| serial(s) == serial(&cert.serial))
        && eq(
            &identity.common_name,
            cert.common_name.as_deref().unwrap_or_default(),
        )
        && dn(&identity.subject, &cert.subject)
        && identity
            .dns_name
            .as_ref()
            .is_none_or(|d| cert.dns_names.iter().any(|n| n.eq_ignore_ascii_case(d)))
        && dn(&identity.issuer_subject, &cert.issuer)
        && identity.issuer_thumbprint.as_ref().is_none_or(|t| {
            issuer_thumbprint
                .as_deref()
                .is_some_and(|have| have.eq_ignore_ascii_case(t))
        })
        && identity
            .issuer_certificate_id
            .as_ref()
            .is_none_or(|id| issuer_ca.is_some_and(|(have, _)| have == id))
}

fn check_header(cx: &Cx<'_>, c: &cfg::CheckHeader) -> Result<(), PolicyError> {
    let status = StatusCode::from_u16(c.failed_check_httpcode).unwrap_or(StatusCode::UNAUTHORIZED);
    let values: Vec<&str> = cx
        .request_headers
        .get_all(c.name.as_str())
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return Err(PolicyError::new(
            status,
            "HeaderNotFound",
            c.failed_check_error_message.clone(),
        ));
    }
    if c.values.is_empty() {
        return Ok(());
    }
    let allowed = |v: &str| {
        c.values.iter().any(|a| {
            if c.ignore_case {
                a.eq_ignore_ascii_case(v)
            } else {
                a == v
            }
        })
    };
    if values.iter().all(|v| allowed(v)) {
        return Ok(());
    }
    Err(PolicyError::new(
        status,
        "HeaderValueNotAllowed",
        c.failed_check_error_message.clone(),
    ))
}

fn set_header(cx: &mut Cx<'_>, section: Section, s: &cfg::SetHeader) -> Result<(), PolicyError> {
    let Ok(name) = HeaderName::try_from(s.name.as_str()) else {
        return Err(PolicyError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "PolicyError",
            format!("bad header name `{}`", s.name),
        ));
    };
    let mut values = Vec::new();
    for value in &s.values {
        let text = if value.starts_with('@') {
            cx.eval(value)?.into_text()
        } else {
            value.clone()
        };
        if let Ok(v) = HeaderValue::try_from(text) {
            values.push(v);
        }
    }
    let headers = match section {
        Section::Inbound | Section::Backend => &mut cx.request_headers,
        Section::Outbound | Section::OnError => &mut cx.response_headers,
    };
    match s.exists_action {
        cfg::ExistsAction::Delete => {
            headers.remove(&name);
        }
        cfg::ExistsAction::Skip if headers.contains_key(&name) => {}
        cfg::ExistsAction::Override | cfg::ExistsAction::Skip => {
            headers.remove(&name);
            for v in values {
                headers.append(name.clone(), v);
            }
        }
        cfg::ExistsAction::Append => {
            for v in values {
                headers.append(name.clone(), v);
            }
        }
    }
    Ok(())
}

fn ip_filter(ip: IpAddr, f: &cfg::IpFilter) -> Result<(), PolicyError> {
    let listed = f
        .addresses
        .iter()
        .any(|a| a.parse::<IpAddr>().is_ok_and(|a| a == ip))
        || f.address_ranges.iter().any(|r| {
            match (r.from.parse::<IpAddr>(), r.to.parse::<IpAddr>()) {
                (Ok(from), Ok(to)) => from <= ip && ip <= to && from.is_ipv4() == ip.is_ipv4(),
                _ => false,
            }
        });
    let allowed = match f.action {
        cfg::IpFilterAction::Allow => listed,
        cfg::IpFilterAction::Forbid => !listed,
    };
    if allowed {
        return Ok(());
    }
    Err(PolicyError::new(
        StatusCode::FORBIDDEN,
        "CallerIpNotAllowed",
        format!("Caller IP address {ip} is not allowed. Access denied."),
    ))
}

fn rate_limit(
    cx: &Cx<'_>,
    key: String,
    calls: u64,
    period_s: u64,
    header: Option<&str>,
    count: bool,
) -> Result<(), PolicyError> {
    let Err(wait) = cx
        .rates
        .hit(key, calls, Duration::from_secs(period_s), count)
    else {
        return Ok(());
    };
    let mut error = PolicyError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RateLimitExceeded",
        format!("Rate limit is exceeded. Try again in {wait} seconds."),
    );
    let name = HeaderName::try_from(header.unwrap_or("retry-after")).unwrap_or(header::RETRY_AFTER);
    error.headers.push((name, HeaderValue::from(wait)));
    Err(error)
}

fn cors(cx: &mut Cx<'_>, c: &cfg::Cors) -> Flow {
    let Some(origin) = cx.request_headers.get(header::ORIGIN).cloned() else {
        return Flow::Continue;
    };
    let allowed = c
        .allowed_origins
        .iter()
        .any(|o| o == "*" || origin.to_str().is_ok_and(|v| v.eq_ignore_ascii_case(o)));
    let preflight = cx.method == Method::OPTIONS
        && cx
            .request_headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut headers = Vec::new();
    if allowed {
        let wildcard = c.allowed_origins.iter().any(|o| o == "*") && !c.allow_credentials;
        let allow_origin = if wildcard {
            HeaderValue::from_static("*")
        } else {
            origin
        };
        headers.push((header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin));
        if c.allow_credentials {
            headers.push((
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            ));
        }
        let join = |v: &[String]| HeaderValue::try_from(v.join(",")).ok();
        if preflight {
            if let Some(v) = join(&c.allowed_methods) {
                headers.push((header::ACCESS_CONTROL_ALLOW_METHODS, v));
            }
            if let Some(v) = join(&c.allowed_headers) {
                headers.push((header::ACCESS_CONTROL_ALLOW_HEADERS, v));
            }
            if let Some(age) = c.preflight_result_max_age {
                headers.push((header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age)));
            }
        } else if let Some(v) = join(&c.expose_headers).filter(|_| !c.expose_headers.is_empty()) {
            headers.push((header::ACCESS_CONTROL_EXPOSE_HEADERS, v));
        }
    }
    if preflight {
        // APIM answers a preflight itself; it never reaches the backend.
        let mut response = Response::new(respond::empty());
        for (name, value) in headers {
            response.headers_mut().insert(name, value);
        }
        return Flow::Respond(response);
    }
    cx.cors_headers.extend(headers);
    Flow::Continue
}

fn return_response(r: &cfg::ReturnResponse) -> Response<ProxyBody> {
    let mut response = Response::new(respond::body(r.body.clone().unwrap_or_default()));
    *response.status_mut() = StatusCode::from_u16(r.status_code).unwrap_or(StatusCode::OK);
    for (name, value) in &r.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// forward-request: to the chosen backend entity, `base-url`, or the API's service URL.
async fn forward(
    cx: &Cx<'_>,
    api: &cfg::Api,
    mut parts: http::request::Parts,
    body: ProxyBody,
    rest: &str,
    log: &mut AccessRecord,
) -> Result<Response<ProxyBody>, PolicyError> {
    let url = match (&cx.backend_id, &cx.base_url) {
        (Some(id), _) => cx.instance.backends.get(id).map(|b| b.url.clone()),
        (None, Some(url)) => Some(url.clone()),
        (None, None) => api.service_url.clone(),
    };
    let Some(url) = url else {
        return Err(PolicyError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "BackendConnectionFailure",
            "Backend service URL is not defined.",
        ));
    };
    log.backend = Some(url.clone());
    let base = BaseUrl::parse(&url).map_err(|m| {
        PolicyError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "BackendConnectionFailure",
            m,
        )
    })?;
    let uri = base.join(rest, parts.uri.query()).map_err(|e| {
        PolicyError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "BackendConnectionFailure",
            e.to_string(),
        )
    })?;
    let client = cx
        .instance
        .client(cx.backend_id.as_deref(), cx.auth_cert.as_deref())
        .map_err(|e| {
            PolicyError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "BackendConnectionFailure",
                e.to_string(),
            )
        })?;
    parts.headers = cx.request_headers.clone();
    outbound::strip_hop_by_hop(&mut parts.headers);
    parts.headers.remove(header::HOST);
    let xff = match parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) => format!("{existing}, {}", cx.conn.peer.ip()),
        None => cx.conn.peer.ip().to_string(),
    };
    if let Ok(v) = HeaderValue::try_from(xff) {
        parts.headers.insert("x-forwarded-for", v);
    }
    parts.uri = uri;
    parts.version = http::Version::HTTP_11;
    let request = Request::from_parts(parts, body);
    match outbound::send(&client, request, cx.instance.backend_timeout).await {
        Ok(response) => {
            let (mut head, body) = response.into_parts();
            outbound::strip_hop_by_hop(&mut head.headers);
            Ok(Response::from_parts(head, body.map_err(Into::into).boxed()))
        }
        Err(ForwardError::BodyTooLarge) => Err(PolicyError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ClientConnectionFailure",
            "Request body is larger than the limit.",
        )),
        Err(ForwardError::Timeout) => Err(PolicyError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "Timeout",
            "Request to the backend service timed out.",
        )),
        Err(ForwardError::Connection(detail)) => {
            log.reason = Some(format!("BackendConnectionFailure: {detail}"));
            let message = if detail.contains("certificate") || detail.contains("Certificate") {
                "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."
            } else {
                "The underlying connection was closed: An unexpected error occurred on a send."
            };
            Err(PolicyError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "BackendConnectionFailure",
                message,
            ))
        }
    }
}

/// Checks the subscription key when the API requires one, and removes it from the request: the
/// key authenticates the caller to APIM, the backend does not get it.
fn take_subscription(
    api: &cfg::Api,
    parts: &mut http::request::Parts,
) -> Result<Option<String>, (&'static str, &'static str)> {
    let Some(requirement) = &api.subscription else {
        return Ok(None);
    };
    let name = subscription_of(requirement, &parts.headers, parts.uri.query())?;
    parts.headers.remove(requirement.header_name.as_str());
    let query = parts
        .uri
        .query()
        .map(|q| without_param(q, &requirement.query_name));
    if let Ok(uri) = with_query(&parts.uri, query.as_deref()) {
        parts.uri = uri;
    }
    Ok(Some(name))
}

/// The subscription whose key the request carries (header first, then query parameter).
fn subscription_of(
    requirement: &cfg::SubscriptionRequirement,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<String, (&'static str, &'static str)> {
    let from_header = headers
        .get(requirement.header_name.as_str())
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let from_query = query.and_then(|q| {
        q.split('&').find_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name == requirement.query_name).then(|| value.to_string())
        })
    });
    let Some(key) = from_header.or(from_query) else {
        return Err((
            "SubscriptionKeyNotFound",
            "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
        ));
    };
    match requirement.keys.iter().find(|(_, k)| **k == key) {
        Some((name, _)) => Ok(name.clone()),
        None => Err((
            "SubscriptionKeyInvalid",
            "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
        )),
    }
}

fn without_param(query: &str, name: &str) -> String {
    query
        .split('&')
        .filter(|pair| pair.split_once('=').map_or(*pair, |(n, _)| n) != name)
        .collect::<Vec<_>>()
        .join("&")
}

fn with_query(uri: &http::Uri, query: Option<&str>) -> Result<http::Uri, http::Error> {
    let path = uri.path();
    let pq = match query.filter(|q| !q.is_empty()) {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(http::uri::PathAndQuery::try_from(pq)?);
    Ok(http::Uri::from_parts(parts)?)
}

/// The API serving `path` on `hostname` with the longest path prefix, and the rest of the path.
fn match_api<'a>(
    instance: &'a ApimInstance,
    hostname: &str,
    path: &'a str,
) -> Option<(&'a str, &'a cfg::Api, &'a str)> {
    instance
        .apis
        .iter()
        .filter(|(_, api)| {
            api.hostnames.is_empty()
                || api
                    .hostnames
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(hostname))
        })
        .filter_map(|(name, api)| {
            let prefix = api.path.trim_matches('/');
            let rest = if prefix.is_empty() {
                path
            } else {
                let after = path.strip_prefix('/')?.strip_prefix(prefix)?;
                if !(after.is_empty() || after.starts_with('/')) {
                    return None;
                }
                after
            };
            Some((name.as_str(), api, rest, prefix.len()))
        })
        .max_by_key(|(_, _, _, len)| *len)
        .map(|(name, api, rest, _)| (name, api, rest))
}

fn method_matches(want: &str, have: &Method) -> bool {
    want == "*" || want.eq_ignore_ascii_case(have.as_str())
}

/// How specific a template is: literal segments first, then parameters, then a named method
/// over `*`; a trailing wildcard counts for nothing.
fn specificity(template: &str, method: &str) -> (usize, usize, bool) {
    let path = template.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let wildcard = |s: &&str| *s == "*" || s.starts_with("{*");
    let params = segments
        .iter()
        .filter(|s| s.starts_with('{') && !wildcard(s))
        .count();
    let literals = segments
        .iter()
        .filter(|s| !s.starts_with('{') && !wildcard(s))
        .count();
    (literals, params, method != "*")
}

/// `/items/{id}` against a path: literal segments equal, `{name}` any one segment, a final `*`
/// or `{*name}` any rest.
fn template_matches(template: &str, path: &str) -> bool {
    let template = template.split('?').next().unwrap_or_default();
    let want: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let have: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, segment) in want.iter().enumerate() {
        if *segment == "*" || segment.starts_with("{*") {
            return true;
        }
        let Some(actual) = have.get(i) else {
            return false;
        };
        let is_param = segment.starts_with('{') && segment.ends_with('}');
        if !is_param && segment != actual {
            return false;
        }
    }
    want.len() == have.len()
}

#[cfg(test)]
mod tests {
    use super::template_matches;

    #[test]
    fn literal_segments_outrank_parameters() {
        use super::specificity;
        assert!(specificity("/items/special", "GET") > specificity("/items/{id}", "GET"));
        assert!(specificity("/items/{id}", "GET") > specificity("/*", "GET"));
        assert!(specificity("/items/{id}", "GET") > specificity("/items/{id}", "*"));
    }

    #[test]
    fn templates() {
        assert!(template_matches("/", ""));
        assert!(template_matches("/", "/"));
        assert!(template_matches("/items/{id}", "/items/7"));
        assert!(!template_matches("/items/{id}", "/items"));
        assert!(!template_matches("/items/{id}", "/items/7/x"));
        assert!(template_matches("/files/*", "/files/a/b"));
        assert!(template_matches("/echo?x={x}", "/echo"));
    }
}
