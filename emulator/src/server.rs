//! The HTTP server: accept loop, connection threads and routing. The RPD API's
//! handlers are in [`rpd`], the control API (`/__emulator/...`) in [`control`].

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Map, Value};

use crate::faults::{self, Action, Endpoint, Fault, FaultKind, FaultQueue};
use crate::http::{self, ReadError, Request, Response};
use crate::signature::{self, Refusal};
use crate::state::{CreateError, Event, Key, Policy, ReversalOutcome, Store};
use crate::{clock, qr, Environment, Options, PayOutcome, RecordedRequest, Stats};

mod control;
mod rpd;

#[cfg(test)]
use control::CONTROL;

/// How many recorded requests are kept.
const RECORD_LIMIT: usize = 1000;
/// Idle time after which a keep-alive connection is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Sweeper period (expiry and auto-pay detection for webhooks).
const SWEEP_EVERY: Duration = Duration::from_millis(200);

/// Locks a mutex, ignoring poisoning (a panicking handler must not wedge the server).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by all server threads.
pub(crate) struct Shared {
    pub opts: Options,
    store: Mutex<Store>,
    faults: Mutex<FaultQueue>,
    recorded: Mutex<VecDeque<RecordedRequest>>,
    creates_received: AtomicU64,
    status_received: AtomicU64,
    requests_total: AtomicU64,
    rate_limited: AtomicU64,
    connections_accepted: AtomicU64,
    pub webhooks_sent: AtomicU64,
    pub webhooks_failed: AtomicU64,
    last_signature: Mutex<Option<String>>,
    stop: AtomicBool,
    stop_lock: Mutex<()>,
    stop_cv: Condvar,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
    live_conns: AtomicUsize,
    webhook_tx: Mutex<Option<Sender<Event>>>,
    sig_key: Option<rsa::PrivateKey>,
    tls: Option<Arc<rustls::ServerConfig>>,
    /// Rate-limit windows per client id: (window start, requests counted in it).
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

/// What the rate limiter says about one request.
struct RateVerdict {
    limit: u32,
    remaining: u32,
    reset_secs: u64,
    allowed: bool,
}

/// Which handler a request goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Create,
    Status,
    Other,
}

fn route(path: &str) -> Route {
    let path = path.strip_suffix('/').unwrap_or(path);
    match path {
        "/verification/reverse-penny-drop" => Route::Create,
        "/verification/remitter/status" => Route::Status,
        _ => Route::Other,
    }
}

/// The HTTP status a magic verification id (`emu-fault-<code>...`) asks for.
fn magic_status(verification_id: &str) -> Option<u16> {
    let rest = verification_id.strip_prefix("emu-fault-")?;
    let code: u16 = rest.get(..3)?.parse().ok()?;
    if rest.len() > 3 && !rest[3..].starts_with('-') {
        return None;
    }
    [400, 401, 403, 404, 422, 429, 500, 502, 503]
        .contains(&code)
        .then_some(code)
}

fn valid_verification_id(id: &str) -> bool {
    id.len() <= 50
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

fn bad_request(code: &str, message: &str) -> Response {
    faults::error(400, code, message, "validation_error")
}

fn ok_json(v: Value) -> Response {
    Response::json(200, serde_json::to_vec(&v).unwrap_or_default())
}

/// Sets SO_LINGER to 0 so that closing the socket sends RST.
#[cfg(unix)]
fn set_linger_zero(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: valid fd owned by `s`, pointer and length describe a live `linger`.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

#[cfg(not(unix))]
fn set_linger_zero(_s: &TcpStream) {}

fn send<S: Write>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes)?;
    stream.flush()
}

impl Shared {
    pub fn new(
        opts: Options,
        sig_key: Option<rsa::PrivateKey>,
        tls: Option<Arc<rustls::ServerConfig>>,
        webhook_tx: Option<Sender<Event>>,
    ) -> Shared {
        let policy = Policy {
            auto_pay: opts.auto_pay_outcome.clone(),
            reversal: opts.reversal_outcome,
            reversal_step: opts.reversal_step,
        };
        Shared {
            opts,
            store: Mutex::new(Store::new(policy)),
            faults: Mutex::new(FaultQueue::default()),
            recorded: Mutex::new(VecDeque::with_capacity(64)),
            creates_received: AtomicU64::new(0),
            status_received: AtomicU64::new(0),
            requests_total: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            connections_accepted: AtomicU64::new(0),
            webhooks_sent: AtomicU64::new(0),
            webhooks_failed: AtomicU64::new(0),
            last_signature: Mutex::new(None),
            stop: AtomicBool::new(false),
            stop_lock: Mutex::new(()),
            stop_cv: Condvar::new(),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            live_conns: AtomicUsize::new(0),
            webhook_tx: Mutex::new(webhook_tx),
            sig_key,
            tls,
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Sleeps for `d` or until the server stops.
    fn sleep(&self, d: Duration) {
        let deadline = Instant::now() + d;
        let mut guard = lock(&self.stop_lock);
        while !self.stopped() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            guard = match self.stop_cv.wait_timeout(guard, left) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
    }

    // ---- public operations (used by the library API and control endpoints) ----

    pub fn inject(&self, fault: Fault) {
        lock(&self.faults).push(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub fn pay(
        &self,
        verification_id: &str,
        outcome: &PayOutcome,
        reversal: Option<ReversalOutcome>,
    ) -> Result<(), String> {
        let event = lock(&self.store).pay(verification_id, outcome, reversal, SystemTime::now())?;
        self.emit(event);
        Ok(())
    }

    pub fn stats(&self) -> Stats {
        Stats {
            creates_received: self.creates_received.load(Ordering::Relaxed),
            status_received: self.status_received.load(Ordering::Relaxed),
            requests_total: self.requests_total.load(Ordering::Relaxed),
            connections_accepted: self.connections_accepted.load(Ordering::Relaxed),
            last_signature: lock(&self.last_signature).clone(),
            webhooks_sent: self.webhooks_sent.load(Ordering::Relaxed),
            webhooks_failed: self.webhooks_failed.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.recorded).iter().cloned().collect()
    }

    /// Queues a webhook delivery, if webhooks are configured.
    fn emit(&self, event: Event) {
        if let Some(tx) = lock(&self.webhook_tx).as_ref() {
            let _ = tx.send(event);
        }
    }

    fn emit_all(&self, events: Vec<Event>) {
        for e in events {
            self.emit(e);
        }
    }

    // ---- request handling ----

    fn record(&self, req: &Request) {
        let rec = RecordedRequest {
            method: req.method.clone(),
            path: req.target.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
        };
        let mut q = lock(&self.recorded);
        if q.len() >= RECORD_LIMIT {
            q.pop_front();
        }
        q.push_back(rec);
    }

    /// Answers one request.
    pub(crate) fn handle(&self, req: &Request) -> Action {
        if let Some(name) = req.path().strip_prefix("/__emulator/") {
            return Action::Respond(self.control(name, req));
        }
        self.requests_total.fetch_add(1, Ordering::Relaxed);
        self.record(req);
        let route = route(req.path());
        let hit = match route {
            Route::Create => {
                self.creates_received.fetch_add(1, Ordering::Relaxed);
                Endpoint::Create
            }
            Route::Status => {
                self.status_received.fetch_add(1, Ordering::Relaxed);
                Endpoint::Status
            }
            Route::Other => Endpoint::Any,
        };
        let request_id = req.header("x-request-id").unwrap_or("-");
        let verdict = self.rate_limit(req);
        if let Some(v) = verdict.as_ref().filter(|v| !v.allowed) {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
            if self.opts.log {
                eprintln!(
                    "{} {} [x-request-id {request_id}] -> 429 rate limited",
                    req.method, req.target
                );
            }
            let r = faults::documented(429);
            return Action::Respond(faults::rate_limit_headers(
                r,
                v.limit,
                v.remaining,
                v.reset_secs,
            ));
        }
        let fault = lock(&self.faults).take(hit);
        let mut extra_fields = false;
        let mut extra_headers = None;
        let mut other = None;
        match fault {
            None => {}
            Some(FaultKind::Delay(d)) => self.sleep(d),
            Some(FaultKind::ExtraFields) => extra_fields = true,
            Some(FaultKind::RateLimitHeaders {
                limit,
                remaining,
                reset_secs,
            }) => extra_headers = Some((limit, remaining, reset_secs)),
            Some(FaultKind::OtherRequest { verification_id }) => other = Some(verification_id),
            Some(kind) => {
                if self.opts.log {
                    eprintln!(
                        "{} {} [x-request-id {request_id}] -> fault {kind:?}",
                        req.method, req.target
                    );
                }
                let action = faults::render(&kind, hit, &id_hint(req, hit));
                return with_rate_headers(action, verdict.as_ref());
            }
        }
        let resp = match self.process(route, req) {
            Ok(mut obj) => {
                if let Some(wanted) = other {
                    self.swap_for_other(route, &mut obj, wanted.as_deref());
                }
                if extra_fields {
                    faults::add_extra_fields(&mut obj);
                }
                ok_json(Value::Object(obj))
            }
            Err(resp) => resp,
        };
        let resp = match extra_headers {
            Some((limit, remaining, reset)) => {
                faults::rate_limit_headers(resp, limit, remaining, reset)
            }
            None => resp,
        };
        if self.opts.log {
            eprintln!(
                "{} {} [x-request-id {request_id}] -> {}",
                req.method, req.target, resp.status
            );
        }
        with_rate_headers(Action::Respond(resp), verdict.as_ref())
    }

    /// Counts `req` in its client's window (None when no limit is configured).
    fn rate_limit(&self, req: &Request) -> Option<RateVerdict> {
        let (limit, window) = self.opts.rate_limit?;
        let client = req.header("x-client-id").unwrap_or("").to_string();
        let now = Instant::now();
        let mut windows = lock(&self.windows);
        let entry = windows.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        let left = window.saturating_sub(now.duration_since(entry.0));
        let reset_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        Some(RateVerdict {
            limit,
            remaining: limit - entry.1,
            reset_secs,
            allowed,
        })
    }

    // ---- connections ----

    fn serve_conn(&self, tcp: TcpStream) {
        let _ = tcp.set_read_timeout(Some(IDLE_TIMEOUT));
        let Ok(raw) = tcp.try_clone() else { return };
        match &self.tls {
            Some(cfg) => {
                let Ok(conn) = rustls::ServerConnection::new(cfg.clone()) else {
                    return;
                };
                self.serve(rustls::StreamOwned::new(conn, tcp), &raw);
            }
            None => {
                if starts_with_tls_handshake(&tcp) {
                    // An https:// client on the plain-HTTP port: answer at once (plain
                    // text that is not TLS), so the client fails in milliseconds with its
                    // "not TLS" hint instead of waiting for a ServerHello until it times out.
                    let _ = send(&mut &tcp, TLS_ON_PLAIN_PORT.as_bytes());
                    let _ = raw.shutdown(Shutdown::Write);
                    return;
                }
                self.serve(tcp, &raw)
            }
        }
    }

    fn serve<S: Read + Write>(&self, mut stream: S, raw: &TcpStream) {
        let mut buf = Vec::with_capacity(4096);
        while !self.stopped() {
            let req = match http::read_request(&mut stream, &mut buf) {
                Ok(Some(r)) => r,
                Ok(None) | Err(ReadError::Io) => return,
                Err(ReadError::Bad(code, msg)) => {
                    let mut r = faults::error(code, "bad_request", msg, "invalid_request_error");
                    r.close = true;
                    let _ = send(&mut stream, &r.to_bytes(false));
                    let _ = raw.shutdown(Shutdown::Write);
                    return;
                }
            };
            match self.handle(&req) {
                Action::Respond(mut r) => {
                    r.close |= !req.keep_alive;
                    if send(&mut stream, &r.to_bytes(req.http10)).is_err() || r.close {
                        return;
                    }
                }
                Action::ResetBeforeResponse => {
                    set_linger_zero(raw);
                    return;
                }
                Action::ResetAfterHeaders(r) => {
                    let _ = send(&mut stream, &r.to_bytes_with(r.body.len(), &[], false));
                    set_linger_zero(raw);
                    return;
                }
                Action::Truncated(r) => {
                    let half = &r.body[..r.body.len() / 2];
                    let _ = send(&mut stream, &r.to_bytes_with(r.body.len(), half, false));
                    let _ = raw.shutdown(Shutdown::Write);
                    return;
                }
            }
        }
    }
}

/// TLS records of type handshake (a ClientHello first) start with this byte; no HTTP
/// request does.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// What the plain-HTTP port answers a TLS ClientHello.
const TLS_ON_PLAIN_PORT: &str = "HTTP/1.1 400 Bad Request\r\n\
    Content-Type: text/plain\r\n\
    Connection: close\r\n\
    Content-Length: 70\r\n\r\n\
    This port speaks plain HTTP, not TLS: use http:// instead of https://\n";

/// Whether the first byte the client sent opens a TLS handshake (waits for it, within
/// the connection's read timeout; false when nothing or something else arrives).
fn starts_with_tls_handshake(tcp: &TcpStream) -> bool {
    let mut first = [0u8; 1];
    matches!(tcp.peek(&mut first), Ok(1)) && first[0] == TLS_HANDSHAKE_RECORD
}

/// Adds the rate limiter's headers to an answer that has none of its own.
fn with_rate_headers(action: Action, verdict: Option<&RateVerdict>) -> Action {
    let (Action::Respond(r), Some(v)) = (&action, verdict) else {
        return action;
    };
    if r.headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-ratelimit-limit"))
    {
        return action;
    }
    Action::Respond(faults::rate_limit_headers(
        r.clone(),
        v.limit,
        v.remaining,
        v.reset_secs,
    ))
}

/// A verification id to echo in canned fault bodies.
fn id_hint(req: &Request, hit: Endpoint) -> String {
    let found = match hit {
        Endpoint::Status => http::query_param(req.query(), "verification_id"),
        _ => serde_json::from_slice::<Value>(&req.body)
            .ok()
            .and_then(|v| v.get("verification_id")?.as_str().map(str::to_string)),
    };
    found.unwrap_or_else(|| "emu-canned".to_string())
}

/// Accepts connections until the server stops; one thread per connection.
pub(crate) fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    for conn in listener.incoming() {
        if shared.stopped() {
            break;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(_) => {
                // Out of descriptors or similar: back off instead of spinning.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        shared.connections_accepted.fetch_add(1, Ordering::Relaxed);
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(c) = stream.try_clone() {
            lock(&shared.conns).insert(id, c);
        }
        shared.live_conns.fetch_add(1, Ordering::AcqRel);
        let sh = shared.clone();
        let spawned = thread::Builder::new()
            .name("rpd-emu-conn".into())
            .stack_size(512 * 1024)
            .spawn(move || {
                sh.serve_conn(stream);
                lock(&sh.conns).remove(&id);
                sh.live_conns.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            lock(&shared.conns).remove(&id);
            shared.live_conns.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Applies auto-pay and expiry every [`SWEEP_EVERY`] so webhooks fire without polling.
pub(crate) fn sweeper(shared: Arc<Shared>) {
    while !shared.stopped() {
        let events = lock(&shared.store).sweep(SystemTime::now());
        shared.emit_all(events);
        shared.sleep(SWEEP_EVERY);
    }
}

/// First step of stopping: raises the stop flag and wakes sleeping threads.
pub(crate) fn signal_stop(shared: &Shared) {
    shared.stop.store(true, Ordering::Release);
    let _g = lock(&shared.stop_lock);
    shared.stop_cv.notify_all();
}

/// Second step of stopping (after the accept thread has exited): closes live
/// connections, ends webhook deliveries and waits (bounded) for connection threads.
pub(crate) fn close_all(shared: &Shared) {
    for (_, s) in lock(&shared.conns).drain() {
        let _ = s.shutdown(Shutdown::Both);
    }
    lock(&shared.webhook_tx).take();
    let deadline = Instant::now() + Duration::from_secs(2);
    while shared.live_conns.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_documents_every_control_endpoint() {
        let readme = include_str!("../README.md");
        for (name, method) in CONTROL {
            let ep = format!("`{method} /__emulator/{name}`");
            assert!(readme.contains(&ep), "README lacks {ep}");
        }
        assert!(readme.contains(crate::state::REVERSAL_FAILED_PREFIX));
        assert!(readme.contains(crate::PRODUCTION_CLIENT_SECRET));
        assert!(readme.contains(crate::TEST_CLIENT_SECRET));
        assert!(readme.contains(crate::TEST_CLIENT_ID));
    }
}
