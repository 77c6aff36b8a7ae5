//! Thread stress: many threads share one client against the emulator, with injected
//! faults (magic ids that answer 500/429/404). Only the injected calls may fail, and
//! each with exactly its kind.
//!
//! CI runs 16 threads × `CFRPD_STRESS_CALLS` (default 100) calls; the full
//! 16 × 1,000 run: `cargo test --release --test it stress:: -- --ignored`.

use crate::common;

use std::sync::Arc;

use cashfree_rpd::{Client, ErrorKind};
use common::*;

fn run(threads: usize, calls: usize) {
    let env = start();
    let mut cfg = config_for(&env.emu);
    cfg.set_max_retries(0).unwrap();
    let client = Arc::new(Client::new(&cfg).unwrap());
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                let mut ok = 0usize;
                let mut injected = 0usize;
                let mut last_ref = 0i64;
                let mut last_id = String::new();
                for i in 0..calls {
                    match i % 6 {
                        0 => {
                            last_id = fresh_id(&format!("stress{t}"));
                            last_ref = client.create(&last_id, "John Doe").expect("create").ref_id;
                            ok += 1;
                        }
                        1 if !last_id.is_empty() => {
                            client.status(&last_id).expect("status");
                            ok += 1;
                        }
                        2 if last_ref > 0 => {
                            client.status_by_ref_id(last_ref).expect("status by ref");
                            ok += 1;
                        }
                        3 => {
                            let e = client
                                .status(&format!("emu-fault-500-{t}-{i}"))
                                .unwrap_err();
                            assert_eq!(e.kind(), ErrorKind::Server);
                            injected += 1;
                        }
                        4 => {
                            let e = client
                                .create(&format!("emu-fault-429-{t}-{i}"), "John")
                                .unwrap_err();
                            assert_eq!(e.kind(), ErrorKind::RateLimited);
                            assert!(!e.is_ambiguous());
                            injected += 1;
                        }
                        _ => {
                            let e = client
                                .status(&format!("emu-fault-404-{t}-{i}"))
                                .unwrap_err();
                            assert_eq!(e.kind(), ErrorKind::NotFound);
                            injected += 1;
                        }
                    }
                }
                (ok, injected)
            })
        })
        .collect();
    let (mut ok, mut injected) = (0, 0);
    for w in workers {
        let (o, i) = w.join().expect("no thread panicked");
        ok += o;
        injected += i;
    }
    assert_eq!(ok + injected, threads * calls);
    let stats = env.emu.stats();
    assert_eq!(
        stats.requests_total as usize,
        threads * calls,
        "no call was sent twice"
    );
    assert!(
        stats.connections_accepted as usize <= threads * 4,
        "connections are reused: {stats:?}"
    );
}

#[test]
fn sixteen_threads_share_one_client() {
    let calls = std::env::var("CFRPD_STRESS_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    run(16, calls);
}

#[test]
#[ignore = "full count: 16 threads x 1,000 calls; run with --ignored (release recommended)"]
fn sixteen_threads_thousand_calls_each() {
    run(16, 1000);
}
