//! The bench example: its argument parsing, and tiny end-to-end runs (not timed).
//!
//! `examples/bench.rs` is compiled into this test as a module, so the parser and the
//! runner are tested without building the example; the example binary itself is also
//! run when `cargo test` has built it (it builds examples by default; `cargo test --test
//! it` alone does not: then that test is a recorded skip, and a failure under `CI=true`).

#[allow(dead_code)]
#[path = "../../examples/bench.rs"]
mod bench;

use std::path::PathBuf;
use std::process::Command;

use bench::{parse_args, Args, Impl, Op, DEFAULT_REQUESTS, DEFAULT_THREADS};
use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

fn parse(args: &[&str]) -> Result<Option<Args>, String> {
    parse_args(args.iter().copied())
}

#[test]
fn defaults() {
    let a = parse(&[]).unwrap().unwrap();
    assert_eq!(a.base_url, None);
    assert_eq!(a.requests, DEFAULT_REQUESTS);
    assert_eq!(a.threads, DEFAULT_THREADS);
    assert!(!a.json);
}

#[test]
fn every_option_in_both_spellings() {
    let a = parse(&[
        "--base-url",
        "http://127.0.0.1:8080/verification/",
        "--requests",
        "5",
        "--threads",
        "1,2, 4",
        "--json",
    ])
    .unwrap()
    .unwrap();
    assert_eq!(
        a.base_url.as_deref(),
        Some("http://127.0.0.1:8080/verification")
    );
    assert_eq!(a.requests, 5);
    assert_eq!(a.threads, [1, 2, 4]);
    assert!(a.json);

    let b = parse(&[
        "--requests=7",
        "--threads=3",
        "--base-url=https://example.com/v",
    ])
    .unwrap()
    .unwrap();
    assert_eq!(b.requests, 7);
    assert_eq!(b.threads, [3]);
    assert_eq!(b.base_url.as_deref(), Some("https://example.com/v"));

    assert_eq!(parse(&["--help"]).unwrap(), None);
    assert_eq!(parse(&["--requests", "3", "-h"]).unwrap(), None);
}

#[test]
fn bad_arguments_are_refused_with_the_flag_named() {
    for (args, flag) in [
        (&["--requests", "0"][..], "--requests"),
        (&["--requests", "x"], "--requests"),
        (&["--requests", "-1"], "--requests"),
        (&["--requests"], "--requests"),
        (&["--threads", "0"], "--threads"),
        (&["--threads", "1,,2"], "--threads"),
        (&["--threads", "999"], "--threads"),
        (&["--base-url", "ftp://x"], "--base-url"),
        (&["--base-url"], "--base-url"),
        (&["--json=yes"], "--json"),
        (&["--bogus"], "--bogus"),
        (&["extra"], "extra"),
    ] {
        let err = parse(args).unwrap_err();
        assert!(err.contains(flag), "{args:?}: {err}");
    }
}

/// Runs the bench in this process and returns its output lines.
fn run(args: &Args) -> Vec<String> {
    let mut out = Vec::new();
    let rows = bench::run(args, &mut out).expect("the bench runs");
    let per_op = if args
        .base_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https"))
    {
        1
    } else {
        2
    };
    assert_eq!(rows.len(), args.threads.len() * 2 * per_op);
    for r in &rows {
        assert_eq!(r.calls, args.requests * r.threads);
        assert!(r.rate() > 0.0);
        assert!(r.p[0] <= r.p[1] && r.p[1] <= r.p[2]);
        assert_eq!(r.ratio.is_some(), r.imp == Impl::Ours && per_op == 2);
    }
    assert!(rows.iter().any(|r| r.op == Op::Create));
    assert!(rows.iter().any(|r| r.op == Op::Status));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn tiny_run_in_process_prints_json_lines() {
    let args = parse(&["--requests", "3", "--threads", "1,2", "--json"])
        .unwrap()
        .unwrap();
    let lines = run(&args);
    assert_eq!(lines.len(), 1 + 8, "{lines:#?}");
    let meta: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(meta["kind"], "meta");
    assert_eq!(meta["in_process_emulator"], true);
    for line in &lines[1..] {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["kind"], "result");
        for key in [
            "calls_per_s",
            "p50_us",
            "p90_us",
            "p99_us",
            "cpu_us_per_call",
            "proc_cpu_us_per_call",
        ] {
            assert!(v[key].is_number(), "{key} in {line}");
        }
        let ours = v["impl"] == "ours";
        assert_eq!(v["ratio_to_raw"].is_number(), ours, "{line}");
    }
}

#[test]
fn tiny_run_against_a_base_url_prints_the_table() {
    // The bench reads the credentials from the environment, with these defaults.
    let var = |k: &str, d: &str| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| d.to_string())
    };
    let emu = Emulator::start(Options {
        client_id: var("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
        client_secret: var("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
        ..Options::default()
    })
    .unwrap();
    let args = Args {
        base_url: Some(emu.base_url()),
        requests: 2,
        threads: vec![1],
        json: false,
    };
    let lines = run(&args);
    assert!(lines[0].contains("external server"), "{lines:#?}");
    assert!(lines[1].contains("calls/s") && lines[1].contains("ours/raw"));
    let rows: Vec<_> = lines.iter().filter(|l| l.starts_with("  1 ")).collect();
    assert_eq!(rows.len(), 4, "{lines:#?}");
    assert_eq!(emu.stats().creates_received, 2 * (2 + 20));
}

/// `target/<profile>/examples/bench`, next to this test's `deps` directory.
fn example_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let bin = profile_dir
        .join("examples")
        .join(format!("bench{}", std::env::consts::EXE_SUFFIX));
    bin.is_file().then_some(bin)
}

#[test]
fn the_example_binary_runs_when_built() {
    let Some(bin) = example_binary() else {
        crate::common::skip::skip_or_fail(
            "the_example_binary_runs_when_built",
            "examples/bench is not built (`cargo test` without `--test` builds the examples)",
        );
        return;
    };
    let out = Command::new(&bin)
        .args(["--requests", "2", "--threads", "1", "--json"])
        .env_remove("CASHFREE_CLIENT_ID")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    let bad = Command::new(&bin).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--bogus"));
}
