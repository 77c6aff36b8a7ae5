//! Through a real forward proxy (tinyproxy, CONNECT tunnels, Basic authentication):
//! create, status and wait over HTTP and HTTPS; the proxy really carries the traffic;
//! a refusing (407), absent or stalled proxy gives a clear error naming it, within the
//! call deadline, and the proxy password never appears in a message, `Debug` or log line.
//! Rust API and C ABI. Needs `apt-get install -y tinyproxy` (skips without it unless
//! `CI=true`).

use crate::common;

use std::ffi::{c_void, CStr};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, Config, ErrorKind, LogLevel, VerificationStatus, WaitOptions};
use cashfree_rpd_emulator::{Emulator, Options, PayOutcome};
use common::cabi::{CClient, CConfig};
use common::tinyproxy::{assert_no_password, TinyProxy, PROXY_PASSWORD};
use common::{config_for, fresh_id};

type Logs = Arc<Mutex<Vec<String>>>;

/// Kills the proxy and gives the kernel a moment to deliver the FINs of its tunnels.
/// Without the pause a create right after the kill can go out on a pooled tunnel whose
/// FIN has not arrived yet (seen in 2 of 3 tries): the library then rightly calls it
/// ambiguous, since the request was written. What we check here is the dead proxy.
fn stop_and_settle(proxy: &mut TinyProxy) {
    proxy.stop();
    std::thread::sleep(Duration::from_millis(200));
}

/// A config for `emu` through `proxy_url`, logging everything into the returned list.
fn proxied_config(emu: &Emulator, proxy_url: &str) -> (Config, Logs) {
    let mut cfg = config_for(emu);
    cfg.set_proxy(proxy_url).unwrap();
    if let Some(pem) = emu.ca_cert_pem() {
        cfg.add_root_ca_pem(&pem).unwrap();
    }
    let logs: Logs = Arc::default();
    let sink = logs.clone();
    cfg.set_log_callback(LogLevel::Debug, move |lvl, msg| {
        sink.lock().unwrap().push(format!("{} {msg}", lvl.name()));
    });
    (cfg, logs)
}

fn emulator(tls: bool) -> Emulator {
    Emulator::start(Options {
        tls,
        reversal_step: Duration::ZERO,
        ..Options::default()
    })
    .unwrap()
}

/// Create, status, pay, wait through the proxy; then the proxy is stopped and calls
/// fail with an error naming it.
fn full_flow_through_proxy(test: &str, tls: bool) {
    let emu = emulator(tls);
    let emu_port = emu.addr().port();
    let Some(mut proxy) = TinyProxy::start(test, &[emu_port]) else {
        return;
    };
    let (cfg, logs) = proxied_config(&emu, &proxy.url());
    let cfg_debug = format!("{cfg:?}");
    let client = Client::new(&cfg).unwrap();

    let id = fresh_id("proxy");
    let created = client
        .create(&id, "John Doe")
        .expect("create through the proxy");
    assert_eq!(created.verification_id, id);
    let st = client.status(&id).expect("status through the proxy");
    assert_eq!(st.status, VerificationStatus::Created);
    emu.pay(&id, PayOutcome::default()).unwrap();
    let done = client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_secs(20)).poll_interval(Duration::from_millis(500)),
            |_| true,
        )
        .expect("wait through the proxy");
    assert_eq!(done.status, VerificationStatus::Success);

    // The proxy carried it: tinyproxy logged CONNECT tunnels to the emulator, and the
    // emulator saw its connections come from the proxy (none of ours went direct: the
    // client only knows the proxy's address).
    let tunnels = proxy.connects_to(emu_port);
    assert!(
        tunnels >= 1,
        "no CONNECT in tinyproxy's log:\n{}",
        proxy.log()
    );
    let stats = emu.stats();
    assert_eq!(stats.creates_received, 1);
    assert!(stats.connections_accepted >= 1);
    assert!(
        stats.connections_accepted <= tunnels as u64,
        "the emulator accepted {} connections but the proxy opened {tunnels} tunnels",
        stats.connections_accepted
    );
    // Keep-alive through the tunnel: far fewer tunnels than requests.
    assert!(
        (tunnels as u64) < stats.requests_total,
        "{tunnels} tunnels for {} requests",
        stats.requests_total
    );
    assert!(
        logs.lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("connection opened")),
        "{:?}",
        logs.lock().unwrap()
    );

    // Proxy gone: the next call fails (no direct fallback), naming the proxy.
    stop_and_settle(&mut proxy);
    let before = emu.stats().requests_total;
    let started = Instant::now();
    let err = client.status(&id).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(12), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    assert!(err.message().contains(&proxy.label()), "{}", err.message());
    assert_eq!(emu.stats().requests_total, before, "went around the proxy");
    let err2 = client.create(&fresh_id("proxy-down"), "Jane").unwrap_err();
    assert_eq!(err2.kind(), ErrorKind::Network);
    assert!(!err2.is_ambiguous() && err2.is_retryable(), "{err2:?}");
    assert_eq!(emu.stats().creates_received, 1);

    let mut texts = logs.lock().unwrap().clone();
    texts.extend([
        err.message().to_owned(),
        format!("{err:?}"),
        err2.message().to_owned(),
        format!("{err2:?}"),
        cfg_debug,
        format!("{client:?}"),
    ]);
    assert_no_password(&texts, PROXY_PASSWORD);
}

#[test]
fn http_create_status_wait_through_tinyproxy_with_auth() {
    full_flow_through_proxy("http_create_status_wait_through_tinyproxy_with_auth", false);
}

#[test]
fn https_create_status_wait_through_tinyproxy_with_auth() {
    full_flow_through_proxy("https_create_status_wait_through_tinyproxy_with_auth", true);
}

/// tinyproxy 1.11 answers a CONNECT without credentials with 407 and one with wrong
/// credentials with 401: both must be named, never sent on, and never leak the password.
#[test]
fn refused_proxy_auth_407_or_401_is_named_never_sent_and_never_leaked() {
    let test = "refused_proxy_auth_407_or_401_is_named_never_sent_and_never_leaked";
    let emu = emulator(true);
    let emu_port = emu.addr().port();
    let Some(proxy) = TinyProxy::start(test, &[emu_port]) else {
        return;
    };
    let wrong = "Wr0ngPa55-kx7v";
    let no_creds = format!("http://127.0.0.1:{}", proxy.port);
    for (url, label, code) in [
        (proxy.url_with(wrong), proxy.label(), "401"),
        (no_creds.clone(), no_creds.clone(), "407"),
    ] {
        let (mut cfg, logs) = proxied_config(&emu, &url);
        cfg.set_max_retries(1).unwrap();
        let client = Client::new(&cfg).unwrap();
        for create in [true, false] {
            let err = if create {
                client.create(&fresh_id("p407"), "John").unwrap_err()
            } else {
                client.status("p407-status").unwrap_err()
            };
            let m = err.message();
            assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
            assert!(m.contains(code), "{m}");
            assert!(m.contains("proxy"), "{m}");
            assert!(m.contains(&label), "names the proxy: {m}");
            assert_eq!(
                err.http_status(),
                None,
                "the proxy's answer is not Cashfree's: {err:?}"
            );
            if create {
                // The tunnel never opened: the create certainly did not reach Cashfree.
                assert!(!err.is_ambiguous(), "{err:?}");
            }
            let mut texts = logs.lock().unwrap().clone();
            texts.extend([m.to_owned(), format!("{err:?}"), format!("{cfg:?}")]);
            assert_no_password(&texts, wrong);
        }
    }
    assert_eq!(emu.stats().requests_total, 0);
}

#[test]
fn stalled_proxy_ends_within_the_call_deadline() {
    // Accepts the TCP connection and never answers the CONNECT.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let h = held.clone();
    std::thread::spawn(move || {
        for c in listener.incoming().flatten() {
            h.lock().unwrap().push(c);
        }
    });
    for tls in [false, true] {
        let emu = emulator(tls);
        let (mut cfg, logs) =
            proxied_config(&emu, &format!("http://u:{PROXY_PASSWORD}@127.0.0.1:{port}"));
        cfg.set_timeouts(Duration::from_secs(10), Duration::from_secs(30));
        cfg.set_call_deadline(Duration::from_millis(1500));
        let client = Client::new(&cfg).unwrap();
        let started = Instant::now();
        let err = client.create(&fresh_id("stall"), "John").unwrap_err();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(1400), "{took:?}");
        assert!(
            took < Duration::from_millis(3500),
            "outlived its deadline: {took:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
        assert!(!err.is_ambiguous(), "the CONNECT never succeeded: {err:?}");
        assert!(err.message().contains("via proxy"), "{}", err.message());
        eprintln!("stalled proxy (tls={tls}): {}", err.message());
        let mut texts = logs.lock().unwrap().clone();
        texts.extend([err.message().to_owned(), format!("{err:?}")]);
        assert_no_password(&texts, PROXY_PASSWORD);
        assert_eq!(emu.stats().requests_total, 0);
    }
}

/// When the connect timeout (not the deadline) fires on a proxy that never answers
/// the CONNECT, the message must blame the proxy, not claim that Cashfree "did not
/// complete the TLS handshake (is it plain HTTP?)".
#[test]
fn stalled_proxy_connect_timeout_blames_the_proxy_not_tls() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let emu = emulator(true);
    let (mut cfg, _) = proxied_config(&emu, &format!("http://127.0.0.1:{port}"));
    cfg.set_timeouts(Duration::from_millis(700), Duration::from_secs(5));
    cfg.set_max_retries(0).unwrap();
    let client = Client::new(&cfg).unwrap();
    let err = client.create(&fresh_id("stall-tls"), "John").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(!err.is_ambiguous(), "{err:?}");
    let m = err.message();
    assert!(!m.contains("is it plain HTTP"), "misleading hint: {m}");
    assert!(m.contains("proxy accepted the connection"), "{m}");
}

// ---- C ABI ----

unsafe extern "C" fn collect_log(user: *mut c_void, level: cfrpd_log_level, msg: *const i8) {
    // SAFETY: `user` is the `&Mutex` passed with this callback in c_config, which outlives every client made from the config.
    let logs = unsafe { &*(user as *const Mutex<Vec<String>>) };
    // SAFETY: the library passes a NUL-terminated message valid during the call.
    let msg = unsafe { CStr::from_ptr(msg) }
        .to_string_lossy()
        .into_owned();
    logs.lock().unwrap().push(format!("{level} {msg}"));
}

fn c_config(emu: &Emulator, proxy_url: &str, logs: &Mutex<Vec<String>>) -> CConfig {
    let cfg = CConfig::new(&emu.base_url());
    assert_eq!(cfg.set(cfrpd_config_set_proxy, proxy_url), CFRPD_OK);
    if let Some(pem) = emu.ca_cert_pem() {
        assert_eq!(cfg.set(cfrpd_config_add_root_ca_pem, &pem), CFRPD_OK);
    }
    // SAFETY: `cfg.raw()` is a live config; collect_log is safe to call with `logs` (a Mutex, Sync) from any thread.
    let rc = unsafe {
        cfrpd_config_set_log_callback(
            cfg.raw(),
            CFRPD_LOG_DEBUG,
            Some(collect_log),
            logs as *const Mutex<Vec<String>> as *mut c_void,
        )
    };
    assert_eq!(rc, CFRPD_OK);
    cfg
}

#[test]
fn c_abi_http_and_https_through_tinyproxy() {
    for tls in [false, true] {
        let emu = emulator(tls);
        let port = emu.addr().port();
        let Some(mut proxy) = TinyProxy::start("c_abi_http_and_https_through_tinyproxy", &[port])
        else {
            return;
        };
        let logs = Mutex::new(Vec::new());
        let client = c_config(&emu, &proxy.url(), &logs).client();
        let id = fresh_id("cproxy");
        client.create_named(&id, "John Doe").expect("create");
        client.status(&id).expect("status");
        emu.pay(&id, PayOutcome::default()).unwrap();
        let (code, state, _) = client.wait(&id, 20_000, None);
        assert_eq!(code, CFRPD_OK);
        assert_eq!(state, Some(CFRPD_STATE_SUCCESS));
        assert!(proxy.connects_to(port) >= 1, "{}", proxy.log());
        assert_eq!(emu.stats().creates_received, 1);

        stop_and_settle(&mut proxy);
        let err = client.create(&fresh_id("cproxy-down")).unwrap_err();
        assert_eq!(err.code, CFRPD_ERR_NETWORK, "{err:?}");
        assert!(!err.ambiguous && err.retryable, "{err:?}");
        assert!(err.message.contains(&proxy.label()), "{}", err.message);
        assert_eq!(emu.stats().creates_received, 1);
        let mut texts = logs.lock().unwrap().clone();
        texts.push(err.message.clone());
        texts.push(format!("{err:?}"));
        assert_no_password(&texts, PROXY_PASSWORD);
        drop(client);
    }
}

#[test]
fn c_abi_wrong_proxy_password_is_refused_and_never_leaked() {
    let emu = emulator(false);
    let port = emu.addr().port();
    let Some(proxy) = TinyProxy::start(
        "c_abi_wrong_proxy_password_is_refused_and_never_leaked",
        &[port],
    ) else {
        return;
    };
    let wrong = "Wr0ngPa55-cabi";
    let logs = Mutex::new(Vec::new());
    let client: CClient = c_config(&emu, &proxy.url_with(wrong), &logs)
        .retries(0)
        .client();
    let err = client.create(&fresh_id("c407")).unwrap_err();
    assert_eq!(err.code, CFRPD_ERR_NETWORK, "{err:?}");
    assert_eq!(err.http_status, 0);
    assert!(!err.ambiguous, "{err:?}");
    // tinyproxy 1.11 answers wrong credentials with 401 (none at all: 407).
    assert!(err.message.contains("401"), "{}", err.message);
    assert!(
        !err.retryable,
        "a refused credential is not worth repeating: {err:?}"
    );
    let t = Instant::now();
    let (code, state, polls) = client.wait("c407-wait", 15_000, None);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(code, CFRPD_ERR_NETWORK);
    assert_eq!((state, polls), (None, 0));
    assert!(err.message.contains(&proxy.label()), "{}", err.message);
    let mut texts = logs.lock().unwrap().clone();
    texts.push(err.message.clone());
    texts.push(format!("{err:?}"));
    assert!(!texts.is_empty());
    assert_no_password(&texts, wrong);
    assert_eq!(emu.stats().requests_total, 0);
}

// ---- the `log` facade, every target at TRACE ----

/// Captures every `log` record of this process (ureq, rustls, this library).
struct Capture;

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        if record.target().starts_with("cashfree_rpd_emulator") {
            return; // the server's side may know the secret
        }
        RECORDS.lock().unwrap().push(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

#[test]
fn log_facade_at_trace_never_carries_the_proxy_password_or_the_secret() {
    log::set_logger(&CAPTURE).expect("no other logger in this test binary");
    log::set_max_level(log::LevelFilter::Trace);
    let emu = emulator(true);
    let port = emu.addr().port();
    let Some(proxy) = TinyProxy::start(
        "log_facade_at_trace_never_carries_the_proxy_password_or_the_secret",
        &[port],
    ) else {
        return;
    };
    let wrong = "Wr0ngPa55-facade";
    for url in [proxy.url(), proxy.url_with(wrong)] {
        let (cfg, _) = proxied_config(&emu, &url);
        let client = Client::new(&cfg).unwrap();
        let id = fresh_id("facade");
        let _ = client.create(&id, "John Doe");
        let _ = client.status(&id);
    }
    assert_eq!(emu.stats().creates_received, 1);
    let records = RECORDS.lock().unwrap().clone();
    assert!(
        records.iter().any(|r| r.contains("ureq")),
        "ureq's own records were captured: {records:?}"
    );
    assert_no_password(&records, PROXY_PASSWORD);
    assert_no_password(&records, wrong);
    for r in &records {
        assert!(
            !r.contains(cashfree_rpd_emulator::TEST_CLIENT_SECRET),
            "client secret in a log record: {r}"
        );
    }
}

#[test]
fn target_down_behind_the_proxy_is_named_and_never_ambiguous() {
    let emu = emulator(false);
    let port = emu.addr().port();
    let base = emu.base_url();
    let Some(proxy) = TinyProxy::start(
        "target_down_behind_the_proxy_is_named_and_never_ambiguous",
        &[port],
    ) else {
        return;
    };
    drop(emu); // nothing listens on the target port any more
    let mut cfg = Config::new(
        cashfree_rpd_emulator::TEST_CLIENT_ID,
        cashfree_rpd_emulator::TEST_CLIENT_SECRET,
    )
    .unwrap();
    cfg.set_base_url(&base).unwrap();
    cfg.set_proxy(&proxy.url()).unwrap();
    cfg.set_max_retries(1).unwrap();
    let client = Client::new(&cfg).unwrap();
    let t = Instant::now();
    let err = client.create(&fresh_id("target-down"), "John").unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    // tinyproxy answers the CONNECT with an error page: the tunnel never opened.
    assert_eq!(err.kind(), ErrorKind::Network, "{err:?}");
    assert!(!err.is_ambiguous() && err.is_retryable(), "{err:?}");
    assert!(err.message().contains(&proxy.label()), "{}", err.message());
    assert!(err.message().contains("proxy"), "{}", err.message());
    eprintln!("target down: {}", err.message());
    assert_no_password(
        &[err.message().to_owned(), format!("{err:?}")],
        PROXY_PASSWORD,
    );
}

/// tinyproxy closes tunnels idle for 1 s (its `Timeout`, so 1–2 s in practice); calls
/// 2.5 s apart over HTTPS must each notice the closed tunnel before writing: no failure,
/// no retry, no ambiguous create.
#[test]
fn tunnels_idled_out_by_the_proxy_are_never_reused() {
    let emu = emulator(true);
    let port = emu.addr().port();
    let Some(proxy) = TinyProxy::start_with_timeout(
        "tunnels_idled_out_by_the_proxy_are_never_reused",
        &[port],
        1,
    ) else {
        return;
    };
    let (cfg, logs) = proxied_config(&emu, &proxy.url());
    let client = Client::new(&cfg).unwrap();
    let mut ids = Vec::new();
    for i in 0..6 {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(2500));
        }
        let id = fresh_id("idle-tunnel");
        client
            .create(&id, "John Doe")
            .unwrap_or_else(|e| panic!("create {i}: {e:?}"));
        client
            .status(&id)
            .unwrap_or_else(|e| panic!("status {i}: {e:?}"));
        ids.push(id);
    }
    let logs = logs.lock().unwrap().clone();
    assert!(
        !logs.iter().any(|l| l.starts_with("WARN")),
        "no retry was needed: {logs:?}"
    );
    let opened = logs
        .iter()
        .filter(|l| l.contains("connection opened"))
        .count();
    assert_eq!(
        opened, 6,
        "one tunnel per round (create and status share it): {logs:?}"
    );
    assert_eq!(proxy.connects_to(port), 6, "{}", proxy.log());
    assert_eq!(emu.stats().creates_received, 6);
}

/// A proxy refusing the credentials (401/407) is a configuration error, not a passing
/// network fault: no automatic retry, `retryable = false`, and a wait ends at once
/// instead of polling into a refusing proxy until its timeout (minutes on a terminal).
#[test]
fn refused_proxy_credentials_are_not_retried_and_end_a_wait_at_once() {
    let emu = emulator(false);
    let port = emu.addr().port();
    let Some(proxy) = TinyProxy::start(
        "refused_proxy_credentials_are_not_retried_and_end_a_wait_at_once",
        &[port],
    ) else {
        return;
    };
    for url in [
        proxy.url_with("Wr0ngPa55-wait"),
        format!("http://127.0.0.1:{}", proxy.port),
    ] {
        let (cfg, logs) = proxied_config(&emu, &url);
        let client = Client::new(&cfg).unwrap();
        let err = client.create(&fresh_id("refused"), "John").unwrap_err();
        assert!(!err.is_retryable() && !err.is_ambiguous(), "{err:?}");
        assert!(err.message().contains("proxy"), "{}", err.message());
        let err = client.status("refused-status").unwrap_err();
        assert!(!err.is_retryable(), "{err:?}");
        let retries = logs
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("WARN retrying"))
            .count();
        assert_eq!(retries, 0, "{:?}", logs.lock().unwrap());
        let t = Instant::now();
        let err = client
            .wait_for_result(
                "refused-wait",
                &WaitOptions::new(Duration::from_secs(15))
                    .poll_interval(Duration::from_millis(500)),
                |_| true,
            )
            .unwrap_err();
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "the wait polled a refusing proxy for {:?}: {}",
            t.elapsed(),
            err.error.message()
        );
        assert_ne!(
            err.error.kind(),
            ErrorKind::Deadline,
            "{}",
            err.error.message()
        );
        eprintln!(
            "FIGURE wait against a refusing proxy ended after {:?}",
            t.elapsed()
        );
        assert_no_password(&[err.error.message().to_owned()], "Wr0ngPa55-wait");
    }
    assert_eq!(emu.stats().requests_total, 0);
}
