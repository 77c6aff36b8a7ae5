//! End to end: the emulator delivers a signed webhook when a request completes; the
//! library verifies and parses it (Rust and C ABI). Plus the published sample.

use crate::common;

use std::io::Write;
use std::net::TcpListener;
use std::ptr;
use std::time::Duration;

use cashfree_rpd::ffi::*;
use cashfree_rpd::{webhook, ErrorKind, VerificationStatus};
use cashfree_rpd_emulator::{Options, PayOutcome, TEST_CLIENT_SECRET};
use common::*;

/// One received HTTP POST: headers (lowercased names) and body.
struct Delivery {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Delivery {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn receive_one(listener: &TcpListener) -> Delivery {
    let (mut stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let seen = common::script::read_request(&mut stream).expect("a webhook delivery");
    let mut lines = seen.head.lines();
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with("POST "), "{first}");
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    assert!(
        headers.iter().any(|(k, _)| k == "content-length"),
        "no content-length: {headers:?}"
    );
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .unwrap();
    Delivery {
        headers,
        body: seen.body,
    }
}

#[test]
fn emulator_webhook_verifies_end_to_end() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/rpd", listener.local_addr().unwrap());
    let env = start_with(Options {
        webhook_url: Some(url),
        ..Options::default()
    });
    let id = fresh_id("hook");
    env.client.create(&id, "John Doe").unwrap();
    env.emu.pay(&id, PayOutcome::default()).unwrap();

    let d = receive_one(&listener);
    let sig = d.header("x-webhook-signature").expect("signed").to_owned();
    let ts = d
        .header("x-webhook-timestamp")
        .expect("timestamped")
        .to_owned();

    // Rust: header scheme, with a max age.
    let ev = webhook::verify(
        TEST_CLIENT_SECRET,
        &d.body,
        Some(&sig),
        Some(&ts),
        Some(Duration::from_secs(300)),
    )
    .unwrap();
    assert_eq!(
        ev.event_type.as_deref(),
        Some("RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS")
    );
    assert_eq!(ev.data.verification_id.as_deref(), Some(id.as_str()));
    assert_eq!(ev.data.status, VerificationStatus::Success);
    // The body's own v1 signature verifies too.
    assert!(webhook::verify(TEST_CLIENT_SECRET, &d.body, None, None, None).is_ok());
    // Wrong secret, or one changed byte: refused.
    assert_eq!(
        webhook::verify("other", &d.body, Some(&sig), Some(&ts), None)
            .unwrap_err()
            .kind(),
        ErrorKind::WebhookSignature
    );
    let mut tampered = d.body.clone();
    let i = tampered.len() / 2;
    tampered[i] ^= 1;
    assert_eq!(
        webhook::verify(TEST_CLIENT_SECRET, &tampered, Some(&sig), Some(&ts), None)
            .unwrap_err()
            .kind(),
        ErrorKind::WebhookSignature
    );

    // C ABI.
    let secret = std::ffi::CString::new(TEST_CLIENT_SECRET).unwrap();
    let sig_c = std::ffi::CString::new(sig).unwrap();
    let ts_c = std::ffi::CString::new(ts).unwrap();
    let mut hook = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: secret/sig_c/ts_c are C strings and `d.body` is `d.body.len()` bytes, all alive during the call; hook/err writable.
    let rc = unsafe {
        cfrpd_webhook_verify(
            secret.as_ptr(),
            d.body.as_ptr(),
            d.body.len(),
            sig_c.as_ptr(),
            ts_c.as_ptr(),
            300,
            &mut hook,
            &mut err,
        )
    };
    assert_eq!(rc, CFRPD_OK);
    assert!(err.is_null());
    // SAFETY: the call succeeded (asserted), so `hook` and its `data` point to the webhook it made.
    let data = unsafe { &*(*hook).data };
    assert_eq!(data.state, CFRPD_STATE_SUCCESS);
    assert!(data.is_final);
    // SAFETY: `hook` is the webhook the call made, freed once.
    unsafe { cfrpd_webhook_free(hook) };

    // Exactly one header given: refused, nothing parsed.
    // SAFETY: as above, with a NULL timestamp (what is being tested).
    let rc = unsafe {
        cfrpd_webhook_verify(
            secret.as_ptr(),
            d.body.as_ptr(),
            d.body.len(),
            sig_c.as_ptr(),
            ptr::null(),
            0,
            &mut hook,
            &mut err,
        )
    };
    assert_eq!(rc, CFRPD_ERR_WEBHOOK_SIGNATURE);
    assert!(hook.is_null() && !err.is_null());
    // SAFETY: `err` is the error the call wrote, freed once.
    unsafe { cfrpd_error_free(err) };
}

#[test]
fn published_sample_parses_with_a_header_signature() {
    let body = sample("webhook_success.json");
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let sig = webhook::sign("merchant-secret", format!("{ts}{body}").as_bytes());
    let ev = webhook::verify(
        "merchant-secret",
        body.as_bytes(),
        Some(&sig),
        Some(&ts),
        Some(Duration::from_secs(60)),
    )
    .unwrap();
    assert_eq!(ev.version.as_deref(), Some("v1"));
    assert_eq!(
        ev.data.ref_id.as_deref(),
        Some("33"),
        "a numeric ref_id becomes text"
    );
    assert_eq!(
        ev.data.name_at_bank.as_deref(),
        Some("BHARATHTEST GKUMARUT")
    );
    // Our v1 body signature agrees with the emulator's independent implementation.
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        cashfree_rpd_emulator::sign_webhook_body_v1("merchant-secret", &v["data"]),
        webhook::sign(
            "merchant-secret",
            &webhook::v1_message(v["data"].as_object().unwrap())
        ),
    );
}
