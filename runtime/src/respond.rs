//! The responses the runtime generates itself, shaped as Azure's: AppGW's nginx-style HTML pages
//! with its `Server` header, and APIM's `{"statusCode": N, "message": "…"}` JSON bodies.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full};

use crate::outbound::ProxyBody;

pub const APPGW_SERVER: &str = "Microsoft-Azure-Application-Gateway/v2";

pub fn body(bytes: impl Into<Bytes>) -> ProxyBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn empty() -> ProxyBody {
    body(Bytes::new())
}

/// An AppGW error page: `<title>{status} {title}</title>`, `<h1>{status} {reason}</h1>`, then the
/// title again as text, footer with the server name (as observed from Azure).
pub fn appgw_html(status: StatusCode, title: &str) -> Response<ProxyBody> {
    let code = status.as_u16();
    let reason = status.canonical_reason().unwrap_or("Error");
    let text = format!(
        "<html>\r\n<head><title>{code} {title}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n\
         <center>{title}</center>\r\n<hr><center>{APPGW_SERVER}</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(body(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    headers.insert(header::SERVER, HeaderValue::from_static(APPGW_SERVER));
    response
}

pub const NO_CERT: &str = "No required SSL certificate was sent";
pub const CERT_ERROR: &str = "The SSL certificate error";
pub const BAD_GATEWAY: &str = "Bad Gateway";

/// APIM's standard error body.
pub fn apim_json(status: StatusCode, message: &str) -> Response<ProxyBody> {
    let message = serde_json::to_string(message).unwrap_or_else(|_| "\"\"".into());
    let text = format!(
        "{{ \"statusCode\": {}, \"message\": {message} }}",
        status.as_u16()
    );
    let mut response = Response::new(body(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
