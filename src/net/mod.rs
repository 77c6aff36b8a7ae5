//! The transport layer: everything between "send these bytes to this URL" and "this
//! answer arrived" or "this failure, and whether the request may have reached the
//! server". Below `crate::attempt` (which decides what to send, and what to do with the
//! answer), above ureq and rustls.
//!
//! | module | holds |
//! |---|---|
//! | `http` | one exchange over the shared `ureq::Agent` (per process after `fork()`) |
//! | `errors` | [`Failure`]: a failed exchange sorted into network / timeout / TLS, in words |
//! | `resolve` | host names resolved once per 10 s, IP literals directly |
//! | `transport` | the TCP transport under ureq (one write per request, socket timeouts) |
//! | `tls` | the rustls client configuration and handshake |
//! | `trace` | [`AttemptTrace`]: what the current attempt did (connected, handshake, written) |
//!
//! Each uses only those below it in this table (`http` → `errors`, `resolve`, `trace`,
//! `transport`, `tls`; `transport` → `tls`; `errors`, `transport`, `tls` → `trace`),
//! so there are no import circles.

mod errors;
pub(crate) mod http;
mod resolve;
mod tls;
mod trace;
mod transport;

pub(crate) use errors::Failure;
pub(crate) use http::{BodyProblem, Http, RawResponse};
pub(crate) use trace::{attempt_trace, begin_attempt, current_pid, end_attempt, AttemptTrace};
