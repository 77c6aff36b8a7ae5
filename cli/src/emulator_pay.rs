//! `cfrpd emulator pay ID [--outcome success|failure] [--name NAME] [--reversal R]
//! [--port N | --url URL]`: plays the customer paying a CREATED request on a running
//! emulator (its `POST /__emulator/pay` control endpoint), from another terminal.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use crate::commands::DEFAULT_EMULATOR_PORT;
use crate::exit;
use crate::output::{err, out};

const USAGE: &str = "\
Usage: cfrpd emulator pay ID [--outcome success|failure] [--name NAME]
                             [--reversal transfer_success|failed] [--port N | --url URL]

Pays the CREATED request ID on a running emulator, as the customer would (the emulator's
POST /__emulator/pay). The emulator is found at --url (http://HOST:PORT, a base URL such
as http://127.0.0.1:8080/verification works too), else 127.0.0.1:--port, else the host
and port of CASHFREE_BASE_URL when it is an http:// URL, else 127.0.0.1:8080.

  --outcome O     success (default) or failure
  --name NAME     the payer's name at the bank (default: the name sent at create, in
                  capitals)
  --reversal R    how the refund of the rupee ends: transfer_success or failed

Exit codes: 0 paid; 1 the emulator refused (unknown id, not CREATED); 2 usage;
3 no emulator answered there.
";

/// Runs `cfrpd emulator pay` with the arguments after `pay`.
pub fn run(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        out(USAGE);
        return exit::SUCCESS;
    }
    let request = match parse(args) {
        Ok(r) => r,
        Err(e) => {
            err(&format!("error: {e}\n\n{USAGE}"));
            return exit::USAGE;
        }
    };
    let addr = match request.address() {
        Ok(a) => a,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return exit::USAGE;
        }
    };
    match post(&addr, &request.body().to_string()) {
        Ok((200, _)) => {
            out(&format!(
                "paid {} ({}) on the emulator at {addr}\n",
                request.id,
                request.outcome.to_lowercase()
            ));
            exit::SUCCESS
        }
        Ok((code, body)) => {
            let message = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or(body);
            err(&format!(
                "error: the emulator at {addr} refused to pay {} (HTTP {code}): {message}\n",
                request.id
            ));
            exit::API
        }
        Err(e) => {
            err(&format!(
                "error: no emulator answered at {addr} ({e}); start one with `cfrpd emulator` \
                 or give --port / --url\n"
            ));
            exit::NETWORK
        }
    }
}

#[derive(Debug, PartialEq)]
struct PayRequest {
    id: String,
    outcome: &'static str,
    name: Option<String>,
    reversal: Option<&'static str>,
    port: Option<u16>,
    url: Option<String>,
}

impl PayRequest {
    fn body(&self) -> Value {
        let mut body = json!({"verification_id": self.id, "outcome": self.outcome});
        if let Some(n) = &self.name {
            body["name"] = json!(n);
        }
        if let Some(r) = self.reversal {
            body["reversal"] = json!(r);
        }
        body
    }

    /// `host:port` of the emulator.
    fn address(&self) -> Result<String, String> {
        if let Some(url) = &self.url {
            return host_port(url).ok_or_else(|| {
                format!("--url {url:?} is not an http:// URL (http://HOST:PORT[/path])")
            });
        }
        if let Some(p) = self.port {
            return Ok(format!("127.0.0.1:{p}"));
        }
        if let Some(hp) = std::env::var("CASHFREE_BASE_URL")
            .ok()
            .as_deref()
            .and_then(host_port)
        {
            return Ok(hp);
        }
        Ok(format!("127.0.0.1:{DEFAULT_EMULATOR_PORT}"))
    }
}

/// `host:port` of an `http://host[:port][/path]` URL (port 80 when absent).
fn host_port(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let authority = rest.split('/').next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'));
    Some(if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    })
}

fn parse(args: &[String]) -> Result<PayRequest, String> {
    let mut r = PayRequest {
        id: String::new(),
        outcome: "SUCCESS",
        name: None,
        reversal: None,
        port: None,
        url: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--outcome" => {
                r.outcome = match value("--outcome")?.to_ascii_lowercase().as_str() {
                    "success" => "SUCCESS",
                    "failure" => "FAILURE",
                    v => return Err(format!("--outcome: {v:?} is not one of: success, failure")),
                }
            }
            "--reversal" => {
                r.reversal = Some(match value("--reversal")?.to_ascii_lowercase().as_str() {
                    "transfer_success" => "TRANSFER_SUCCESS",
                    "failed" => "FAILED",
                    v => {
                        return Err(format!(
                            "--reversal: {v:?} is not one of: transfer_success, failed"
                        ))
                    }
                })
            }
            "--name" => r.name = Some(value("--name")?),
            "--port" => {
                let v = value("--port")?;
                r.port = Some(
                    v.parse()
                        .map_err(|_| format!("--port: {v:?} is not a port"))?,
                );
            }
            "--url" => r.url = Some(value("--url")?),
            f if f.starts_with('-') => return Err(format!("unknown flag {f}")),
            id if r.id.is_empty() => r.id = id.to_string(),
            extra => return Err(format!("unexpected argument {extra:?} (one ID only)")),
        }
    }
    if r.id.is_empty() {
        return Err("the verification_id to pay is missing".into());
    }
    Ok(r)
}

/// One HTTP/1.1 POST of `body` (JSON) to `/__emulator/pay`: the status code and body.
fn post(addr: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "POST /__emulator/pay HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    s.take(1 << 20).read_to_string(&mut answer)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer");
    let code = answer
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|c| c.parse().ok())
        .ok_or_else(bad)?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((code, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_the_id_and_flags() {
        let r = parse(&strings(&[
            "order-1",
            "--outcome",
            "FAILURE",
            "--name=Jane Q",
            "--reversal",
            "failed",
            "--port",
            "9000",
        ]))
        .unwrap();
        assert_eq!(r.id, "order-1");
        assert_eq!(
            r.body(),
            json!({"verification_id": "order-1", "outcome": "FAILURE", "name": "Jane Q", "reversal": "FAILED"})
        );
        assert_eq!(r.address().unwrap(), "127.0.0.1:9000");
        for bad in [
            &[][..],
            &["--outcome", "maybe", "x"],
            &["x", "y"],
            &["x", "--bogus"],
            &["x", "--port", "70000"],
            &["x", "--name"],
        ] {
            assert!(parse(&strings(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn finds_the_emulator_from_a_url() {
        assert_eq!(
            host_port("http://127.0.0.1:8080/verification").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            host_port("http://localhost").as_deref(),
            Some("localhost:80")
        );
        assert_eq!(host_port("http://[::1]:9/x").as_deref(), Some("[::1]:9"));
        assert_eq!(host_port("https://127.0.0.1:8080"), None);
        assert_eq!(host_port("http://u:p@h:1"), None);
    }
}
