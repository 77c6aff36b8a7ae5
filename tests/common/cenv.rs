//! What the C test programs (tests/c/*.c, examples/c/*.c) expect from their harness:
//! emulators, the environment (credentials, base URLs, webhook fixtures), and the checks
//! of their output. Shared by tests/it/c_abi.rs (this machine), tests/it/cross.rs (cross
//! targets under qemu / natively) and tests/it/windows.rs (Windows targets under wine).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cashfree_rpd_emulator::{
    sign_webhook_body_v1, sign_webhook_header, Emulator, Options, PayOutcome, TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
};

use super::cbuild::Run;

pub fn emulator(auto_pay_after: Option<Duration>) -> Emulator {
    Emulator::start(Options {
        auto_pay_after,
        ..Options::default()
    })
    .expect("start emulator")
}

/// Runs `f` while a helper pays every request on `emu` shortly after its first status
/// poll, so that a waiting program deterministically sees CREATED, then SUCCESS
/// (auto-pay after a fixed delay races with slow starts under valgrind).
pub fn with_payer<R>(emu: &Emulator, f: impl FnOnce() -> R) -> R {
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut paid = std::collections::BTreeSet::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for req in emu.requests() {
                    let Some((_, query)) = req.path.split_once('?') else {
                        continue;
                    };
                    for id in query
                        .split('&')
                        .filter_map(|p| p.strip_prefix("verification_id="))
                    {
                        if paid.insert(id.to_string()) {
                            // Let the poll that was just received be answered first.
                            std::thread::sleep(Duration::from_millis(100));
                            let _ = emu.pay(id, PayOutcome::default());
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let result = f();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })
}

/// A loopback base URL where nothing listens (the port was just free).
pub fn closed_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/verification")
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn run_id() -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:x}-{:x}-{n}", unix_now() % 0x100_0000, std::process::id())
}

pub fn base_env(base_url: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".into(), TEST_CLIENT_ID.into());
    env.insert("CASHFREE_CLIENT_SECRET".into(), TEST_CLIENT_SECRET.into());
    env.insert("CASHFREE_BASE_URL".into(), base_url.into());
    env.insert("CFRPD_TEST_RUN_ID".into(), run_id());
    env
}

/// The webhook fixtures abi_test.c expects: a delivery signed now and an hour ago with
/// the header scheme, and a signed JSON body that is not a webhook.
pub fn webhook_env(env: &mut BTreeMap<String, String>) {
    let body = serde_json::json!({
        "signature": "ignored-by-the-header-scheme",
        "event_type": "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS",
        "event_time": "2024-05-01 10:15:00",
        "version": "v1",
        "data": {
            "verification_id": "webhook-1",
            "ref_id": 4242,
            "status": "SUCCESS",
            "bank_account": "026291800001191",
            "ifsc": "YESB0000262",
            "upi": "success@upi",
            "name_at_bank": "JOHN DOE",
            "utr": "412345678901",
            "name_match_score": "100.00",
            "name_match_result": "DIRECT_MATCH",
            "added_on": "2024-05-01T10:14:00+05:30",
            "processed_on": "2024-05-01T10:15:00+05:30",
            "account_type": "SAVINGS"
        }
    })
    .to_string();
    let now = unix_now().to_string();
    let old = (unix_now() - 3600).to_string();
    let other = r#"{"hello":"world"}"#.to_string();
    let secret = TEST_CLIENT_SECRET;
    env.insert(
        "CFRPD_TEST_WEBHOOK_SIG".into(),
        sign_webhook_header(secret, &now, body.as_bytes()),
    );
    env.insert(
        "CFRPD_TEST_WEBHOOK_OLD_SIG".into(),
        sign_webhook_header(secret, &old, body.as_bytes()),
    );
    env.insert(
        "CFRPD_TEST_WEBHOOK_OTHER_SIG".into(),
        sign_webhook_header(secret, &now, other.as_bytes()),
    );
    // The v1 scheme: the body signs its own `data`, no header, no timestamp.
    let mut v1: serde_json::Value = serde_json::from_str(&body).expect("the fixture is JSON");
    v1["signature"] = sign_webhook_body_v1(secret, &v1["data"]).into();
    env.insert("CFRPD_TEST_WEBHOOK_V1_BODY".into(), v1.to_string());
    env.insert("CFRPD_TEST_WEBHOOK_BODY".into(), body);
    env.insert("CFRPD_TEST_WEBHOOK_TS".into(), now);
    env.insert("CFRPD_TEST_WEBHOOK_OLD_TS".into(), old);
    env.insert("CFRPD_TEST_WEBHOOK_OTHER_BODY".into(), other);
}

/// The last line must be exactly "N passed, 0 failed" with N >= `at_least`.
pub fn assert_all_passed(r: &Run, at_least: u32) {
    assert!(r.status.success(), "{}", r.describe());
    let last = r.stdout.lines().last().unwrap_or("");
    let n: u32 = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "last line {last:?} is not \"N passed, 0 failed\"\n{}",
                r.describe()
            )
        });
    assert!(
        n >= at_least,
        "only {n} checks ran (want >= {at_least})\n{}",
        r.describe()
    );
    assert!(!r.stdout.contains("\nFAIL "), "{}", r.describe());
}

/// Nothing the emulator received carries a malformed verification_id: the library
/// checked them before any I/O.
pub fn assert_only_valid_ids_sent(emu: &Emulator) {
    let valid = |id: &str| {
        !id.is_empty()
            && id.len() <= 50
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    for req in emu.requests() {
        if req.method == "POST" {
            let body: serde_json::Value =
                serde_json::from_slice(&req.body).expect("create body is JSON");
            let id = body["verification_id"].as_str().unwrap_or("");
            assert!(valid(id), "a malformed id reached the server: {id:?}");
            let name = body["name"].as_str().unwrap_or("");
            assert!(!name.trim().is_empty(), "a blank name reached the server");
        } else if let Some(q) = req.path.split_once('?').map(|(_, q)| q) {
            for pair in q.split('&') {
                if let Some(id) = pair.strip_prefix("verification_id=") {
                    assert!(valid(id), "a malformed id reached the server: {id:?}");
                }
            }
        }
    }
}
