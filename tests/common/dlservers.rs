//! The loopback servers tests/c/deadline_test.c runs its call-deadline cases against
//! (natively in tests/it/c_abi.rs, under wine in tests/it/windows.rs), the environment that
//! hands their URLs to it, and the overshoots it prints.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::time::Duration;

use super::cbuild::Run;
use super::cenv::assert_all_passed;
use super::tls::{
    after_client_hello, black_hole, partial_server_hello, silent, trickle, BlackHole, Server,
};

/// How many checks deadline_test.c makes per server (status and create).
pub const CHECKS_PER_SERVER: u32 = 20;

/// The servers (kept alive while the program runs).
pub struct DeadlineServers {
    _servers: Vec<Server>,
    _hole: BlackHole,
    /// CFRPD_DL_* variables for deadline_test.c.
    pub env: BTreeMap<String, String>,
}

impl DeadlineServers {
    /// Starts the five servers; `deadline_ms` and `max_overshoot_ms` go to the program.
    pub fn start(deadline_ms: u32, max_overshoot_ms: u32) -> DeadlineServers {
        let hold = Duration::from_secs(60);
        let silent_http = Server::start(silent(hold));
        let trickling = Server::start(trickle(1000, Duration::from_secs(1)));
        let silent_tls = Server::start(silent(hold));
        let stalled_tls = Server::start(after_client_hello(partial_server_hello(), hold));
        let (hole_url, hole) = black_hole();
        let mut env = BTreeMap::new();
        env.insert("CFRPD_DL_SILENT_URL".into(), silent_http.url("http"));
        env.insert("CFRPD_DL_TRICKLE_URL".into(), trickling.url("http"));
        env.insert("CFRPD_DL_TLS_SILENT_URL".into(), silent_tls.url("https"));
        env.insert("CFRPD_DL_TLS_STALL_URL".into(), stalled_tls.url("https"));
        env.insert("CFRPD_DL_HOLE_URL".into(), hole_url);
        env.insert("CFRPD_DL_DEADLINE_MS".into(), deadline_ms.to_string());
        env.insert(
            "CFRPD_DL_MAX_OVERSHOOT_MS".into(),
            max_overshoot_ms.to_string(),
        );
        DeadlineServers {
            _servers: vec![silent_http, trickling, silent_tls, stalled_tls],
            _hole: hole,
            env,
        }
    }

    /// The number of checks a full run of deadline_test.c makes.
    pub fn checks(&self) -> u32 {
        5 * CHECKS_PER_SERVER
    }
}

/// Whether every failed check of a run was an overshoot (a timing bound, which CPU
/// contention on a shared 2-core machine can break once: the callers run the program
/// again then, and the second run must pass).
pub fn only_overshoot_failures(stdout: &str) -> bool {
    let mut fails = stdout.lines().filter(|l| l.starts_with("FAIL "));
    let first = fails.next();
    first.is_some()
        && first
            .into_iter()
            .chain(fails)
            .all(|l| l.contains(": overshoot at most "))
}

/// The overshoots (ms) the program printed (`DEADLINE ... overshoot +N.N ms ...`).
pub fn overshoots(stdout: &str) -> Vec<f64> {
    stdout
        .lines()
        .filter(|l| l.starts_with("DEADLINE "))
        .filter_map(|l| {
            let rest = l.split("overshoot ").nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

/// "min / median / max" of the overshoots, for the test output and BENCHMARKS.md.
pub fn summary(v: &[f64]) -> String {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return "no calls".into();
    }
    format!(
        "{} calls, overshoot min {:+.1} / median {:+.1} / max {:+.1} ms",
        v.len(),
        v[0],
        v[v.len() / 2],
        v[v.len() - 1]
    )
}

/// Runs deadline_test.c against fresh servers with an 800 ms call deadline: `run` starts
/// the program with the given environment (`None`: it could not run, e.g. no wine, and
/// said why). When the only failures were overshoots, the program runs once more and
/// that run must pass. Asserts every check passed and every call's overshoot was
/// printed; prints the overshoots under `label` and returns them (ms).
pub fn run_checked(
    label: &str,
    max_overshoot_ms: u32,
    mut run: impl FnMut(&BTreeMap<String, String>) -> Option<Run>,
) -> Option<Vec<f64>> {
    let servers = DeadlineServers::start(800, max_overshoot_ms);
    let mut r = run(&servers.env)?;
    if only_overshoot_failures(&r.stdout) {
        eprintln!(
            "{label}: a call ended late ({}); running deadline_test again\n{}",
            summary(&overshoots(&r.stdout)),
            r.stdout
        );
        r = run(&servers.env)?;
    }
    let over = overshoots(&r.stdout);
    for line in r.stdout.lines().filter(|l| l.starts_with("DEADLINE ")) {
        eprintln!("{label}: {line}");
    }
    eprintln!("{label}: deadline_test: {}", summary(&over));
    assert_all_passed(&r, servers.checks());
    assert_eq!(over.len(), 10, "{}", r.describe());
    Some(over)
}
