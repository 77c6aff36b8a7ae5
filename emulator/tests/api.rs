//! The API as a client sees it, over raw TCP.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use base64::Engine as _;
use cashfree_rpd_emulator::{Emulator, Endpoint, Fault, FaultKind, Options, PayOutcome};
use common::{call, connect, create, read_response, request, status};
use serde_json::{json, Value};

#[test]
fn create_then_status_pending_then_paid() {
    let emu = Emulator::start_default().unwrap();
    assert!(emu.base_url().starts_with("http://127.0.0.1:"));
    assert!(emu.base_url().ends_with("/verification"));
    let r = create(emu.addr(), "order-1", "John Kumar Doe");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = r.json();
    assert_eq!(b["verification_id"], "order-1");
    let ref_id = b["ref_id"].as_u64().expect("ref_id is a number");
    assert_eq!(ref_id, 1000);
    let upi = b["upi_link"].as_str().unwrap();
    assert_eq!(
        upi,
        "upi://pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr=1000"
    );
    assert!(b["gpay"].as_str().unwrap().starts_with("tez://upi/pay?"));
    assert!(b["paytm"].as_str().unwrap().starts_with("paytmmp://pay?"));
    let valid = b["valid_upto"].as_str().unwrap();
    assert_eq!(valid.len(), 24, "{valid}");
    assert!(valid.ends_with('Z') && valid.as_bytes()[19] == b'.');
    let png = base64::engine::general_purpose::STANDARD
        .decode(b["qr_code"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    let s = status(emu.addr(), "verification_id=order-1").json();
    assert_eq!(s["status"], "CREATED");
    assert_eq!(s["ref_id"], "1000");
    assert_eq!(s["bank_account"], "");
    assert_eq!(s["name_at_bank"], "");

    emu.pay(
        "order-1",
        PayOutcome {
            success: true,
            payer_name: "john doe".into(),
        },
    )
    .unwrap();
    assert!(emu.pay("order-1", PayOutcome::default()).is_err());
    assert!(emu.pay("nope", PayOutcome::default()).is_err());
    let s = status(emu.addr(), "ref_id=1000").json();
    assert_eq!(s["status"], "SUCCESS");
    assert_eq!(s["verification_id"], "order-1");
    assert_eq!(s["name_at_bank"], "john doe");
    assert_eq!(s["name_match_result"], "GOOD_PARTIAL_MATCH");
    assert_eq!(s["name_match_score"], "80.00");
    assert_eq!(s["ifsc"], "YESB0000262");
    assert_eq!(s["reversal_status"], "PENDING");
    assert_eq!(s["account_type"], "SAVINGS");
    assert!(s["processed_on"].as_str().unwrap().ends_with("+05:30"));
    assert!(s.as_object().unwrap().values().all(Value::is_string));

    // Second request gets the next ref_id; failure outcome.
    assert_eq!(create(emu.addr(), "order-2", "A B").json()["ref_id"], 1001);
    emu.pay(
        "order-2",
        PayOutcome {
            success: false,
            payer_name: "X".into(),
        },
    )
    .unwrap();
    let s = status(emu.addr(), "verification_id=order-2").json();
    assert_eq!(s["status"], "FAILURE");
    assert_eq!(s["name_at_bank"], "");

    let st = emu.stats();
    assert_eq!(st.creates_received, 2);
    assert_eq!(st.status_received, 3);
    assert_eq!(st.requests_total, 5);
    let recs = emu.requests();
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[0].method, "POST");
    assert_eq!(
        recs[1].path,
        "/verification/remitter/status?verification_id=order-1"
    );
    assert_eq!(
        recs[0].header("X-Client-Id"),
        Some(cashfree_rpd_emulator::TEST_CLIENT_ID)
    );
    emu.stop();
}

#[test]
fn duplicate_auth_and_validation_errors() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    assert_eq!(create(a, "dup", "N").status, 200);
    let r = create(a, "dup", "N");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"})
    );

    let body = r#"{"verification_id":"x1","name":"N"}"#;
    let path = "/verification/reverse-penny-drop";
    let r = call(
        a,
        &request("POST", path, Some(body), &[("x-client-id", "")]),
    )
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["message"], "x-client-id missing");
    let r = call(
        a,
        &request(
            "POST",
            path,
            Some(body),
            &[
                ("x-client-id", "emulator-client-id"),
                ("x-client-secret", "bad"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["message"],
        "Invalid clientId and clientSecret combination"
    );
    let r = call(
        a,
        &request(
            "GET",
            "/verification/remitter/status?ref_id=1",
            None,
            &[("x-client-id", "who")],
        ),
    )
    .unwrap();
    assert_eq!(r.status, 401);

    let check = |body: &str, msg: &str| {
        let r = call(a, &request("POST", path, Some(body), &[])).unwrap();
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["message"], msg, "{body}");
        assert_eq!(r.json()["type"], "validation_error");
    };
    check(r#"{"name":"N"}"#, "verification_id is missing");
    check(
        r#"{"verification_id":"","name":"N"}"#,
        "verification_id is missing",
    );
    check(
        r#"{"verification_id":"a b","name":"N"}"#,
        "verification_id is invalid",
    );
    check(
        &format!(r#"{{"verification_id":"{}","name":"N"}}"#, "a".repeat(51)),
        "verification_id is invalid",
    );
    check(
        r#"{"verification_id":12,"name":"N"}"#,
        "verification_id is invalid",
    );
    check(
        r#"{"verification_id":"ok","name":"   "}"#,
        "name is missing",
    );
    check(r#"{"verification_id":"ok"}"#, "name is missing");
    assert_eq!(create(a, &"a".repeat(50), "N").status, 200);
    assert_eq!(create(a, "A-z_0.9", "N").status, 200);

    // Wrong content type.
    let raw = format!("POST {path} HTTP/1.1\r\nx-client-id: emulator-client-id\r\nx-client-secret: emulator-client-secret\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    assert_eq!(call(a, raw.as_bytes()).unwrap().status, 415);

    let r = status(a, "");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["message"],
        "Please provide verification_id or ref_id"
    );
    let r = status(a, "ref_id=12x");
    assert_eq!(r.status, 400);
    let r = status(a, "verification_id=unknown");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"code":"verification_id_not_found","message":"verification_id does not exist","type":"validation_error"})
    );
    assert_eq!(status(a, "ref_id=999999").status, 404);
    // Percent-encoded id.
    assert_eq!(create(a, "p.q", "N").status, 200);
    assert_eq!(status(a, "verification_id=p%2Eq").status, 200);
}

#[test]
fn balance_runs_out() {
    let emu = Emulator::start(Options {
        balance: Some(1),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(create(emu.addr(), "b1", "N").status, 200);
    let r = create(emu.addr(), "b2", "N");
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["code"], "insufficient_balance");
}

#[test]
fn expiry_and_auto_pay() {
    let emu = Emulator::start(Options {
        validity: Duration::from_millis(300),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(create(emu.addr(), "e1", "N").status, 200);
    std::thread::sleep(Duration::from_millis(400));
    let s = status(emu.addr(), "verification_id=e1").json();
    assert_eq!(s["status"], "EXPIRED");
    assert_eq!(s["bank_account"], "");
    assert!(s.get("account_type").is_none());
    assert!(emu.pay("e1", PayOutcome::default()).is_err());

    let emu = Emulator::start(Options {
        auto_pay_after: Some(Duration::ZERO),
        auto_pay_outcome: PayOutcome {
            success: true,
            payer_name: "Jane Roe".into(),
        },
        ..Options::default()
    })
    .unwrap();
    assert_eq!(create(emu.addr(), "a1", "John Doe").status, 200);
    let s = status(emu.addr(), "verification_id=a1").json();
    assert_eq!(s["status"], "SUCCESS");
    assert_eq!(s["name_match_result"], "NO_MATCH");
    assert_eq!(s["name_match_score"], "0.00");
}

#[test]
fn magic_ids_answer_documented_errors() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    for code in [400u16, 401, 403, 404, 422, 429, 500, 503] {
        let r = create(a, &format!("emu-fault-{code}-abc"), "N");
        assert_eq!(r.status, code);
        assert!(r.json()["code"].is_string());
        assert_eq!(
            status(a, &format!("verification_id=emu-fault-{code}")).status,
            code
        );
    }
    let r = create(a, "emu-fault-502", "N");
    assert_eq!(r.status, 502);
    assert_eq!(r.header("content-type"), Some("text/html"));
    // Not magic: stored normally.
    assert_eq!(create(a, "emu-fault-5000", "N").status, 200);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let emu = Emulator::start_default().unwrap();
    let mut s = connect(emu.addr());
    let body = r#"{"verification_id":"k1","name":"N"}"#;
    s.write_all(&request(
        "POST",
        "/verification/reverse-penny-drop",
        Some(body),
        &[],
    ))
    .unwrap();
    assert_eq!(read_response(&mut s).unwrap().status, 200);
    s.write_all(&request(
        "GET",
        "/verification/remitter/status?verification_id=k1",
        None,
        &[],
    ))
    .unwrap();
    assert_eq!(read_response(&mut s).unwrap().json()["status"], "CREATED");
    // Pipelined: two requests in one write.
    let mut two = request(
        "GET",
        "/verification/remitter/status?ref_id=1000",
        None,
        &[],
    );
    two.extend(request(
        "GET",
        "/verification/remitter/status?ref_id=1001",
        None,
        &[],
    ));
    s.write_all(&two).unwrap();
    assert_eq!(read_response(&mut s).unwrap().status, 200);
    assert_eq!(read_response(&mut s).unwrap().status, 404);
    assert_eq!(emu.stats().connections_accepted, 1);
    // Connection: close is honoured.
    s.write_all(&request(
        "GET",
        "/verification/remitter/status?ref_id=1000",
        None,
        &[("Connection", "close")],
    ))
    .unwrap();
    let r = read_response(&mut s).unwrap();
    assert_eq!(r.header("connection"), Some("close"));
    let mut rest = Vec::new();
    assert_eq!(s.read_to_end(&mut rest).unwrap(), 0);
}

#[test]
fn malformed_requests_are_refused() {
    let emu = Emulator::start_default().unwrap();
    let r = call(emu.addr(), b"POST /verification/reverse-penny-drop HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").unwrap();
    assert_eq!(r.status, 411);
    let r = call(emu.addr(), b"GARBAGE\r\n\r\n").unwrap();
    assert_eq!(r.status, 400);
    let r = call(
        emu.addr(),
        b"POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.status, 413);
    let r = call(emu.addr(), b"GET /elsewhere HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(r.status, 404);
    let r = call(
        emu.addr(),
        &request("GET", "/verification/reverse-penny-drop", None, &[]),
    )
    .unwrap();
    assert_eq!(r.status, 405);
}

#[test]
fn faults_apply_fifo_to_matching_endpoint() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    emu.inject(Fault::times(
        Endpoint::Status,
        FaultKind::Documented(500),
        2,
    ));
    emu.inject(Fault::once(Endpoint::Create, FaultKind::RetryAfter(7)));
    let r = create(a, "f1", "N");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(
        create(a, "f1", "N").status,
        200,
        "the 429 create was not processed"
    );
    assert_eq!(status(a, "verification_id=f1").status, 500);
    assert_eq!(status(a, "verification_id=f1").status, 500);
    assert_eq!(status(a, "verification_id=f1").status, 200);
    assert_eq!(emu.stats().creates_received, 2);

    emu.inject(Fault::once(
        Endpoint::Any,
        FaultKind::Status {
            code: 302,
            body: String::new(),
            content_type: "text/plain".into(),
            retry_after: None,
            location: Some("http://example.invalid/".into()),
        },
    ));
    let r = status(a, "verification_id=f1");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("http://example.invalid/"));

    emu.inject(Fault::once(Endpoint::Status, FaultKind::ExtraFields));
    let s = status(a, "verification_id=f1").json();
    assert_eq!(s["status"], "CREATED");
    assert!(s.get("emulator_extra").is_some());

    emu.inject(Fault::once(Endpoint::Status, FaultKind::WrongContentType));
    assert_eq!(
        status(a, "verification_id=f1").header("content-type"),
        Some("text/plain")
    );
    emu.inject(Fault::once(Endpoint::Status, FaultKind::EmptyBody200));
    assert!(status(a, "verification_id=f1").body.is_empty());
    emu.inject(Fault::once(Endpoint::Create, FaultKind::HugeBody(5 << 20)));
    assert_eq!(create(a, "f2", "N").body.len(), 5 << 20);
    emu.inject(Fault::once(Endpoint::Status, FaultKind::InvalidUtf8));
    assert!(std::str::from_utf8(&status(a, "verification_id=f1").body).is_err());

    emu.inject(Fault::once(Endpoint::Status, FaultKind::Html502));
    emu.clear_faults();
    assert_eq!(status(a, "verification_id=f1").status, 200);
}

#[test]
fn delayed_create_is_processed_and_counted() {
    let emu = Emulator::start_default().unwrap();
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_millis(300)),
    ));
    let t = Instant::now();
    assert_eq!(create(emu.addr(), "d1", "N").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(status(emu.addr(), "verification_id=d1").status, 200);

    // A client that gives up early: the create still happens.
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_millis(400)),
    ));
    let mut s = connect(emu.addr());
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let body = r#"{"verification_id":"d2","name":"N"}"#;
    s.write_all(&request(
        "POST",
        "/verification/reverse-penny-drop",
        Some(body),
        &[],
    ))
    .unwrap();
    assert!(read_response(&mut s).is_err());
    drop(s);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(status(emu.addr(), "verification_id=d2").status, 200);
    assert_eq!(emu.stats().creates_received, 2);
}

#[test]
fn connection_level_faults() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    let raw = request("GET", "/verification/remitter/status?ref_id=1", None, &[]);

    emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::ResetBeforeResponse,
    ));
    let mut s = connect(a);
    s.write_all(&raw).unwrap();
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        Ok(n) => panic!("expected a reset, read {n} bytes"),
    }

    emu.inject(Fault::once(Endpoint::Status, FaultKind::ResetAfterHeaders));
    let mut s = connect(a);
    s.write_all(&raw).unwrap();
    let err = read_response(&mut s).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof
        ),
        "{err:?}"
    );

    emu.inject(Fault::once(Endpoint::Status, FaultKind::TruncatedBody));
    let mut s = connect(a);
    s.write_all(&raw).unwrap();
    assert_eq!(
        read_response(&mut s).unwrap_err().kind(),
        std::io::ErrorKind::UnexpectedEof
    );

    assert_eq!(emu.stats().status_received, 3);
    assert_eq!(status(a, "ref_id=1").status, 404);
}

#[test]
fn control_endpoints_over_http() {
    let emu = Emulator::start_default().unwrap();
    let a = emu.addr();
    assert_eq!(create(a, "c1", "Ravi Kumar").status, 200);
    let post = |path: &str, body: &str| {
        let raw = format!("POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        call(a, raw.as_bytes()).unwrap()
    };
    assert_eq!(
        post(
            "/__emulator/fault",
            r#"{"endpoint":"status","kind":"status","code":503,"times":1}"#
        )
        .status,
        200
    );
    assert_eq!(status(a, "verification_id=c1").status, 503);
    assert_eq!(post("/__emulator/fault", r#"{"kind":"bogus"}"#).status, 400);
    assert_eq!(
        post("/__emulator/fault", r#"{"kind":"invalid_json"}"#).status,
        200
    );
    assert_eq!(post("/__emulator/reset", "").status, 200);
    assert_eq!(status(a, "verification_id=c1").status, 200);
    assert_eq!(
        post(
            "/__emulator/pay",
            r#"{"verification_id":"c1","outcome":"SUCCESS","name":"ravi  KUMAR"}"#
        )
        .status,
        200
    );
    assert_eq!(
        post("/__emulator/pay", r#"{"verification_id":"zz"}"#).status,
        404
    );
    let s = status(a, "verification_id=c1").json();
    assert_eq!(s["name_match_result"], "DIRECT_MATCH");
    assert_eq!(s["name_match_score"], "100.00");
    let stats = call(a, b"GET /__emulator/stats HTTP/1.1\r\n\r\n")
        .unwrap()
        .json();
    assert_eq!(stats["creates_received"], 1);
    assert_eq!(stats["status_received"], 3);
}

#[test]
fn stop_does_not_hang_with_open_connections_and_delays() {
    let emu = Emulator::start_default().unwrap();
    let idle = connect(emu.addr());
    emu.inject(Fault::once(
        Endpoint::Any,
        FaultKind::Delay(Duration::from_secs(30)),
    ));
    let addr = emu.addr();
    let waiter = std::thread::spawn(move || {
        let _ = call(
            addr,
            &request("GET", "/verification/remitter/status?ref_id=1", None, &[]),
        );
    });
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    emu.stop();
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "stop took {:?}",
        t.elapsed()
    );
    waiter.join().unwrap();
    drop(idle);
    assert!(std::net::TcpStream::connect(addr).is_err());
}
