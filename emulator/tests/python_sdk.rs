//! Cashfree's official Python SDK (`cashfree-verification`) reads the emulator's answers
//! the way it reads Cashfree's documented examples: runs `tests/python_sdk/check.py`
//! against the emulator binary on 127.0.0.1.
//!
//! Needs `python3` with `pip install cashfree-verification==3.0.0` (another interpreter:
//! env `CFRPD_PYTHON`). Without them the test prints why it skipped, or fails when
//! `CI=true`.

#[path = "../../tests/common/skip.rs"]
mod skip;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use cashfree_rpd_emulator::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};

/// Exit status of check.py when the SDK is not installed.
const SKIP: i32 = 77;

/// Kills the emulator child when the test ends (pass or panic).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python() -> String {
    std::env::var("CFRPD_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".to_string())
}

/// Skips (prints why and records it in the skip registry) or, on CI, fails.
fn unavailable(why: &str) {
    skip::skip_or_fail(
        "python_sdk_reads_emulator_answers_like_the_documented_samples",
        &format!(
            "python SDK check not run: {why}; install with: \
             python3 -m pip install cashfree-verification==3.0.0 (or set CFRPD_PYTHON)"
        ),
    );
}

#[test]
fn python_sdk_reads_emulator_answers_like_the_documented_samples() {
    let py = python();
    match Command::new(&py)
        .args(["-c", "import cashfree_verification"])
        .output()
    {
        Err(e) => return unavailable(&format!("cannot run {py}: {e}")),
        Ok(o) if !o.status.success() => {
            return unavailable(&format!(
                "{py} cannot import cashfree_verification: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ))
        }
        Ok(_) => {}
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_cashfree-rpd-emulator"))
        .args(["--host", "127.0.0.1", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the emulator binary");
    let stdout = child.stdout.take().expect("piped stdout");
    let emu = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the emulator's first line");
    let base_url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no base URL in {line:?}"))
        .to_string();

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let out = Command::new(&py)
        .arg(dir.join("python_sdk").join("check.py"))
        .arg(&base_url)
        .arg(dir.join("data"))
        .env("CASHFREE_CLIENT_ID", TEST_CLIENT_ID)
        .env("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET)
        .output()
        .expect("run check.py");
    drop(emu);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.code() == Some(SKIP) {
        return unavailable(text.trim());
    }
    println!("{text}");
    assert!(out.status.success(), "check.py failed:\n{text}");
    assert!(text.contains("all checks passed"), "{text}");
    assert!(!text.contains("FAIL "), "{text}");
}
