//! End-to-end tests of the `cfrpd` binary against an in-process emulator.

#[path = "../../tests/common/skip.rs"]
mod skip;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cashfree_rpd_emulator::{Emulator, Options, PayOutcome, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use serde_json::Value;

/// The outcome of one `cfrpd` run.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {self:#?}"))
    }

    fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            assert!(!self.stderr.contains(bad), "{bad} on stderr: {self:#?}");
        }
        self
    }
}

/// Runs the binary with these arguments and exactly these `CASHFREE_*` variables.
fn cfrpd(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfrpd"));
    cmd.args(args).stdin(Stdio::null());
    for var in [
        "CASHFREE_CLIENT_ID",
        "CASHFREE_CLIENT_SECRET",
        "CASHFREE_ENV",
        "CASHFREE_BASE_URL",
        "CASHFREE_PUBLIC_KEY",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("cfrpd runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An emulator and the variables pointing `cfrpd` at it.
struct Setup {
    emu: Emulator,
    url: String,
}

impl Setup {
    fn new() -> Setup {
        Setup::with(Options::default())
    }

    fn with(opts: Options) -> Setup {
        let emu = Emulator::start(opts).expect("emulator starts");
        let url = emu.base_url();
        Setup { emu, url }
    }

    fn env(&self) -> Vec<(&str, &str)> {
        vec![
            ("CASHFREE_BASE_URL", self.url.as_str()),
            ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
            ("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
        ]
    }

    fn run(&self, args: &[&str]) -> Run {
        cfrpd(args, &self.env())
    }

    /// Creates `id` through the CLI and returns its JSON.
    fn create(&self, id: &str) -> Value {
        self.run(&["--json", "create", "--id", id, "--name", "Jane Doe"])
            .expect(0)
            .json()
    }
}

#[test]
fn create_prints_links_as_text() {
    let s = Setup::new();
    let r = s
        .run(&["create", "--id", "t-text", "--name", "Jane Doe"])
        .expect(0);
    for want in [
        "verification_id: t-text",
        "ref_id:",
        "valid_upto:",
        "upi_link:",
        "upi://pay?",
        "gpay:",
        "phonepe:",
    ] {
        assert!(r.stdout.contains(want), "{want} missing: {r:#?}");
    }
    assert!(!r.stdout.contains('█'), "no QR without --qr");
}

#[test]
fn create_with_generated_id_and_qr() {
    let s = Setup::new();
    let r = s.run(&["create", "--name", "Jane Doe", "--qr"]).expect(0);
    assert!(r.stdout.contains("verification_id: cfrpd-"), "{r:#?}");
    assert!(r.stdout.contains('▀') || r.stdout.contains('█'), "{r:#?}");
    // stdout is a pipe here: plain half blocks, no ANSI colour codes.
    assert!(!r.stdout.contains('\x1b'), "{r:#?}");
}

#[test]
fn create_json_has_every_field() {
    let s = Setup::new();
    let v = s.create("t-json");
    assert_eq!(v["verification_id"], "t-json");
    assert!(v["ref_id"].as_i64().unwrap() > 0);
    assert!(v["upi_link"].as_str().unwrap().starts_with("upi://pay?"));
    for key in ["valid_upto", "gpay", "bhim", "paytm", "phonepe", "qr_code"] {
        assert!(v[key].is_string(), "{key}: {v}");
    }
    // --qr with --json keeps stdout one JSON object and draws on stderr.
    let r = s
        .run(&[
            "create",
            "--json",
            "--qr",
            "--id",
            "t-json-qr",
            "--name",
            "J",
        ])
        .expect(0);
    assert_eq!(r.json()["verification_id"], "t-json-qr");
    assert!(r.stderr.contains('▀') || r.stderr.contains('█'));
}

#[test]
fn status_by_id_and_by_ref_id() {
    let s = Setup::new();
    let created = s.create("t-status");
    let ref_id = created["ref_id"].as_i64().unwrap().to_string();

    let r = s.run(&["status", "--id", "t-status"]).expect(0);
    assert!(r.stdout.contains("status:"), "{r:#?}");
    assert!(r.stdout.contains("CREATED"), "{r:#?}");
    assert!(r.stdout.contains("name_match_result:"), "{r:#?}");
    // One rule for missing values: `-` whether absent, null or "" (the emulator sends
    // "" for the bank fields of a CREATED request); never a blank.
    for line in r.stdout.lines() {
        let (_, value) = line.split_once(':').expect("key: value");
        assert!(!value.trim().is_empty(), "blank value in {line:?}: {r:#?}");
    }
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("bank_account:") && l.ends_with(" -")),
        "{r:#?}"
    );

    let v = s
        .run(&["status", "--ref-id", &ref_id, "--json"])
        .expect(0)
        .json();
    assert_eq!(v["status"], "CREATED");
    assert_eq!(v["final"], false);
    assert_eq!(v["verification_id"], "t-status");
    assert_eq!(v["ref_id"].to_string(), ref_id);
    for key in [
        "status_raw",
        "bank_account",
        "ifsc",
        "upi",
        "name_at_bank",
        "utr",
        "name_match_score",
        "name_match_result",
        "name_match",
        "added_on",
        "processed_on",
        "penny_collected_on",
        "reversal_status",
        "account_type",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
}

#[test]
fn wait_ends_with_success_when_paid() {
    let s = Setup::new();
    s.create("t-wait");
    let r = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(700));
            s.emu.pay("t-wait", PayOutcome::default()).unwrap();
        });
        s.run(&[
            "wait",
            "--id",
            "t-wait",
            "--interval",
            "0.5",
            "--timeout",
            "30",
            "--json",
        ])
    });
    let v = r.expect(0).json();
    assert_eq!(v["status"], "SUCCESS");
    assert_eq!(v["final"], true);
    assert_eq!(v["name_at_bank"], "JANE DOE");
    assert!(v["bank_account"].as_str().unwrap().len() > 4);
    // stderr is not a terminal here: plain progress lines, no escape sequences.
    let r2 = &s
        .run(&["wait", "--id", "t-wait", "--interval", "0.5"])
        .expect(0);
    assert!(r2.stderr.contains("waiting for t-wait"), "{r2:#?}");
    assert!(!r2.stderr.contains('\x1b'), "{r2:#?}");
    assert!(r2.stdout.contains("SUCCESS"));
}

#[test]
fn wait_exits_5_when_the_payment_fails() {
    let s = Setup::with(Options {
        auto_pay_after: Some(Duration::from_millis(300)),
        auto_pay_outcome: PayOutcome {
            success: false,
            payer_name: "X".into(),
        },
        ..Options::default()
    });
    s.create("t-fail");
    let r = s
        .run(&["wait", "--id", "t-fail", "--interval", "0.5", "--quiet"])
        .expect(5);
    assert!(r.stdout.contains("FAILURE"), "{r:#?}");
    assert!(r.stderr.contains("not verified"), "{r:#?}");
    assert!(!r.stderr.contains("waiting for"), "--quiet: {r:#?}");
}

#[test]
fn wait_deadline_exits_4_with_the_last_status() {
    let s = Setup::new();
    s.create("t-deadline");
    let started = Instant::now();
    let r = s
        .run(&[
            "wait",
            "--id",
            "t-deadline",
            "--timeout",
            "1",
            "--interval",
            "0.5",
            "--json",
        ])
        .expect(4);
    assert!(started.elapsed() < Duration::from_secs(10));
    let v = r.json();
    assert_eq!(v["error"]["kind"], "deadline");
    assert_eq!(v["last_status"]["status"], "CREATED");
    assert!(r.stderr.starts_with("waiting for t-deadline"), "{r:#?}");
    assert!(r.stderr.contains("error: "), "{r:#?}");
}

#[test]
fn wrong_secret_exits_1_without_leaking_it() {
    let s = Setup::new();
    let secret = "wrong-secret-3f9a7c21";
    let env = [
        ("CASHFREE_BASE_URL", s.url.as_str()),
        ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
        ("CASHFREE_CLIENT_SECRET", secret),
    ];
    let r = cfrpd(&["status", "--id", "t-401"], &env).expect(1);
    assert!(r.stderr.starts_with("error: "), "{r:#?}");
    assert!(r.stderr.contains("401"), "{r:#?}");
    let r2 = cfrpd(
        &[
            "--json",
            "--client-secret",
            secret,
            "create",
            "--id",
            "a",
            "--name",
            "b",
        ],
        &env[..2],
    )
    .expect(1);
    let v = r2.json();
    assert_eq!(v["error"]["kind"], "unauthorized");
    assert_eq!(v["error"]["http_status"], 401);
    assert_eq!(v["error"]["retryable"], false);
    assert!(v["error"]["ambiguous"].is_boolean());
    assert!(v["error"]["message"].is_string());
    let request_id = v["error"]["request_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(request_id.starts_with("cfrpd-"), "{v}");
    // -vv: the attempt, with its request id and the connection, on stderr.
    let r3 = cfrpd(&["-vv", "status", "--id", "t-401"], &env).expect(1);
    assert!(
        r3.stderr.contains(
            "cfrpd: INFO: GET /verification/remitter/status?verification_id=t-401 -> HTTP 401"
        ),
        "{r3:#?}"
    );
    assert!(r3.stderr.contains("request id cfrpd-"), "{r3:#?}");
    assert!(
        r3.stderr.contains("cfrpd: DEBUG: connection opened to"),
        "{r3:#?}"
    );
    let r4 = cfrpd(&["status", "--id", "t-401"], &env).expect(1);
    assert!(
        !r4.stderr.contains("cfrpd: INFO"),
        "quiet without -v: {r4:#?}"
    );
    for run in [&r, &r2, &r3, &r4] {
        assert!(!run.stdout.contains(secret), "{run:#?}");
        assert!(!run.stderr.contains(secret), "{run:#?}");
    }
}

#[test]
fn flags_override_environment_variables() {
    let s = Setup::new();
    let env = [
        ("CASHFREE_BASE_URL", "https://example.invalid/verification"),
        ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
        ("CASHFREE_CLIENT_SECRET", "wrong"),
    ];
    cfrpd(
        &[
            "--base-url",
            &s.url,
            "--client-secret",
            TEST_CLIENT_SECRET,
            "create",
            "--id",
            "t-flags",
            "--name",
            "J",
        ],
        &env,
    )
    .expect(0);
}

#[test]
fn connection_refused_exits_3() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/verification");
    let env = [
        ("CASHFREE_BASE_URL", url.as_str()),
        ("CASHFREE_CLIENT_ID", "id"),
        ("CASHFREE_CLIENT_SECRET", "secret"),
    ];
    let r = cfrpd(&["status", "--id", "t-refused"], &env).expect(3);
    assert!(r.stderr.starts_with("error: "), "{r:#?}");
    let v = cfrpd(&["status", "--id", "t-refused", "--json"], &env)
        .expect(3)
        .json();
    assert_eq!(v["error"]["kind"], "network");
}

#[test]
fn tls_emulator_needs_its_ca() {
    let s = Setup::with(Options {
        tls: true,
        ..Options::default()
    });
    assert!(s.url.starts_with("https://"));
    let ca = std::env::temp_dir().join(format!("cfrpd-test-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, s.emu.ca_cert_pem().unwrap()).unwrap();
    let ca_path = ca.to_str().unwrap();
    s.run(&[
        "--ca-cert",
        ca_path,
        "create",
        "--id",
        "t-tls",
        "--name",
        "J",
    ])
    .expect(0);
    let r = s.run(&["--json", "status", "--id", "t-tls"]).expect(3);
    assert_eq!(r.json()["error"]["kind"], "tls");
    let _ = std::fs::remove_file(&ca);
}

#[test]
fn bad_input_exits_2() {
    let s = Setup::new();
    let cases: &[&[&str]] = &[
        &["--bogus"],
        &[],
        &["create", "--id", "x"],
        &["create", "--id", "bad id", "--name", "J"],
        &["create", "--id", "x", "--name", " "],
        &["status"],
        &["status", "--id", "a", "--ref-id", "1"],
        &["status", "--ref-id", "abc"],
        &["status", "--ref-id", "0"],
        &["status", "--ref-id", "-5"],
        &["status", "--id", "a/b"],
        &["wait", "--id", "x", "--timeout", "0"],
        &["wait", "--id", "x", "--interval", "soon"],
        &["wait", "--id", "x", "--interval", "0.1"],
        &["wait", "--id", "not valid"],
        &["--env", "staging", "status", "--id", "x"],
        &["--base-url", "http://example.com/v", "status", "--id", "x"],
        &[
            "--public-key",
            "/nonexistent/cfrpd.pem",
            "status",
            "--id",
            "x",
        ],
    ];
    for args in cases {
        let r = s.run(args);
        assert_eq!(r.code, 2, "{args:?}: {r:#?}");
        assert!(r.stderr.contains("error"), "{args:?}: {r:#?}");
        assert!(!r.stderr.contains("panicked"), "{args:?}: {r:#?}");
    }
    // Nothing was sent for any of them.
    assert_eq!(s.emu.stats().requests_total, 0);

    // Missing credentials name the variable.
    let r = cfrpd(&["status", "--id", "x"], &[]).expect(2);
    assert!(r.stderr.contains("CASHFREE_CLIENT_ID"), "{r:#?}");

    // --json turns usage errors into a JSON object too.
    let v = s.run(&["--json", "status"]).expect(2).json();
    assert_eq!(v["error"]["kind"], "usage");
    let v = s
        .run(&["--json", "status", "--id", "bad id"])
        .expect(2)
        .json();
    assert_eq!(v["error"]["kind"], "invalid_input");
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let r = cfrpd(&["--help"], &[]).expect(0);
    assert!(r.stdout.contains("Exit codes"), "{r:#?}");
    assert!(r.stdout.contains("Examples"));
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 "] {
        assert!(r.stdout.contains(&format!("  {code}")), "{code}");
    }
    assert!(r.stdout.contains("CASHFREE_CLIENT_SECRET"));
    let r = cfrpd(&["wait", "--help"], &[]).expect(0);
    assert!(r.stdout.contains("Exit codes"));
    let r = cfrpd(&["emulator", "--help"], &[]).expect(0);
    assert!(r.stdout.contains("--auto-pay-secs"), "{r:#?}");
    // Its own name and defaults, not the standalone binary's.
    assert!(r.stdout.contains("USAGE: cfrpd emulator"), "{r:#?}");
    assert!(r.stdout.contains("(default 8080"), "{r:#?}");
    assert!(!r.stdout.contains("cashfree-rpd-emulator"), "{r:#?}");
    assert!(!r.stdout.contains("default 0 ="), "{r:#?}");
    cfrpd(&["--version"], &[]).expect(0);
}

#[test]
fn emulator_command_starts_the_emulator() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfrpd"))
        .args(["emulator", "--port", "0", "--client-id", "cli-test-id"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cfrpd emulator starts");
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.unwrap();
    assert!(line.contains("listening"), "{line:?}");
    assert!(
        line.contains("cli-test-id"),
        "emulator flags pass through: {line:?}"
    );

    cfrpd(&["emulator", "--bogus"], &[]).expect(2);
}

/// Sends `signal` (e.g. "INT") to a child process.
fn send_signal(child: &std::process::Child, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill -{signal} failed");
}

/// Starts `cfrpd wait` on `id`, waits until the emulator has answered a poll for it,
/// then interrupts it with Ctrl-C (SIGINT).
fn interrupted_wait(s: &Setup, id: &str, extra: &[&str]) -> Run {
    s.create(id);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfrpd"));
    cmd.args(["wait", "--id", id, "--interval", "0.5"])
        .args(extra)
        .envs(s.env())
        .env_remove("CASHFREE_ENV")
        .env_remove("CASHFREE_PUBLIC_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("cfrpd wait starts");
    let polled = |s: &Setup| {
        s.emu
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.contains(&format!("verification_id={id}")))
    };
    let started = Instant::now();
    while !polled(s) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no poll arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the answer reach the CLI's callback.
    std::thread::sleep(Duration::from_millis(300));
    send_signal(&child, "INT");
    let out = child.wait_with_output().expect("cfrpd wait ends");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn ctrl_c_during_wait_reports_the_last_status() {
    let s = Setup::new();
    // --json: one JSON object, like any failure, with the last status.
    let r = interrupted_wait(&s, "t-int-json", &["--json"]).expect(130);
    let v = r.json();
    assert_eq!(v["error"]["kind"], "interrupted", "{r:#?}");
    assert_eq!(v["error"]["exit_code"], 130);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("Ctrl-C"),
        "{r:#?}"
    );
    assert_eq!(v["last_status"]["status"], "CREATED", "{r:#?}");
    assert_eq!(v["last_status"]["verification_id"], "t-int-json");
    assert!(r.stderr.contains("error: interrupted"), "{r:#?}");

    // Text: the message names the last status and how to resume; stdout stays empty.
    let r = interrupted_wait(&s, "t-int-text", &[]).expect(130);
    assert!(r.stdout.is_empty(), "{r:#?}");
    let last = r.stderr.lines().rev().nth(1).unwrap_or("");
    assert!(
        last.starts_with("error: interrupted by SIGINT (Ctrl-C)"),
        "{r:#?}"
    );
    assert!(last.contains("last status: CREATED"), "{r:#?}");
    assert!(r.stderr.contains("hint: ") && r.stderr.contains("cfrpd wait --id t-int-text"));
    // Plain progress (stderr is a pipe): no escape sequences, each line complete.
    assert!(!r.stderr.contains('\x1b'), "{r:#?}");
    assert!(r.stderr.ends_with('\n'), "{r:#?}");
}

#[test]
fn interval_below_half_a_second_is_refused_not_changed() {
    let s = Setup::new();
    let r = s.run(&["wait", "--id", "x", "--interval", "0.1"]).expect(2);
    assert!(r.stderr.contains("at least 0.5"), "{r:#?}");
    let v = s
        .run(&["--json", "wait", "--id", "x", "--interval", "0.2"])
        .expect(2)
        .json();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at least 0.5"));
    // What the header says is what is used.
    s.create("t-interval");
    s.emu.pay("t-interval", PayOutcome::default()).unwrap();
    let r = s
        .run(&["wait", "--id", "t-interval", "--interval", "0.75"])
        .expect(0);
    assert!(r.stderr.contains("polling every 0.75 s"), "{r:#?}");
}

#[test]
fn emulator_tls_ca_file_is_removed_on_exit() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cfrpd"))
            .args(["emulator", "--port", "0", "--tls"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cfrpd emulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ca = line
            .split("CA certificate ")
            .nth(1)
            .map(|p| std::path::PathBuf::from(p.trim()))
            .unwrap_or_else(|| panic!("no CA path in {line:?}"));
        assert!(ca.is_file(), "{line:?}");
        let dir = ca.parent().unwrap().to_path_buf();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the CA directory is private: {mode:o}");
        }
        send_signal(&child, signal);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert!(
            !ca.exists() && !dir.exists(),
            "SIG{signal}: {} left behind",
            dir.display()
        );
    }
}

/// The pid of the `cfrpd` process whose command line contains `needle`.
#[cfg(target_os = "linux")]
fn find_cfrpd(needle: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        (comm.trim() == "cfrpd" && cmdline.contains(needle)).then_some(pid)
    })
}

#[test]
#[cfg(target_os = "linux")]
fn ctrl_c_on_a_terminal_wipes_the_live_progress_line() {
    // util-linux `script` gives cfrpd a pseudo-terminal, so the live spinner runs.
    if !skip::require_tool(
        "ctrl_c_on_a_terminal_wipes_the_live_progress_line",
        "script",
        "bsdutils",
    ) {
        return;
    }
    let s = Setup::new();
    s.create("t-int-tty");
    let command = format!(
        "{} wait --id t-int-tty --interval 0.5",
        env!("CARGO_BIN_EXE_cfrpd")
    );
    let child = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .envs(s.env())
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script starts");
    let started = Instant::now();
    let pid = loop {
        let polled = s
            .emu
            .requests()
            .iter()
            .any(|r| r.path.contains("verification_id=t-int-tty"));
        if let (true, Some(pid)) = (polled, find_cfrpd("t-int-tty")) {
            break pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "cfrpd did not poll"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(400));
    assert!(Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    let tty = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert_eq!(out.status.code(), Some(130), "{tty:?}");
    assert!(tty.contains("CREATED  "), "the live line ran: {tty:?}");
    // The report starts on a wiped line and nothing is drawn after it.
    let (before, report) = tty
        .rsplit_once("\r\x1b[2K")
        .unwrap_or_else(|| panic!("no wiped line: {tty:?}"));
    assert!(before.contains("poll"), "{tty:?}");
    assert!(
        report.starts_with("error: interrupted by SIGINT (Ctrl-C)"),
        "{report:?}"
    );
    assert!(report.contains("last status: CREATED"), "{report:?}");
    assert!(
        !report.contains('\r') && !report.contains("s left"),
        "{report:?}"
    );
}

/// A loopback base URL where nothing listens (the port was just free).
fn dead_url() -> String {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    format!("http://127.0.0.1:{port}/verification")
}

#[test]
fn wait_against_a_dead_port_reports_each_failed_poll_and_exits_3() {
    let url = dead_url();
    let env = [
        ("CASHFREE_BASE_URL", url.as_str()),
        ("CASHFREE_CLIENT_ID", "id"),
        ("CASHFREE_CLIENT_SECRET", "secret"),
    ];
    let args = [
        "wait",
        "--id",
        "op-1",
        "--timeout",
        "2",
        "--interval",
        "0.5",
    ];
    let r = cfrpd(&args, &env).expect(3);
    let failed: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("poll failed (network)"))
        .collect();
    // Polls at about 0, 0.5+, 1+, 1.5+ s (each after its own retries): at least 2.
    assert!(failed.len() >= 2, "{r:#?}");
    for line in &failed[..failed.len() - 1] {
        assert!(line.contains("connection refused"), "{line}");
        assert!(line.contains("; next try in 0.5 s"), "{line}");
    }
    assert!(
        failed
            .last()
            .unwrap()
            .contains("no time left for another try"),
        "{r:#?}"
    );
    assert!(
        r.stderr.contains("error: no status of op-1 arrived in 2 s"),
        "{r:#?}"
    );
    assert!(!r.stderr.contains("still pending"), "{r:#?}");

    // --json: one JSON object per failed poll on stderr, the error object on stdout.
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let r = cfrpd(&json_args, &env).expect(3);
    let events: Vec<Value> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(events.len() >= 2, "{r:#?}");
    for e in &events {
        assert_eq!(e["event"], "poll_failed", "{e}");
        assert_eq!(e["kind"], "network", "{e}");
        assert!(e["elapsed_ms"].is_u64(), "{e}");
    }
    assert_eq!(events[0]["next_try_in_ms"], 500);
    assert_eq!(events.last().unwrap()["next_try_in_ms"], Value::Null);
    let v = r.json();
    assert_eq!(v["error"]["kind"], "network", "{v}");
    assert_eq!(v["error"]["exit_code"], 3, "{v}");
    assert_eq!(v["last_status"], Value::Null, "{v}");

    // --quiet: nothing but the final error.
    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let r = cfrpd(&quiet, &env).expect(3);
    assert!(!r.stderr.contains("poll failed ("), "{r:#?}");
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        1,
        "{r:#?}"
    );
}

#[test]
fn wait_that_saw_created_still_exits_4_after_later_failures() {
    // The request exists (CREATED seen), then the server goes away: 4, not 3.
    let s = Setup::new();
    s.create("t-then-dead");
    let url = s.url.clone();
    let emu = s.emu;
    let child = std::thread::spawn(move || {
        let env = [
            ("CASHFREE_BASE_URL", url.as_str()),
            ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
            ("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
        ];
        cfrpd(
            &[
                "wait",
                "--id",
                "t-then-dead",
                "--timeout",
                "3",
                "--interval",
                "0.5",
            ],
            &env,
        )
    });
    std::thread::sleep(Duration::from_millis(700));
    drop(emu);
    let r = child.join().unwrap().expect(4);
    assert!(r.stderr.contains("CREATED"), "{r:#?}");
}

#[test]
fn https_to_the_plain_http_emulator_fails_in_under_a_second_with_the_hint() {
    let s = Setup::new();
    let https = s.url.replacen("http://", "https://", 1);
    let env = [
        ("CASHFREE_BASE_URL", https.as_str()),
        ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
        ("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
    ];
    for args in [
        &["status", "--id", "t-https"][..],
        &["create", "--id", "t-https", "--name", "J"][..],
        &["wait", "--id", "t-https", "--timeout", "30"][..],
    ] {
        let started = Instant::now();
        let r = cfrpd(args, &env).expect(3);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "{args:?} took {took:?}: {r:#?}"
        );
        assert!(r.stderr.contains("is it plain HTTP? use http://"), "{r:#?}");
    }
    // Nothing reached the API.
    assert_eq!(s.emu.stats().creates_received, 0);
}

#[test]
fn subcommand_help_lists_its_own_flags_apart_from_the_global_ones() {
    for (command, own) in [
        ("wait", &["--id", "--timeout", "--interval", "--quiet"][..]),
        ("create", &["--id", "--name", "--qr"][..]),
        ("status", &["--id", "--ref-id"][..]),
    ] {
        let r = cfrpd(&[command, "--help"], &[]).expect(0);
        let (own_part, global_part) = r
            .stdout
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{command} --help has no 'Global options:'\n{}", r.stdout));
        // The flags each part declares: its lines that start with a flag.
        let declared = |part: &str| -> Vec<String> {
            part.lines()
                .map(str::trim_start)
                .filter(|l| l.starts_with('-'))
                .filter_map(|l| l.split([' ', ',']).find(|w| w.starts_with("--")))
                .map(|w| w.trim_end_matches('.').to_string())
                .collect()
        };
        let (own_flags, global_flags) = (declared(own_part), declared(global_part));
        for flag in own {
            assert!(
                own_flags.iter().any(|f| f == flag),
                "{command}: {flag}\n{}",
                r.stdout
            );
        }
        for flag in ["--base-url", "--client-id", "--json", "--verbose"] {
            assert!(
                global_flags.iter().any(|f| f == flag),
                "{command}: {flag}\n{}",
                r.stdout
            );
            assert!(
                !own_flags.iter().any(|f| f == flag),
                "{command}: {flag} among its own\n{}",
                r.stdout
            );
        }
    }
}

/// Creates of `id` the emulator received.
fn creates_of(emu: &Emulator, id: &str) -> usize {
    let needle = format!("\"verification_id\":\"{id}\"");
    emu.requests()
        .iter()
        .filter(|r| r.method == "POST" && String::from_utf8_lossy(&r.body).contains(&needle))
        .count()
}

/// A loopback gate in front of `upstream`: the first connection's request is read and
/// never answered nor passed on (reported on the channel); later ones are relayed.
fn swallowing_gate(upstream: std::net::SocketAddr) -> (String, std::sync::mpsc::Receiver<()>) {
    use std::io::Read;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = true;
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            if std::mem::replace(&mut first, false) {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    let _ = conn.read(&mut buf);
                    let _ = tx.send(());
                    std::thread::sleep(Duration::from_secs(3600));
                });
                continue;
            }
            std::thread::spawn(move || {
                let up = std::net::TcpStream::connect(upstream).unwrap();
                let (mut a, mut b) = (conn.try_clone().unwrap(), up.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut a, &mut b);
                    let _ = b.shutdown(std::net::Shutdown::Write);
                });
                let (mut c, mut d) = (up, conn);
                let _ = std::io::copy(&mut c, &mut d);
                let _ = d.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (format!("http://127.0.0.1:{port}/verification"), rx)
}

#[test]
fn journal_list_shows_what_a_killed_create_left_and_resolve_settles_it() {
    let s = Setup::new();
    let upstream = s.url["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (gate, reached) = swallowing_gate(upstream);
    let dir = std::env::temp_dir().join(format!("cfrpd-cli-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("creates.journal");
    let journal = journal.to_str().unwrap();
    let env = [
        ("CASHFREE_BASE_URL", gate.as_str()),
        ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
        ("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfrpd"))
        .args([
            "--journal",
            journal,
            "create",
            "--id",
            "cli-killed",
            "--name",
            "Jane Doe",
        ])
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    reached
        .recv_timeout(Duration::from_secs(30))
        .expect("the create reached the gate");
    child.kill().unwrap(); // SIGKILL: the terminal app died mid-create
    child.wait().unwrap();

    let r = cfrpd(&["--journal", journal, "journal", "list"], &env).expect(0);
    assert!(
        r.stdout.contains("cli-killed  SENDING  name Jane Doe"),
        "{r:#?}"
    );
    let v = cfrpd(&["--json", "--journal", journal, "journal", "list"], &env)
        .expect(0)
        .json();
    assert_eq!(v[0]["verification_id"], "cli-killed");
    assert_eq!(v[0]["state"], "SENDING");
    // The time of the intent: ISO 8601 UTC in text (and in JSON's recorded_at), the raw
    // milliseconds in JSON's recorded_at_ms; both say the same instant, just now.
    let ms = v[0]["recorded_at_ms"]
        .as_i64()
        .expect("recorded_at_ms is a number");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(
        (now_ms - 120_000..=now_ms).contains(&ms),
        "{ms} vs now {now_ms}"
    );
    let iso = v[0]["recorded_at"]
        .as_str()
        .expect("recorded_at")
        .to_string();
    assert_eq!(iso.len(), "2026-12-06T02:34:41.123Z".len(), "{iso}");
    assert!(iso.ends_with('Z') && iso.as_bytes()[10] == b'T', "{iso}");
    assert!(
        r.stdout.contains(&format!("recorded at {iso}")),
        "text shows the ISO time: {r:#?}"
    );
    assert!(
        !r.stdout.contains(&ms.to_string()),
        "no raw ms in text: {r:#?}"
    );
    let date = Command::new("date")
        .args(["-u", "-d", &format!("@{}", ms / 1000), "+%Y-%m-%dT%H:%M:%S"])
        .output();
    if let Ok(d) = date {
        if d.status.success() {
            let want = format!(
                "{}.{:03}Z",
                String::from_utf8_lossy(&d.stdout).trim(),
                ms % 1000
            );
            assert_eq!(iso, want, "date(1) agrees");
        }
    }
    assert_eq!(v[0]["request"], Value::Null);
    // Creating it again sends nothing.
    let r = cfrpd(
        &[
            "--journal",
            journal,
            "create",
            "--id",
            "cli-killed",
            "--name",
            "Jane Doe",
        ],
        &env,
    )
    .expect(1);
    assert!(
        r.stderr.contains("journal resolve") || r.stderr.contains("resolve"),
        "{r:#?}"
    );
    assert_eq!(creates_of(&s.emu, "cli-killed"), 0);
    // Cashfree never heard of it: resolve closes the entry (and says so: 404).
    cfrpd(
        &["--journal", journal, "journal", "resolve", "cli-killed"],
        &env,
    )
    .expect(1);
    let r = cfrpd(&["--journal", journal, "journal", "list"], &env).expect(0);
    assert!(r.stdout.contains("no open entries"), "{r:#?}");

    // A recorded create: listed with its links, and replayed rather than re-sent.
    let first = cfrpd(
        &[
            "--json",
            "--journal",
            journal,
            "create",
            "--id",
            "cli-made",
            "--name",
            "Jane Doe",
        ],
        &env,
    )
    .expect(0)
    .json();
    let v = cfrpd(&["--json", "--journal", journal, "journal", "list"], &env)
        .expect(0)
        .json();
    assert_eq!(v[0]["state"], "CREATED");
    assert_eq!(v[0]["request"]["ref_id"], first["ref_id"]);
    let again = cfrpd(
        &[
            "--json",
            "--journal",
            journal,
            "create",
            "--id",
            "cli-made",
            "--name",
            "Jane Doe",
        ],
        &env,
    )
    .expect(0)
    .json();
    assert_eq!(again["upi_link"], first["upi_link"]);
    assert_eq!(creates_of(&s.emu, "cli-made"), 1);
    s.emu.pay("cli-made", PayOutcome::default()).unwrap();
    cfrpd(
        &["--journal", journal, "journal", "resolve", "cli-made"],
        &env,
    )
    .expect(0);
    let r = cfrpd(&["--journal", journal, "journal", "list"], &env).expect(0);
    assert!(r.stdout.contains("no open entries"), "{r:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_journal_path_naming_an_ordinary_file_is_refused_and_the_file_kept() {
    let s = Setup::new();
    let dir = std::env::temp_dir().join(format!("cfrpd-cli-notes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, b"call Ravi at 5, 23 byte").unwrap();
    let env = [
        ("CASHFREE_BASE_URL", s.url.as_str()),
        ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
        ("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
    ];
    let notes_arg = notes.to_str().unwrap();
    let r = cfrpd(
        &[
            "--journal",
            notes_arg,
            "create",
            "--id",
            "jt-1",
            "--name",
            "Jay",
        ],
        &env,
    );
    assert_ne!(r.code, 0, "{r:#?}");
    assert!(r.stderr.contains("is not a cashfree-rpd journal"), "{r:#?}");
    assert_eq!(std::fs::read(&notes).unwrap(), b"call Ravi at 5, 23 byte");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"], "no lock or temporary file beside it");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emulator_pay_pays_a_created_request_on_a_running_emulator() {
    let s = Setup::new();
    let port = s
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    s.create("t-pay-ok");
    s.create("t-pay-fail");
    s.create("t-pay-env");
    // By --port: SUCCESS with the default payer.
    let r = s
        .run(&["emulator", "pay", "t-pay-ok", "--port", &port])
        .expect(0);
    assert!(r.stdout.contains("paid t-pay-ok (success)"), "{r:#?}");
    let st = s
        .run(&["--json", "status", "--id", "t-pay-ok"])
        .expect(0)
        .json();
    assert_eq!(st["status"], "SUCCESS");
    assert_eq!(st["name_at_bank"], "JANE DOE");
    // By --url (a base URL): FAILURE.
    let url = format!("--url={}", s.url);
    s.run(&[
        "emulator",
        "pay",
        "t-pay-fail",
        "--outcome",
        "failure",
        &url,
    ])
    .expect(0);
    let st = s
        .run(&["--json", "status", "--id", "t-pay-fail"])
        .expect(0)
        .json();
    assert_eq!(st["status"], "FAILURE");
    // From CASHFREE_BASE_URL, with a payer name.
    s.run(&["emulator", "pay", "t-pay-env", "--name", "J DOE"])
        .expect(0);
    let st = s
        .run(&["--json", "status", "--id", "t-pay-env"])
        .expect(0)
        .json();
    assert_eq!(
        (st["status"].as_str(), st["name_at_bank"].as_str()),
        (Some("SUCCESS"), Some("J DOE"))
    );

    // Refusals: paid already (1), unknown id (1), usage (2), nobody listening (3).
    let r = s.run(&["emulator", "pay", "t-pay-ok"]).expect(1);
    assert!(
        r.stderr.contains("refused to pay t-pay-ok (HTTP 409)"),
        "{r:#?}"
    );
    let r = s.run(&["emulator", "pay", "t-pay-nobody"]).expect(1);
    assert!(r.stderr.contains("HTTP 404"), "{r:#?}");
    for bad in [
        &["emulator", "pay"][..],
        &["emulator", "pay", "x", "--outcome", "maybe"],
        &["emulator", "pay", "x", "--url", "https://127.0.0.1:1"],
    ] {
        let r = s.run(bad).expect(2);
        assert!(r.stderr.contains("error:"), "{bad:?}: {r:#?}");
    }
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = cfrpd(&["emulator", "pay", "x", "--port", &free.to_string()], &[]).expect(3);
    assert!(r.stderr.contains("no emulator answered"), "{r:#?}");
    let r = cfrpd(&["emulator", "pay", "--help"], &[]).expect(0);
    assert!(r.stdout.contains("Usage: cfrpd emulator pay ID"), "{r:#?}");
    assert_eq!(s.emu.stats().creates_received, 3);
}
