//! Signature, TLS, retries, wait_for_result, redirects and body limits.

use crate::common;

use std::time::{Duration, Instant};

use cashfree_rpd::{Client, Config, ErrorKind, VerificationStatus, WaitOptions};
use cashfree_rpd_emulator::{Endpoint, Fault, FaultKind, Options, PayOutcome};
use common::*;

const PUBLIC_KEY: &str = include_str!("../data/TEST-ONLY-rsa-public.pem");
const PRIVATE_KEY: &str = include_str!("../data/TEST-ONLY-rsa-private.pem");

fn signed_emulator() -> Env {
    start_with(Options {
        signature_private_key_pem: Some(PRIVATE_KEY.into()),
        ..Options::default()
    })
}

#[test]
fn signature_accepted_when_configured() {
    let env = signed_emulator();
    let mut cfg = config_for(&env.emu);
    cfg.set_public_key_pem(PUBLIC_KEY).unwrap();
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("sig");
    client.create(&id, "John Doe").unwrap();
    let first = env.emu.stats().last_signature.unwrap();
    // No wait for the clock's next second: RSA-OAEP pads with fresh randomness, so two
    // signatures of the same `client_id.timestamp` differ anyway.
    client.status(&id).unwrap();
    let second = env.emu.stats().last_signature.unwrap();
    assert_ne!(first, second, "a fresh signature per request");
}

#[test]
fn signature_missing_is_forbidden() {
    let env = signed_emulator();
    let e = env.client.create(&fresh_id("nosig"), "John").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.http_status(), Some(403));
    assert!(
        e.to_string().contains("x-cf-signature"),
        "the hint says what to do: {e}"
    );
}

#[test]
fn unusable_public_key_fails_at_configuration() {
    let mut cfg = Config::new("id", "secret").unwrap();
    let e = cfg
        .set_public_key_pem("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature);
    let e = cfg.set_public_key_pem(PRIVATE_KEY).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature);
}

#[test]
fn https_with_custom_ca_works_and_without_it_fails() {
    let emu = cashfree_rpd_emulator::Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    assert!(emu.base_url().starts_with("https://"));
    let mut cfg = config_for(&emu);
    cfg.set_max_retries(0).unwrap();
    let e = Client::new(&cfg)
        .unwrap()
        .create(&fresh_id("tls"), "John")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e:?}");
    assert!(
        !e.is_ambiguous(),
        "a handshake failure means nothing was sent"
    );

    cfg.add_root_ca_pem(&emu.ca_cert_pem().unwrap()).unwrap();
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("tls");
    client.create(&id, "John").unwrap();
    assert_eq!(
        client.status(&id).unwrap().status,
        VerificationStatus::Created
    );
}

#[test]
fn bad_root_ca_pem_is_refused() {
    let mut cfg = Config::new("id", "secret").unwrap();
    assert_eq!(
        cfg.add_root_ca_pem("not a pem").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn get_retries_through_503_and_fails_fast_without_retries() {
    let env = start();
    let id = fresh_id("r503");
    env.client.create(&id, "John").unwrap();
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::Documented(503)));
    assert_eq!(
        env.client.status(&id).unwrap().status,
        VerificationStatus::Created
    );
    assert_eq!(env.emu.stats().status_received, 2);

    let mut cfg = config_for(&env.emu);
    cfg.set_max_retries(0).unwrap();
    let no_retry = Client::new(&cfg).unwrap();
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::Documented(503)));
    let started = Instant::now();
    let e = no_retry.status(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert!(e.is_retryable());
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(env.emu.stats().status_received, 3);
}

#[test]
fn retry_after_is_honoured() {
    let env = start();
    let id = fresh_id("r429");
    env.client.create(&id, "John").unwrap();
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::RetryAfter(1)));
    let started = Instant::now();
    env.client.status(&id).unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );

    // Longer than 30 s: not retried, handed back with the delay.
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::RetryAfter(60)));
    let e = env.client.status(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
    assert!(e.is_retryable());
}

#[test]
fn create_retried_on_503_and_429_only() {
    let env = start();
    env.emu
        .inject(Fault::once(Endpoint::Create, FaultKind::Documented(503)));
    env.client.create(&fresh_id("c503"), "John").unwrap();
    assert_eq!(env.emu.stats().creates_received, 2);

    for code in [500, 502, 504] {
        let before = env.emu.stats().creates_received;
        env.emu
            .inject(Fault::once(Endpoint::Create, FaultKind::Documented(code)));
        let e = env.client.create(&fresh_id("c5xx"), "John").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(e.is_ambiguous() && !e.is_retryable(), "{code}: {e:?}");
        assert_eq!(
            env.emu.stats().creates_received,
            before + 1,
            "{code} is not re-sent"
        );
    }
}

#[test]
fn create_that_times_out_after_sending_is_not_resent() {
    let env = start();
    let mut cfg = config_for(&env.emu);
    cfg.set_timeouts(Duration::from_secs(1), Duration::from_millis(300));
    let client = Client::new(&cfg).unwrap();
    env.emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_millis(1000)),
    ));
    let id = fresh_id("slow");
    let e = client.create(&id, "John").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.is_ambiguous() && !e.is_retryable());
    assert!(e.to_string().contains("look the verification_id up"), "{e}");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        env.emu.stats().creates_received,
        1,
        "never two creates for one call"
    );
    // The advice works: the id exists.
    assert_eq!(
        env.client.status(&id).unwrap().status,
        VerificationStatus::Created
    );
}

#[test]
fn create_reset_after_sending_is_ambiguous() {
    let env = start();
    env.emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::ResetBeforeResponse,
    ));
    let e = env.client.create(&fresh_id("reset"), "John").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(e.is_ambiguous());
    assert_eq!(env.emu.stats().creates_received, 1);
}

#[test]
fn wait_returns_success_after_auto_pay() {
    let env = start_with(Options {
        auto_pay_after: Some(Duration::from_millis(800)),
        ..Options::default()
    });
    let id = fresh_id("wait");
    env.client.create(&id, "John Doe").unwrap();
    let mut polls = 0;
    let status = env
        .client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_secs(10)).poll_interval(Duration::from_millis(500)),
            |_| {
                polls += 1;
                true
            },
        )
        .unwrap();
    assert_eq!(status.status, VerificationStatus::Success);
    assert!(
        polls >= 2,
        "saw CREATED first, then SUCCESS ({polls} polls)"
    );
}

#[test]
fn wait_deadline_hands_back_the_last_status() {
    let env = start();
    let id = fresh_id("never");
    env.client.create(&id, "John").unwrap();
    let started = Instant::now();
    let e = env
        .client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_millis(1200))
                .poll_interval(Duration::from_millis(500)),
            |_| true,
        )
        .unwrap_err();
    assert_eq!(e.error.kind(), ErrorKind::Deadline);
    assert_eq!(e.last.unwrap().status, VerificationStatus::Created);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1200) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[test]
fn wait_cancelled_by_callback() {
    let env = start();
    let id = fresh_id("cancel");
    env.client.create(&id, "John").unwrap();
    let e = env
        .client
        .wait_for_result(&id, &WaitOptions::new(Duration::from_secs(10)), |_| false)
        .unwrap_err();
    assert_eq!(e.error.kind(), ErrorKind::Cancelled);
    assert!(e.last.is_some());

    // A final status wins over a cancel.
    env.emu.pay(&id, PayOutcome::default()).unwrap();
    let s = env
        .client
        .wait_for_result(&id, &WaitOptions::new(Duration::from_secs(10)), |_| false)
        .unwrap();
    assert_eq!(s.status, VerificationStatus::Success);
}

#[test]
fn wait_rides_out_transient_errors_and_stops_on_permanent_ones() {
    let env = start_with(Options {
        auto_pay_after: Some(Duration::from_millis(600)),
        ..Options::default()
    });
    let id = fresh_id("transient");
    env.client.create(&id, "John").unwrap();
    let mut cfg = config_for(&env.emu);
    cfg.set_max_retries(0).unwrap();
    let client = Client::new(&cfg).unwrap();
    env.emu.inject(Fault::times(
        Endpoint::Status,
        FaultKind::Documented(500),
        2,
    ));
    let s = client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_secs(10)).poll_interval(Duration::from_millis(500)),
            |_| true,
        )
        .unwrap();
    assert_eq!(s.status, VerificationStatus::Success);

    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::Documented(401)));
    let started = Instant::now();
    let e = client
        .wait_for_result(&id, &WaitOptions::new(Duration::from_secs(10)), |_| true)
        .unwrap_err();
    assert_eq!(e.error.kind(), ErrorKind::Unauthorized);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn wait_validates_its_input() {
    let env = start();
    let e = env
        .client
        .wait_for_result("bad id", &WaitOptions::new(Duration::from_secs(1)), |_| {
            true
        })
        .unwrap_err();
    assert_eq!(e.error.kind(), ErrorKind::InvalidInput);
    let e = env
        .client
        .wait_for_result("ok", &WaitOptions::new(Duration::ZERO), |_| true)
        .unwrap_err();
    assert_eq!(e.error.kind(), ErrorKind::InvalidInput);
    assert_eq!(env.emu.stats().requests_total, 0);
}

#[test]
fn huge_body_is_refused_quickly() {
    let env = start();
    env.emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::HugeBody(5 * 1024 * 1024),
    ));
    let started = Instant::now();
    let e = env.client.status("any-id").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A huge error body keeps its status's kind.
    env.emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::Status {
            code: 401,
            body: "x".repeat(3 * 1024 * 1024),
            content_type: "text/plain".into(),
            retry_after: None,
            location: None,
        },
    ));
    assert_eq!(
        env.client.status("any-id").unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    // And the client still works.
    let id = fresh_id("after");
    env.client.create(&id, "John").unwrap();
}

#[test]
fn redirects_are_not_followed() {
    let env = start();
    let target = format!("{}/remitter/status?verification_id=x", env.emu.base_url());
    env.emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::Status {
            code: 302,
            body: String::new(),
            content_type: "text/plain".into(),
            retry_after: None,
            location: Some(target),
        },
    ));
    let e = env.client.status("redirected").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Http);
    assert_eq!(e.http_status(), Some(302));
    assert_eq!(
        env.emu.stats().status_received,
        1,
        "the Location was not visited"
    );
}

#[test]
fn proxy_is_used_when_configured_and_validated() {
    let env = start();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = config_for(&env.emu);
    cfg.set_max_retries(0).unwrap();
    cfg.set_proxy(&format!("http://127.0.0.1:{closed}"))
        .unwrap();
    let e = Client::new(&cfg).unwrap().status("via-proxy").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "the dead proxy was used: {e}");
    assert_eq!(env.emu.stats().requests_total, 0);
    cfg.set_proxy("").unwrap();
    assert!(Client::new(&cfg)
        .unwrap()
        .create(&fresh_id("direct"), "John")
        .is_ok());
    assert!(cfg.set_proxy("socks5://127.0.0.1:1").is_err());
}

#[test]
fn plain_http_only_to_loopback() {
    let mut cfg = Config::new("id", "secret").unwrap();
    assert_eq!(
        cfg.set_base_url("http://example.com/verification")
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert!(cfg.set_base_url("http://[::1]:8080/verification").is_ok());
    assert!(cfg.set_base_url("https://example.com/verification").is_ok());
}
