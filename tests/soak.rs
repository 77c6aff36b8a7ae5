//! A fast long run: 5,000 status calls on one client against the emulator, and the
//! process's open descriptors do not grow and its RSS grows by less than a generous
//! bound after warm-up (`cargo run --release --example soak` makes 100,000 calls and
//! prints the figures; see BENCHMARKS.md). Also: 16 threads sharing one client over
//! TLS reuse connections (handshakes per 1,000 calls stay low).
#![cfg(target_os = "linux")]

mod common;

use cashfree_rpd::Client;
use cashfree_rpd_emulator::{Emulator, Options};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The two tests measure the whole process: they run one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn five_thousand_calls_leave_fds_and_rss_flat() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let env = common::start();
    let id = common::fresh_id("soak");
    env.client.create(&id, "John").unwrap();
    for _ in 0..500 {
        env.client.status(&id).unwrap();
    }
    let (rss0, fd0) = (rss_kib(), fd_count());
    let mut fd_max = fd0;
    for i in 0..5000 {
        env.client.status(&id).unwrap();
        if i % 500 == 0 {
            fd_max = fd_max.max(fd_count());
        }
    }
    let (rss1, fd1) = (rss_kib(), fd_count());
    eprintln!(
        "soak: 5,000 calls after warm-up: VmRSS {rss0} -> {rss1} kB ({:+} kB), fds {fd0} -> {fd1} (max {fd_max}); {} connections accepted",
        rss1 as i64 - rss0 as i64,
        env.emu.stats().connections_accepted
    );
    assert!(fd1 <= fd0 + 4, "fds grew: {fd0} -> {fd1}");
    assert!(fd_max <= fd0 + 8, "fds peaked at {fd_max} (from {fd0})");
    assert!(
        rss1 < rss0 + 16 * 1024,
        "RSS grew by {} kB over 5,000 calls",
        rss1 - rss0
    );
    // One connection, kept alive throughout.
    assert!(env.emu.stats().connections_accepted <= 3);
}

#[test]
fn sixteen_threads_over_tls_reuse_connections() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let emu = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap();
    for idle in [None, Some(16)] {
        let mut cfg = common::config_for(&emu);
        cfg.add_root_ca_pem(&emu.ca_cert_pem().unwrap()).unwrap();
        if let Some(n) = idle {
            cfg.set_max_idle_connections(n).unwrap();
        }
        let client = Client::new(&cfg).unwrap();
        let id = common::fresh_id("reuse");
        client.create(&id, "John").unwrap();
        let before = emu.stats().connections_accepted;
        let per_thread = 100;
        std::thread::scope(|s| {
            for _ in 0..16 {
                let c = client.clone();
                let id = id.clone();
                s.spawn(move || {
                    for _ in 0..per_thread {
                        c.status(&id).unwrap();
                    }
                });
            }
        });
        let handshakes = emu.stats().connections_accepted - before;
        let per_1000 = handshakes as f64 * 1000.0 / (16 * per_thread) as f64;
        eprintln!("reuse: idle pool {idle:?}: {handshakes} handshakes for 1,600 calls ({per_1000:.1} per 1,000)");
        // Without reuse it would be 1,000 per 1,000.
        assert!(per_1000 < 500.0, "{per_1000} handshakes per 1,000 calls");
        if idle == Some(16) {
            // Never more connections than threads, plus a few replaced.
            assert!(handshakes <= 16 + 8, "{handshakes}");
        }
    }
}
