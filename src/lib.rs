//! # cashfree-rpd
//!
//! A small, blocking client for Cashfree's **Reverse Penny Drop** (RPD) bank account
//! verification, with a C ABI.
//!
//! The merchant creates a request; the customer pays ₹1 from any UPI app (deep links or
//! a QR code, valid about 10 minutes); Cashfree reports the payer's bank account, IFSC,
//! name at bank and a name-match score, and refunds the rupee.
//!
//! ```no_run
//! use cashfree_rpd::{Client, Config, Environment};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), cashfree_rpd::Error> {
//! let mut config = Config::new("my-client-id", "my-client-secret")?;
//! config.set_environment(Environment::Sandbox);
//! let client = Client::new(&config)?;
//!
//! let request = client.create("order-1234", "Jane Doe")?;
//! println!("pay ₹1 with: {}", request.upi_link);
//!
//! let options = cashfree_rpd::WaitOptions::new(Duration::from_secs(600));
//! match client.wait("order-1234", &options) {
//!     Ok(status) => println!("{}: {:?}", status.status, status.name_at_bank),
//!     Err(e) => eprintln!("{}", e.error),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! No async runtime, no OpenSSL: `ureq` + `rustls` (ring) + `serde_json`.
//!
//! # Module map
//!
//! A call goes down this list and its answer comes back up:
//!
//! | module | holds |
//! |---|---|
//! | `config` | [`Config`]: credentials, environment, timeouts, proxy, root CAs |
//! | `url` | base URLs checked (https, or http to loopback); proxy passwords found and masked |
//! | `client` | [`Client`]: create and status calls (requests built, answers decoded, the journal kept) |
//! | `attempt` | the attempt engine: one call's attempts in named steps (deadlines, headers, send, judge, retry or give up) |
//! | `wait` | [`Client::wait_for_result`]: polling with back-off and the rate-limit window |
//! | `retry` | which failures are retried, back-off, errors from non-2xx answers |
//! | `request_id` | the `x-request-id` of each attempt |
//! | `signature` | `x-cf-signature` (RSA-OAEP of the client id and a timestamp) |
//! | `net` | the transport layer, one module each: one exchange over the shared `ureq::Agent` (`http`), a failed exchange sorted into network / timeout / TLS (`errors`), host names resolved once per 10 s (`resolve`), the TCP transport under ureq (`transport`), the rustls configuration (`tls`), what the current attempt did (`trace`) |
//! | `status_fields` | Cashfree's status fields, declared once |
//! | `model` | the result types: [`CreatedRequest`], [`Status`] and their enums |
//! | `decode` | answers decoded leniently into the result types |
//! | `sniff` | Cashfree's error object under a 2xx, HTML where JSON was expected |
//! | `png` | the QR code's base64 PNG, decoded only when asked |
//! | `redact` | the client secret scrubbed from everything handed back |
//! | `ratelimit` | [`RateLimit`]: the `X-RateLimit-*` window |
//! | `error` | [`Error`] and [`ErrorKind`] |
//! | `validate` | ids and names checked before any I/O |
//! | [`journal`] | the create journal: creates that survive a crash or power cut |
//! | [`diagnostics`] | log records (the `log` facade or a callback) |
//! | [`webhook`] | webhook signature checks and decoding |
//! | [`qr`] | QR matrices and PNGs for screens and printers |
//! | `serialize` | `Serialize` for the result types (feature `serde`) |
//! | [`ffi`] | the C ABI: a thin shell over the above, one module per header topic (version, names, errors, config, client, calls, journal, QR, webhooks) |

#![forbid(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod attempt;
mod client;
mod config;
mod decode;
pub mod diagnostics;
mod error;
pub mod journal;
mod model;
mod net;
mod png;
pub mod qr;
mod ratelimit;
mod redact;
mod request_id;
mod retry;
#[cfg(feature = "serde")]
mod serialize;
mod signature;
mod sniff;
mod status_fields;
mod url;
mod validate;
mod wait;
pub mod webhook;

/// The C ABI (`include/cashfree_rpd.h`): exported `cfrpd_*` functions for C and C++,
/// not for Rust callers (hidden from these docs; the header documents it).
#[doc(hidden)]
pub mod ffi;

pub use attempt::API_VERSION;
pub use client::Client;
pub use config::{
    Config, Environment, DEFAULT_CALL_DEADLINE, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_IDLE_CONNECTIONS, DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT, LONGEST_DURATION,
    MAX_IDLE_CONNECTIONS_LIMIT, MAX_RETRIES_LIMIT,
};
pub use diagnostics::LogLevel;
pub use error::{Error, ErrorKind, Result};
pub use journal::{JournalEntry, JournalState};
pub use model::{CreatedRequest, NameMatch, ReversalStatus, Status, VerificationStatus};
pub use ratelimit::RateLimit;
pub use validate::{validate_name, validate_ref_id, validate_verification_id};
pub use wait::{WaitError, WaitOptions, DEFAULT_POLL_INTERVAL, MIN_POLL_INTERVAL};

/// The crate version, as in `Cargo.toml` (also sent in the `User-Agent`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// [`VERSION`] as one number: `MAJOR * 10000 + MINOR * 100 + PATCH` (0.1.0 is 100), the
/// value C programs get from `cfrpd_version_number()`.
pub const VERSION_NUMBER: u32 = {
    const fn num(s: &str) -> u32 {
        let b = s.as_bytes();
        let mut i = 0;
        let mut n = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            n = n * 10 + (b[i] - b'0') as u32;
            i += 1;
        }
        n
    }
    num(env!("CARGO_PKG_VERSION_MAJOR")) * 10000
        + num(env!("CARGO_PKG_VERSION_MINOR")) * 100
        + num(env!("CARGO_PKG_VERSION_PATCH"))
};

/// Compiles the README's Rust snippets as doctests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Entry points for fuzzing and property tests (not a stable API; feature `fuzzing`).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// Decodes a status body exactly as [`Client::status`](crate::Client::status) does.
    pub fn decode_status(body: &[u8]) -> crate::Result<crate::Status> {
        crate::decode::decode_status(body)
    }

    /// Decodes a status body through the `serde_json::Value` reference path only (the
    /// client uses a faster direct path first; both must agree).
    pub fn decode_status_via_value(body: &[u8]) -> crate::Result<crate::Status> {
        crate::decode::decode_status_via_value(body)
    }

    /// Decodes a create body exactly as [`Client::create`](crate::Client::create) does.
    pub fn decode_created(body: &[u8], sent_id: &str) -> crate::Result<crate::CreatedRequest> {
        crate::decode::decode_created(body, sent_id)
    }

    /// Maps an error response to an error as the client does (for a GET).
    pub fn decode_error(status: u16, body: &[u8]) -> crate::Error {
        let resp = crate::net::RawResponse {
            status,
            body: body.to_vec(),
            body_problem: None,
            retry_after: None,
            rate_limit: None,
        };
        crate::retry::from_response(&resp, crate::retry::CallKind::Get, "fuzz")
            .error
            .scrubbed(&crate::redact::Redactor::default())
    }
}
