//! What the create journal costs per create.
//!
//! ```text
//! cargo run --release --example journal_bench -- [--creates N] [--journal-dir DIR]
//! ```
//!
//! Starts the emulator in this process on loopback and makes N creates (default 500,
//! fresh ids) on one client: without a journal, or with one in `DIR` (a file system
//! that exists: its `fsync`s are what is measured, so use the terminal's real storage,
//! not a tmpfs). Prints the mean, median and 99th percentile wall time per create in
//! µs. Run it under `strace -f -c -e trace=fsync,fdatasync,rename` to count the syncs;
//! BENCHMARKS.md ("Create journal") has the figures and the commands.

use std::time::{Duration, Instant};

use cashfree_rpd::{Client, Config};
use cashfree_rpd_emulator::{Emulator, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

fn main() {
    let mut creates = 500usize;
    let mut dir: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--creates", Some(n)) => creates = n.parse().expect("--creates N"),
            ("--journal-dir", Some(d)) => dir = Some(d.into()),
            _ => {
                eprintln!("usage: journal_bench [--creates N] [--journal-dir DIR]");
                std::process::exit(2);
            }
        }
    }
    let emulator = Emulator::start_default().expect("start the emulator");
    let mut config = Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).expect("config");
    config
        .set_base_url(&emulator.base_url())
        .expect("loopback base URL");
    let journal = dir.map(|d| d.join(format!("bench-{}.journal", std::process::id())));
    if let Some(j) = &journal {
        config.set_journal_path(j);
    }
    let client = Client::new(&config).expect("client");
    let mut times: Vec<Duration> = (0..creates)
        .map(|i| {
            let id = format!("jb-{}-{i}", std::process::id());
            let started = Instant::now();
            client.create(&id, "Jane Doe").expect("create");
            started.elapsed()
        })
        .collect();
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = times.iter().map(|&d| us(d)).sum::<f64>() / times.len() as f64;
    println!(
        "{} creates, {}: mean {:.0} µs, p50 {:.0} µs, p99 {:.0} µs",
        creates,
        match &journal {
            Some(j) => format!("journal {}", j.display()),
            None => "no journal".to_owned(),
        },
        mean,
        us(times[times.len() / 2]),
        us(times[times.len() * 99 / 100]),
    );
    drop(client);
    if let Some(j) = journal {
        let _ = std::fs::remove_file(&j);
        let _ = std::fs::remove_file(j.with_extension("journal.lock"));
    }
}
