//! The C ABI from C and C++: compiles tests/c/*.c, tests/cpp/wrapper_test.cpp and the
//! quickstarts in examples/ with gcc/g++ against the static library, runs them against
//! in-process emulators, and runs each again under AddressSanitizer+UBSan and under
//! valgrind. (`make install`, pkg-config and CMake: tests/it/packaging.rs.)
//!
//! Which static library: `cargo test` builds the library unit with all its crate types,
//! but leaves `libcashfree_rpd.a` in `target/<profile>/deps/` — it does not refresh the
//! uplifted `target/<profile>/libcashfree_rpd.a` (only `cargo build` does). So the tests
//! take the `deps/` copy, which is the one built from the sources under test, and only
//! when it is missing run `cargo build --lib` themselves (same profile and target dir;
//! cargo releases its build lock before running tests, so this does not deadlock, but it
//! recompiles the library: `cargo test --workspace` and `cargo build -p cashfree-rpd`
//! unify dependency features differently). Overrides: `CFRPD_TEST_STATICLIB=<path>` uses
//! that file; `CFRPD_TEST_CARGO_BUILD=1` forces the `cargo build --lib` route.
//!
//! Needs gcc and g++; valgrind is optional (a notice is printed when a
//! check is skipped; CI installs it). Linux only (valgrind, /proc, .so, GNU ld flags).
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::time::{Duration, Instant};

use common::cbuild::*;
use common::cenv::*;

// ------------------------------------------------------------------------------------
// abi_test.c

fn abi_test(variant: Variant, runner: Runner) {
    let exe = compile("tests/c/abi_test.c", variant);
    let plain = emulator(None);
    let autopay = emulator(Some(Duration::from_millis(700)));
    let mut env = base_env(&plain.base_url());
    env.insert("CFRPD_TEST_AUTOPAY_BASE_URL".into(), autopay.base_url());
    env.insert("CFRPD_TEST_CLOSED_URL".into(), closed_url());
    webhook_env(&mut env);
    let r = run(&exe, runner, &[], &env);
    assert_all_passed(&r, 250);
    assert_only_valid_ids_sent(&plain);
    assert_only_valid_ids_sent(&autopay);
    let _ = fs::remove_file(exe);
}

#[test]
fn abi_test_c() {
    abi_test(Variant::Plain, Runner::Direct);
}

#[test]
fn abi_test_c_asan_ubsan() {
    abi_test(Variant::Sanitized, Runner::Direct);
}

#[test]
fn abi_test_c_valgrind() {
    if valgrind_available() {
        abi_test(Variant::Plain, Runner::Valgrind);
    }
}

// ------------------------------------------------------------------------------------
// wrapper_test.cpp (include/cashfree_rpd.hpp)

fn wrapper_test(variant: Variant, runner: Runner) {
    let exe = compile("tests/cpp/wrapper_test.cpp", variant);
    let plain = emulator(None);
    let autopay = emulator(Some(Duration::from_millis(700)));
    let mut env = base_env(&plain.base_url());
    env.insert("CFRPD_TEST_AUTOPAY_BASE_URL".into(), autopay.base_url());
    webhook_env(&mut env);
    let r = run(&exe, runner, &[], &env);
    assert_all_passed(&r, 74);
    assert_only_valid_ids_sent(&plain);
    let _ = fs::remove_file(exe);
}

#[test]
fn wrapper_test_cpp() {
    wrapper_test(Variant::Plain, Runner::Direct);
}

#[test]
fn wrapper_test_cpp_asan_ubsan() {
    wrapper_test(Variant::Sanitized, Runner::Direct);
}

#[test]
fn wrapper_test_cpp_valgrind() {
    if valgrind_available() {
        wrapper_test(Variant::Plain, Runner::Valgrind);
    }
}

// ------------------------------------------------------------------------------------
// The leak checks see the library's allocations

/// Leaks one cfrpd_error on purpose: proves that ASan and valgrind, as set up above,
/// see memory the Rust library allocates (so a clean run above means something).
const LEAKY_C: &str = r#"
#include <stdio.h>
#include "cashfree_rpd.h"
int main(void) {
    cfrpd_client *client = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_client_new(NULL, &client, &err);
    printf("%s %s\n", cfrpd_result_name(rc), err != NULL ? "leaking" : "no error");
    fflush(stdout); /* LeakSanitizer ends the process without flushing stdio */
    err = NULL; /* lost */
    return 0;
}
"#;

fn leaky(variant: Variant, runner: Runner) -> Run {
    let src = work_dir().join(format!("leaky-{variant:?}.c"));
    fs::write(&src, LEAKY_C).unwrap();
    let exe = compile(src.to_str().unwrap(), variant);
    let r = run(&exe, runner, &[], &BTreeMap::new());
    assert!(
        r.stdout.contains("CFRPD_ERR_INVALID_ARGUMENT leaking"),
        "{}",
        r.describe()
    );
    let _ = fs::remove_file(exe);
    r
}

#[test]
fn leak_checks_see_library_allocations() {
    let r = leaky(Variant::Sanitized, Runner::Direct);
    assert!(
        !r.status.success(),
        "ASan missed the leak\n{}",
        r.describe()
    );
    assert!(r.stderr.contains("LeakSanitizer"), "{}", r.describe());
    assert!(r.stderr.contains("Direct leak of"), "{}", r.describe());
    if valgrind_available() {
        let r = leaky(Variant::Plain, Runner::Valgrind);
        assert_eq!(
            r.status.code(),
            Some(1),
            "valgrind missed the leak\n{}",
            r.describe()
        );
        assert!(r.stderr.contains("definitely lost"), "{}", r.describe());
    }
}

// ------------------------------------------------------------------------------------
// threads_test.c

fn threads_test(variant: Variant, runner: Runner, calls: u32) {
    let exe = compile("tests/c/threads_test.c", variant);
    let emu = emulator(None);
    let mut env = base_env(&emu.base_url());
    env.insert("CFRPD_THREADS_CALLS".into(), calls.to_string());
    let r = run(&exe, runner, &[], &env);
    assert!(r.status.success(), "{}", r.describe());
    let want = format!("{} passed, 0 failed", 8 * calls);
    assert_eq!(
        r.stdout.lines().last(),
        Some(want.as_str()),
        "{}",
        r.describe()
    );
    let stats = emu.stats();
    assert_eq!(stats.creates_received, u64::from(4 * calls), "{stats:?}");
    assert_eq!(stats.status_received, u64::from(4 * calls), "{stats:?}");
    let _ = fs::remove_file(exe);
}

#[test]
fn threads_test_c() {
    threads_test(Variant::Plain, Runner::Direct, 200);
}

#[test]
fn threads_test_c_asan_ubsan() {
    threads_test(Variant::Sanitized, Runner::Direct, 200);
}

#[test]
fn threads_test_c_valgrind() {
    if valgrind_available() {
        // Valgrind runs one thread at a time and is much slower: fewer calls.
        threads_test(Variant::Plain, Runner::Valgrind, 40);
    }
}

// ------------------------------------------------------------------------------------
// deadline_test.c (the call-deadline cases of tests/it/deadline.rs, from C)

/// Runs deadline_test.c against the servers of tests/common/dlservers.rs with a 800 ms
/// call deadline; every call must end within `max_overshoot_ms` after it.
fn deadline_test(variant: Variant, runner: Runner, max_overshoot_ms: u32) {
    let exe = compile("tests/c/deadline_test.c", variant);
    let label = format!(
        "deadline_test ({variant:?}, {})",
        match runner {
            Runner::Direct => "direct",
            Runner::Valgrind => "valgrind",
        }
    );
    common::dlservers::run_checked(&label, max_overshoot_ms, |env| {
        Some(run(&exe, runner, &[], env))
    });
    let _ = fs::remove_file(exe);
}

#[test]
fn deadline_test_c() {
    // Linux ends these waits within about a millisecond (BENCHMARKS.md); 50 ms leaves
    // room for a loaded machine (one late call under full load was measured at +33 ms).
    deadline_test(Variant::Plain, Runner::Direct, 50);
}

#[test]
fn deadline_test_c_asan_ubsan() {
    deadline_test(Variant::Sanitized, Runner::Direct, 100);
}

#[test]
fn deadline_test_c_valgrind() {
    if valgrind_available() {
        // Valgrind runs everything many times slower (TLS set-up included).
        deadline_test(Variant::Plain, Runner::Valgrind, 1000);
    }
}

// ------------------------------------------------------------------------------------
// fork_test.c

fn fork_test(variant: Variant, runner: Runner, calls: u32) {
    let exe = compile("tests/c/fork_test.c", variant);
    let emu = emulator(None);
    let mut env = base_env(&emu.base_url());
    env.insert("CFRPD_FORK_CALLS".into(), calls.to_string());
    let r = run(&exe, runner, &[], &env);
    assert!(r.status.success(), "{}", r.describe());
    for who in ["parent", "child"] {
        let want = format!("{who}: {calls} ok, 0 failed");
        assert!(
            r.stdout.lines().any(|l| l == want),
            "{want}\n{}",
            r.describe()
        );
    }
    let stats = emu.stats();
    assert_eq!(stats.creates_received, 2, "{stats:?}");
    assert_eq!(
        stats.status_received,
        1 + 2 * u64::from(calls),
        "every read reached the server once: {stats:?}"
    );
    // The child opened connections of its own (at least one more than the parent).
    assert!(stats.connections_accepted >= 2, "{stats:?}");

    // A thread of the parent is inside a call when the main thread forks. (Not under
    // valgrind: the memory of that call, whose thread does not exist in the child,
    // would be reported as lost in the child.)
    if matches!(runner, Runner::Valgrind) {
        let _ = fs::remove_file(exe);
        return;
    }
    let emu = emulator(None);
    emu.inject(cashfree_rpd_emulator::Fault::times(
        cashfree_rpd_emulator::Endpoint::Status,
        cashfree_rpd_emulator::FaultKind::Delay(Duration::from_secs(2)),
        2,
    ));
    let env = base_env(&emu.base_url());
    let started = Instant::now();
    let r = run(&exe, runner, &["held"], &env);
    assert!(r.status.success(), "{}", r.describe());
    assert!(
        r.stdout.contains("child: 1 ok, 0 failed"),
        "{}",
        r.describe()
    );
    assert!(
        r.stdout.contains("parent: 1 ok, 0 failed"),
        "{}",
        r.describe()
    );
    assert!(started.elapsed() < Duration::from_secs(120));
    let _ = fs::remove_file(exe);
}

#[test]
fn fork_test_c() {
    fork_test(Variant::Plain, Runner::Direct, 240);
}

#[test]
fn fork_test_c_asan_ubsan() {
    fork_test(Variant::Sanitized, Runner::Direct, 240);
}

#[test]
fn fork_test_c_valgrind() {
    if valgrind_available() {
        fork_test(Variant::Plain, Runner::Valgrind, 200);
    }
}

// ------------------------------------------------------------------------------------
// The quickstarts

fn quickstart(source: &str, variant: Variant, runner: Runner, error_paths: bool) {
    let exe = compile(source, variant);
    let paid = emulator(None);
    let mut env = base_env(&paid.base_url());
    env.insert("CFRPD_POLL_INTERVAL_MS".into(), "500".into());
    env.insert("CFRPD_WAIT_TIMEOUT_MS".into(), "30000".into());

    // Happy path with the id from argv[1]: CREATED, then paid.
    let id = format!("qs-{}", run_id());
    let r = with_payer(&paid, || run(&exe, runner, &[&id], &env));
    assert!(r.status.success(), "{}", r.describe());
    for want in [
        format!("verification_id: {id} (ref_id "),
        "pay 1 rupee with:  upi://pay?".to_string(),
        "valid until:       20".to_string(),
        "poll 1: CREATED".to_string(),
        "poll 2: SUCCESS".to_string(),
        "outcome:           SUCCESS".to_string(),
        "account:           026291800001191".to_string(),
        "IFSC:              YESB0000262".to_string(),
        "name at bank:      JOHN DOE".to_string(),
        "DIRECT_MATCH".to_string(),
    ] {
        assert!(
            r.stdout.contains(&want),
            "missing {want:?}\n{}",
            r.describe()
        );
    }
    // The QR of the upi_link as terminal text (stdout is a pipe: no colours), exactly the
    // Rust API's drawing (both quickstarts print it after "or scan:").
    let link = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("pay 1 rupee with:  "))
        .expect("the upi_link line");
    let drawn = cashfree_rpd::qr::QrCode::encode(link).unwrap().to_unicode();
    assert!(
        r.stdout.contains(&format!("or scan:\n{drawn}")),
        "no QR text\n{}",
        r.describe()
    );
    assert!(paid.stats().creates_received == 1, "{:?}", paid.stats());

    // A generated id when none is given.
    let r = with_payer(&paid, || run(&exe, runner, &[], &env));
    assert!(r.status.success(), "{}", r.describe());
    assert!(
        r.stdout.contains("verification_id: quickstart-"),
        "{}",
        r.describe()
    );

    // Wrong secret: the error's name, message and HTTP status, exit status 1.
    let mut bad = env.clone();
    bad.insert("CASHFREE_CLIENT_SECRET".into(), "wrong-secret".into());
    let r = run(&exe, runner, &[], &bad);
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("CFRPD_ERR_UNAUTHORIZED"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("http_status 401"), "{}", r.describe());
    assert!(
        r.stderr.contains("Invalid clientId and clientSecret"),
        "{}",
        r.describe()
    );
    assert!(
        !r.stderr.contains("wrong-secret"),
        "secret leaked\n{}",
        r.describe()
    );

    if !error_paths {
        let _ = fs::remove_file(exe);
        return;
    }
    // Missing configuration.
    let mut missing = env.clone();
    missing.remove("CASHFREE_CLIENT_ID");
    let r = run(&exe, runner, &[], &missing);
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("CFRPD_ERR_INVALID_ARGUMENT"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("CASHFREE_CLIENT_ID"), "{}", r.describe());

    // Nobody pays: the deadline, with the last status.
    let unpaid = emulator(None);
    let mut slow = base_env(&unpaid.base_url());
    slow.insert("CFRPD_POLL_INTERVAL_MS".into(), "500".into());
    slow.insert("CFRPD_WAIT_TIMEOUT_MS".into(), "1500".into());
    let r = run(&exe, runner, &[], &slow);
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(r.stdout.contains("poll 1: CREATED"), "{}", r.describe());
    assert!(r.stderr.contains("CFRPD_ERR_DEADLINE"), "{}", r.describe());
    assert!(
        r.stderr.contains("last status: CREATED"),
        "{}",
        r.describe()
    );

    // A malformed id from the command line.
    let r = run(&exe, runner, &["not a valid id"], &env);
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("CFRPD_ERR_INVALID_ARGUMENT"),
        "{}",
        r.describe()
    );

    // The magic id for 422.
    let r = run(
        &exe,
        runner,
        &[&format!("emu-fault-422-{}", run_id())],
        &env,
    );
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("CFRPD_ERR_INSUFFICIENT_BALANCE"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("http_status 422"), "{}", r.describe());
    let _ = fs::remove_file(exe);
}

#[test]
fn quickstart_c() {
    quickstart(
        "examples/c/quickstart.c",
        Variant::Plain,
        Runner::Direct,
        true,
    );
}

#[test]
fn quickstart_c_asan_ubsan() {
    quickstart(
        "examples/c/quickstart.c",
        Variant::Sanitized,
        Runner::Direct,
        true,
    );
}

#[test]
fn quickstart_c_valgrind() {
    if valgrind_available() {
        quickstart(
            "examples/c/quickstart.c",
            Variant::Plain,
            Runner::Valgrind,
            false,
        );
    }
}

#[test]
fn quickstart_cpp() {
    quickstart(
        "examples/cpp/quickstart.cpp",
        Variant::Plain,
        Runner::Direct,
        true,
    );
}

#[test]
fn quickstart_cpp_asan_ubsan() {
    quickstart(
        "examples/cpp/quickstart.cpp",
        Variant::Sanitized,
        Runner::Direct,
        true,
    );
}

#[test]
fn quickstart_cpp_valgrind() {
    if valgrind_available() {
        quickstart(
            "examples/cpp/quickstart.cpp",
            Variant::Plain,
            Runner::Valgrind,
            false,
        );
    }
}
