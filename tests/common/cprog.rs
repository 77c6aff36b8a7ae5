//! Compiling a C test program against the static library and running it (a small
//! version of what tests/it/c_abi.rs does, for test files of their own).
//!
//! Programs are built by the shared harness (tests/common/cbuild.rs), against the same
//! static library as tests/it/c_abi.rs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Whether a tool runs (`--version`); when it does not, fails on CI (`CI=true`), else
/// records the skip ([`super::skip`]).
pub fn tool_or_skip(name: &str, test: &str) -> bool {
    super::skip::require_tool(test, name, name)
}

/// Compiles `source` (relative to the crate root) with gcc; `sanitize` adds ASan+UBSan.
/// The build is the shared one of the C tests (tests/common/cbuild.rs).
pub fn compile(source: &str, sanitize: bool) -> PathBuf {
    super::cbuild::compile(
        source,
        if sanitize {
            super::cbuild::Variant::Sanitized
        } else {
            super::cbuild::Variant::Plain
        },
    )
}

pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    pub fn describe(&self) -> String {
        use std::os::unix::process::ExitStatusExt;
        let how = match (self.status.code(), self.status.signal()) {
            (Some(c), _) => format!("exit code {c}"),
            (None, Some(13)) => "KILLED BY SIGNAL 13 (SIGPIPE)".to_string(),
            (None, Some(s)) => format!("killed by signal {s}"),
            _ => format!("{}", self.status),
        };
        format!(
            "{how} after {:.1} s\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.took.as_secs_f64(),
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `cmd` (program and arguments) with `env`, killing it after `limit`.
pub fn run(cmd: &[&Path], env: &BTreeMap<String, String>, limit: Duration) -> Run {
    let mut c = Command::new(cmd[0]);
    c.args(&cmd[1..])
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = c.spawn().expect("start program");
    let out_pipe = child.stdout.take().unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let read_all = |mut p: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = p.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out_t = read_all(Box::new(out_pipe));
    let err_t = read_all(Box::new(err_pipe));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} ran longer than {limit:?}", cmd[0].display());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        took: started.elapsed(),
    }
}
