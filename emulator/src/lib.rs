//! Local emulator of Cashfree's Reverse Penny Drop (RPD) API, for tests and demos.
//!
//! It serves `POST /verification/reverse-penny-drop` and
//! `GET /verification/remitter/status` over HTTP/1.1 (optionally HTTPS with a
//! generated CA), checks credentials and (optionally) `x-cf-signature`, simulates
//! payments, expiry and webhooks, and injects faults on demand.
//!
//! (Not compiled as a doctest: with the library as a dependency of the emulator and the
//! emulator as a dev-dependency of the library, rustdoc can pick a stale copy of the
//! library from earlier builds with other features. The same code runs in the tests.)
//!
//! ```ignore
//! use cashfree_rpd_emulator::{Emulator, Endpoint, Fault, FaultKind};
//! let emu = Emulator::start_default().unwrap();
//! println!("{}", emu.base_url()); // http://127.0.0.1:PORT/verification
//! emu.inject(Fault::once(Endpoint::Status, FaultKind::Documented(500)));
//! ```
//!
//! HTTP control endpoints (no auth) for C and CLI tests: `POST /__emulator/pay`,
//! `POST /__emulator/fault`, `GET /__emulator/stats`, `GET /__emulator/requests`,
//! `POST /__emulator/reset`. They are not counted in [`Stats`] nor recorded in
//! [`Emulator::requests`].
//!
//! Everything the emulator does (flags, control endpoints, fault kinds, magic ids,
//! credentials, life cycle) is documented in one place: `emulator/README.md`.

#![warn(missing_docs)]

mod canned;
mod cli;
mod clock;
mod fault_json;
mod faults;
mod http;
mod png;
pub mod qr;
mod server;
mod signature;
mod state;
mod tls;
mod webhook;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub use cli::{run_cli, usage};
pub use faults::{Endpoint, Fault, FaultKind};
pub use state::ReversalOutcome;
pub use webhook::{sign_webhook_body_v1, sign_webhook_header};

/// Client id the emulator accepts by default.
pub const TEST_CLIENT_ID: &str = "emulator-client-id";
/// Client secret the emulator accepts by default (also the webhook HMAC key). It counts
/// as a sandbox (test) secret: [`Environment::Production`] refuses it.
pub const TEST_CLIENT_SECRET: &str = "emulator-client-secret";
/// Client secret of [`Options::production`]: shaped like a Cashfree production secret
/// (`cfsk_ma_prod_...`), so [`Environment::Sandbox`] refuses it.
pub const PRODUCTION_CLIENT_SECRET: &str = "cfsk_ma_prod_emulator_client_secret";

/// Which Cashfree environment the emulator plays (it decides which secrets are refused
/// with HTTP 400 `client_secret_invalid_environment`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Environment {
    /// `https://sandbox.cashfree.com`: refuses production-looking secrets
    /// (see [`Environment::secret_belongs_elsewhere`]).
    #[default]
    Sandbox,
    /// `https://api.cashfree.com`: refuses test-looking secrets.
    Production,
}

impl Environment {
    /// Whether `secret` belongs to the other environment, by the emulator's rule:
    /// a secret containing `_test_` (any case) or equal to [`TEST_CLIENT_SECRET`] is a
    /// sandbox secret; one containing `_prod_` (any case) is a production secret.
    /// (Cashfree's secrets look like `cfsk_ma_test_...` and `cfsk_ma_prod_...`.)
    pub fn secret_belongs_elsewhere(self, secret: &str) -> bool {
        let lower = secret.to_ascii_lowercase();
        match self {
            Environment::Production => lower.contains("_test_") || secret == TEST_CLIENT_SECRET,
            Environment::Sandbox => lower.contains("_prod_"),
        }
    }

    /// `"sandbox"` or `"production"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }
}

/// How a simulated payment ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayOutcome {
    /// `true` → status `SUCCESS` with bank details; `false` → `FAILURE`.
    pub success: bool,
    /// Name of the payer as the bank has it (compared with the expected name). Empty
    /// (the default) = the `name` sent at create, in capitals as banks hold names
    /// ("John Doe" pays as "JOHN DOE"), so the name match is `DIRECT_MATCH`.
    pub payer_name: String,
}

impl Default for PayOutcome {
    /// A successful payment by the account holder named at create.
    fn default() -> Self {
        PayOutcome {
            success: true,
            payer_name: String::new(),
        }
    }
}

impl PayOutcome {
    /// A successful payment by `payer_name`.
    pub fn paid_by(payer_name: &str) -> PayOutcome {
        PayOutcome {
            success: true,
            payer_name: payer_name.to_string(),
        }
    }

    /// A failed payment (status `FAILURE`).
    pub fn failure() -> PayOutcome {
        PayOutcome {
            success: false,
            payer_name: String::new(),
        }
    }
}

/// Emulator settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Address to listen on (default 127.0.0.1).
    pub host: IpAddr,
    /// Port (default 0 = any free port).
    pub port: u16,
    /// Accepted `x-client-id` (default [`TEST_CLIENT_ID`]).
    pub client_id: String,
    /// Accepted `x-client-secret` (default [`TEST_CLIENT_SECRET`]).
    pub client_secret: String,
    /// How long a request can be paid (default 600 s); then it is `EXPIRED`.
    pub validity: Duration,
    /// Pay every request automatically this long after its creation.
    pub auto_pay_after: Option<Duration>,
    /// Outcome of automatic payments.
    pub auto_pay_outcome: PayOutcome,
    /// Serve HTTPS with a generated certificate (see [`Emulator::ca_cert_pem`]).
    pub tls: bool,
    /// Require `x-cf-signature`, decrypted with this RSA private key (PKCS#8 or PKCS#1 PEM).
    pub signature_private_key_pem: Option<String>,
    /// POST webhooks here (`http://` to a loopback address only).
    pub webhook_url: Option<String>,
    /// Number of creates allowed before answering 422 insufficient balance.
    pub balance: Option<u64>,
    /// Log each request to stderr.
    pub log: bool,
    /// How long each step of the refund of a paid request takes: `reversal_status` is
    /// `PENDING` for this long after the payment, then `TRANSFER_INITIATED` for as long
    /// again, then `TRANSFER_SUCCESS` (or `FAILED`). Default 5 s; zero = final at once.
    pub reversal_step: Duration,
    /// How the refund of payments ends unless said otherwise ([`Emulator::pay_with`],
    /// the `reversal` field of `POST /__emulator/pay`, or a verification_id starting
    /// `emu-reversal-failed`). Default [`ReversalOutcome::TransferSuccess`].
    pub reversal_outcome: ReversalOutcome,
    /// A real rate limiter: at most this many API requests per client id in each
    /// fixed window (the window starts with the client's first request). Every API
    /// answer then carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
    /// `X-RateLimit-Reset` (whole seconds until the window resets, rounded up); a request
    /// over the limit gets 429 with those headers only (no `Retry-After`) and is not
    /// processed. Default `None` (no limit, no headers).
    pub rate_limit: Option<(u32, Duration)>,
    /// Which environment the emulator plays (default [`Environment::Sandbox`]); secrets
    /// of the other one are refused with 400 `client_secret_invalid_environment`.
    pub environment: Environment,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            client_id: TEST_CLIENT_ID.to_string(),
            client_secret: TEST_CLIENT_SECRET.to_string(),
            validity: Duration::from_secs(600),
            auto_pay_after: None,
            auto_pay_outcome: PayOutcome::default(),
            tls: false,
            signature_private_key_pem: None,
            webhook_url: None,
            balance: None,
            log: false,
            reversal_step: Duration::from_secs(5),
            reversal_outcome: ReversalOutcome::TransferSuccess,
            rate_limit: None,
            environment: Environment::Sandbox,
        }
    }
}

impl Options {
    /// [`Options::default`] playing production: [`Environment::Production`] with
    /// [`PRODUCTION_CLIENT_SECRET`] as the accepted secret.
    pub fn production() -> Options {
        Options {
            environment: Environment::Production,
            client_secret: PRODUCTION_CLIENT_SECRET.to_string(),
            ..Options::default()
        }
    }
}

/// Counters of what the emulator has seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests to the create path (whatever their outcome, faults included).
    pub creates_received: u64,
    /// Requests to the status path (whatever their outcome, faults included).
    pub status_received: u64,
    /// All API requests (control endpoints excluded).
    pub requests_total: u64,
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// Last `x-cf-signature` header received.
    pub last_signature: Option<String>,
    /// Webhook deliveries answered with 2xx.
    pub webhooks_sent: u64,
    /// Webhook deliveries that failed (no connection, timeout, non-2xx).
    pub webhooks_failed: u64,
    /// API requests refused with 429 by the rate limiter ([`Options::rate_limit`];
    /// injected 429 faults are not counted here).
    pub rate_limited: u64,
}

/// One API request as received (the last 1000 are kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path with query string.
    pub path: String,
    /// Headers, names lowercased, in order of arrival.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The `x-request-id` header the client sent, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.header("x-request-id")
    }

    /// The `x-api-version` header the client sent, if any.
    pub fn api_version(&self) -> Option<&str> {
        self.header("x-api-version")
    }

    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A running emulator. Stops on [`Emulator::stop`] or drop.
pub struct Emulator {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    ca_pem: Option<String>,
    threads: Vec<JoinHandle<()>>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new().name(name.to_string()).spawn(f)
}

impl Emulator {
    /// Starts an emulator with these options.
    pub fn start(opts: Options) -> std::io::Result<Emulator> {
        if opts
            .environment
            .secret_belongs_elsewhere(&opts.client_secret)
        {
            return Err(invalid(format!(
                "the accepted client secret looks like a {} secret but the emulator plays \
                 {}: every call would be refused (use Options::production() or a secret \
                 without _test_/_prod_)",
                match opts.environment {
                    Environment::Production => "sandbox",
                    Environment::Sandbox => "production",
                },
                opts.environment.as_str()
            )));
        }
        if let Some((n, window)) = opts.rate_limit {
            if n == 0 || window.is_zero() {
                return Err(invalid(format!(
                    "rate_limit ({n} requests per {window:?}) must allow at least 1 request \
                     in a non-zero window"
                )));
            }
        }
        let sig_key = match &opts.signature_private_key_pem {
            Some(pem) => Some(signature::parse_private_key(pem).map_err(invalid)?),
            None => None,
        };
        let target = match &opts.webhook_url {
            Some(url) => Some(webhook::parse_url(url).map_err(invalid)?),
            None => None,
        };
        let tls = if opts.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let listener = TcpListener::bind((opts.host, opts.port))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(server::Shared::new(
            opts,
            sig_key,
            tls.as_ref().map(|t| t.config.clone()),
            target.as_ref().map(|_| tx),
        ));
        let mut emu = Emulator {
            shared: shared.clone(),
            addr,
            ca_pem: tls.map(|t| t.ca_pem),
            threads: Vec::new(),
            accept: None,
        };
        let sh = shared.clone();
        emu.accept = Some(spawn("rpd-emu-accept", move || {
            server::accept_loop(sh, listener)
        })?);
        let sh = shared.clone();
        emu.threads
            .push(spawn("rpd-emu-sweeper", move || server::sweeper(sh))?);
        if let Some(target) = target {
            let sh = shared;
            emu.threads.push(spawn("rpd-emu-webhook", move || {
                webhook::worker(sh, target, rx)
            })?);
        }
        Ok(emu)
    }

    /// Starts an emulator with [`Options::default`].
    pub fn start_default() -> std::io::Result<Emulator> {
        Emulator::start(Options::default())
    }

    /// Base URL for a client, e.g. `http://127.0.0.1:41234/verification`
    /// (`https://` in TLS mode).
    pub fn base_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        let a = self.connect_addr();
        format!("{scheme}://{a}/verification")
    }

    /// Address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Address to connect to (loopback when listening on an unspecified address).
    fn connect_addr(&self) -> SocketAddr {
        match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::from((Ipv4Addr::LOCALHOST, self.addr.port()))
            }
            IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, self.addr.port()))
            }
            _ => self.addr,
        }
    }

    /// PEM of the CA that signed the server certificate (TLS mode only).
    pub fn ca_cert_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// Simulates the payment of a pending request; the refund ends as
    /// [`Options::reversal_outcome`] says.
    pub fn pay(&self, verification_id: &str, outcome: PayOutcome) -> Result<(), String> {
        self.shared.pay(verification_id, &outcome, None)
    }

    /// Simulates the payment of a pending request whose refund ends as `reversal` says.
    pub fn pay_with(
        &self,
        verification_id: &str,
        outcome: PayOutcome,
        reversal: ReversalOutcome,
    ) -> Result<(), String> {
        self.shared.pay(verification_id, &outcome, Some(reversal))
    }

    /// Queues a fault for the next matching request(s).
    pub fn inject(&self, fault: Fault) {
        self.shared.inject(fault);
    }

    /// Drops all queued faults.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Current counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// The last (up to 1000) API requests received, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Stops the server and waits for its threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        server::signal_stop(&self.shared);
        // Wake the blocking accept() with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.connect_addr(), Duration::from_secs(1));
        let _ = accept.join();
        server::close_all(&self.shared);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}
