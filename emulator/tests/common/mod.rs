//! A raw HTTP/1.1 client on `TcpStream` for the emulator tests.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use cashfree_rpd_emulator::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use serde_json::Value;

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// Builds a request with the test credentials (plus `extra` headers).
pub fn request(method: &str, path: &str, body: Option<&str>, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
    let mut has_auth = false;
    for (k, v) in extra {
        if k.eq_ignore_ascii_case("x-client-id") {
            has_auth = true;
        }
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_auth {
        r.push_str(&format!(
            "x-client-id: {TEST_CLIENT_ID}\r\nx-client-secret: {TEST_CLIENT_SECRET}\r\n"
        ));
    }
    if let Some(b) = body {
        r.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        ));
    } else {
        r.push_str("\r\n");
    }
    r.into_bytes()
}

/// Reads one response (Content-Length framing).
pub fn read_response<S: Read>(s: &mut S) -> io::Result<Resp> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "EOF in head"));
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).expect("head is UTF-8");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// One request on a fresh connection.
pub fn call(addr: SocketAddr, raw: &[u8]) -> io::Result<Resp> {
    let mut s = connect(addr);
    s.write_all(raw)?;
    read_response(&mut s)
}

pub fn create(addr: SocketAddr, vid: &str, name: &str) -> Resp {
    let body = serde_json::json!({"verification_id": vid, "name": name}).to_string();
    call(
        addr,
        &request("POST", "/verification/reverse-penny-drop", Some(&body), &[]),
    )
    .unwrap()
}

pub fn status(addr: SocketAddr, query: &str) -> Resp {
    call(
        addr,
        &request(
            "GET",
            &format!("/verification/remitter/status?{query}"),
            None,
            &[],
        ),
    )
    .unwrap()
}
