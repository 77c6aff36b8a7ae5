//! The one rule for tests that need something from outside (a tool, a kernel feature):
//! when it is missing, the test is **skipped and recorded** on a developer's machine
//! and **fails** under `CI=true` (exactly `true`, case-sensitive: CI sets it so).
//!
//! libtest captures what a passing test prints, so a skip would otherwise look like a
//! pass: every skip also appends a line to a registry file, `test-skips.txt` in the
//! target directory (or `$CFRPD_TEST_SKIPS`), which `scripts/test-skips` prints (count
//! and reasons) and `.ci/run` prints at the end. Included by `cli/tests/cli.rs` and
//! `emulator/tests/python_sdk.rs` too (`#[path]`), so there is one copy of this rule.
//! A thing left out on purpose (named by a reason variable, documented where it is set)
//! is still printed and recorded: [`skip_unless_deliberate`].
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// True under `CI=true`: a missing tool is then a failure, never a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Where skips are recorded: `$CFRPD_TEST_SKIPS`, else `test-skips.txt` in the target
/// directory (the parent of Cargo's `CARGO_TARGET_TMPDIR`).
pub fn registry() -> PathBuf {
    if let Some(p) = std::env::var_os("CFRPD_TEST_SKIPS").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map_or(tmp.clone(), |t| t.to_path_buf())
        .join("test-skips.txt")
}

/// Under `CI=true` panics with `why`; elsewhere prints it and records the skip.
pub fn skip_or_fail(test: &str, why: &str) {
    if in_ci() {
        panic!("{test}: {why} (CI=true: this test must run; .ci/run installs what it needs)");
    }
    eprintln!("SKIPPED {test}: {why} (set CI=true to make this a failure)");
    record(test, why);
}

/// [`skip_or_fail`], unless the environment variable `reason_var` gives a reason for
/// leaving the thing out (a deliberate decision, documented where the variable is set,
/// e.g. `CFRPD_WINE32_SKIP_REASON` in `.ci/run`): then the skip is printed and recorded
/// with that reason, and is no failure under `CI=true`.
pub fn skip_unless_deliberate(test: &str, why: &str, reason_var: &str) {
    match std::env::var(reason_var) {
        Ok(reason) if !reason.trim().is_empty() => {
            let why = format!(
                "{why}; deliberately left out ({reason_var}): {}",
                reason.trim()
            );
            eprintln!("SKIPPED {test}: {why}");
            record(test, &why);
        }
        _ => skip_or_fail(
            test,
            &format!("{why}, and {reason_var} does not say why it is left out"),
        ),
    }
}

/// Appends `test` and `why` to the [`registry`].
fn record(test: &str, why: &str) {
    let line = format!("{test}\t{}\n", why.replace(['\n', '\t'], " "));
    let path = registry();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // One write per line with O_APPEND: lines from parallel tests do not interleave.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

/// Whether `tool args...` runs and exits 0.
pub fn tool_runs(tool: &str, args: &[&str]) -> bool {
    Command::new(tool)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `tool --version` runs; when not, [`skip_or_fail`] says which Debian package
/// provides it. `test` names what is skipped.
pub fn require_tool(test: &str, tool: &str, package: &str) -> bool {
    require_tool_with(test, tool, &["--version"], package)
}

/// [`require_tool`] with the arguments that check the tool (`tool args...` exits 0).
pub fn require_tool_with(test: &str, tool: &str, args: &[&str], package: &str) -> bool {
    if tool_runs(tool, args) {
        return true;
    }
    skip_or_fail(
        test,
        &format!("`{tool}` is not installed (Debian package {package})"),
    );
    false
}
