//! Signature mode, HTTPS mode and webhooks.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use cashfree_rpd_emulator::{
    sign_webhook_body_v1, sign_webhook_header, Emulator, Options, PayOutcome, TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
};
use common::{call, create, read_response, request};
use rsa::pkcs8::DecodePublicKey;
use serde_json::Value;

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn signature(client_id: &str, ts: u64) -> String {
    let public = rsa::PublicKey::from_public_key_pem(&data("TEST-ONLY-rsa-public.pem")).unwrap();
    let ct = public
        .oaep_encrypt::<sha1::Sha1>(format!("{client_id}.{ts}").as_bytes())
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(ct)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn signature_mode_accepts_fresh_signatures_only() {
    let emu = Emulator::start(Options {
        signature_private_key_pem: Some(data("TEST-ONLY-rsa-private.pem")),
        ..Options::default()
    })
    .unwrap();
    let a = emu.addr();
    let body = r#"{"verification_id":"s1","name":"N"}"#;
    let path = "/verification/reverse-penny-drop";

    let r = call(a, &request("POST", path, Some(body), &[])).unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "ip_not_whitelisted");
    assert_eq!(r.json()["type"], "authentication_error");

    let stale = signature(TEST_CLIENT_ID, now() - 1000);
    let r = call(
        a,
        &request("POST", path, Some(body), &[("x-cf-signature", &stale)]),
    )
    .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "signature_mismatch");
    let other = signature("someone-else", now());
    assert_eq!(
        call(
            a,
            &request("POST", path, Some(body), &[("x-cf-signature", &other)])
        )
        .unwrap()
        .status,
        403
    );
    assert_eq!(
        call(
            a,
            &request("POST", path, Some(body), &[("x-cf-signature", "bm9wZQ==")])
        )
        .unwrap()
        .status,
        403
    );

    let good = signature(TEST_CLIENT_ID, now());
    let r = call(
        a,
        &request("POST", path, Some(body), &[("x-cf-signature", &good)]),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(emu.stats().last_signature.as_deref(), Some(good.as_str()));
    let good2 = signature(TEST_CLIENT_ID, now());
    let r = call(
        a,
        &request(
            "GET",
            "/verification/remitter/status?verification_id=s1",
            None,
            &[("x-cf-signature", &good2)],
        ),
    )
    .unwrap();
    assert_eq!(r.status, 200);
}

#[test]
fn https_mode_handshakes_with_the_generated_ca() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};

    let emu = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let pem = emu.ca_cert_pem().expect("CA PEM in TLS mode");
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let config = Arc::new(config);
    for name in ["localhost", "127.0.0.1"] {
        let conn = rustls::ClientConnection::new(
            config.clone(),
            ServerName::try_from(name).unwrap().to_owned(),
        )
        .unwrap();
        let mut tls = rustls::StreamOwned::new(conn, common::connect(emu.addr()));
        let body = format!(r#"{{"verification_id":"t-{name}","name":"N"}}"#);
        tls.write_all(&request(
            "POST",
            "/verification/reverse-penny-drop",
            Some(&body),
            &[],
        ))
        .unwrap();
        assert_eq!(read_response(&mut tls).unwrap().status, 200);
        // Keep-alive over TLS.
        tls.write_all(&request(
            "GET",
            &format!("/verification/remitter/status?verification_id=t-{name}"),
            None,
            &[],
        ))
        .unwrap();
        assert_eq!(read_response(&mut tls).unwrap().json()["status"], "CREATED");
    }
    // Plain HTTP to the TLS port fails.
    assert!(call(
        emu.addr(),
        &request("GET", "/verification/remitter/status?ref_id=1", None, &[])
    )
    .is_err());
}

/// Accepts one webhook POST and answers 200; returns (headers, body).
fn receive_one(listener: &TcpListener) -> (Vec<(String, String)>, Vec<u8>) {
    let (mut s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head_end, len) = loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "EOF before the webhook head");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap();
            break (i + 4, len);
        }
    };
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).unwrap();
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    assert!(head.starts_with("POST /hook HTTP/1.1\r\n"), "{head}");
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    (headers, buf[head_end..head_end + len].to_vec())
}

#[test]
fn webhooks_are_delivered_with_valid_signatures() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let emu = Emulator::start(Options {
        webhook_url: Some(url),
        validity: Duration::from_millis(300),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(create(emu.addr(), "w1", "John Doe").status, 200);
    emu.pay("w1", PayOutcome::default()).unwrap();
    let (headers, body) = receive_one(&listener);
    let get = |k: &str| {
        headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let ts = get("x-webhook-timestamp");
    assert!(ts.parse::<u64>().unwrap().abs_diff(now()) < 10);
    assert_eq!(
        get("x-webhook-signature"),
        sign_webhook_header(TEST_CLIENT_SECRET, &ts, &body)
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["event_type"], "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS");
    assert_eq!(v["version"], "v1");
    assert_eq!(v["event_time"].as_str().unwrap().len(), 19);
    assert_eq!(v["data"]["ref_id"], 1000);
    assert_eq!(v["data"]["name_match_result"], "DIRECT_MATCH");
    assert_eq!(
        v["signature"],
        sign_webhook_body_v1(TEST_CLIENT_SECRET, &v["data"])
    );

    // Expiry found by the sweeper, without any status call.
    assert_eq!(create(emu.addr(), "w2", "N").status, 200);
    let (_, body) = receive_one(&listener);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["event_type"], "RPD_BANK_ACCOUNT_VERIFICATION_EXPIRED");
    assert_eq!(v["data"]["verification_id"], "w2");
    // Counter updated after the answer is read.
    for _ in 0..100 {
        if emu.stats().webhooks_sent == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(emu.stats().webhooks_sent, 2);
    assert_eq!(emu.stats().webhooks_failed, 0);
}

#[test]
fn bad_options_are_refused() {
    let bad = |o: Options| Emulator::start(o).unwrap_err().kind();
    assert_eq!(
        bad(Options {
            webhook_url: Some("https://example.com/x".into()),
            ..Options::default()
        }),
        std::io::ErrorKind::InvalidInput
    );
    assert_eq!(
        bad(Options {
            signature_private_key_pem: Some("nope".into()),
            ..Options::default()
        }),
        std::io::ErrorKind::InvalidInput
    );
}

#[test]
fn emulator_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Emulator>();
    assert_send_sync::<cashfree_rpd_emulator::Stats>();
    assert_send_sync::<cashfree_rpd_emulator::Fault>();
}

#[test]
fn qr_renders_for_terminals() {
    let s = cashfree_rpd_emulator::qr::render_unicode("upi://pay?pa=success@upi&am=1.00");
    assert!(s.lines().count() > 10);
    assert!(s
        .lines()
        .all(|l| l.starts_with("\x1b[30;107m") && l.ends_with("\x1b[0m")));
}
