//! A loopback gate in front of the emulator that stops a create at a chosen point (for
//! the create-journal crash tests: tests/journal.rs, tests/it/c_journal.rs).

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

/// Where a create is when the child is killed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    /// Intent on disk, request never reached Cashfree (the gate swallows it).
    BeforeSend,
    /// Cashfree processed it; the answer is held back.
    InFlight,
    /// Half the answer delivered, the rest held back.
    AnswerArriving,
    /// The answer is recorded (the child printed it).
    AfterRecorded,
}

/// A loopback gate in front of the emulator: the first connection is treated per
/// `point` (then held open forever); later ones are relayed untouched.
pub fn gate(upstream: SocketAddr, point: Point) -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut first = true;
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let special = std::mem::replace(&mut first, false) && point != Point::AfterRecorded;
            let tx = tx.clone();
            std::thread::spawn(move || {
                if special {
                    hold(conn, upstream, point, tx)
                } else {
                    relay(conn, upstream)
                }
            });
        }
    });
    (format!("http://127.0.0.1:{port}/verification"), rx)
}

/// Reads one HTTP message (head + Content-Length body), as it came.
pub fn read_message(s: &mut TcpStream) -> Vec<u8> {
    let m = super::script::read_request(s).expect("connection closed mid-message");
    let mut raw = m.head.into_bytes();
    raw.extend_from_slice(&m.body);
    raw
}

fn hold(mut conn: TcpStream, upstream: SocketAddr, point: Point, tx: mpsc::Sender<()>) {
    let request = read_message(&mut conn);
    if point != Point::BeforeSend {
        let mut up = TcpStream::connect(upstream).unwrap();
        up.write_all(&request).unwrap();
        let answer = read_message(&mut up);
        if point == Point::AnswerArriving {
            conn.write_all(&answer[..answer.len() / 2]).unwrap();
            conn.flush().unwrap();
        }
    }
    let _ = tx.send(());
    // Hold the connection open until the process ends.
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

fn relay(conn: TcpStream, upstream: SocketAddr) {
    let up = TcpStream::connect(upstream).unwrap();
    let (mut a, mut b) = (conn.try_clone().unwrap(), up.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut a, &mut b);
        let _ = b.shutdown(std::net::Shutdown::Write);
    });
    let (mut c, mut d) = (up, conn);
    let _ = std::io::copy(&mut c, &mut d);
    let _ = d.shutdown(std::net::Shutdown::Write);
}

/// A trivial stand-in for Cashfree (keep-alive, canned answers): every create answers
/// with a ~3 KiB qr_code like Cashfree's, every status is EXPIRED.
pub fn canned_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let _ = conn.set_nodelay(true);
            std::thread::spawn(move || loop {
                let mut probe = [0u8; 1];
                if conn.peek(&mut probe).map_or(true, |n| n == 0) {
                    return;
                }
                let msg = read_message(&mut conn);
                let text = String::from_utf8_lossy(&msg);
                let id = text
                    .split("verification_id")
                    .nth(1)
                    .unwrap_or("")
                    .trim_start_matches(['"', ':', '='])
                    .split(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
                    })
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let body = if text.starts_with("POST") {
                    format!(
                        "{{\"verification_id\":\"{id}\",\"ref_id\":1,\"upi_link\":\"upi://pay?pa=x\",\"valid_upto\":\"2030-01-01T00:00:00.000Z\",\"qr_code\":\"{}\"}}",
                        "A".repeat(3000)
                    )
                } else {
                    format!(
                        "{{\"verification_id\":\"{id}\",\"ref_id\":\"1\",\"status\":\"EXPIRED\"}}"
                    )
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if conn
                    .write_all(head.as_bytes())
                    .and_then(|()| conn.write_all(body.as_bytes()))
                    .is_err()
                {
                    return;
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}/verification")
}
