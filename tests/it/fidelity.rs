//! Field fidelity: the library speaks Cashfree as documented and never mistakes an
//! answer (README.md, section: Errors, retries and "never create twice"). Each rule is
//! checked through the Rust API and the C ABI, against the emulator or a scripted
//! server on loopback.

use crate::common;

use std::time::{Duration, Instant};

use cashfree_rpd::ffi::*;
use cashfree_rpd::{
    Client, Config, ErrorKind, NameMatch, ReversalStatus, VerificationStatus, WaitOptions,
};
use cashfree_rpd_emulator::{Endpoint, Fault, FaultKind, Options, PayOutcome};
use common::cabi::{CClient, CConfig};
use common::script::{http, ScriptServer, Step};
use common::{fresh_id, sample, start, start_with};

fn canned(code: u16, body: &str) -> FaultKind {
    FaultKind::Status {
        code,
        body: body.to_owned(),
        content_type: "application/json".into(),
        retry_after: None,
        location: None,
    }
}

fn script_client(server: &ScriptServer, retries: u32) -> Client {
    let mut cfg = Config::new("id", "a-long-test-secret").unwrap();
    cfg.set_base_url(&server.base_url()).unwrap();
    cfg.set_max_retries(retries).unwrap();
    cfg.set_timeouts(Duration::from_secs(2), Duration::from_secs(5));
    Client::new(&cfg).unwrap()
}

const DUP: &str = r#"{"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"}"#;

// ---------------------------------------------------------------------------------
// CREATED is the waiting state; PENDING is not a status.

#[test]
fn a_fresh_request_reads_created_in_rust_and_c() {
    let env = start();
    let id = fresh_id("created");
    env.client.create(&id, "Jane Doe").unwrap();
    let s = env.client.status(&id).unwrap();
    assert_eq!(s.status, VerificationStatus::Created);
    assert_eq!(s.status_raw.as_deref(), Some("CREATED"));
    assert!(!s.is_final());

    let c = CClient::new(&env.emu.base_url());
    let st = c.status_full(&id).unwrap();
    assert_eq!(st.state, CFRPD_STATE_CREATED);
    assert_eq!(st.status.as_deref(), Some("CREATED"));
}

#[test]
fn the_documented_created_sample_decodes_to_created() {
    let body = sample("status_created.json");
    let server = ScriptServer::start(vec![Step::Respond(http(200, &[], &body))]);
    let s = script_client(&server, 0).status("92").unwrap();
    assert_eq!(s.status, VerificationStatus::Created);
    assert_eq!(s.reversal, ReversalStatus::Unknown(String::new()));

    let server = ScriptServer::start(vec![Step::Respond(http(200, &[], &body))]);
    let st = CClient::new(&server.base_url()).status_full("92").unwrap();
    assert_eq!(
        (st.state, st.reversal),
        (CFRPD_STATE_CREATED, CFRPD_REVERSAL_UNKNOWN)
    );
}

#[test]
fn pending_is_unknown_and_a_wait_keeps_polling() {
    let env = start();
    let id = fresh_id("pending");
    env.client.create(&id, "Jane Doe").unwrap();
    let pending = format!(r#"{{"verification_id":"{id}","ref_id":"1","status":"PENDING"}}"#);
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &pending)));
    let s = env.client.status(&id).unwrap();
    assert_eq!(s.status, VerificationStatus::Unknown("PENDING".into()));
    assert!(!s.is_final());

    // A wait that first sees PENDING goes on polling until the payment lands.
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &pending)));
    let emu_pay = env.emu.base_url();
    let id2 = id.clone();
    let payer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        let url = emu_pay.replace("/verification", "/__emulator/pay");
        let agent = ureq::Agent::new_with_defaults();
        agent
            .post(&url)
            .send(format!(r#"{{"verification_id":"{id2}"}}"#))
            .unwrap();
    });
    let mut seen = Vec::new();
    let done = env
        .client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_secs(20)).poll_interval(Duration::from_millis(500)),
            |s| {
                seen.push(s.status_raw.clone().unwrap_or_default());
                true
            },
        )
        .unwrap();
    payer.join().unwrap();
    assert_eq!(done.status, VerificationStatus::Success);
    assert_eq!(
        seen.first().map(String::as_str),
        Some("PENDING"),
        "{seen:?}"
    );
}

// ---------------------------------------------------------------------------------
// reversal_status has an enum beside the raw text.

#[test]
fn reversal_status_is_parsed_in_rust_and_c() {
    for (text, rust, c) in [
        ("PENDING", ReversalStatus::Pending, CFRPD_REVERSAL_PENDING),
        (
            "TRANSFER_INITIATED",
            ReversalStatus::TransferInitiated,
            CFRPD_REVERSAL_TRANSFER_INITIATED,
        ),
        (
            "transfer_success",
            ReversalStatus::TransferSuccess,
            CFRPD_REVERSAL_TRANSFER_SUCCESS,
        ),
        ("FAILED", ReversalStatus::Failed, CFRPD_REVERSAL_FAILED),
        (
            "REFUNDED",
            ReversalStatus::Unknown("REFUNDED".into()),
            CFRPD_REVERSAL_UNKNOWN,
        ),
    ] {
        let body = sample("status_success.json").replace(
            r#""reversal_status": "PENDING""#,
            &format!(r#""reversal_status": "{text}""#),
        );
        let server = ScriptServer::start(vec![
            Step::Respond(http(200, &[], &body)),
            Step::Respond(http(200, &[], &body)),
        ]);
        let s = script_client(&server, 0).status("3890AAB000").unwrap();
        assert_eq!(s.reversal, rust, "{text}");
        assert_eq!(s.reversal_status.as_deref(), Some(text));
        let st = CClient::new(&server.base_url())
            .status_full("3890AAB000")
            .unwrap();
        assert_eq!(st.reversal, c, "{text}");
        assert_eq!(st.reversal_status.as_deref(), Some(text));
    }
}

#[test]
fn a_paid_request_reports_the_reversal() {
    let env = start();
    let id = fresh_id("rev");
    env.client.create(&id, "Jane Doe").unwrap();
    env.emu.pay(&id, PayOutcome::default()).unwrap();
    let s = env.client.status(&id).unwrap();
    assert_eq!(s.status, VerificationStatus::Success);
    assert!(
        !matches!(s.reversal, ReversalStatus::Unknown(_)),
        "a paid request has a documented reversal state: {:?}",
        s.reversal_status
    );
}

// ---------------------------------------------------------------------------------
// Cashfree's error objects under HTTP 200.

#[test]
fn an_error_object_under_200_is_that_error_and_is_not_resent() {
    let env = start();
    let id = fresh_id("dup200");
    env.emu
        .inject(Fault::once(Endpoint::Create, canned(200, DUP)));
    let e = env.client.create(&id, "Jane Doe").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateId, "{e}");
    assert_eq!(e.http_status(), Some(200));
    assert!(!e.is_ambiguous() && !e.is_retryable(), "{e:?}");
    assert_eq!(e.api_code(), Some("verification_id_already_exists"));
    assert_eq!(env.emu.stats().creates_received, 1, "never re-sent");

    let invalid = r#"{"code":"invalid_verification_id","message":"Please enter a valid verification_id","type":"validation_error"}"#;
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, invalid)));
    let e = env.client.status(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "{e}");
    assert_eq!(e.http_status(), Some(200));

    // Through the C ABI.
    let c = CClient::new(&env.emu.base_url());
    env.emu
        .inject(Fault::once(Endpoint::Create, canned(200, DUP)));
    let e = c.create(&fresh_id("dup200c")).unwrap_err();
    assert_eq!((e.code, e.http_status), (CFRPD_ERR_DUPLICATE_ID, 200));
    assert!(!e.ambiguous && !e.retryable);
    let server_error =
        r#"{"code":"internal_error","message":"Unable to validate","type":"api_error"}"#;
    env.emu
        .inject(Fault::once(Endpoint::Create, canned(200, server_error)));
    let e = c.create(&fresh_id("srv200c")).unwrap_err();
    assert_eq!(e.code, CFRPD_ERR_SERVER);
    assert!(
        e.ambiguous,
        "a server error on a create may have been processed"
    );
}

// ---------------------------------------------------------------------------------
// An answer about another request is an error (Rust, C, and inside a wait).

#[test]
fn an_answer_about_another_request_is_refused() {
    let env = start();
    let id = fresh_id("mine");
    let other = sample("status_success.json"); // verification_id 3890AAB000, ref_id 123
    env.client.create(&id, "Jane Doe").unwrap();

    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &other)));
    let e = env.client.status(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");
    assert!(e.message().contains("another request"), "{e}");
    assert!(e.raw_body().unwrap().contains("3890AAB000"));

    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &other)));
    let e = env.client.status_by_ref_id(124).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");

    // The wait ends at once rather than handing over the other customer's details.
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &other)));
    let started = Instant::now();
    let e = env
        .client
        .wait_for_result(&id, &WaitOptions::new(Duration::from_secs(20)), |_| {
            panic!("no status may reach the callback")
        })
        .unwrap_err();
    assert_eq!(e.error.kind(), ErrorKind::UnexpectedResponse);
    assert!(started.elapsed() < Duration::from_secs(10));

    let c = CClient::new(&env.emu.base_url());
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &other)));
    let e = c.status_full(&id).unwrap_err();
    assert_eq!(e.code, CFRPD_ERR_UNEXPECTED_RESPONSE);
    assert!(e.raw_body.unwrap().contains("3890AAB000"));
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &other)));
    assert_eq!(
        c.status_by_ref(99).unwrap_err().code,
        CFRPD_ERR_UNEXPECTED_RESPONSE
    );
    env.emu
        .inject(Fault::once(Endpoint::Status, canned(200, &other)));
    let (code, state, polls) = c.wait(&id, 20_000, None);
    assert_eq!(
        (code, state, polls),
        (CFRPD_ERR_UNEXPECTED_RESPONSE, None, 0)
    );
}

// ---------------------------------------------------------------------------------
// Rate limits: X-RateLimit-Reset / x-ratelimit-retry are the wait; the window is exposed.

#[test]
fn a_429_with_only_x_ratelimit_reset_waits_for_the_reset() {
    let ok = sample("status_success.json");
    let limited = http(
        429,
        &[
            ("X-RateLimit-Limit", "60"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "2"),
        ],
        r#"{"message":"Too many requests","type":"rate_limit_error"}"#,
    );
    let server = ScriptServer::start(vec![
        Step::Respond(limited.clone()),
        Step::Respond(http(
            200,
            &[("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "59")],
            &ok,
        )),
    ]);
    let client = script_client(&server, 2);
    let started = Instant::now();
    client.status("3890AAB000").unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2),
        "retried after {waited:?}, before X-RateLimit-Reset"
    );
    let window = client.rate_limit().unwrap();
    assert_eq!((window.limit, window.remaining), (Some(60), Some(59)));

    // A reset longer than 30 s: no automatic retry; the caller is told how long.
    let long = http(
        429,
        &[("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "120")],
        "{}",
    );
    let server = ScriptServer::start(vec![Step::Respond(long.clone())]);
    let started = Instant::now();
    let e = script_client(&server, 2).status("x").unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(e.rate_limit().unwrap().remaining, Some(0));
    assert_eq!(server.seen().len(), 1);

    // x-ratelimit-retry wins over the reset.
    let retry_header = http(
        429,
        &[("x-ratelimit-retry", "1"), ("X-RateLimit-Reset", "50")],
        "{}",
    );
    let server = ScriptServer::start(vec![
        Step::Respond(retry_header),
        Step::Respond(http(200, &[], &ok)),
    ]);
    let started = Instant::now();
    script_client(&server, 1).status("3890AAB000").unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(20));

    // C: retry_after_ms and the window in the error; cfrpd_client_rate_limit.
    let server = ScriptServer::start(vec![Step::Respond(long)]);
    let c = CConfig::new(&server.base_url()).retries(2).client();
    let e = c.status("x").unwrap_err();
    assert_eq!(e.code, CFRPD_ERR_RATE_LIMITED);
    assert_eq!(e.retry_after_ms, 120_000);
    assert!(e.retryable);
    assert_eq!(
        (e.rate_limit_remaining, e.rate_limit_reset_ms),
        (0, 120_000)
    );
    let mut window = cfrpd_rate_limit {
        limit: 7,
        remaining: 7,
        reset_ms: 7,
    };
    assert_eq!(
        // SAFETY: `c.0` is a live client and `window` a writable struct.
        unsafe { cfrpd_client_rate_limit(c.0, &mut window) },
        CFRPD_OK
    );
    assert_eq!((window.limit, window.remaining), (-1, 0));
    assert!(window.reset_ms > 100_000 && window.reset_ms <= 120_000);
}

#[test]
fn a_wait_does_not_poll_into_429s_when_the_window_is_used_up() {
    let id = "wait-rl";
    let created = format!(r#"{{"verification_id":"{id}","ref_id":"1","status":"CREATED"}}"#);
    let paid = format!(r#"{{"verification_id":"{id}","ref_id":"1","status":"SUCCESS"}}"#);
    let server = ScriptServer::start(vec![
        Step::Respond(http(
            200,
            &[
                ("X-RateLimit-Limit", "2"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "3"),
            ],
            &created,
        )),
        Step::Respond(http(200, &[("X-RateLimit-Remaining", "1")], &paid)),
    ]);
    let client = script_client(&server, 0);
    let started = Instant::now();
    let s = client
        .wait_for_result(
            id,
            &WaitOptions::new(Duration::from_secs(30)).poll_interval(Duration::from_millis(500)),
            |_| true,
        )
        .unwrap();
    assert_eq!(s.status, VerificationStatus::Success);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3),
        "polled again after {waited:?}: before the window reset"
    );
    assert_eq!(server.seen().len(), 2, "no poll went into a 429");
}

// ---------------------------------------------------------------------------------
// x-api-version and a fresh x-request-id per attempt; the error carries the last one.

#[test]
fn requests_carry_the_api_version_and_a_fresh_request_id() {
    let server = ScriptServer::start(vec![
        Step::Respond(http(503, &[], "{}")),
        Step::Respond(http(503, &[], "{}")),
        Step::Respond(http(503, &[], "{}")),
    ]);
    let e = script_client(&server, 2).status("abc").unwrap_err();
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let ids: Vec<String> = seen
        .iter()
        .map(|r| r.header("x-request-id").expect("x-request-id sent"))
        .collect();
    for (r, id) in seen.iter().zip(&ids) {
        assert_eq!(r.header("x-api-version").as_deref(), Some("2023-12-18"));
        assert!(id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    }
    assert!(ids[0] != ids[1] && ids[1] != ids[2], "{ids:?}");
    assert_eq!(e.request_id(), Some(ids[2].as_str()));

    // Nothing sent: no request id.
    let client = script_client(&server, 0);
    assert_eq!(client.status("bad id").unwrap_err().request_id(), None);

    // C: cfrpd_error.request_id.
    let server = ScriptServer::start(vec![Step::Respond(http(401, &[], "{}"))]);
    let e = CClient::new(&server.base_url()).status("abc").unwrap_err();
    let sent = server.seen()[0].header("x-request-id").unwrap();
    assert_eq!(e.request_id.as_deref(), Some(sent.as_str()));
    let e = CClient::new(&server.base_url())
        .status("bad id")
        .unwrap_err();
    assert_eq!((e.code, e.request_id), (CFRPD_ERR_INVALID_ARGUMENT, None));
}

// ---------------------------------------------------------------------------------
// "Client secret belongs to test environment".

#[test]
fn the_environment_mix_up_says_how_to_fix_it() {
    let body = r#"{"code":"client_secret_invalid_environment","message":"Client secret belongs to test environment","type":"authentication_error"}"#;
    let env = start();
    env.emu
        .inject(Fault::once(Endpoint::Create, canned(400, body)));
    let e = env.client.create(&fresh_id("env"), "Jane").unwrap_err();
    assert!(
        e.message()
            .contains("Sandbox (test) credentials were sent to production"),
        "{e}"
    );
    assert!(e.message().contains("CASHFREE_ENV=sandbox"), "{e}");
    assert!(!e.is_ambiguous());

    env.emu
        .inject(Fault::once(Endpoint::Create, canned(400, body)));
    let e = CClient::new(&env.emu.base_url())
        .create(&fresh_id("envc"))
        .unwrap_err();
    assert_eq!(e.code, CFRPD_ERR_BAD_REQUEST);
    assert!(
        e.message.contains("cfrpd_config_set_environment"),
        "{}",
        e.message
    );
}

// ---------------------------------------------------------------------------------
// Money safety at the edges.

#[test]
fn a_resent_create_that_meets_already_exists_is_ambiguous() {
    let env = start();
    let id = fresh_id("resent");
    env.emu
        .inject(Fault::once(Endpoint::Create, FaultKind::Documented(503)));
    env.emu
        .inject(Fault::once(Endpoint::Create, FaultKind::Documented(400)));
    let e = env.client.create(&id, "Jane Doe").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateId, "{e}");
    assert!(e.is_ambiguous() && !e.is_retryable(), "{e:?}");
    assert!(
        e.message()
            .to_lowercase()
            .contains("look the verification_id up"),
        "{e}"
    );
    assert_eq!(env.emu.stats().creates_received, 2);

    // Without a re-send, already-exists is plain (the caller used the id before).
    env.emu
        .inject(Fault::once(Endpoint::Create, FaultKind::Documented(400)));
    let e = env.client.create(&fresh_id("plain"), "Jane").unwrap_err();
    assert!(e.kind() == ErrorKind::DuplicateId && !e.is_ambiguous());

    let c = CConfig::new(&env.emu.base_url()).retries(2).client();
    env.emu
        .inject(Fault::once(Endpoint::Create, FaultKind::Documented(503)));
    env.emu
        .inject(Fault::once(Endpoint::Create, FaultKind::Documented(400)));
    let e = c.create(&fresh_id("resentc")).unwrap_err();
    assert_eq!(e.code, CFRPD_ERR_DUPLICATE_ID);
    assert!(e.ambiguous && !e.retryable);
}

// ---------------------------------------------------------------------------------
// Decode, then scrub: short secrets never change what is decoded.

/// Everything a call hands back, as text, for comparing two runs.
fn status_strings(s: &cashfree_rpd::Status) -> Vec<Option<String>> {
    vec![
        s.status_raw.clone(),
        s.verification_id.clone(),
        s.ref_id.clone(),
        s.bank_account.clone(),
        s.ifsc.clone(),
        s.upi.clone(),
        s.name_at_bank.clone(),
        s.utr.clone(),
        s.name_match_score.clone(),
        s.name_match_result.clone(),
        s.added_on.clone(),
        s.processed_on.clone(),
        s.penny_collected_on.clone(),
        s.reversal_status.clone(),
        s.account_type.clone(),
        Some(s.raw_json.clone()),
    ]
}

/// The documented scrubbing: the secret (plain, and JSON-escaped) replaced by the first
/// of `[redacted]`, `[REDACTED]`, `<redacted>` that does not itself hold the secret.
fn scrub(secret: &str, text: &str) -> String {
    let escaped = serde_json::to_string(secret).unwrap();
    let escaped = escaped.trim_matches('"');
    let mut forms = vec![secret.to_owned(), escaped.to_owned()];
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let marker = ["[redacted]", "[REDACTED]", "<redacted>"]
        .into_iter()
        .find(|m| forms.iter().all(|f| !m.contains(f.as_str())))
        .unwrap();
    let mut out = text.to_owned();
    for f in forms {
        out = out.replace(&f, marker);
    }
    out
}

const SHORT_SECRETS: [&str; 6] = ["b", "e", "1", "status", "YESB0000262", "\""];

#[test]
fn short_secrets_decode_exactly_what_a_long_secret_decodes() {
    let long = "a-secret-that-appears-nowhere-0123456789";
    let create = sample("create_response.json");
    let success = sample("status_success.json");
    let run = |secret: &str| {
        let server = ScriptServer::start(vec![
            Step::Respond(http(200, &[], &create)),
            Step::Respond(http(200, &[], &success)),
            Step::Respond(http(200, &[], &success)),
        ]);
        let mut cfg = Config::new("id", secret).unwrap();
        cfg.set_base_url(&server.base_url()).unwrap();
        cfg.set_max_retries(0).unwrap();
        let client = Client::new(&cfg).unwrap();
        let created = client.create("90909710", "Jane Doe");
        let by_id = client.status("3890AAB000");
        let by_ref = client.status_by_ref_id(123);
        (created, by_id, by_ref)
    };
    let (c0, s0, r0) = run(long);
    let (c0, s0, r0) = (c0.unwrap(), s0.unwrap(), r0.unwrap());
    assert_eq!(s0.name_match, NameMatch::PoorPartial);
    for secret in SHORT_SECRETS {
        let (c, s, r) = run(secret);
        let c = c.unwrap_or_else(|e| panic!("secret {secret:?}: create failed: {e}"));
        let s = s.unwrap_or_else(|e| panic!("secret {secret:?}: status failed: {e}"));
        let r = r.unwrap_or_else(|e| panic!("secret {secret:?}: by ref_id failed: {e}"));
        // Same decoded values and enums; strings only differ by the scrubbing.
        assert_eq!(c.ref_id, c0.ref_id, "{secret:?}");
        assert_eq!(
            c.qr_png(),
            c0.qr_png(),
            "{secret:?}: the PNG is decoded as received"
        );
        assert_eq!(c.upi_link, scrub(secret, &c0.upi_link), "{secret:?}");
        assert_eq!(c.verification_id, scrub(secret, &c0.verification_id));
        assert_eq!(c.qr_code, c0.qr_code.as_deref().map(|q| scrub(secret, q)));
        for (st, st0) in [(&s, &s0), (&r, &r0)] {
            assert_eq!(st.status, st0.status, "{secret:?}");
            assert_eq!(st.name_match, st0.name_match, "{secret:?}");
            assert_eq!(st.reversal, st0.reversal, "{secret:?}");
            let want: Vec<_> = status_strings(st0)
                .into_iter()
                .map(|f| f.map(|t| scrub(secret, &t)))
                .collect();
            assert_eq!(status_strings(st), want, "{secret:?}");
            for f in status_strings(st).into_iter().flatten() {
                assert!(!f.contains(secret), "{secret:?} in {f:?}");
            }
        }
        assert!(!c.raw_json.contains(secret) && !c.upi_link.contains(secret));
    }
}

#[test]
fn short_secrets_through_the_emulator_in_rust_and_c() {
    for secret in SHORT_SECRETS {
        let env = start_with(Options {
            client_secret: secret.to_owned(),
            ..Options::default()
        });
        let mut cfg = Config::new(cashfree_rpd_emulator::TEST_CLIENT_ID, secret).unwrap();
        cfg.set_base_url(&env.emu.base_url()).unwrap();
        let client = Client::new(&cfg).unwrap();
        let id = fresh_id("short");
        let created = client
            .create(&id, "Jane Doe")
            .unwrap_or_else(|e| panic!("secret {secret:?}: {e:?}"));
        assert!(created.qr_png().is_some(), "{secret:?}");
        env.emu.pay(&id, PayOutcome::default()).unwrap();
        let s = client.status(&id).unwrap();
        assert_eq!(s.status, VerificationStatus::Success, "{secret:?}");
        assert!(s.bank_account.is_some() && s.name_at_bank.is_some());
        for f in status_strings(&s).into_iter().flatten() {
            assert!(!f.contains(secret), "{secret:?} in {f:?}");
        }

        let c = CConfig::with_credentials(
            &env.emu.base_url(),
            cashfree_rpd_emulator::TEST_CLIENT_ID,
            secret,
        )
        .client();
        let id = fresh_id("shortc");
        let (vid, ref_id, link) = c
            .create_named(&id, "Jane Doe")
            .unwrap_or_else(|e| panic!("C, secret {secret:?}: {e:?}"));
        assert!(ref_id > 0 && !link.contains(secret) && !vid.contains(secret));
        env.emu.pay(&id, PayOutcome::default()).unwrap();
        let st = c.status_full(&id).unwrap();
        assert_eq!(st.state, CFRPD_STATE_SUCCESS, "{secret:?}");
        assert!(st.bank_account.is_some() && st.name_at_bank.is_some());
        assert!(!st.raw_json.contains(secret), "{secret:?}: {}", st.raw_json);
    }
}

// ---------------------------------------------------------------------------------
// Webhooks: an age check cannot be passed by stripping the headers.

#[test]
fn a_max_age_without_signature_headers_is_refused() {
    let body = sample("webhook_success.json");
    let secret = "webhook-test-secret";
    let mut v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["signature"] = cashfree_rpd_emulator::sign_webhook_body_v1(secret, &v["data"]).into();
    let signed = v.to_string();
    let r = cashfree_rpd::webhook::verify(
        secret,
        signed.as_bytes(),
        None,
        None,
        Some(Duration::from_secs(300)),
    );
    assert_eq!(r.unwrap_err().kind(), ErrorKind::WebhookSignature);
    // Without an age check the v1 body signature is still accepted.
    assert!(cashfree_rpd::webhook::verify(secret, signed.as_bytes(), None, None, None).is_ok());

    let key = std::ffi::CString::new(secret).unwrap();
    let mut out = std::ptr::null_mut();
    let mut err = std::ptr::null_mut();
    // SAFETY: `key` is a C string and `signed` a byte buffer of `signed.len()` bytes, both alive during the call; out/err writable.
    let code = unsafe {
        cfrpd_webhook_verify(
            key.as_ptr(),
            signed.as_ptr(),
            signed.len(),
            std::ptr::null(),
            std::ptr::null(),
            300,
            &mut out,
            &mut err,
        )
    };
    assert_eq!(code, CFRPD_ERR_WEBHOOK_SIGNATURE);
    assert!(out.is_null() && !err.is_null());
    // SAFETY: `err` is the error the call wrote, freed once.
    unsafe { cfrpd_error_free(err) };
}

// ---------------------------------------------------------------------------------
// The same rules end to end against the emulator's own behaviour.

#[test]
fn the_emulator_moves_the_reversal_along_and_the_client_follows() {
    let env = start_with(Options {
        reversal_step: Duration::from_millis(300),
        ..Options::default()
    });
    let id = fresh_id("revstep");
    env.client.create(&id, "Jane Doe").unwrap();
    env.emu.pay(&id, PayOutcome::default()).unwrap();
    let first = env.client.status(&id).unwrap();
    assert_eq!(first.reversal, ReversalStatus::Pending);
    assert_eq!(
        first.name_match,
        NameMatch::Direct,
        "the payer is the named person"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = vec![first.reversal];
    while Instant::now() < deadline && seen.last() != Some(&ReversalStatus::TransferSuccess) {
        std::thread::sleep(Duration::from_millis(100));
        let r = env.client.status(&id).unwrap().reversal;
        if seen.last() != Some(&r) {
            seen.push(r);
        }
    }
    assert_eq!(
        seen,
        [
            ReversalStatus::Pending,
            ReversalStatus::TransferInitiated,
            ReversalStatus::TransferSuccess
        ]
    );
    let st = CClient::new(&env.emu.base_url()).status_full(&id).unwrap();
    assert_eq!(st.reversal, CFRPD_REVERSAL_TRANSFER_SUCCESS);
}

#[test]
fn a_wait_rides_the_emulators_rate_limit_without_429s() {
    // 3 requests per 2 s window; the wait polls every 0.5 s.
    let env = start_with(Options {
        rate_limit: Some((3, Duration::from_secs(2))),
        auto_pay_after: Some(Duration::from_secs(5)),
        ..Options::default()
    });
    let id = fresh_id("rl");
    env.client.create(&id, "Jane Doe").unwrap();
    let s = env
        .client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_secs(30)).poll_interval(Duration::from_millis(500)),
            |_| true,
        )
        .unwrap();
    assert_eq!(s.status, VerificationStatus::Success);
    assert_eq!(env.emu.stats().rate_limited, 0, "no poll ran into a 429");
    let window = env.client.rate_limit().unwrap();
    assert_eq!(window.limit, Some(3));
}

#[test]
fn the_emulator_playing_production_refuses_sandbox_secrets_clearly() {
    let emu = cashfree_rpd_emulator::Emulator::start(Options::production()).unwrap();
    let mut cfg = Config::new(
        cashfree_rpd_emulator::TEST_CLIENT_ID,
        cashfree_rpd_emulator::TEST_CLIENT_SECRET,
    )
    .unwrap();
    cfg.set_base_url(&emu.base_url()).unwrap();
    let e = Client::new(&cfg)
        .unwrap()
        .create(&fresh_id("prod"), "Jane")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(
        e.message()
            .contains("Sandbox (test) credentials were sent to production"),
        "{e}"
    );
    let c = CConfig::with_credentials(
        &emu.base_url(),
        cashfree_rpd_emulator::TEST_CLIENT_ID,
        cashfree_rpd_emulator::TEST_CLIENT_SECRET,
    )
    .client();
    let e = c.create(&fresh_id("prodc")).unwrap_err();
    assert!(e.message.contains("CFRPD_ENV_SANDBOX"), "{}", e.message);
}

#[test]
fn the_emulators_other_request_fault_is_caught_in_rust_and_c() {
    let env = start();
    let id = fresh_id("other");
    env.client.create(&id, "Jane Doe").unwrap();
    env.emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::OtherRequest {
            verification_id: None,
        },
    ));
    let e = env.client.status(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");
    env.emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::OtherRequest {
            verification_id: None,
        },
    ));
    let e = env.client.create(&fresh_id("other2"), "Jane").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");
    assert!(e.is_ambiguous(), "the create itself was processed");
    env.emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::OtherRequest {
            verification_id: None,
        },
    ));
    let c = CClient::new(&env.emu.base_url());
    assert_eq!(
        c.status_full(&id).unwrap_err().code,
        CFRPD_ERR_UNEXPECTED_RESPONSE
    );
}
