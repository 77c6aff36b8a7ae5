//! TLS failures through the Rust API and the C ABI: each ends promptly with `Tls` (or
//! `Timeout` for a stall), a message that says which failure it was and never holds the
//! secret, and a create that is ambiguous only when its request was written.
//!
//! Servers: rustls with rcgen certificates (expired, wrong name, unknown CA; a TLS
//! failure after the request), raw TCP answering in TLS 1.0 or stalling mid-handshake,
//! `openssl s_server -tls1` when openssl is installed (required when `CI=true`), and the
//! emulator in the wrong mode (plain vs TLS).
#![cfg(unix)]

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_SECRET};
use common::outcome::{call, Api, Call, Outcome, Setup};
use common::script::http;
use common::tls::*;

const APIS: [Api; 2] = [Api::Rust, Api::C];

/// A failure "promptly": well within the 10 s connect timeout the setups use.
const PROMPT: Duration = Duration::from_secs(3);

fn created_body() -> String {
    common::sample("create_response.json")
}

/// Runs a status and a create through both APIs; checks kind, words in the message,
/// promptness, the secret, and that the create is not ambiguous (nothing was sent).
fn expect_before_sending(case: &str, setup: &Setup, kind: &str, words: &[&str]) -> Vec<Outcome> {
    let mut all = Vec::new();
    for api in APIS {
        for what in [Call::Status, Call::Create] {
            let id = common::fresh_id("tlsf");
            let o = call(api, setup, what, &id, "John");
            eprintln!(
                "TLS {case} {api:?} {what:?}: {:.1} ms -> {:?} ambiguous {} retryable {}: {}",
                o.took.as_secs_f64() * 1e3,
                o.kind,
                o.ambiguous,
                o.retryable,
                o.message
            );
            assert!(o.is(kind), "{case} {api:?} {what:?}: {o:?}");
            assert!(o.took < PROMPT, "{case} {api:?} {what:?}: slow: {o:?}");
            for w in words {
                assert!(
                    o.message.contains(w),
                    "{case} {api:?} {what:?}: message lacks {w:?}: {}",
                    o.message
                );
            }
            assert!(!o.message.contains(TEST_CLIENT_SECRET), "{}", o.message);
            assert!(
                !o.ambiguous,
                "{case} {api:?} {what:?}: nothing was sent: {o:?}"
            );
            all.push(o);
        }
    }
    all
}

fn rustls_server(pki: &Pki, leaf: Leaf) -> Server {
    let body = created_body();
    Server::start(tls_answer(
        pki.server_config(leaf, &[]),
        http(200, &[], &body),
    ))
}

#[test]
fn good_certificate_works_both_apis() {
    // The control: the same server with a good certificate and its CA trusted.
    let pki = Pki::new("good");
    let server = rustls_server(&pki, Leaf::Good);
    for url in [server.url("https"), server.https_localhost()] {
        for api in APIS {
            let setup = Setup::new(&url).ca(&pki.ca_pem);
            let o = call(api, &setup, Call::Create, "create-ok-1", "John");
            // The canned answer is for the sample's id; any answer decoded means TLS worked.
            assert!(
                o.kind.is_none() || o.is("unexpectedresponse"),
                "{url} {api:?}: {o:?}"
            );
        }
    }
}

#[test]
fn expired_certificate() {
    let pki = Pki::new("expired");
    let server = rustls_server(&pki, Leaf::Expired);
    let setup = Setup::new(&server.url("https")).ca(&pki.ca_pem);
    expect_before_sending("expired", &setup, "tls", &["expired"]);
}

#[test]
fn certificate_for_another_host() {
    let pki = Pki::new("name");
    let server = rustls_server(&pki, Leaf::OtherName);
    for url in [server.url("https"), server.https_localhost()] {
        let setup = Setup::new(&url).ca(&pki.ca_pem);
        expect_before_sending(
            "wrong name",
            &setup,
            "tls",
            &["not valid for this host name"],
        );
    }
}

#[test]
fn certificate_from_an_unknown_ca() {
    let pki = Pki::new("unknown");
    let server = rustls_server(&pki, Leaf::Good);
    let setup = Setup::new(&server.url("https"));
    expect_before_sending("unknown CA", &setup, "tls", &["unknown CA"]);
}

#[test]
fn tls10_only_server_alert() {
    let server = Server::start(after_client_hello(
        tls10_protocol_version_alert(),
        Duration::from_secs(5),
    ));
    let setup = Setup::new(&server.url("https"));
    expect_before_sending(
        "TLS 1.0 alert",
        &setup,
        "tls",
        &["no TLS version", "TLS 1.2+"],
    );
}

#[test]
fn tls10_only_server_hello() {
    let server = Server::start(after_client_hello(
        tls10_server_hello(),
        Duration::from_secs(5),
    ));
    let setup = Setup::new(&server.url("https"));
    expect_before_sending("TLS 1.0 ServerHello", &setup, "tls", &["no TLS version"]);
}

/// Whether a tool runs; a missing tool fails the test when `CI=true`.
fn tool_or_skip(name: &str, args: &[&str], test: &str) -> bool {
    common::skip::require_tool_with(test, name, args, name)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn openssl_s_server_tls1_only() {
    if !tool_or_skip("openssl", &["version"], "openssl_s_server_tls1_only") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("cfrpd-tls1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pki = Pki::new("openssl");
    // A self-contained key and certificate for s_server (which one does not matter:
    // the version is refused before any certificate is looked at).
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-tls1",
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ])
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(dir.join("cert.pem"))
        .arg("-key")
        .arg(dir.join("key.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_server");
    let _guard = Killed(child);
    let until = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "openssl s_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let setup = Setup::new(&format!("https://127.0.0.1:{port}/verification")).ca(&pki.ca_pem);
    expect_before_sending("openssl -tls1", &setup, "tls", &["no TLS version"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn handshake_stall_is_a_prompt_timeout() {
    let server = Server::start(after_client_hello(
        partial_server_hello(),
        Duration::from_secs(30),
    ));
    // No deadline: the connect timeout (which covers the handshake) ends it.
    let setup = Setup::new(&server.url("https")).timeouts_ms(1000, 30_000);
    let all = expect_before_sending(
        "stall mid-handshake",
        &setup,
        "timeout",
        &["did not complete the TLS handshake"],
    );
    for o in all {
        assert!(o.took >= Duration::from_millis(950), "{o:?}");
    }
}

#[test]
fn https_to_a_plain_http_server_that_answers() {
    // A plain-HTTP server that answers the ClientHello as a bad request (as nginx does).
    let server = Server::start(|mut conn| {
        let mut buf = [0u8; 512];
        let _ = std::io::Read::read(&mut conn, &mut buf);
        let answer = http(400, &[("connection", "close")], "<html>Bad Request</html>");
        let _ = std::io::Write::write_all(&mut conn, &answer);
    });
    let setup = Setup::new(&server.url("https"));
    expect_before_sending(
        "https to plain HTTP (answers)",
        &setup,
        "tls",
        &["did not answer TLS", "plain HTTP"],
    );
}

#[test]
fn https_to_a_plain_http_server_that_waits() {
    // A plain-HTTP server that waits for the end of a request head that never comes
    // (the emulator no longer does: it answers a ClientHello at once): the connect
    // timeout (which covers the handshake) ends it, and the message says why.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let url = format!("https://127.0.0.1:{port}/verification");
    let setup = Setup::new(&url).timeouts_ms(1500, 30_000);
    expect_before_sending(
        "https to plain HTTP (waits)",
        &setup,
        "timeout",
        &["did not complete the TLS handshake", "plain HTTP"],
    );
}

#[test]
fn http_to_a_tls_server() {
    let emu = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    let url = emu.base_url().replacen("https://", "http://", 1);
    let setup = Setup::new(&url).retries(0);
    for api in APIS {
        for what in [Call::Status, Call::Create] {
            let o = call(api, &setup, what, &common::fresh_id("h2t"), "John");
            eprintln!(
                "TLS http to TLS {api:?} {what:?}: {:?}: {}",
                o.kind, o.message
            );
            assert!(o.kind.is_some(), "{o:?}");
            assert!(o.took < PROMPT, "{o:?}");
            assert!(o.message.contains("use https://"), "{}", o.message);
            assert!(!o.message.contains(TEST_CLIENT_SECRET));
        }
    }
}

/// A TLS server that completes the handshake and reads the request, then breaks TLS.
fn after_request(garbage: Vec<u8>, case: &str) {
    let pki = Pki::new("after");
    let server = Server::start(tls_then_garbage(
        pki.server_config(Leaf::Good, &[]),
        garbage,
    ));
    let setup = Setup::new(&server.url("https")).ca(&pki.ca_pem).retries(3);
    for api in APIS {
        for what in [Call::Status, Call::Create] {
            let before = server.accepted();
            let o = call(api, &setup, what, &common::fresh_id("late"), "John");
            eprintln!(
                "TLS {case} {api:?} {what:?}: {:.1} ms -> {:?} ambiguous {} retryable {}: {}",
                o.took.as_secs_f64() * 1e3,
                o.kind,
                o.ambiguous,
                o.retryable,
                o.message
            );
            assert!(o.is("tls"), "{case} {api:?} {what:?}: {o:?}");
            assert!(o.took < PROMPT, "{o:?}");
            assert!(!o.message.contains(TEST_CLIENT_SECRET));
            assert!(
                o.message.contains("after the request was sent"),
                "{}",
                o.message
            );
            if what == Call::Create {
                assert!(o.ambiguous, "the request was written: {o:?}");
                assert!(!o.retryable, "{o:?}");
                assert_eq!(server.accepted() - before, 1, "a create is never re-sent");
            }
        }
    }
}

#[test]
fn bad_record_after_the_request_makes_a_create_ambiguous() {
    after_request(bad_record(), "bad record after request");
}

#[test]
fn plain_bytes_after_the_request_make_a_create_ambiguous() {
    after_request(
        http(200, &[], r#"{"verification_id":"x"}"#),
        "plain HTTP after request",
    );
}
