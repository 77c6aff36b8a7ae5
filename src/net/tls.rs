//! TLS over our transport with rustls (ring), verified against the Mozilla roots plus
//! the configured extra CAs. It does what ureq's own rustls connector does, and also
//! notes the handshake in the [`AttemptTrace`](super::trace::AttemptTrace) (TLS
//! version, cipher suite, time; whether it completed), so that logs can show it and a
//! stalled handshake can be told from a stalled answer.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use ureq::unversioned::transport::time::{Duration as UDuration, Instant as UInstant};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};
use ureq::Error;

use super::trace::{note, TlsTrace};
use crate::error::{Error as CrateError, Result};

/// The rustls client configuration of one client.
pub(crate) fn client_config(extra_roots: &[Vec<u8>]) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let (_, ignored) = roots.add_parsable_certificates(
        extra_roots
            .iter()
            .map(|der| CertificateDer::from(der.as_slice()).into_owned()),
    );
    if ignored > 0 {
        return Err(CrateError::invalid(
            "an extra root CA certificate cannot be used as a trust anchor",
        ));
    }
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| CrateError::invalid(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Wraps a connection in TLS when the URL is `https://`.
pub(crate) struct TlsConnector {
    pub(crate) config: Arc<ClientConfig>,
}

impl std::fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConnector")
    }
}

/// What remains of `t` now, when it was computed at `then`.
fn remaining(t: NextTimeout, then: UInstant, now: UInstant) -> NextTimeout {
    let mut left = t;
    if let (UDuration::Exact(after), UInstant::Exact(then), UInstant::Exact(now)) =
        (t.after, then, now)
    {
        left.after = UDuration::Exact(after.saturating_sub(now.saturating_duration_since(then)));
    }
    left
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, Error> {
        let Some(transport) = chained else {
            return Err(Error::Tls("no connection to wrap in TLS"));
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .authority()
            .map(|a| a.host().trim_start_matches('[').trim_end_matches(']'))
            .unwrap_or("");
        let name = ServerName::try_from(host)
            .map_err(|_| Error::Tls("the host is not a valid TLS server name"))?
            .to_owned();
        let mut conn = ClientConnection::new(self.config.clone(), name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        // The connect budget was computed when the connection started: what is left of
        // it bounds the handshake (never a fresh budget).
        sock.set_timeout(remaining(
            details.timeout,
            details.now,
            (details.current_time)(),
        ));
        note(|t| t.tls_started = true);
        let started = Instant::now();
        conn.complete_io(&mut sock)?;
        let elapsed = started.elapsed();
        let version = conn.protocol_version().and_then(|v| v.as_str());
        let suite = conn
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str());
        note(|t| {
            t.tls = Some(TlsTrace {
                version: version.unwrap_or("?"),
                suite: suite.unwrap_or("?"),
                handshake: elapsed,
            })
        });
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: StreamOwned { conn, sock },
        })))
    }
}

/// A TLS connection (see [`TlsConnector`]).
pub(crate) struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
