//! A minimal Cashfree-like HTTP/1.1 server that closes every connection left idle for
//! a set time, as load balancers and servers do with keep-alive connections (nginx's
//! `keepalive_timeout`). Answers creates and status calls with valid bodies, counts
//! creates per verification_id, and notes any request that crossed its close: bytes
//! arriving after it sent its FIN (the unavoidable race of keep-alive, which no probe
//! can see coming).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::script::{read_request, Seen};

#[derive(Default, Debug, Clone)]
pub struct IdleStats {
    /// Creates received, per verification_id.
    pub creates: HashMap<String, usize>,
    pub status_calls: usize,
    pub connections: usize,
    /// Connections the server closed because they were idle.
    pub idle_closes: usize,
    /// Requests (their first line) that arrived after the server's FIN.
    pub crossed: Vec<String>,
}

pub struct IdleServer {
    pub port: u16,
    /// Closes with RST rather than FIN.
    pub reset: bool,
    stats: Arc<Mutex<IdleStats>>,
}

impl IdleServer {
    /// Closes connections idle for `idle` (after a response, or since accept). With
    /// `reset`, it closes with a TCP RST (SO_LINGER 0) instead of a FIN.
    pub fn start(idle: Duration, reset: bool) -> IdleServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stats = Arc::new(Mutex::new(IdleStats::default()));
        let s = stats.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                s.lock().unwrap().connections += 1;
                let s = s.clone();
                thread::spawn(move || serve(conn, idle, reset, s));
            }
        });
        IdleServer { port, reset, stats }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/verification", self.port)
    }

    pub fn stats(&self) -> IdleStats {
        self.stats.lock().unwrap().clone()
    }
}

/// Whether `conn` has input (or EOF) within `within` (poll's timer is precise).
fn readable_within(conn: &TcpStream, within: Duration) -> bool {
    use std::os::fd::AsRawFd;
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut fd = libc::pollfd {
            fd: conn.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // Round up so poll never returns before `within`.
        let ms = left.as_micros().div_ceil(1000) as libc::c_int;
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut fd, 1, ms) };
        if n > 0 {
            return true;
        }
        if n == 0 && Instant::now() >= deadline {
            return false;
        }
    }
}

fn serve(mut conn: TcpStream, idle: Duration, reset: bool, stats: Arc<Mutex<IdleStats>>) {
    let _ = conn.set_nodelay(true);
    loop {
        // Wait for the next request at most `idle`. poll(2), not SO_RCVTIMEO: a socket
        // timeout runs on the coarse timer wheel and fires up to ~60 ms late for 1 s.
        if !readable_within(&conn, idle) {
            close_idle(conn, reset, &stats);
            return;
        }
        let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
        let Some(Seen { head, body }) = read_request(&mut conn) else {
            return;
        };
        let answer = respond(&head, &body, &stats);
        if conn.write_all(&answer).is_err() {
            return;
        }
    }
}

/// Closes an idle connection; a request arriving after the FIN is recorded.
fn close_idle(conn: TcpStream, reset: bool, stats: &Arc<Mutex<IdleStats>>) {
    stats.lock().unwrap().idle_closes += 1;
    if reset {
        // A request already waiting is lost with the RST: note it as crossed. (One
        // still in flight meets the RST and cannot be seen here.)
        let mut peek = [0u8; 4096];
        let _ = conn.set_nonblocking(true);
        if let Ok(n) = conn.peek(&mut peek) {
            if n > 0 {
                let text = String::from_utf8_lossy(&peek[..n]).into_owned();
                let first = text.lines().next().unwrap_or_default().to_owned();
                let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
                stats
                    .lock()
                    .unwrap()
                    .crossed
                    .push(format!("{first} {body}"));
            }
        }
        super::tls::reset(conn);
        return;
    }
    let _ = conn.shutdown(Shutdown::Write);
    let _ = conn.set_read_timeout(Some(Duration::from_millis(300)));
    let mut late = [0u8; 4096];
    if let Ok(n) = (&conn).read(&mut late) {
        if n > 0 {
            let text = String::from_utf8_lossy(&late[..n]).into_owned();
            let first = text.lines().next().unwrap_or_default().to_owned();
            let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
            stats
                .lock()
                .unwrap()
                .crossed
                .push(format!("{first} {body}"));
        }
    }
}

fn http(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn respond(head: &str, body: &[u8], stats: &Arc<Mutex<IdleStats>>) -> Vec<u8> {
    static REF: AtomicU64 = AtomicU64::new(5000);
    let target = head.split_whitespace().nth(1).unwrap_or_default();
    if head.starts_with("POST ") && target.ends_with("/reverse-penny-drop") {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let id = v["verification_id"].as_str().unwrap_or_default().to_owned();
        *stats.lock().unwrap().creates.entry(id.clone()).or_insert(0) += 1;
        let r = REF.fetch_add(1, Ordering::Relaxed);
        let out = serde_json::json!({
            "verification_id": id,
            "ref_id": r,
            "valid_upto": "2024-02-13T13:01:44.000Z",
            "upi_link": format!("upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr={r}"),
        });
        return http(200, &out.to_string());
    }
    if head.starts_with("GET ") && target.contains("/remitter/status?verification_id=") {
        stats.lock().unwrap().status_calls += 1;
        let id = target.split("verification_id=").nth(1).unwrap_or_default();
        let out = serde_json::json!({
            "bank_account": "", "ifsc": "", "upi": "", "name_at_bank": "",
            "verification_id": id, "ref_id": "50", "utr": "", "status": "CREATED",
            "name_match_score": "", "name_match_result": "",
            "added_on": "2023-07-18T16:30:02+05:30", "processed_on": "",
            "penny_collected_on": "", "reversal_status": "", "account_type": "",
        });
        return http(200, &out.to_string());
    }
    http(
        404,
        r#"{"code":"not_found","message":"no such path","type":"invalid_request_error"}"#,
    )
}

/// A pause uniformly drawn from [lo, hi] (no RNG dependency: the std hasher's random
/// keys).
pub fn random_between(lo: Duration, hi: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    let frac = (h.finish() >> 11) as f64 / (1u64 << 53) as f64;
    lo + (hi - lo).mul_f64(frac)
}
