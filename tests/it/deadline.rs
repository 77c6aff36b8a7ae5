//! The call deadline (`Config::set_call_deadline`, `cfrpd_config_set_call_deadline_ms`)
//! against servers that trickle, stall mid-TLS, never answer TLS, ask for waits past the
//! deadline, or never accept the connection; and the longest durations everywhere.
//!
//! Every case runs through the Rust API and the C ABI. Assertions are generous (a loaded
//! or valgrind-slowed CI machine): the call ends before deadline + [`SLACK`]. Each case
//! prints its measured overshoot as `DEADLINE <case> <api>: ... overshoot +N.N ms`
//! (`cargo test --test it deadline:: -- --nocapture`; figures in BENCHMARKS.md).
#![cfg(unix)]

use crate::common;

use std::time::{Duration, Instant};

use cashfree_rpd::{Config, ErrorKind, WaitOptions};
use cashfree_rpd_emulator::{Endpoint, Fault, FaultKind, PayOutcome};
use common::outcome::{call, Api, Call, Outcome, Setup};
use common::script::{http, ScriptServer, Step};
use common::tls::*;

/// How far past its deadline a call may end in these tests (the contract says "a few
/// milliseconds"; the figure printed is the measured one).
const SLACK: Duration = Duration::from_millis(1500);

const APIS: [Api; 2] = [Api::Rust, Api::C];

/// Prints and checks how long the call took against its deadline.
fn check_time(case: &str, api: Api, o: &Outcome, deadline_ms: u32) {
    let deadline = Duration::from_millis(deadline_ms.into());
    let over = o.took.as_secs_f64() * 1e3 - f64::from(deadline_ms);
    eprintln!(
        "DEADLINE {case} {api:?}: deadline {deadline_ms} ms, took {:.1} ms, overshoot {over:+.1} ms -> {:?} (ambiguous {}): {}",
        o.took.as_secs_f64() * 1e3,
        o.kind,
        o.ambiguous,
        o.message
    );
    assert!(
        o.took < deadline + SLACK,
        "{case} {api:?}: took {:?}, deadline {deadline:?}",
        o.took
    );
}

/// The call was cut by the deadline: it did not end much before it either.
fn check_cut_by_deadline(case: &str, api: Api, o: &Outcome, deadline_ms: u32) {
    check_time(case, api, o, deadline_ms);
    assert!(o.is("timeout"), "{case} {api:?}: {o:?}");
    assert!(
        o.message.contains("deadline passed"),
        "{case} {api:?}: the message says it was the deadline: {}",
        o.message
    );
    assert!(
        o.took + Duration::from_millis(100) >= Duration::from_millis(deadline_ms.into()),
        "{case} {api:?}: ended {:?} before the deadline: {o:?}",
        Duration::from_millis(deadline_ms.into()).saturating_sub(o.took)
    );
}

#[test]
fn body_trickling_one_byte_per_second_is_cut_at_the_deadline() {
    let server = Server::start(trickle(1000, Duration::from_secs(1)));
    for api in APIS {
        let setup = Setup::new(&server.url("http")).deadline_ms(2500).retries(3);
        let o = call(api, &setup, Call::Status, "trickle-1", "John");
        check_cut_by_deadline("trickle status", api, &o, 2500);
        let o = call(api, &setup, Call::Create, "trickle-2", "John");
        check_cut_by_deadline("trickle create", api, &o, 2500);
        assert!(o.ambiguous, "the create was sent: {o:?}");
    }
}

#[test]
fn server_that_never_answers_tls_is_cut_at_the_deadline() {
    let server = Server::start(silent(Duration::from_secs(30)));
    for api in APIS {
        let setup = Setup::new(&server.url("https"))
            .deadline_ms(1500)
            .retries(3);
        let o = call(api, &setup, Call::Status, "silent-1", "John");
        check_cut_by_deadline("no TLS answer, status", api, &o, 1500);
        let o = call(api, &setup, Call::Create, "silent-2", "John");
        check_cut_by_deadline("no TLS answer, create", api, &o, 1500);
        assert!(
            !o.ambiguous,
            "the handshake never completed: nothing sent: {o:?}"
        );
        assert!(o.message.contains("TLS handshake"), "{}", o.message);
    }
}

#[test]
fn handshake_stalled_mid_server_hello_is_cut_at_the_deadline() {
    let server = Server::start(after_client_hello(
        partial_server_hello(),
        Duration::from_secs(30),
    ));
    for api in APIS {
        let setup = Setup::new(&server.url("https"))
            .deadline_ms(1500)
            .retries(3);
        let o = call(api, &setup, Call::Status, "stall-1", "John");
        check_cut_by_deadline("stall mid-handshake, status", api, &o, 1500);
        let o = call(api, &setup, Call::Create, "stall-2", "John");
        check_cut_by_deadline("stall mid-handshake, create", api, &o, 1500);
        assert!(!o.ambiguous, "{o:?}");
    }
}

#[test]
fn retry_after_waits_that_would_pass_the_deadline_are_not_started() {
    let answer = http(
        429,
        &[("retry-after", "1")],
        r#"{"code":"rate_limit","message":"too many","type":"rate_limit_error"}"#,
    );
    for api in APIS {
        let server = ScriptServer::start(vec![Step::Respond(answer.clone()); 30]);
        let setup = Setup::new(&server.base_url()).deadline_ms(2500).retries(10);
        let o = call(api, &setup, Call::Status, "ra-1", "John");
        check_time("Retry-After 1 s x10, status", api, &o, 2500);
        // Attempts at 0, 1 and 2 s; the wait after the third would end past 2.5 s.
        assert!(o.is("ratelimited"), "{o:?}");
        assert_eq!(server.seen().len(), 3, "{api:?}");
        assert!(o.took < Duration::from_millis(2500), "{o:?}");
    }
}

#[test]
fn slow_failing_attempts_end_by_the_deadline() {
    // Every answer is a 503 that takes 400 ms: retried with back-off until an attempt
    // is cut by the deadline or the next back-off would not fit.
    let server = Server::start(|mut conn| {
        while read_http_request(&mut conn).is_ok() {
            std::thread::sleep(Duration::from_millis(400));
            let body = r#"{"message":"busy","type":"api_error"}"#;
            let answer = http(503, &[("retry-after", "0")], body);
            if std::io::Write::write_all(&mut conn, &answer).is_err() {
                return;
            }
        }
    });
    for api in APIS {
        let setup = Setup::new(&server.url("http"))
            .deadline_ms(1000)
            .retries(10);
        let o = call(api, &setup, Call::Status, "slow-1", "John");
        check_time("slow 503s, status", api, &o, 1000);
        assert!(o.is("timeout") || o.is("server"), "{o:?}");
    }
}

#[test]
fn deadline_shorter_than_the_connect_timeout_to_a_black_hole() {
    let (url, _hole) = black_hole();
    for api in APIS {
        let setup = Setup::new(&url)
            .timeouts_ms(10_000, 30_000)
            .deadline_ms(800)
            .retries(3);
        let o = call(api, &setup, Call::Status, "hole-1", "John");
        check_cut_by_deadline("black hole, status", api, &o, 800);
        let o = call(api, &setup, Call::Create, "hole-2", "John");
        check_cut_by_deadline("black hole, create", api, &o, 800);
        assert!(!o.ambiguous, "never connected: {o:?}");
    }
}

#[test]
fn create_sent_when_the_deadline_fires_is_timeout_and_ambiguous() {
    let env = common::start();
    env.emu.inject(Fault::times(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_secs(4)),
        2,
    ));
    for api in APIS {
        let setup = Setup::new(&env.emu.base_url()).deadline_ms(1000).retries(3);
        let o = call(api, &setup, Call::Create, &common::fresh_id("late"), "John");
        check_cut_by_deadline("create in flight", api, &o, 1000);
        assert!(o.ambiguous, "{o:?}");
        assert!(!o.retryable, "{o:?}");
    }
}

#[test]
fn longest_durations_never_panic_and_calls_still_work() {
    let env = common::start();
    let mut cfg = common::config_for(&env.emu);
    cfg.set_timeouts(Duration::MAX, Duration::MAX);
    cfg.set_call_deadline(Duration::MAX);
    let client = cashfree_rpd::Client::new(&cfg).unwrap();
    let id = common::fresh_id("max");
    client.create(&id, "John").unwrap();
    client.status(&id).unwrap();
    env.emu.pay(&id, PayOutcome::default()).unwrap();
    let options = WaitOptions::new(Duration::MAX).poll_interval(Duration::MAX);
    let s = client.wait_for_result(&id, &options, |_| true).unwrap();
    assert!(s.is_final());
    // A wait with the longest timeout is still bounded by a short call deadline per poll.
    let mut cfg = Config::new("id", "secret").unwrap();
    cfg.set_timeouts(Duration::MAX, Duration::MAX);
    cfg.set_call_deadline(Duration::MAX);
    cfg.set_max_retries(10).unwrap();
    assert!(cashfree_rpd::Client::new(&cfg).is_ok());

    // Through the C ABI: u32::MAX ms everywhere.
    use cashfree_rpd::ffi::*;
    let c = common::cabi::CConfig::new(&env.emu.base_url()).timeouts_ms(u32::MAX, u32::MAX);
    assert_eq!(
        // SAFETY: `c.raw()` is the live config CConfig owns.
        unsafe { cfrpd_config_set_call_deadline_ms(c.raw(), u32::MAX) },
        CFRPD_OK
    );
    let client = c.client();
    let id = common::fresh_id("cmax");
    client.create(&id).unwrap();
    client.status(&id).unwrap();
    env.emu.pay(&id, PayOutcome::default()).unwrap();
    let (code, state) = {
        let cid = std::ffi::CString::new(id.as_str()).unwrap();
        let mut out = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        // SAFETY: `client.0` is a live client, `cid` a C string alive during the call, no callback, out/err writable locals.
        let code = unsafe {
            cfrpd_wait_for_result(
                client.0,
                cid.as_ptr(),
                u32::MAX,
                u32::MAX,
                None,
                std::ptr::null_mut(),
                &mut out,
                &mut err,
            )
        };
        // SAFETY: `out` is not NULL here: the status the wait handed back.
        let state = (!out.is_null()).then(|| unsafe { (*out).state });
        // SAFETY: `out`/`err` are NULL or owned by us after the wait; each is freed once.
        unsafe {
            cfrpd_status_free(out);
            cfrpd_error_free(err);
        }
        (code, state)
    };
    assert_eq!(code, CFRPD_OK);
    assert_eq!(state, Some(CFRPD_STATE_SUCCESS));
}

#[test]
fn longest_durations_with_failing_server_still_end() {
    // Longest timeouts and deadline, a server that answers 503 + Retry-After 0 twice:
    // retried (back-off arithmetic near the longest durations does not overflow).
    let body = r#"{"message":"busy","type":"api_error"}"#;
    let server = ScriptServer::start(vec![
        Step::Respond(http(503, &[("retry-after", "0")], body)),
        Step::Respond(http(503, &[], body)),
    ]);
    let mut cfg = Config::new("id", "secret").unwrap();
    cfg.set_base_url(&server.base_url()).unwrap();
    cfg.set_timeouts(Duration::MAX, Duration::MAX);
    cfg.set_call_deadline(Duration::MAX);
    cfg.set_max_retries(2).unwrap();
    let client = cashfree_rpd::Client::new(&cfg).unwrap();
    let started = Instant::now();
    let e = client.status("max-fail").unwrap_err();
    // The third answer is the script's end (500): not retried further.
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(server.seen().len(), 3);
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn a_wait_ends_at_its_own_deadline_while_a_poll_trickles() {
    // The poll in flight is cut by the wait's timeout (the call deadline is longer).
    let server = Server::start(trickle(1000, Duration::from_secs(1)));
    let setup = Setup::new(&server.url("http"))
        .deadline_ms(30_000)
        .retries(3);
    let client = setup.rust_client();
    let started = Instant::now();
    let e = client
        .wait_for_result(
            "wait-trickle",
            &WaitOptions::new(Duration::from_millis(1500)),
            |_| true,
        )
        .unwrap_err();
    let o = Outcome {
        kind: Some(format!("{:?}", e.error.kind()).to_ascii_lowercase()),
        ambiguous: false,
        retryable: false,
        message: e.to_string(),
        took: started.elapsed(),
    };
    check_time("wait 1.5 s, poll trickling", Api::Rust, &o, 1500);
    assert_eq!(e.error.kind(), ErrorKind::Deadline, "{e}");
    assert!(e.to_string().contains("wait's deadline passed"), "{e}");
    assert!(o.took + Duration::from_millis(100) >= Duration::from_millis(1500));

    let c = setup.c_config();
    let client = c.client();
    let started = Instant::now();
    let (code, _, _) = client.wait("wait-trickle-c", 1500, None);
    let o = Outcome {
        kind: Some(format!("{code}")),
        ambiguous: false,
        retryable: false,
        message: String::new(),
        took: started.elapsed(),
    };
    check_time("wait 1.5 s, poll trickling", Api::C, &o, 1500);
    assert_eq!(code, cashfree_rpd::ffi::CFRPD_ERR_DEADLINE);
}
