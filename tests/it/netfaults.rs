//! Calls over a real faulty network: two network namespaces and a veth pair
//! (`tests/common/netns.rs`) with 10% random packet loss, a black hole switched on
//! mid-call, and a 64 kbit/s link; plus latency through a delaying relay of our own
//! (`tests/common/relay.rs`; `tc netem` is not available). Every call ends within its
//! call deadline (plus a generous 2 s for loaded CI machines), retries behave, no
//! create ever reaches the emulator twice, and a create that may have arrived is
//! flagged ambiguous. Rust API and C ABI.
//!
//! The namespace tests need root, iproute2, iptables and tc: without them they print
//! why they are skipped, or fail when `CI=true`. Measured figures are printed as
//! `FIGURE` lines (`cargo test --test it netfaults:: -- --nocapture`).

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use cashfree_rpd::ffi::*;
use cashfree_rpd::{Client, Config, ErrorKind, LogLevel, VerificationStatus, WaitOptions};
use cashfree_rpd_emulator::{
    Emulator, Endpoint, Fault, FaultKind, Options, PayOutcome, RecordedRequest, TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
};
use common::cabi::CConfig;
use common::fresh_id;
use common::netns::NetPair;
use common::relay::DelayRelay;

/// What CI may add on top of a deadline (load, valgrind).
const SLACK: Duration = Duration::from_secs(2);

type Logs = Arc<Mutex<Vec<String>>>;

fn config(
    base_url: &str,
    connect: u64,
    request: u64,
    deadline_ms: u64,
    retries: u32,
) -> (Config, Logs) {
    let mut cfg = Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(base_url).unwrap();
    cfg.set_timeouts(
        Duration::from_millis(connect),
        Duration::from_millis(request),
    );
    cfg.set_call_deadline(Duration::from_millis(deadline_ms));
    cfg.set_max_retries(retries).unwrap();
    let logs: Logs = Arc::default();
    let sink = logs.clone();
    cfg.set_log_callback(LogLevel::Info, move |lvl, msg| {
        sink.lock().unwrap().push(format!("{} {msg}", lvl.name()));
    });
    (cfg, logs)
}

fn retries_logged(logs: &Logs) -> usize {
    logs.lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("WARN retrying"))
        .count()
}

/// How many creates for each verification_id reached the emulator.
fn creates_per_id(requests: &[RecordedRequest]) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for r in requests.iter().filter(|r| r.method == "POST") {
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let id = body["verification_id"].as_str().unwrap().to_owned();
        *n.entry(id).or_insert(0) += 1;
    }
    n
}

fn assert_no_duplicate_create(emu: &Emulator) -> HashMap<String, usize> {
    let per_id = creates_per_id(&emu.requests());
    for (id, n) in &per_id {
        assert_eq!(*n, 1, "create {id} reached the emulator {n} times");
    }
    per_id
}

fn bounded(took: Duration, deadline: Duration, what: &str) {
    assert!(
        took <= deadline + SLACK,
        "{what} took {took:?}, outliving its call deadline {deadline:?}"
    );
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

fn summary(name: &str, mut v: Vec<Duration>) -> String {
    v.sort();
    if v.is_empty() {
        return format!("{name}: none");
    }
    let med = v[v.len() / 2];
    let p90 = v[(v.len() * 9 / 10).min(v.len() - 1)];
    format!(
        "{name}: n={} min={}ms median={}ms p90={}ms max={}ms",
        v.len(),
        ms(v[0]),
        ms(med),
        ms(p90),
        ms(*v.last().unwrap())
    )
}

// ---- (a) 10% random loss ----

#[test]
fn ten_percent_loss_calls_end_in_time_and_no_create_is_duplicated() {
    let Some(net) = NetPair::new("ten_percent_loss_calls_end_in_time_and_no_create_is_duplicated")
    else {
        return;
    };
    let emu = net.start_emulator(Options {
        reversal_step: Duration::ZERO,
        ..Options::default()
    });
    let deadline = Duration::from_secs(15);
    let (cfg, logs) = config(&emu.base_url(), 2000, 4000, 15_000, 4);
    let client = Client::new(&cfg).unwrap();
    // Warm-up on a clean link.
    net.in_client(|| client.status("warm-up").unwrap_err());
    net.loss(0.10);
    // CFRPD_NET_CALLS=200 for steadier figures (BENCHMARKS.md used 200).
    let calls: usize = std::env::var("CFRPD_NET_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let (mut create_t, mut status_t) = (Vec::new(), Vec::new());
    let mut created = Vec::new();
    let mut ambiguous = Vec::new();
    let mut other_failures = Vec::new();
    net.in_client(|| {
        for i in 0..calls {
            let id = fresh_id(&format!("loss{i}"));
            let t = Instant::now();
            let r = client.create(&id, "John Doe");
            let took = t.elapsed();
            bounded(took, deadline, "create");
            create_t.push(took);
            match r {
                Ok(c) => {
                    assert_eq!(c.verification_id, id);
                    created.push(id.clone());
                }
                Err(e) if e.is_ambiguous() => {
                    assert!(!e.is_retryable(), "{e:?}");
                    ambiguous.push(id.clone());
                    continue;
                }
                Err(e) => {
                    // Only "certainly not sent" failures may be plain errors.
                    assert!(e.is_retryable(), "{e:?}");
                    other_failures.push(e.message().to_owned());
                    continue;
                }
            }
            let t = Instant::now();
            let r = client.status(&id);
            let took = t.elapsed();
            bounded(took, deadline, "status");
            status_t.push(took);
            match r {
                Ok(s) => assert_eq!(s.status, VerificationStatus::Created),
                Err(e) => {
                    assert!(e.is_retryable(), "{e:?}");
                    other_failures.push(e.message().to_owned());
                }
            }
        }
    });
    let loop_created = created.len();
    // A wait under loss: paid 1.5 s into it.
    let id = fresh_id("loss-wait");
    let wait_took = net.in_client(|| {
        client
            .create(&id, "John Doe")
            .map_err(|e| assert!(e.is_ambiguous(), "{e:?}"))
            .ok()?;
        created.push(id.clone());
        let t = Instant::now();
        let done = thread::scope(|s| {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(1500));
                emu.pay(&id, PayOutcome::default()).unwrap();
            });
            client.wait_for_result(
                &id,
                &WaitOptions::new(Duration::from_secs(30))
                    .poll_interval(Duration::from_millis(500)),
                |_| true,
            )
        })
        .expect("wait under 10% loss");
        assert_eq!(done.status, VerificationStatus::Success);
        Some(t.elapsed())
    });

    // Tight timeouts (150 ms): a lost segment (retransmitted after >= 200 ms) costs the
    // attempt. Creates become ambiguous (never re-sent), statuses are retried.
    let tight_deadline = Duration::from_secs(3);
    let (tight_cfg, tight_logs) = config(&emu.base_url(), 1500, 150, 3000, 6);
    let tight = Client::new(&tight_cfg).unwrap();
    let mut tight_t = Vec::new();
    let (mut tight_ok, mut tight_status_ok, mut tight_status_failed) = (0, 0, 0);
    net.in_client(|| {
        for i in 0..calls {
            let id = fresh_id(&format!("tight{i}"));
            let t = Instant::now();
            let r = tight.create(&id, "John Doe");
            bounded(t.elapsed(), tight_deadline, "create");
            tight_t.push(t.elapsed());
            match r {
                Ok(_) => {
                    tight_ok += 1;
                    created.push(id.clone());
                }
                Err(e) if e.is_ambiguous() => ambiguous.push(id.clone()),
                Err(e) => assert!(e.is_retryable(), "{e:?}"),
            }
            let t = Instant::now();
            let r = tight.status(&id);
            bounded(t.elapsed(), tight_deadline, "status");
            match r {
                Ok(_) => tight_status_ok += 1,
                Err(e) if e.kind() == ErrorKind::NotFound => tight_status_ok += 1,
                Err(e) => {
                    assert!(e.is_retryable(), "{e:?}");
                    tight_status_failed += 1;
                }
            }
        }
    });
    let tight_retries = retries_logged(&tight_logs);
    let dropped = net.dropped_packets();
    let retries = retries_logged(&logs);
    let attempts = logs
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("INFO "))
        .count();
    // Every create reached the emulator at most once; every successful one exactly once.
    let per_id = assert_no_duplicate_create(&emu);
    for id in &created {
        assert_eq!(per_id.get(id), Some(&1), "{id}");
    }
    // An ambiguous create may or may not have arrived; the status call tells (on a
    // clean link now).
    net.clear_rules();
    let ambiguous_arrived = net.in_client(|| {
        ambiguous
            .iter()
            .filter(|id| match client.status(id) {
                Ok(_) => true,
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::NotFound, "{e:?}");
                    false
                }
            })
            .count()
    });
    for id in &ambiguous {
        assert!(per_id.get(id).copied().unwrap_or(0) <= 1);
    }
    assert!(dropped > 0, "the loss rules dropped nothing");
    assert!(
        loop_created >= calls / 2,
        "most creates succeed under 10% loss: {loop_created} of {calls} ({other_failures:?})"
    );
    eprintln!(
        "FIGURE 10% loss (each way, veth, iptables statistic): {calls} creates: {} ok, {} ambiguous ({} of them had arrived), {} failed unsent; {} attempts, {} retries, {} packets dropped",
        loop_created,
        ambiguous.len(),
        ambiguous_arrived,
        other_failures.len(),
        attempts,
        retries,
        dropped
    );
    eprintln!("FIGURE 10% loss {}", summary("create", create_t));
    eprintln!("FIGURE 10% loss {}", summary("status", status_t));
    if let Some(w) = wait_took {
        eprintln!("FIGURE 10% loss wait (paid 1.5 s in): {}ms", ms(w));
    }
    eprintln!(
        "FIGURE 10% loss, request timeout 150ms: {calls} creates: {tight_ok} ok, {} ambiguous overall; statuses {tight_status_ok} answered, {tight_status_failed} gave up; {tight_retries} retries; {}",
        ambiguous.len(),
        summary("create", tight_t)
    );
}

// ---- (b) black hole ----

#[test]
fn black_hole_mid_create_is_ambiguous_and_never_resent() {
    let Some(net) = NetPair::new("black_hole_mid_create_is_ambiguous_and_never_resent") else {
        return;
    };
    let emu = net.start_emulator(Options::default());
    let deadline = Duration::from_millis(4000);
    let (cfg, logs) = config(&emu.base_url(), 1000, 2500, 4000, 3);
    let client = Client::new(&cfg).unwrap();
    net.in_client(|| client.status("warm-up").unwrap_err());
    // The emulator holds the create 1.5 s; the black hole falls at 600 ms, while the
    // request is in flight (written, being processed).
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_millis(1500)),
    ));
    let id = fresh_id("bh");
    let (err, took) = net.in_client(|| {
        thread::scope(|s| {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(600));
                net.black_hole(true);
            });
            let t = Instant::now();
            let err = client.create(&id, "John Doe").unwrap_err();
            (err, t.elapsed())
        })
    });
    bounded(took, deadline, "create");
    assert!(took >= Duration::from_millis(2400), "{took:?} {err:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_ambiguous() && !err.is_retryable(), "{err:?}");
    assert!(err.request_id().is_some());
    // It did arrive, once, and was not re-sent.
    assert_eq!(emu.stats().creates_received, 1);
    assert_eq!(retries_logged(&logs), 0, "{:?}", logs.lock().unwrap());
    net.black_hole(false);
    let st = net
        .in_client(|| client.status(&id))
        .expect("the ambiguous create exists");
    assert_eq!(st.status, VerificationStatus::Created);
    assert_no_duplicate_create(&emu);
    eprintln!(
        "FIGURE black hole mid-create: ambiguous Timeout after {}ms (request timeout 2500ms, deadline 4000ms)",
        ms(took)
    );
}

#[test]
fn black_hole_before_create_is_retried_and_never_ambiguous() {
    let Some(net) = NetPair::new("black_hole_before_create_is_retried_and_never_ambiguous") else {
        return;
    };
    let emu = net.start_emulator(Options::default());
    let deadline = Duration::from_millis(5000);
    let (cfg, logs) = config(&emu.base_url(), 1000, 3000, 5000, 2);
    let client = Client::new(&cfg).unwrap();
    net.black_hole(true);
    let id = fresh_id("bh-before");
    let t = Instant::now();
    let err = net.in_client(|| client.create(&id, "John Doe").unwrap_err());
    let took = t.elapsed();
    bounded(took, deadline, "create");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(!err.is_ambiguous() && err.is_retryable(), "{err:?}");
    let retries = retries_logged(&logs);
    assert_eq!(
        retries,
        2,
        "connect timeouts are retried: {:?}",
        logs.lock().unwrap()
    );
    assert_eq!(emu.stats().creates_received, 0);
    // Per-attempt timeouts far beyond the deadline: the deadline still ends the call
    // (a SYN into the void, and a request on a live connection into the void).
    let (mut long, _) = config(&emu.base_url(), 10_000, 30_000, 1500, 2);
    long.set_call_deadline(Duration::from_millis(1500));
    let long = Client::new(&long).unwrap();
    let t = Instant::now();
    let e = net.in_client(|| long.create(&fresh_id("bh-long"), "John").unwrap_err());
    bounded(
        t.elapsed(),
        Duration::from_millis(1500),
        "create (SYN dropped)",
    );
    assert!(
        t.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        t.elapsed()
    );
    assert!(!e.is_ambiguous() && e.kind() == ErrorKind::Timeout, "{e:?}");
    net.black_hole(false);
    net.in_client(|| long.status("bh-long-warm").unwrap_err());
    net.black_hole(true);
    let t = Instant::now();
    let e = net.in_client(|| long.status("bh-long-warm").unwrap_err());
    bounded(
        t.elapsed(),
        Duration::from_millis(1500),
        "status (pooled connection)",
    );
    assert!(e.kind() == ErrorKind::Timeout && e.is_retryable(), "{e:?}");
    let t = Instant::now();
    let e = net.in_client(|| long.create(&fresh_id("bh-long2"), "John").unwrap_err());
    bounded(
        t.elapsed(),
        Duration::from_millis(1500),
        "create (pooled connection)",
    );
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e:?}");
    net.black_hole(false);
    assert_eq!(emu.stats().creates_received, 0);
    // Nothing was created behind our back: the same id creates now.
    net.in_client(|| client.create(&id, "John Doe"))
        .expect("create after the black hole");
    assert_no_duplicate_create(&emu);
    eprintln!(
        "FIGURE black hole before create: {retries} retries, not ambiguous, gave up after {}ms (connect timeout 1000ms)",
        ms(took)
    );
}

#[test]
fn black_hole_during_a_wait_is_ridden_out() {
    let Some(net) = NetPair::new("black_hole_during_a_wait_is_ridden_out") else {
        return;
    };
    let emu = net.start_emulator(Options {
        auto_pay_after: Some(Duration::from_secs(4)),
        ..Options::default()
    });
    let (cfg, logs) = config(&emu.base_url(), 800, 1500, 4000, 2);
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("bh-wait");
    net.in_client(|| client.create(&id, "John Doe")).unwrap();
    let t = Instant::now();
    let done = net.in_client(|| {
        thread::scope(|s| {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(700));
                net.black_hole(true);
                thread::sleep(Duration::from_millis(3500));
                net.black_hole(false);
            });
            client.wait_for_result(
                &id,
                &WaitOptions::new(Duration::from_secs(30))
                    .poll_interval(Duration::from_millis(500)),
                |_| true,
            )
        })
    });
    let took = t.elapsed();
    let done = done.expect("the wait rides out a 3.5 s black hole");
    assert_eq!(done.status, VerificationStatus::Success);
    assert!(took < Duration::from_secs(30) + SLACK);
    let failed_attempts = logs
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("INFO GET") && !l.contains("-> HTTP"))
        .count();
    assert!(failed_attempts >= 1, "{:?}", logs.lock().unwrap());
    assert_no_duplicate_create(&emu);
    eprintln!(
        "FIGURE black hole 3.5s during a wait: SUCCESS after {}ms, {failed_attempts} failed poll attempts, {} retries",
        ms(took),
        retries_logged(&logs)
    );
}

// ---- (c) slow link ----

#[test]
fn slow_64kbit_link_calls_complete_and_the_deadline_cuts_a_long_body() {
    let Some(net) =
        NetPair::new("slow_64kbit_link_calls_complete_and_the_deadline_cuts_a_long_body")
    else {
        return;
    };
    let emu = net.start_emulator(Options::default());
    net.slow("64kbit");
    let (cfg, logs) = config(&emu.base_url(), 2000, 10_000, 10_000, 2);
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("slow");
    let (create_took, status_took) = net.in_client(|| {
        let t = Instant::now();
        client
            .create(&id, "John Doe")
            .expect("create over 64 kbit/s");
        let c = t.elapsed();
        let t = Instant::now();
        client.status(&id).expect("status over 64 kbit/s");
        (c, t.elapsed())
    });
    bounded(create_took, Duration::from_secs(10), "create");

    // A 24 KiB answer needs ~3 s at 8 kB/s: the link is really slow...
    emu.inject(Fault::once(
        Endpoint::Status,
        FaultKind::HugeBody(24 * 1024),
    ));
    let t = Instant::now();
    let err = net.in_client(|| client.status(&id).unwrap_err());
    let big_took = t.elapsed();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    assert!(big_took >= Duration::from_secs(2), "{big_took:?}");

    // ...and a 512 KiB one (a minute of trickle) is cut by the call deadline.
    let mut cfg2 = cfg.clone();
    cfg2.set_call_deadline(Duration::from_millis(2500));
    let quick = Client::new(&cfg2).unwrap();
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::HugeBody(512 * 1024),
    ));
    let id2 = fresh_id("slow-big");
    let t = Instant::now();
    let err = net.in_client(|| quick.create(&id2, "John Doe").unwrap_err());
    let cut = t.elapsed();
    bounded(
        cut,
        Duration::from_millis(2500),
        "create with a trickled answer",
    );
    assert!(cut >= Duration::from_millis(2300), "{cut:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(
        err.is_ambiguous(),
        "the create was sent and answered: {err:?}"
    );
    assert_eq!(emu.stats().creates_received, 2);
    assert_no_duplicate_create(&emu);
    let _ = logs;
    eprintln!(
        "FIGURE 64 kbit/s link (tc tbf): create {}ms, status {}ms, 24 KiB answer {}ms, 512 KiB answer cut at {}ms by a 2500ms deadline",
        ms(create_took),
        ms(status_took),
        ms(big_took),
        ms(cut)
    );
}

// ---- (d) latency (relay; no root needed) ----

#[test]
fn latency_300ms_each_way_calls_succeed_and_reuse_the_connection() {
    let emu = Emulator::start(Options {
        reversal_step: Duration::ZERO,
        ..Options::default()
    })
    .unwrap();
    let relay = DelayRelay::start(emu.addr(), Duration::from_millis(300));
    let (cfg, logs) = config(&relay.base_url(), 2000, 5000, 10_000, 2);
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("lat");
    let t = Instant::now();
    client.create(&id, "John Doe").unwrap();
    let create_took = t.elapsed();
    let t = Instant::now();
    client.status(&id).unwrap();
    let status_took = t.elapsed();
    // A request and its answer each cross the relay once: at least one round trip.
    assert!(create_took >= Duration::from_millis(600), "{create_took:?}");
    assert!(status_took >= Duration::from_millis(600), "{status_took:?}");
    emu.pay(&id, PayOutcome::default()).unwrap();
    let done = client
        .wait_for_result(
            &id,
            &WaitOptions::new(Duration::from_secs(20)).poll_interval(Duration::from_millis(500)),
            |_| true,
        )
        .unwrap();
    assert_eq!(done.status, VerificationStatus::Success);
    assert_eq!(relay.connections(), 1, "keep-alive across the slow path");
    assert_eq!(retries_logged(&logs), 0);
    assert_no_duplicate_create(&emu);
    eprintln!(
        "FIGURE 300ms one-way latency (relay): create {}ms, status {}ms, 1 connection",
        ms(create_took),
        ms(status_took)
    );
}

#[test]
fn latency_beyond_the_request_timeout_is_ambiguous_for_a_create_and_bounded() {
    let emu = Emulator::start(Options::default()).unwrap();
    let relay = DelayRelay::start(emu.addr(), Duration::from_millis(1000));
    let deadline = Duration::from_millis(3000);
    let (cfg, logs) = config(&relay.base_url(), 1000, 1500, 3000, 3);
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("lat-amb");
    let t = Instant::now();
    let err = client.create(&id, "John Doe").unwrap_err();
    let took = t.elapsed();
    bounded(took, deadline, "create");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_ambiguous(), "{err:?}");
    // The create was on its way: it arrives (once) after the client gave up.
    thread::sleep(Duration::from_millis(800));
    assert_eq!(emu.stats().creates_received, 1);
    assert_eq!(retries_logged(&logs), 0);

    // A status is retried until the call deadline stops it.
    let t = Instant::now();
    let err = client.status(&id).unwrap_err();
    let status_took = t.elapsed();
    bounded(status_took, deadline, "status");
    assert!(
        status_took >= Duration::from_millis(1400),
        "{status_took:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_retryable() && !err.is_ambiguous(), "{err:?}");
    assert!(retries_logged(&logs) >= 1, "{:?}", logs.lock().unwrap());
    thread::sleep(Duration::from_millis(1200));
    assert_no_duplicate_create(&emu);
    eprintln!(
        "FIGURE 1000ms one-way latency, 1500ms request timeout: create ambiguous after {}ms (arrived once), status gave up after {}ms (3000ms deadline)",
        ms(took),
        ms(status_took)
    );
}

// ---- C ABI ----

fn c_client(
    base_url: &str,
    deadline_ms: u32,
    retries: u32,
    connect: u32,
    request: u32,
) -> common::cabi::CClient {
    let cfg = CConfig::new(base_url)
        .retries(retries)
        .timeouts_ms(connect, request);
    assert_eq!(
        // SAFETY: `cfg.raw()` is the live config CConfig owns.
        unsafe { cfrpd_config_set_call_deadline_ms(cfg.raw(), deadline_ms) },
        CFRPD_OK
    );
    cfg.client()
}

#[test]
fn c_abi_ten_percent_loss_and_black_hole_mid_create() {
    let Some(net) = NetPair::new("c_abi_ten_percent_loss_and_black_hole_mid_create") else {
        return;
    };
    let emu = net.start_emulator(Options::default());
    let client = c_client(&emu.base_url(), 12_000, 4, 2000, 4000);
    net.loss(0.10);
    let deadline = Duration::from_millis(12_000);
    let mut ok = 0;
    net.in_client(|| {
        for i in 0..8 {
            let id = fresh_id(&format!("closs{i}"));
            let t = Instant::now();
            let r = client.create_named(&id, "John Doe");
            bounded(t.elapsed(), deadline, "cfrpd_create");
            match r {
                Ok((vid, ref_id, _)) => {
                    assert_eq!(vid, id);
                    assert!(ref_id > 0);
                    ok += 1;
                    let t = Instant::now();
                    let s = client.status_full(&id);
                    bounded(t.elapsed(), deadline, "cfrpd_get_status");
                    if let Err(e) = s {
                        assert!(e.retryable, "{e:?}");
                    }
                }
                Err(e) => assert!(e.ambiguous != e.retryable, "{e:?}"),
            }
        }
    });
    assert!(ok >= 4, "{ok} of 8 creates succeeded under 10% loss");
    net.clear_rules();
    assert_no_duplicate_create(&emu);

    // Black hole while a create is being processed.
    let client = c_client(&emu.base_url(), 4000, 3, 1000, 2500);
    net.in_client(|| client.status("warm-up").unwrap_err());
    let before = emu.stats().creates_received;
    emu.inject(Fault::once(
        Endpoint::Create,
        FaultKind::Delay(Duration::from_millis(1500)),
    ));
    let id = fresh_id("cbh");
    let (err, took) = net.in_client(|| {
        thread::scope(|s| {
            s.spawn(|| {
                thread::sleep(Duration::from_millis(600));
                net.black_hole(true);
            });
            let t = Instant::now();
            (client.create(&id).unwrap_err(), t.elapsed())
        })
    });
    bounded(took, Duration::from_millis(4000), "cfrpd_create");
    assert_eq!(err.code, CFRPD_ERR_TIMEOUT, "{err:?}");
    assert!(err.ambiguous && !err.retryable, "{err:?}");
    assert!(err.request_id.is_some());
    assert_eq!(emu.stats().creates_received, before + 1);
    net.black_hole(false);
    net.in_client(|| client.status_full(&id))
        .expect("it exists");
    assert_no_duplicate_create(&emu);
}

#[test]
fn c_abi_latency_beyond_the_request_timeout_is_ambiguous_and_bounded() {
    let emu = Emulator::start(Options::default()).unwrap();
    let relay = DelayRelay::start(emu.addr(), Duration::from_millis(1000));
    let client = c_client(&relay.base_url(), 3000, 3, 1000, 1500);
    let t = Instant::now();
    let err = client.create(&fresh_id("clat")).unwrap_err();
    bounded(t.elapsed(), Duration::from_millis(3000), "cfrpd_create");
    assert_eq!(err.code, CFRPD_ERR_TIMEOUT, "{err:?}");
    assert!(err.ambiguous, "{err:?}");
    let t = Instant::now();
    let (code, _, _) = client.wait("clat-wait", 2500, None);
    bounded(
        t.elapsed(),
        Duration::from_millis(2500),
        "cfrpd_wait_for_result",
    );
    assert!(
        code == CFRPD_ERR_DEADLINE || code == CFRPD_ERR_TIMEOUT,
        "{code}"
    );
    thread::sleep(Duration::from_millis(1200));
    assert_eq!(emu.stats().creates_received, 1);
    assert_no_duplicate_create(&emu);
}

#[test]
fn late_answer_of_a_timed_out_attempt_is_never_taken_for_the_next_call() {
    let emu = Emulator::start(Options::default()).unwrap();
    let relay = DelayRelay::start(emu.addr(), Duration::from_millis(1200));
    let (cfg, _) = config(&relay.base_url(), 1000, 1500, 1800, 0);
    let client = Client::new(&cfg).unwrap();
    let (x, y) = (fresh_id("late-x"), fresh_id("late-y"));
    // X's answer is still on its way when the client gives up...
    let err = client.create(&x, "John Doe").unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    relay.set_delay(Duration::ZERO);
    // ...and must not be read as Y's (or as a status of X).
    let created = client.create(&y, "Jane Roe").expect("Y is created");
    assert_eq!(created.verification_id, y);
    let st = client.status(&y).expect("Y's own status");
    assert_eq!(st.verification_id.as_deref(), Some(y.as_str()));
    thread::sleep(Duration::from_millis(1500));
    let st = client.status(&x).expect("X arrived after all");
    assert_eq!(st.verification_id.as_deref(), Some(x.as_str()));
    assert_eq!(emu.stats().creates_received, 2);
    assert_no_duplicate_create(&emu);
    assert!(
        relay.connections() >= 2,
        "the timed-out connection was not reused"
    );
}

#[test]
fn https_over_600ms_latency_works_and_a_slow_handshake_is_not_called_plain_http() {
    let emu = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    let relay = DelayRelay::start(emu.addr(), Duration::from_millis(600));
    let base = format!("https://127.0.0.1:{}/verification", relay.port);
    let (mut cfg, _) = config(&base, 5000, 10_000, 15_000, 0);
    cfg.add_root_ca_pem(&emu.ca_cert_pem().unwrap()).unwrap();
    let client = Client::new(&cfg).unwrap();
    let id = fresh_id("tls-lat");
    let t = Instant::now();
    client
        .create(&id, "John Doe")
        .expect("https over a 1.2 s round trip");
    let first = t.elapsed();
    let t = Instant::now();
    client.status(&id).unwrap();
    let again = t.elapsed();
    // TLS handshake (1 round trip with TLS 1.3) + the request: 2 round trips; then 1.
    assert!(first >= Duration::from_millis(2400), "{first:?}");
    assert!(again >= Duration::from_millis(1200), "{again:?}");

    // A connect timeout shorter than the handshake: the message must not send the
    // reader off to check for plain HTTP only.
    cfg.set_timeouts(Duration::from_millis(1000), Duration::from_secs(10));
    let short = Client::new(&cfg).unwrap();
    let err = short.status(&id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.message().contains("slow link"), "{}", err.message());
    eprintln!(
        "FIGURE https over 600ms one-way latency: first call (handshake + create) {}ms, next {}ms",
        ms(first),
        ms(again)
    );
}
