//! Compiling a C test program against the static library and running it (a small
//! version of what tests/c_abi.rs does, for test files of their own).
//!
//! The library: `CFRPD_TEST_STATICLIB` if set, else `target/<profile>/deps/libcashfree_rpd.a`,
//! which `cargo test` builds from the sources under test (see tests/c_abi.rs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

pub fn static_lib() -> PathBuf {
    if let Some(p) = std::env::var_os("CFRPD_TEST_STATICLIB") {
        return PathBuf::from(p);
    }
    let p = profile_dir().join("deps").join("libcashfree_rpd.a");
    assert!(
        p.exists(),
        "{} is missing: run through `cargo test` (which builds it) or set CFRPD_TEST_STATICLIB",
        p.display()
    );
    p
}

/// Whether a tool runs (`--version`); when it does not, fails on CI (`CI=true`), else
/// prints why the caller skips.
pub fn tool_or_skip(name: &str, test: &str) -> bool {
    let ok = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {name} is required on CI"
        );
        eprintln!("NOTICE: {name} is not installed: skipping {test}");
    }
    ok
}

/// Compiles `source` (relative to the crate root) with gcc; `sanitize` adds ASan+UBSan.
pub fn compile(source: &str, sanitize: bool) -> PathBuf {
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let dir = profile_dir()
        .join("c-prog")
        .join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(format!("{stem}{}", if sanitize { "-asan" } else { "" }));
    let lib = static_lib();
    let root = Path::new(MANIFEST_DIR);
    let mut cmd = Command::new("gcc");
    cmd.args([
        "-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-O0", "-pthread",
    ])
    .arg("-I")
    .arg(root.join("include"));
    if sanitize {
        cmd.args(["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]);
    }
    cmd.arg(root.join(source))
        .arg(&lib)
        .args(["-Wl,--gc-sections", "-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe);
    let out = cmd.output().expect("run gcc");
    assert!(
        out.status.success(),
        "compiling {source} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
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
