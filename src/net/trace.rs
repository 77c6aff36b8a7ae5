//! What one attempt did, per thread: whether it opened a connection (and how long the
//! connect took), whether the TLS handshake started and what it negotiated, and whether
//! the request was handed to the connection. The transport ([`super::transport`]) and
//! TLS ([`super::tls`]) note it as they go; the failure classification
//! ([`super::errors`]) and the attempt engine (`crate::attempt`) read it: a failure
//! before the request was written certainly did not reach the server.
//!
//! Also the process id of the running attempt ([`current_pid`]), read once per attempt.

use std::cell::Cell;
use std::net::SocketAddr;
use std::time::Duration;

/// What one attempt did on this thread (see [`begin_attempt`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AttemptTrace {
    /// The request (head or body) was handed to a connection: it may have arrived.
    pub(crate) written: bool,
    /// A new TCP connection was opened (else a pooled one was reused, or none made).
    pub(crate) connected: Option<SocketAddr>,
    /// How long the TCP connect took.
    pub(crate) connect_time: Duration,
    /// A TLS handshake was started on a new connection.
    pub(crate) tls_started: bool,
    /// The handshake completed: what was negotiated.
    pub(crate) tls: Option<TlsTrace>,
    /// The process id, read once when the attempt began (0: no attempt running).
    pid: u32,
}

/// A completed TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TlsTrace {
    pub(crate) version: &'static str,
    pub(crate) suite: &'static str,
    pub(crate) handshake: Duration,
}

thread_local! {
    static TRACE: Cell<AttemptTrace> = const {
        Cell::new(AttemptTrace {
            written: false,
            connected: None,
            connect_time: Duration::ZERO,
            tls_started: false,
            tls: None,
            pid: 0,
        })
    };
}

/// Starts a new attempt on this thread (ureq runs a request on the calling thread).
/// A process cannot fork in the middle of this thread's attempt (it is busy in it), so
/// the process id is read once here, not at every socket operation.
pub(crate) fn begin_attempt() {
    TRACE.with(|t| {
        t.set(AttemptTrace {
            pid: own_pid(),
            ..AttemptTrace::default()
        })
    });
}

/// Ends the attempt (what it did stays readable); the process id is read afresh again.
pub(crate) fn end_attempt() {
    note(|t| t.pid = 0);
}

/// What the current attempt on this thread has done so far.
pub(crate) fn attempt_trace() -> AttemptTrace {
    TRACE.with(Cell::get)
}

pub(crate) fn note(f: impl FnOnce(&mut AttemptTrace)) {
    TRACE.with(|t| {
        let mut v = t.get();
        f(&mut v);
        t.set(v);
    });
}

/// This process's id (changes in a child after `fork()`): the one read when this
/// thread's attempt began, or read now outside attempts.
pub(crate) fn current_pid() -> u32 {
    match TRACE.with(|t| t.get().pid) {
        0 => own_pid(),
        pid => pid,
    }
}

#[cfg(unix)]
fn own_pid() -> u32 {
    std::process::id()
}

#[cfg(not(unix))]
fn own_pid() -> u32 {
    1
}
