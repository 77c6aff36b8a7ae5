//! HTTPS mode: a throw-away CA and server certificate, and the rustls server config.

use std::io;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// The TLS material of one emulator run.
pub(crate) struct Tls {
    /// Server configuration (ring provider, TLS 1.2 and 1.3).
    pub config: Arc<ServerConfig>,
    /// PEM of the CA certificate that signed the server certificate.
    pub ca_pem: String,
}

fn err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("TLS setup: {e}"))
}

/// Generates a CA and a server certificate for `localhost` and `127.0.0.1`.
pub(crate) fn generate() -> io::Result<Tls> {
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(
        DnType::CommonName,
        "cashfree-rpd-emulator test CA (not trusted)",
    );
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(err)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf_key = KeyPair::generate().map_err(err)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(err)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)
        .map_err(err)?;
    Ok(Tls {
        config: Arc::new(config),
        ca_pem: ca_cert.pem(),
    })
}
