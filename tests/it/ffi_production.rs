//! The production features through the C ABI (driven from Rust): x-cf-signature, HTTPS
//! with an extra root CA, retries, Retry-After, the never-twice create rule,
//! cfrpd_wait_for_result, and the body limit.

use crate::common;

use std::time::{Duration, Instant};

use cashfree_rpd::ffi::*;
use cashfree_rpd_emulator::{Emulator, Endpoint, Fault, FaultKind, Options};
use common::cabi::{CClient, CConfig};
use common::*;

const PUBLIC_KEY: &str = include_str!("../data/TEST-ONLY-rsa-public.pem");
const PRIVATE_KEY: &str = include_str!("../data/TEST-ONLY-rsa-private.pem");

#[test]
fn signature_through_the_c_abi() {
    let emu = Emulator::start(Options {
        signature_private_key_pem: Some(PRIVATE_KEY.into()),
        ..Options::default()
    })
    .unwrap();
    let unsigned = CClient::new(&emu.base_url());
    let e = unsigned.create(&fresh_id("c-nosig")).unwrap_err();
    assert_eq!((e.code, e.http_status), (CFRPD_ERR_FORBIDDEN, 403));

    let cfg = CConfig::new(&emu.base_url());
    assert_eq!(
        cfg.set(cfrpd_config_set_public_key_pem, PUBLIC_KEY),
        CFRPD_OK
    );
    let signed = cfg.client();
    let id = fresh_id("c-sig");
    signed.create(&id).unwrap();
    let first = emu.stats().last_signature.unwrap();
    // No wait for the clock's next second: RSA-OAEP pads with fresh randomness, so two
    // signatures of the same `client_id.timestamp` differ anyway.
    signed.status(&id).unwrap();
    assert_ne!(
        emu.stats().last_signature.unwrap(),
        first,
        "fresh signature per request"
    );
    assert_eq!(
        cfg.set(cfrpd_config_set_public_key_pem, PRIVATE_KEY),
        CFRPD_ERR_SIGNATURE
    );
}

#[test]
fn https_with_extra_root_ca_through_the_c_abi() {
    let emu = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    let cfg = CConfig::new(&emu.base_url()).retries(0);
    let e = cfg.client().create(&fresh_id("c-tls")).unwrap_err();
    assert_eq!(
        (e.code, e.http_status, e.ambiguous),
        (CFRPD_ERR_TLS, 0, false)
    );
    assert_eq!(
        cfg.set(cfrpd_config_add_root_ca_pem, &emu.ca_cert_pem().unwrap()),
        CFRPD_OK
    );
    let client = cfg.client();
    let id = fresh_id("c-tls");
    client.create(&id).unwrap();
    client.status(&id).unwrap();
}

#[test]
fn retries_and_retry_after_through_the_c_abi() {
    let env = start();
    let id = fresh_id("c-retry");
    env.client.create(&id, "John").unwrap();
    let retrying = CConfig::new(&env.emu.base_url()).client(); // default: 2 retries
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::Documented(503)));
    retrying.status(&id).unwrap();

    let once = CClient::new(&env.emu.base_url());
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::Documented(503)));
    let e = once.status(&id).unwrap_err();
    assert_eq!(
        (e.code, e.http_status, e.retryable),
        (CFRPD_ERR_SERVER, 503, true)
    );

    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::RetryAfter(1)));
    let started = Instant::now();
    retrying.status(&id).unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));

    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::RetryAfter(45)));
    let e = retrying.status(&id).unwrap_err();
    assert_eq!(
        (e.code, e.retry_after_ms, e.retryable),
        (CFRPD_ERR_RATE_LIMITED, 45_000, true)
    );
}

#[test]
fn create_timed_out_after_sending_is_not_resent_through_the_c_abi() {
    let env = start();
    let client = CConfig::new(&env.emu.base_url())
        .timeouts_ms(1000, 300)
        .client();
    env.emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_millis(1000)),
    ));
    let e = client.create(&fresh_id("c-slow")).unwrap_err();
    assert_eq!(
        (e.code, e.ambiguous, e.retryable),
        (CFRPD_ERR_TIMEOUT, true, false)
    );
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(env.emu.stats().creates_received, 1);
}

#[test]
fn wait_for_result_through_the_c_abi() {
    let env = start_with(Options {
        auto_pay_after: Some(Duration::from_millis(700)),
        ..Options::default()
    });
    let client = CClient::new(&env.emu.base_url());
    let id = fresh_id("c-wait");
    client.create(&id).unwrap();
    let (rc, state, polls) = client.wait(&id, 10_000, None);
    assert_eq!((rc, state), (CFRPD_OK, Some(CFRPD_STATE_SUCCESS)));
    assert!(polls >= 2, "{polls}");

    let never = start();
    let client = CClient::new(&never.emu.base_url());
    let id = fresh_id("c-never");
    client.create(&id).unwrap();
    let (rc, state, _) = client.wait(&id, 1200, None);
    assert_eq!((rc, state), (CFRPD_ERR_DEADLINE, Some(CFRPD_STATE_CREATED)));
    let (rc, state, polls) = client.wait(&id, 10_000, Some(2));
    assert_eq!(
        (rc, state, polls),
        (CFRPD_ERR_CANCELLED, Some(CFRPD_STATE_CREATED), 2)
    );
    let (rc, state, _) = client.wait("bad id", 1000, None);
    assert_eq!((rc, state), (CFRPD_ERR_INVALID_ARGUMENT, None));
}

#[test]
fn huge_body_through_the_c_abi() {
    let env = start();
    let client = CClient::new(&env.emu.base_url());
    env.emu
        .inject(Fault::once(Endpoint::Status, FaultKind::HugeBody(5 << 20)));
    let started = Instant::now();
    let e = client.status("any-id").unwrap_err();
    assert_eq!(
        (e.code, e.http_status),
        (CFRPD_ERR_UNEXPECTED_RESPONSE, 200)
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}
