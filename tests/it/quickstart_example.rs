//! Runs the Rust quickstart (`examples/quickstart.rs`) as a user would: credentials
//! half set are refused naming the missing variable, and without any the whole flow
//! runs against the built-in emulator, with a plain (colourless) QR code when stdout is
//! not a terminal.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The quickstart binary, built with this test's profile into its target dir (cargo
/// releases its build lock while tests run).
fn quickstart() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let test_exe = std::env::current_exe().expect("current_exe");
        let profile_dir = test_exe
            .parent()
            .and_then(|d| d.parent())
            .expect("target/<profile>");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev".to_string(),
            Some(other) => other.to_string(),
            None => panic!("cannot tell the profile"),
        };
        let out = Command::new(env!("CARGO"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--example", "quickstart", "--message-format=json"])
            .args(["--profile", &profile])
            .env(
                "CARGO_TARGET_DIR",
                profile_dir.parent().expect("target dir"),
            )
            .stderr(Stdio::inherit())
            .output()
            .expect("run cargo build --example quickstart");
        assert!(
            out.status.success(),
            "cargo build --example quickstart failed"
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["target"]["name"] == "quickstart")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported the quickstart executable")
    })
}

/// Runs the quickstart with exactly these `CASHFREE_*`/`RPD_*` variables.
fn run(env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(quickstart());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CASHFREE_") || k.starts_with("RPD_") {
            cmd.env_remove(k.as_ref());
        }
    }
    cmd.envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run the quickstart")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn half_set_credentials_are_refused_naming_the_missing_one() {
    for (given, missing) in [
        ("CASHFREE_CLIENT_ID", "CASHFREE_CLIENT_SECRET"),
        ("CASHFREE_CLIENT_SECRET", "CASHFREE_CLIENT_ID"),
    ] {
        let out = run(&[(given, "something")]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("{given} is set but {missing} is not")),
            "{stderr}"
        );
        // It did not fall back to the emulator.
        assert!(
            !text(&out.stdout).contains("emulator"),
            "{}",
            text(&out.stdout)
        );
    }
}

#[test]
fn emulator_flow_prints_a_plain_qr_code_into_a_pipe() {
    let out = run(&[("RPD_NAME", "Jane Doe")]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("using the built-in emulator"), "{stdout}");
    assert!(stdout.contains("Result: SUCCESS"), "{stdout}");
    assert!(stdout.contains('█') && stdout.contains('▀'), "{stdout}");
    assert!(
        !stdout.contains('\x1b'),
        "ANSI codes in a pipe:\n{stdout:?}"
    );
}
