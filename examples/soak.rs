//! Long runs and connection reuse (figures in BENCHMARKS.md, "Long runs and connection
//! reuse").
//!
//! ```sh
//! cargo run --release --example soak                         # both parts, defaults
//! cargo run --release --example soak -- soak --calls 100000  # RSS and fds over a long run
//! cargo run --release --example soak -- reuse --threads 16 --calls 1000
//! ```
//!
//! `soak`: one client, one in-process emulator (plain HTTP), N status calls in a row;
//! VmRSS (/proc/self/status) and open descriptors (/proc/self/fd) of the whole process
//! (client and emulator) after a warm-up and at every tenth of the run.
//!
//! `reuse`: T threads share one client over TLS (emulator with its generated CA), each
//! making M status calls; handshakes = TCP connections the emulator accepted, per 1,000
//! calls, with the default idle pool (4) and with `set_max_idle_connections(T)`.
//!
//! Linux only for the figures (/proc); elsewhere they read 0.

use std::time::Instant;

use cashfree_rpd::{Client, Config};
use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

/// VmRSS in KiB.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Open file descriptors of this process.
pub fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn config(emu: &Emulator) -> Config {
    let mut cfg = Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(&emu.base_url()).unwrap();
    if let Some(pem) = emu.ca_cert_pem() {
        cfg.add_root_ca_pem(&pem).unwrap();
    }
    cfg
}

fn soak(calls: usize) {
    let emu = Emulator::start(Options::default()).expect("emulator");
    let client = Client::new(&config(&emu)).unwrap();
    let id = "soak-1";
    client.create(id, "John").unwrap();
    let warm_up = 1000.min(calls / 10).max(1);
    for _ in 0..warm_up {
        client.status(id).unwrap();
    }
    let (rss0, fd0) = (rss_kib(), fd_count());
    println!("soak: {calls} status calls on one client, in-process emulator (plain HTTP)");
    println!(
        "{:>9} {:>10} {:>6} {:>9}",
        "calls", "VmRSS kB", "fds", "calls/s"
    );
    println!("{:>9} {:>10} {:>6} {:>9}", warm_up, rss0, fd0, "-");
    let step = (calls / 10).max(1);
    let mut done = 0;
    let started = Instant::now();
    let (mut rss_max, mut fd_max) = (rss0, fd0);
    while done < calls {
        let t = Instant::now();
        let n = step.min(calls - done);
        for _ in 0..n {
            client.status(id).unwrap();
        }
        done += n;
        let (rss, fds) = (rss_kib(), fd_count());
        rss_max = rss_max.max(rss);
        fd_max = fd_max.max(fds);
        println!(
            "{:>9} {:>10} {:>6} {:>9.0}",
            warm_up + done,
            rss,
            fds,
            n as f64 / t.elapsed().as_secs_f64()
        );
    }
    let stats = emu.stats();
    println!(
        "soak: after warm-up VmRSS {rss0} -> {} kB (max {rss_max}, growth {:+} kB), fds {fd0} -> {} (max {fd_max}); \
         {} connections accepted for {} calls; {:.1} s",
        rss_kib(),
        rss_kib() as i64 - rss0 as i64,
        fd_count(),
        stats.connections_accepted,
        stats.requests_total,
        started.elapsed().as_secs_f64()
    );
}

fn reuse_once(threads: usize, per_thread: usize, idle: Option<usize>) {
    let emu = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .expect("emulator");
    let mut cfg = config(&emu);
    if let Some(n) = idle {
        cfg.set_max_idle_connections(n).unwrap();
    }
    let client = Client::new(&cfg).unwrap();
    let id = "reuse-1";
    client.create(id, "John").unwrap();
    let before = emu.stats().connections_accepted;
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let c = client.clone();
            s.spawn(move || {
                for _ in 0..per_thread {
                    c.status(id).unwrap();
                }
            });
        }
    });
    let took = started.elapsed();
    let handshakes = emu.stats().connections_accepted - before;
    let calls = threads * per_thread;
    println!(
        "reuse: {threads} threads x {per_thread} status calls over TLS, idle pool {:<12} {handshakes:>6} handshakes = {:>7.1} per 1,000 calls, {:>7.0} calls/s",
        match idle {
            None => "4 (default):".to_string(),
            Some(n) => format!("{n}:"),
        },
        handshakes as f64 * 1000.0 / calls as f64,
        calls as f64 / took.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut mode = "all".to_string();
    let mut calls: Option<usize> = None;
    let mut threads = 16;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |what: &str| -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| {
                    eprintln!("{what} needs a positive number");
                    std::process::exit(2)
                })
        };
        match a.as_str() {
            "soak" | "reuse" | "all" => mode = a.clone(),
            "--calls" => calls = Some(num("--calls")),
            "--threads" => threads = num("--threads"),
            _ => {
                eprintln!("usage: soak [soak|reuse|all] [--calls N] [--threads T]");
                std::process::exit(2)
            }
        }
    }
    if mode == "soak" || mode == "all" {
        soak(calls.unwrap_or(100_000));
    }
    if mode == "reuse" || mode == "all" {
        let per_thread = calls.filter(|_| mode == "reuse").unwrap_or(1000);
        reuse_once(threads, per_thread, None);
        reuse_once(threads, per_thread, Some(threads));
    }
}
