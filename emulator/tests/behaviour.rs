//! Cashfree behaviour the emulator plays (see emulator/README.md): refund progression,
//! rate limits, errors under HTTP 200, answers about another request, environments,
//! recorded headers, the default payer and the refusals of the control endpoints.

mod common;

use std::time::Duration;

use cashfree_rpd_emulator::{
    Emulator, Endpoint, Environment, Fault, FaultKind, Options, PayOutcome, ReversalOutcome,
    PRODUCTION_CLIENT_SECRET, TEST_CLIENT_ID, TEST_CLIENT_SECRET,
};
use common::{call, create, request, status, Resp};
use serde_json::{json, Value};

const CREATE: &str = "/verification/reverse-penny-drop";

fn post(emu: &Emulator, path: &str, body: &str) -> Resp {
    let raw = format!(
        "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    call(emu.addr(), raw.as_bytes()).unwrap()
}

fn get(emu: &Emulator, path: &str) -> Resp {
    call(
        emu.addr(),
        format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes(),
    )
    .unwrap()
}

fn reversal(emu: &Emulator, id: &str) -> String {
    let s = status(emu.addr(), &format!("verification_id={id}")).json();
    s["reversal_status"].as_str().unwrap().to_string()
}

#[test]
fn reversal_moves_from_pending_to_transfer_success_or_failed() {
    // Wide margins: each check sits 200 ms or more from a step boundary.
    let step = Duration::from_millis(600);
    let emu = Emulator::start(Options {
        reversal_step: step,
        ..Options::default()
    })
    .unwrap();
    for id in ["r-ok", "r-bad", "r-http", "emu-reversal-failed-1", "r-fail"] {
        assert_eq!(create(emu.addr(), id, "Asha Rao").status, 200);
    }
    assert_eq!(reversal(&emu, "r-ok"), "", "empty before payment");
    emu.pay("r-ok", PayOutcome::default()).unwrap();
    emu.pay_with("r-bad", PayOutcome::default(), ReversalOutcome::Failed)
        .unwrap();
    let r = post(
        &emu,
        "/__emulator/pay",
        r#"{"verification_id":"r-http","reversal":"failed"}"#,
    );
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    emu.pay("emu-reversal-failed-1", PayOutcome::default())
        .unwrap();
    emu.pay("r-fail", PayOutcome::failure()).unwrap();
    for id in ["r-ok", "r-bad", "r-http", "emu-reversal-failed-1"] {
        assert_eq!(reversal(&emu, id), "PENDING", "{id}");
    }
    assert_eq!(
        reversal(&emu, "r-fail"),
        "",
        "a failed payment has nothing to refund"
    );
    std::thread::sleep(step + Duration::from_millis(200));
    for id in ["r-ok", "r-bad", "r-http", "emu-reversal-failed-1"] {
        assert_eq!(reversal(&emu, id), "TRANSFER_INITIATED", "{id}");
    }
    std::thread::sleep(step);
    assert_eq!(reversal(&emu, "r-ok"), "TRANSFER_SUCCESS");
    for id in ["r-bad", "r-http", "emu-reversal-failed-1"] {
        assert_eq!(reversal(&emu, id), "FAILED", "{id}");
    }
    // The status itself stays SUCCESS.
    let s = status(emu.addr(), "verification_id=r-bad").json();
    assert_eq!(s["status"], "SUCCESS");
}

#[test]
fn reversal_outcome_option_applies_to_auto_pay() {
    let emu = Emulator::start(Options {
        reversal_step: Duration::ZERO,
        reversal_outcome: ReversalOutcome::Failed,
        auto_pay_after: Some(Duration::ZERO),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(create(emu.addr(), "a1", "N").status, 200);
    assert_eq!(reversal(&emu, "a1"), "FAILED");
}

fn h<'a>(r: &'a Resp, name: &str) -> Option<&'a str> {
    r.header(name)
}

#[test]
fn rate_limiter_counts_per_client_and_resets() {
    let window = Duration::from_millis(1500);
    let emu = Emulator::start(Options {
        rate_limit: Some((2, window)),
        ..Options::default()
    })
    .unwrap();
    let a = emu.addr();
    let r = create(a, "rl-1", "N");
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "x-ratelimit-limit"), Some("2"));
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("1"));
    assert_eq!(h(&r, "x-ratelimit-reset"), Some("2"), "1.5 s rounds up");
    let r = status(a, "verification_id=rl-1");
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("0"));
    let r = create(a, "rl-2", "N");
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["code"], "rate_limit_exceeded");
    assert_eq!(h(&r, "x-ratelimit-limit"), Some("2"));
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("0"));
    let reset: u64 = h(&r, "x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=2).contains(&reset), "{reset}");
    assert_eq!(h(&r, "retry-after"), None);
    assert_eq!(h(&r, "x-ratelimit-retry"), None);
    // Another client has its own window (and is refused for its credentials).
    let other = request(
        "GET",
        "/verification/remitter/status?verification_id=rl-1",
        None,
        &[("x-client-id", "someone-else"), ("x-client-secret", "s")],
    );
    let r = call(a, &other).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("1"));
    // Faults and errors carry the headers too (and a refused request was not counted).
    std::thread::sleep(window + Duration::from_millis(100));
    emu.inject(Fault::once(Endpoint::Status, FaultKind::Documented(500)));
    let r = status(a, "verification_id=rl-1");
    assert_eq!(r.status, 500);
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("1"));
    // The 429'd create was not processed: the id is still free.
    let r = create(a, "rl-2", "N");
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("0"));
    assert_eq!(create(a, "rl-3", "N").status, 429);
    assert_eq!(emu.stats().rate_limited, 2);
    assert_eq!(get(&emu, "/__emulator/stats").json()["rate_limited"], 2);
    // POST /__emulator/reset starts every window afresh.
    assert_eq!(post(&emu, "/__emulator/reset", "").status, 200);
    let r = create(a, "rl-3", "N");
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("1"));
    // Control endpoints are not limited.
    for _ in 0..5 {
        assert_eq!(get(&emu, "/__emulator/stats").status, 200);
    }
}

#[test]
fn no_rate_limit_headers_without_a_limit() {
    let emu = Emulator::start_default().unwrap();
    let r = create(emu.addr(), "n1", "N");
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "x-ratelimit-limit"), None);
}

#[test]
fn bad_rate_limits_and_environments_are_refused_at_start() {
    for rate_limit in [Some((0, Duration::from_secs(1))), Some((1, Duration::ZERO))] {
        let e = Emulator::start(Options {
            rate_limit,
            ..Options::default()
        })
        .unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    }
    let e = Emulator::start(Options {
        environment: Environment::Production,
        ..Options::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("Options::production()"), "{e}");
    let e = Emulator::start(Options {
        client_secret: PRODUCTION_CLIENT_SECRET.into(),
        ..Options::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("sandbox"), "{e}");
}

#[test]
fn rate_limit_faults_over_rust_and_http() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::RateLimited {
            limit: 100,
            reset_secs: 7,
        },
    ));
    let r = create(a, "f1", "N");
    assert_eq!(r.status, 429);
    assert_eq!(h(&r, "x-ratelimit-limit"), Some("100"));
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("0"));
    assert_eq!(h(&r, "x-ratelimit-reset"), Some("7"));
    assert_eq!(h(&r, "retry-after"), None);
    assert_eq!(
        create(a, "f1", "N").status,
        200,
        "the 429 was not processed"
    );

    let ok = |r: Resp| {
        assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    };
    ok(post(
        &emu,
        "/__emulator/fault",
        r#"{"endpoint":"status","kind":"ratelimit_retry","secs":3,"reset_secs":9}"#,
    ));
    let r = status(a, "verification_id=f1");
    assert_eq!(r.status, 429);
    assert_eq!(h(&r, "x-ratelimit-retry"), Some("3"));
    assert_eq!(h(&r, "x-ratelimit-reset"), Some("9"));
    assert_eq!(h(&r, "retry-after"), None);

    ok(post(
        &emu,
        "/__emulator/fault",
        r#"{"endpoint":"status","kind":"rate_limited","reset_secs":2,"limit":5}"#,
    ));
    let r = status(a, "verification_id=f1");
    assert_eq!(r.status, 429);
    assert_eq!(h(&r, "x-ratelimit-limit"), Some("5"));
    assert_eq!(h(&r, "x-ratelimit-reset"), Some("2"));

    // A success that says the window is used up.
    ok(post(
        &emu,
        "/__emulator/fault",
        r#"{"endpoint":"status","kind":"rate_limit_headers","remaining":0,"reset_secs":4}"#,
    ));
    let r = status(a, "verification_id=f1");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "CREATED");
    assert_eq!(h(&r, "x-ratelimit-limit"), Some("60"));
    assert_eq!(h(&r, "x-ratelimit-remaining"), Some("0"));
    assert_eq!(h(&r, "x-ratelimit-reset"), Some("4"));
}

#[test]
fn error_bodies_under_http_200() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::duplicate_under_200(),
    ));
    let r = create(a, "e1", "N");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"})
    );
    assert_eq!(create(a, "e1", "N").status, 200, "not processed");
    let r = post(
        &emu,
        "/__emulator/fault",
        r#"{"endpoint":"status","kind":"error_200","code":"verification_id_missing","message":"verification_id is missing","type":"validation_error"}"#,
    );
    assert_eq!(r.status, 200);
    let r = status(a, "verification_id=e1");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"code":"verification_id_missing","message":"verification_id is missing","type":"validation_error"})
    );
}

#[test]
fn answers_about_another_request() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    // No other request stored: a made-up one.
    assert_eq!(create(a, "mine", "Asha Rao").status, 200);
    emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::OtherRequest {
            verification_id: None,
        },
    ));
    let s = status(a, "verification_id=mine").json();
    assert_eq!(s["verification_id"], "emu-other-request");
    assert_eq!(s["ref_id"], "999999");
    assert_eq!(s["status"], "SUCCESS");
    assert!(s["bank_account"].as_str().unwrap().len() > 4);

    // Another stored request, paid: its real data.
    assert_eq!(create(a, "theirs", "Vikram Singh").status, 200);
    emu.pay("theirs", PayOutcome::default()).unwrap();
    emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::OtherRequest {
            verification_id: None,
        },
    ));
    let s = status(a, "verification_id=mine").json();
    assert_eq!(s["verification_id"], "theirs");
    assert_eq!(s["ref_id"], "1001");
    assert_eq!(s["name_at_bank"], "VIKRAM SINGH");
    // Asked by ref_id, over HTTP, naming the other one.
    let r = post(
        &emu,
        "/__emulator/fault",
        r#"{"endpoint":"status","kind":"other_request","verification_id":"mine"}"#,
    );
    assert_eq!(r.status, 200);
    let s = status(a, "ref_id=1001").json();
    assert_eq!(s["verification_id"], "mine");
    assert_eq!(s["ref_id"], "1000");
    assert_eq!(s["status"], "CREATED");
    // Normal again.
    assert_eq!(
        status(a, "verification_id=mine").json()["verification_id"],
        "mine"
    );

    // Create: processed and stored, but the answer names another request.
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::OtherRequest {
            verification_id: None,
        },
    ));
    let c = create(a, "new-1", "N").json();
    assert_eq!(c["verification_id"], "new-1-other");
    assert_ne!(c["ref_id"], json!(1002));
    assert!(c["ref_id"].is_u64());
    let s = status(a, "verification_id=new-1").json();
    assert_eq!(s["ref_id"], "1002", "the create was stored");
    let r = post(
        &emu,
        "/__emulator/fault",
        r#"{"endpoint":"create","kind":"other_request","verification_id":"zzz"}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(create(a, "new-2", "N").json()["verification_id"], "zzz");
}

fn call_with_secret(emu: &Emulator, secret: &str) -> Resp {
    let body = r#"{"verification_id":"env-1","name":"N"}"#;
    call(
        emu.addr(),
        &request(
            "POST",
            CREATE,
            Some(body),
            &[("x-client-id", TEST_CLIENT_ID), ("x-client-secret", secret)],
        ),
    )
    .unwrap()
}

#[test]
fn production_refuses_test_secrets_and_sandbox_refuses_production_ones() {
    let prod = Emulator::start(Options::production()).unwrap();
    let test_env = json!({"code":"client_secret_invalid_environment","message":"Client secret belongs to test environment","type":"authentication_error"});
    for secret in [
        TEST_CLIENT_SECRET,
        "cfsk_ma_test_0123abcd",
        "CFSK_MA_TEST_X",
    ] {
        let r = call_with_secret(&prod, secret);
        assert_eq!(r.status, 400, "{secret}");
        assert_eq!(r.json(), test_env, "{secret}");
    }
    assert_eq!(call_with_secret(&prod, "wrong").status, 401);
    assert_eq!(
        call_with_secret(&prod, PRODUCTION_CLIENT_SECRET).status,
        200
    );

    let sandbox = Emulator::start_default().unwrap();
    let r = call_with_secret(&sandbox, "cfsk_ma_prod_0123abcd");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"code":"client_secret_invalid_environment","message":"Client secret belongs to production environment","type":"authentication_error"})
    );
    assert_eq!(call_with_secret(&sandbox, TEST_CLIENT_SECRET).status, 200);
    // Status calls are checked the same way.
    let r = call(
        prod.addr(),
        &request(
            "GET",
            "/verification/remitter/status?verification_id=env-1",
            None,
            &[],
        ),
    )
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), test_env);
}

#[test]
fn recorded_requests_expose_request_id_and_api_version() {
    let emu = Emulator::start_default().unwrap();
    let body = r#"{"verification_id":"h1","name":"N"}"#;
    let r = call(
        emu.addr(),
        &request(
            "POST",
            CREATE,
            Some(body),
            &[
                ("X-Request-Id", "3f1c-0001"),
                ("x-api-version", "2023-12-18"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    // Requests without them are not refused.
    assert_eq!(status(emu.addr(), "verification_id=h1").status, 200);
    let recs = emu.requests();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].request_id(), Some("3f1c-0001"));
    assert_eq!(recs[0].api_version(), Some("2023-12-18"));
    assert_eq!(recs[1].request_id(), None);
    assert_eq!(recs[1].api_version(), None);
    // The same over HTTP, with the secret redacted.
    let list = get(&emu, "/__emulator/requests").json();
    let list = list["requests"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["method"], "POST");
    assert_eq!(list[0]["path"], CREATE);
    assert_eq!(list[0]["request_id"], "3f1c-0001");
    assert_eq!(list[0]["api_version"], "2023-12-18");
    assert_eq!(list[0]["headers"]["x-request-id"], "3f1c-0001");
    assert_eq!(list[0]["headers"]["x-client-secret"], "[redacted]");
    assert_eq!(list[0]["body"], body);
    assert_eq!(list[1]["request_id"], Value::Null);
}

#[test]
fn default_payer_is_the_name_sent_at_create() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    assert_eq!(create(a, "p1", "Ravi Kumar").status, 200);
    emu.pay("p1", PayOutcome::default()).unwrap();
    let s = status(a, "verification_id=p1").json();
    assert_eq!(s["name_at_bank"], "RAVI KUMAR");
    assert_eq!(s["name_match_result"], "DIRECT_MATCH");
    assert_eq!(s["name_match_score"], "100.00");
    // Over HTTP without a name; with a name, that payer.
    assert_eq!(create(a, "p2", "Meera Nair").status, 200);
    assert_eq!(
        post(&emu, "/__emulator/pay", r#"{"verification_id":"p2"}"#).status,
        200
    );
    assert_eq!(
        status(a, "verification_id=p2").json()["name_at_bank"],
        "MEERA NAIR"
    );
    assert_eq!(create(a, "p3", "Meera Nair").status, 200);
    assert_eq!(
        post(
            &emu,
            "/__emulator/pay",
            r#"{"verification_id":"p3","name":"MEERA K"}"#
        )
        .status,
        200
    );
    let s = status(a, "verification_id=p3").json();
    assert_eq!(s["name_at_bank"], "MEERA K");
    assert_eq!(s["name_match_result"], "MODERATE_PARTIAL_MATCH");
    // Chosen payer in Rust.
    assert_eq!(create(a, "p4", "Meera Nair").status, 200);
    emu.pay("p4", PayOutcome::paid_by("JOHN DOE")).unwrap();
    assert_eq!(
        status(a, "verification_id=p4").json()["name_match_result"],
        "NO_MATCH"
    );
    // Auto-pay without a payer name.
    let auto = Emulator::start(Options {
        auto_pay_after: Some(Duration::ZERO),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(create(auto.addr(), "p5", "John Doe").status, 200);
    let s = status(auto.addr(), "verification_id=p5").json();
    assert_eq!(s["name_at_bank"], "JOHN DOE");
    assert_eq!(s["name_match_result"], "DIRECT_MATCH");
}

fn refusal(r: &Resp) -> String {
    r.json()["message"].as_str().unwrap().to_string()
}

#[test]
fn control_refusals_list_the_valid_values() {
    let emu = Emulator::start_default().unwrap();
    assert_eq!(create(emu.addr(), "c1", "N").status, 200);

    let r = post(&emu, "/__emulator/fault", r#"{"kind":"bogus"}"#);
    assert_eq!(r.status, 400);
    let m = refusal(&r);
    for kind in [
        "delay",
        "status",
        "documented",
        "retry_after",
        "rate_limited",
        "ratelimit_retry",
        "rate_limit_headers",
        "error_200",
        "other_request",
        "reset_before_response",
        "reset_after_headers",
        "truncated_body",
        "html502",
        "huge_body",
        "invalid_json",
        "wrong_types",
        "nulls_everywhere",
        "extra_fields",
        "nul_in_strings",
        "invalid_utf8",
        "wrong_content_type",
        "empty_body_200",
    ] {
        assert!(m.contains(kind), "{m} lacks {kind}");
    }
    let r = post(
        &emu,
        "/__emulator/fault",
        r#"{"kind":"delay","ms":10,"endpoint":"everything"}"#,
    );
    assert_eq!(r.status, 400);
    assert!(
        refusal(&r).contains("any, create, status"),
        "{}",
        refusal(&r)
    );
    let r = post(
        &emu,
        "/__emulator/fault",
        r#"{"kind":"rate_limited","reset":3}"#,
    );
    assert_eq!(r.status, 400);
    let m = refusal(&r);
    assert!(
        m.contains("\"reset\"") && m.contains("reset_secs, limit"),
        "{m}"
    );
    let r = post(&emu, "/__emulator/fault", "not json");
    assert_eq!(r.status, 400);
    assert!(refusal(&r).contains("not JSON"));
    // Nothing was queued by the refusals.
    assert_eq!(status(emu.addr(), "verification_id=c1").status, 200);

    let r = post(
        &emu,
        "/__emulator/pay",
        r#"{"verification_id":"c1","payer":"X"}"#,
    );
    assert_eq!(r.status, 400);
    assert!(
        refusal(&r).contains("verification_id, outcome, name, reversal"),
        "{}",
        refusal(&r)
    );
    let r = post(&emu, "/__emulator/pay", r#"{"outcome":"SUCCESS"}"#);
    assert_eq!(r.status, 400);
    assert!(refusal(&r).contains("verification_id, outcome, name, reversal"));
    let r = post(&emu, "/__emulator/pay", "[1]");
    assert_eq!(r.status, 400);
    assert!(refusal(&r).contains("verification_id, outcome, name, reversal"));
    let r = post(
        &emu,
        "/__emulator/pay",
        r#"{"verification_id":"c1","outcome":"maybe"}"#,
    );
    assert_eq!(r.status, 400);
    assert!(refusal(&r).contains("SUCCESS, FAILURE"));
    let r = post(
        &emu,
        "/__emulator/pay",
        r#"{"verification_id":"c1","reversal":"SOON"}"#,
    );
    assert_eq!(r.status, 400);
    assert!(refusal(&r).contains("TRANSFER_SUCCESS, FAILED"));
    assert_eq!(
        status(emu.addr(), "verification_id=c1").json()["status"],
        "CREATED",
        "refused payments did not pay"
    );

    let r = post(&emu, "/__emulator/nothing", "{}");
    assert_eq!(r.status, 404);
    let m = refusal(&r);
    for ep in [
        "POST /__emulator/pay",
        "POST /__emulator/fault",
        "POST /__emulator/reset",
        "GET /__emulator/stats",
        "GET /__emulator/requests",
    ] {
        assert!(m.contains(ep), "{m} lacks {ep}");
    }
    let r = get(&emu, "/__emulator/pay");
    assert_eq!(r.status, 405);
    assert!(refusal(&r).contains("takes POST"));
    assert_eq!(r.header("allow"), Some("POST"));
}

#[test]
fn binary_refuses_unknown_flags_with_the_list() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cashfree-rpd-emulator"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for flag in [
        "--rate-limit",
        "--production",
        "--reversal-step-secs",
        "--reversal-outcome",
    ] {
        assert!(err.contains(flag), "{err}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cashfree-rpd-emulator"))
        .args(["--reversal-outcome", "later"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("transfer_success, failed"));
}
