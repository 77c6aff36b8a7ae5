//! Webhook deliveries: payload, signatures and a tiny HTTP/1.1 POST client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use ring::hmac;
use serde_json::{json, Value};

use crate::clock;
use crate::server::Shared;
use crate::state::Event;

/// Connect/read/write timeout of one delivery.
const TIMEOUT: Duration = Duration::from_secs(3);

fn hmac_b64(secret: &str, parts: &[&[u8]]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut ctx = hmac::Context::with_key(&key);
    for p in parts {
        ctx.update(p);
    }
    base64::engine::general_purpose::STANDARD.encode(ctx.sign().as_ref())
}

/// `x-webhook-signature`: base64(HMAC-SHA256(key = client secret, timestamp + raw body)).
pub fn sign_webhook_header(secret: &str, timestamp: &str, body: &[u8]) -> String {
    hmac_b64(secret, &[timestamp.as_bytes(), body])
}

/// The v1 body `signature`: base64(HMAC-SHA256(key = client secret, the `data`
/// values concatenated in key-sorted order)). Strings count as their text, numbers
/// and booleans as their JSON text, `null` as nothing, objects/arrays as JSON.
pub fn sign_webhook_body_v1(secret: &str, data: &Value) -> String {
    let mut text = String::new();
    if let Some(obj) = data.as_object() {
        let mut keys: Vec<&String> = obj.keys().collect();
        keys.sort();
        for k in keys {
            match &obj[k.as_str()] {
                Value::String(s) => text.push_str(s),
                Value::Null => {}
                other => text.push_str(&other.to_string()),
            }
        }
    }
    hmac_b64(secret, &[text.as_bytes()])
}

/// The JSON body of a delivery.
pub(crate) fn payload(secret: &str, event: &Event, now: SystemTime) -> Vec<u8> {
    let data = Value::Object(event.data.clone());
    let body = json!({
        "signature": sign_webhook_body_v1(secret, &data),
        "event_type": format!("RPD_BANK_ACCOUNT_VERIFICATION_{}", event.status),
        "event_time": clock::plain_ist(now),
        "version": "v1",
        "data": data,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// A parsed `http://host:port/path` target.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    host_header: String,
    addr: SocketAddr,
    path: String,
}

/// Parses a webhook URL; only plain `http://` to a loopback address is accepted.
pub(crate) fn parse_url(url: &str) -> Result<Target, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("webhook URL {url:?} must start with http://"))?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let with_port = if authority.ends_with(']') || !authority.contains(':') {
        format!("{authority}:80")
    } else {
        authority.to_string()
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("webhook URL {url:?}: {e}"))?
        .find(|a| a.ip().is_loopback())
        .ok_or_else(|| format!("webhook URL {url:?} must point to a loopback address"))?;
    Ok(Target {
        host_header: authority.to_string(),
        addr,
        path,
    })
}

/// POSTs one body; Ok(status) on any HTTP answer.
pub(crate) fn post(
    target: &Target,
    body: &[u8],
    timestamp: &str,
    signature: &str,
) -> std::io::Result<u16> {
    let mut s = TcpStream::connect_timeout(&target.addr, TIMEOUT)?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(TIMEOUT))?;
    s.set_write_timeout(Some(TIMEOUT))?;
    let mut req = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: cashfree-rpd-emulator\r\nContent-Type: application/json\r\nContent-Length: {}\r\nx-webhook-timestamp: {}\r\nx-webhook-signature: {}\r\nx-webhook-version: 2023-08-01\r\nConnection: close\r\n\r\n",
        target.path,
        target.host_header,
        body.len(),
        timestamp,
        signature
    )
    .into_bytes();
    req.extend_from_slice(body);
    s.write_all(&req)?;
    // Read only the status line.
    let mut head = Vec::with_capacity(64);
    let mut byte = [0u8; 256];
    while !head.contains(&b'\n') && head.len() < 4096 {
        let n = s.read(&mut byte)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&byte[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split(' ')
        .nth(1)
        .and_then(|c| c.trim().parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no HTTP status line"))
}

/// Delivery loop: runs until the sender side of `rx` is dropped.
pub(crate) fn worker(shared: Arc<Shared>, target: Target, rx: Receiver<Event>) {
    for event in rx {
        let now = SystemTime::now();
        let body = payload(&shared.opts.client_secret, &event, now);
        let ts = clock::unix_secs(now).to_string();
        let sig = sign_webhook_header(&shared.opts.client_secret, &ts, &body);
        let ok = matches!(post(&target, &body, &ts, &sig), Ok(code) if (200..300).contains(&code));
        let counter = if ok {
            &shared.webhooks_sent
        } else {
            &shared.webhooks_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if shared.opts.log {
            eprintln!(
                "webhook {} {} -> {}",
                event.status,
                target.path,
                if ok { "ok" } else { "failed" }
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_stable() {
        // HMAC-SHA256 test vector from RFC 4231 case 2 ("Jefe").
        assert_eq!(
            hmac_b64("Jefe", &[b"what do ya want ", b"for nothing?"]),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
        let data = json!({"b": "2", "a": 1, "c": null});
        assert_eq!(sign_webhook_body_v1("k", &data), hmac_b64("k", &[b"12"]));
        assert_eq!(
            sign_webhook_header("k", "10", b"{}"),
            hmac_b64("k", &[b"10{}"])
        );
    }

    #[test]
    fn url_parsing() {
        let t = parse_url("http://127.0.0.1:9/hook?x=1").unwrap();
        assert_eq!(t.addr.port(), 9);
        assert_eq!(t.path, "/hook?x=1");
        assert_eq!(parse_url("http://localhost:7").unwrap().path, "/");
        assert!(parse_url("https://127.0.0.1/").is_err());
        assert!(parse_url("http://8.8.8.8/").is_err());
    }
}
