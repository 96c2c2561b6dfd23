//! rustls configuration: the client-certificate verifier the listeners use, the server-certificate
//! verifier outbound connections use, and the builders for both configs.
//!
//! Neither verifier decides trust during the handshake on the inbound side: AppGW completes the
//! handshake and answers HTTP 400, APIM hands the certificate to policies. What the handshake
//! must still prove is possession of the key, so CertificateVerify signatures are always checked.

use std::sync::Arc;
use std::time::SystemTime;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use crate::Clock;

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Requests a client certificate without requiring one, and accepts any chain: the decision is
/// made after the handshake, per request, from the chain kept on the connection.
#[derive(Debug)]
pub struct RequestClientCert {
    pub provider: Arc<CryptoProvider>,
    /// CA names sent in the CertificateRequest (the SSL profile's trusted CAs).
    pub hints: Vec<DistinguishedName>,
}

impl ClientCertVerifier for RequestClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // NOTE: trust is deliberately not checked here; see the module comment.
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        signature(&self.provider, Tls::V12, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        signature(&self.provider, Tls::V13, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// How an outbound connection checks the backend's certificate.
#[derive(Debug, Clone)]
pub enum BackendTrust {
    /// Chain to these anchors (with the given intermediates), optionally checking the name.
    Roots {
        anchors: Vec<TrustAnchor<'static>>,
        validate_name: bool,
    },
    /// `validate_certificate_chain = false`: any certificate (the name can still be checked).
    AnyChain { validate_name: bool },
    /// Exactly this end-entity certificate (the runtime's own APIM hostname).
    Pinned(CertificateDer<'static>),
}

#[derive(Debug)]
pub struct BackendVerifier {
    pub trust: BackendTrust,
    pub provider: Arc<CryptoProvider>,
    pub clock: Clock,
}

impl ServerCertVerifier for BackendVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = webpki::EndEntityCert::try_from(end_entity).map_err(webpki_error)?;
        let check_name = |validate: bool| -> Result<(), rustls::Error> {
            if validate {
                cert.verify_is_valid_for_subject_name(server_name)
                    .map_err(webpki_error)?;
            }
            Ok(())
        };
        match &self.trust {
            BackendTrust::Pinned(expected) => {
                if expected.as_ref() != end_entity.as_ref() {
                    return Err(rustls::Error::InvalidCertificate(
                        rustls::CertificateError::UnknownIssuer,
                    ));
                }
            }
            BackendTrust::AnyChain { validate_name } => check_name(*validate_name)?,
            BackendTrust::Roots {
                anchors,
                validate_name,
            } => {
                cert.verify_for_usage(
                    self.provider.signature_verification_algorithms.all,
                    anchors,
                    intermediates,
                    unix_time(self.clock.now()),
                    webpki::KeyUsage::server_auth(),
                    None,
                    None,
                )
                .map_err(webpki_error)?;
                check_name(*validate_name)?;
            }
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        signature(&self.provider, Tls::V12, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        signature(&self.provider, Tls::V13, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

pub fn unix_time(t: SystemTime) -> UnixTime {
    UnixTime::since_unix_epoch(t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default())
}

fn webpki_error(e: webpki::Error) -> rustls::Error {
    use rustls::CertificateError as C;
    let kind = match e {
        webpki::Error::UnknownIssuer => C::UnknownIssuer,
        webpki::Error::CertExpired { .. } => C::Expired,
        webpki::Error::CertNotValidYet { .. } => C::NotValidYet,
        webpki::Error::CertRevoked => C::Revoked,
        webpki::Error::CertNotValidForName(_) => C::NotValidForName,
        other => C::Other(rustls::OtherError(Arc::new(WebpkiError(other)))),
    };
    rustls::Error::InvalidCertificate(kind)
}

#[derive(Debug)]
struct WebpkiError(webpki::Error);

impl std::fmt::Display for WebpkiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for WebpkiError {}

/// ALPN protocols for a listener or hostname.
pub fn alpn(http2: bool) -> Vec<Vec<u8>> {
    if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    }
}

/// The TLS version whose handshake signature is checked.
#[derive(Clone, Copy)]
enum Tls {
    V12,
    V13,
}

/// The handshake signature check both verifiers share: possession of the certificate's key,
/// with the provider's algorithms. It decides nothing about trust.
fn signature(
    provider: &rustls::crypto::CryptoProvider,
    version: Tls,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    let algorithms = &provider.signature_verification_algorithms;
    match version {
        Tls::V12 => rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms),
        Tls::V13 => rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms),
    }
}
