//! A scripted HTTP/1.1 server on loopback: answers each request with the next canned
//! response (raw bytes, any headers) and records what it received. For answers the
//! emulator does not make (arbitrary headers, exact bodies, stalls).

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One step of the script.
#[derive(Clone, Debug)]
pub enum Step {
    /// Write these bytes (a whole response) and keep the connection.
    Respond(Vec<u8>),
    /// Write these bytes, then close the connection.
    RespondAndClose(Vec<u8>),
    /// Read the request, then close without answering.
    Close,
    /// Read the request, then send nothing for this long (then close).
    Stall(Duration),
}

/// A request as received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub head: String,
    pub body: Vec<u8>,
}

impl Seen {
    /// The value of a request header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    /// The request line's target (path and query).
    pub fn target(&self) -> String {
        self.head
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    }
}

pub struct ScriptServer {
    pub port: u16,
    script: Arc<Mutex<VecDeque<Step>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A whole HTTP/1.1 response with a Content-Length.
pub fn http(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    out.into_bytes()
}

impl ScriptServer {
    pub fn start(steps: Vec<Step>) -> ScriptServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Mutex::new(VecDeque::from(steps)));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (script.clone(), seen.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let (s, r) = (s.clone(), r.clone());
                thread::spawn(move || serve(conn, s, r));
            }
        });
        ScriptServer { port, script, seen }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/verification", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn push(&self, step: Step) {
        self.script.lock().unwrap().push_back(step);
    }
}

/// Reads one HTTP/1.1 request: the head, and a body of its Content-Length.
pub fn read_request(conn: &mut impl Read) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).ok()?;
    Some(Seen { head, body })
}

fn serve(mut conn: TcpStream, script: Arc<Mutex<VecDeque<Step>>>, seen: Arc<Mutex<Vec<Seen>>>) {
    let _ = conn.set_nodelay(true);
    while let Some(req) = read_request(&mut conn) {
        seen.lock().unwrap().push(req);
        let step = script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Step::Respond(http(500, &[], r#"{"message":"script ended"}"#)));
        match step {
            Step::Respond(bytes) => {
                if conn.write_all(&bytes).is_err() {
                    return;
                }
            }
            Step::RespondAndClose(bytes) => {
                let _ = conn.write_all(&bytes);
                return;
            }
            Step::Close => return,
            Step::Stall(d) => {
                thread::sleep(d);
                return;
            }
        }
    }
}
