//! Diagnostics: the log callback (Rust and C) and the `log` facade; the secret and the
//! proxy password never appear in any record at any level.

use crate::common;

use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, Config, LogLevel};
use common::cabi::CConfig;
use common::sample;
use common::script::{http, ScriptServer, Step};

const SECRET: &str = "diag-secret-9f8e7d";

fn records_of(level: LogLevel, steps: Vec<Step>) -> (Vec<(LogLevel, String)>, ScriptServer) {
    let server = ScriptServer::start(steps);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = Config::new("id", SECRET).unwrap();
    cfg.set_base_url(&server.base_url()).unwrap();
    cfg.set_max_retries(2).unwrap();
    let sink = seen.clone();
    cfg.set_log_callback(level, move |l, m| {
        sink.lock().unwrap().push((l, m.to_owned()))
    });
    let client = Client::new(&cfg).unwrap();
    let _ = client.status("3890AAB000");
    let out = seen.lock().unwrap().clone();
    (out, server)
}

fn echoing_500() -> Step {
    // A server that echoes the secret back in its error body and headers.
    Step::Respond(http(
        500,
        &[("x-echo", SECRET)],
        &format!(r#"{{"message":"internal error, you sent {SECRET}","type":"api_error"}}"#),
    ))
}

#[test]
fn a_500_then_success_logs_both_attempts_and_the_retry() {
    let ok = sample("status_success.json");
    let (records, server) = records_of(
        LogLevel::Debug,
        vec![echoing_500(), Step::Respond(http(200, &[], &ok))],
    );
    let ids: Vec<String> = server
        .seen()
        .iter()
        .map(|r| r.header("x-request-id").unwrap())
        .collect();
    let info: Vec<&String> = records
        .iter()
        .filter(|(l, _)| *l == LogLevel::Info)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(info.len(), 2, "{records:#?}");
    assert!(info[0].contains("GET /verification/remitter/status?verification_id=3890AAB000"));
    assert!(
        info[0].contains("HTTP 500") && info[0].contains("attempt 1"),
        "{}",
        info[0]
    );
    assert!(
        info[0].contains(&ids[0]),
        "the request id is logged: {}",
        info[0]
    );
    assert!(
        info[1].contains("HTTP 200") && info[1].contains("attempt 2"),
        "{}",
        info[1]
    );
    assert!(info[1].contains(&ids[1]));
    assert!(info.iter().all(|m| m.contains(" ms ")), "{info:?}");
    let warn: Vec<&String> = records
        .iter()
        .filter(|(l, _)| *l == LogLevel::Warn)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(warn.len(), 1, "{records:#?}");
    assert!(
        warn[0].contains("retrying status in") && warn[0].contains("HTTP 500"),
        "{}",
        warn[0]
    );
    let debug: Vec<&String> = records
        .iter()
        .filter(|(l, _)| *l == LogLevel::Debug)
        .map(|(_, m)| m)
        .collect();
    assert!(
        debug
            .iter()
            .any(|m| m.contains("connection opened to 127.0.0.1:")),
        "{debug:?}"
    );
    assert!(
        debug.iter().any(|m| m.contains("connection reused")),
        "{debug:?}"
    );
    // No body at INFO or above; never the secret at any level.
    for (level, m) in &records {
        assert!(!m.contains(SECRET), "{level}: {m}");
        if *level <= LogLevel::Info {
            assert!(!m.contains("BHARATHTEST"), "a body at {level}: {m}");
        }
    }
}

#[test]
fn the_level_filters_records() {
    let steps = || vec![echoing_500(), echoing_500(), echoing_500()];
    let (warn_only, _s) = records_of(LogLevel::Warn, steps());
    assert!(!warn_only.is_empty());
    assert!(
        warn_only.iter().all(|(l, _)| *l <= LogLevel::Warn),
        "{warn_only:?}"
    );
    // The final failure is an ERROR record.
    assert!(warn_only
        .iter()
        .any(|(l, m)| *l == LogLevel::Error && m.contains("HTTP 500")));
    let (all, _s) = records_of(LogLevel::Debug, steps());
    assert!(all.len() > warn_only.len());
    for (level, m) in all.iter().chain(&warn_only) {
        assert!(!m.contains(SECRET), "{level}: {m}");
    }
}

#[test]
fn the_proxy_password_never_reaches_a_log_line() {
    // A proxy that is down: the error and the log name it, without its password.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut cfg = Config::new("id", SECRET).unwrap();
    cfg.set_base_url("https://api.example.invalid/verification")
        .unwrap();
    cfg.set_proxy(&format!("http://user:pr0xy-pa55@127.0.0.1:{port}"))
        .unwrap();
    cfg.set_max_retries(0).unwrap();
    cfg.set_call_deadline(Duration::from_secs(5));
    let sink = seen.clone();
    cfg.set_log_callback(LogLevel::Debug, move |_, m| {
        sink.lock().unwrap().push(m.to_owned())
    });
    let e = Client::new(&cfg).unwrap().status("abc").unwrap_err();
    assert!(
        e.message().contains(&format!(
            "via proxy http://user:[redacted]@127.0.0.1:{port}"
        )),
        "{e}"
    );
    assert!(!format!("{e:?}").contains("pr0xy-pa55"));
    let lines = seen.lock().unwrap().clone();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(!l.contains("pr0xy-pa55") && !l.contains(SECRET), "{l}");
    }
}

// ------------------------------------------------------------------------------------
// The same through the C ABI.

struct CLog {
    lines: Mutex<Vec<(cfrpd_log_level, String)>>,
}

unsafe extern "C" fn on_log(user: *mut c_void, level: cfrpd_log_level, message: *const c_char) {
    // SAFETY: `user` is `&log` passed with this callback; `log` outlives every client made from the config, and CLog is Sync.
    let log = unsafe { &*(user as *const CLog) };
    // SAFETY: the library passes a NUL-terminated message valid during the call.
    let text = unsafe { CStr::from_ptr(message) }
        .to_str()
        .unwrap()
        .to_owned();
    log.lines.lock().unwrap().push((level, text));
}

#[test]
fn c_log_callback_gets_attempts_retries_and_never_the_secret() {
    let ok = sample("status_success.json");
    let server = ScriptServer::start(vec![echoing_500(), Step::Respond(http(200, &[], &ok))]);
    let cfg = CConfig::with_credentials(&server.base_url(), "id", SECRET);
    let log = CLog {
        lines: Mutex::new(Vec::new()),
    };
    let user = &log as *const CLog as *mut c_void;
    assert_eq!(
        // SAFETY: `cfg.raw()` is a live config; on_log is safe to call with `user` (above) from any thread.
        unsafe { cfrpd_config_set_log_callback(cfg.raw(), CFRPD_LOG_DEBUG, Some(on_log), user) },
        CFRPD_OK
    );
    // Unknown levels are refused, with the reason kept on the config.
    assert_eq!(
        // SAFETY: `cfg.raw()` is a live config; on_log is safe to call with `user` from any thread.
        unsafe { cfrpd_config_set_log_callback(cfg.raw(), 9, Some(on_log), user) },
        CFRPD_ERR_INVALID_ARGUMENT
    );
    // SAFETY: the setter failed just before, so last_error is a C string owned by the live config.
    let why = unsafe { CStr::from_ptr(cfrpd_config_last_error(cfg.raw())) };
    assert!(why.to_str().unwrap().contains("unknown log level 9"));
    let client = cfg.client();
    assert!(client.status("3890AAB000").is_ok());
    let lines = log.lines.lock().unwrap().clone();
    let count = |lvl| lines.iter().filter(|(l, _)| *l == lvl).count();
    assert_eq!(count(CFRPD_LOG_INFO), 2, "{lines:#?}");
    assert_eq!(count(CFRPD_LOG_WARN), 1, "{lines:#?}");
    assert!(count(CFRPD_LOG_DEBUG) >= 2, "{lines:#?}");
    for (_, m) in &lines {
        assert!(!m.contains(SECRET), "{m}");
    }
    // NULL turns it off for clients made afterwards.
    assert_eq!(
        // SAFETY: `cfg.raw()` is a live config; a NULL callback needs no user data.
        unsafe {
            cfrpd_config_set_log_callback(cfg.raw(), CFRPD_LOG_DEBUG, None, std::ptr::null_mut())
        },
        CFRPD_OK
    );
    // SAFETY: `cfg.raw()` is a live config.
    assert!(unsafe { cfrpd_config_last_error(cfg.raw()) }.is_null());
    let before = log.lines.lock().unwrap().len();
    server.push(Step::Respond(http(200, &[], &ok)));
    assert!(cfg.client().status("3890AAB000").is_ok());
    assert_eq!(log.lines.lock().unwrap().len(), before);
}

// ------------------------------------------------------------------------------------
// cfrpd_config_last_error for every setter's failure; version number.

#[test]
fn every_setter_says_why_it_refused() {
    let cfg = CConfig::new("http://127.0.0.1:9/verification");
    let c = cfg.raw();
    // SAFETY: `c` is the live config `cfg` owns; a non-NULL message is a C string owned by it, copied before the next call.
    let last = || unsafe {
        let p = cfrpd_config_last_error(c);
        (!p.is_null()).then(|| CStr::from_ptr(p).to_str().unwrap().to_owned())
    };
    let s = |v: &str| CString::new(v).unwrap();
    type Setter<'a> = Box<dyn Fn() -> cfrpd_result + 'a>;
    let cases: Vec<(&str, Setter, &str)> = vec![
        (
            "environment",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe { cfrpd_config_set_environment(c, 7) }),
            "unknown environment 7",
        ),
        (
            "base_url",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe { cfrpd_config_set_base_url(c, s("http://example.com").as_ptr()) }),
            "not loopback",
        ),
        (
            "public key",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe { cfrpd_config_set_public_key_pem(c, s("not a pem").as_ptr()) }),
            "",
        ),
        (
            "root CA",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe { cfrpd_config_add_root_ca_pem(c, s("garbage").as_ptr()) }),
            "CERTIFICATE",
        ),
        (
            "proxy",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe {
                cfrpd_config_set_proxy(c, s("socks9://user:topsecret@x").as_ptr())
            }),
            "must start with http:// or https://",
        ),
        (
            "retries",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe { cfrpd_config_set_max_retries(c, 11) }),
            "at most 10",
        ),
        (
            "idle pool",
            // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
            Box::new(|| unsafe { cfrpd_config_set_max_idle_connections(c, 5000) }),
            "at most 1024",
        ),
        (
            "NULL url",
            // SAFETY: `c` is the live config `cfg` owns; NULL is what is being tested (refused, not read).
            Box::new(|| unsafe { cfrpd_config_set_base_url(c, std::ptr::null()) }),
            "NULL",
        ),
    ];
    for (what, call, needle) in cases {
        let rc = call();
        assert_ne!(rc, CFRPD_OK, "{what}");
        let why = last().unwrap_or_else(|| panic!("{what}: no last error"));
        assert!(why.contains(needle), "{what}: {why}");
        assert!(!why.contains("topsecret"), "{what}: {why}");
        // A success clears it.
        // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
        assert_eq!(unsafe { cfrpd_config_set_max_retries(c, 1) }, CFRPD_OK);
        assert_eq!(last(), None, "{what}");
    }
    // SAFETY: NULL is accepted: the function returns NULL for it.
    assert!(unsafe { cfrpd_config_last_error(std::ptr::null()) }.is_null());
    assert_eq!(
        // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
        unsafe { cfrpd_config_set_call_deadline_ms(c, u32::MAX) },
        CFRPD_OK
    );
    assert_eq!(
        // SAFETY: `c` is the live config `cfg` owns (freed when it drops, after these calls); string arguments are C strings alive during the call.
        unsafe { cfrpd_config_set_timeouts_ms(c, u32::MAX, u32::MAX) },
        CFRPD_OK
    );
}

#[test]
fn the_version_number_matches_the_version_string() {
    // SAFETY: cfrpd_version returns a static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(cfrpd_version()) }.to_str().unwrap();
    let parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(
        cfrpd_version_number(),
        parts[0] * 10000 + parts[1] * 100 + parts[2]
    );
    assert_eq!(cashfree_rpd::VERSION_NUMBER, cfrpd_version_number());
}

#[test]
fn tls_version_and_cipher_are_logged_at_debug() {
    let emu = cashfree_rpd_emulator::Emulator::start(cashfree_rpd_emulator::Options {
        tls: true,
        ..Default::default()
    })
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut cfg = Config::new(
        cashfree_rpd_emulator::TEST_CLIENT_ID,
        cashfree_rpd_emulator::TEST_CLIENT_SECRET,
    )
    .unwrap();
    cfg.set_base_url(&emu.base_url()).unwrap();
    cfg.add_root_ca_pem(&emu.ca_cert_pem().unwrap()).unwrap();
    let sink = seen.clone();
    cfg.set_log_callback(LogLevel::Debug, move |_, m| {
        sink.lock().unwrap().push(m.to_owned())
    });
    let client = Client::new(&cfg).unwrap();
    let id = common::fresh_id("tls-log");
    client.create(&id, "Jane Doe").unwrap();
    client.status(&id).unwrap();
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("connection opened to") && l.contains("; TLS TLSv1_3 TLS13_")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l == "connection reused"), "{lines:#?}");
}
