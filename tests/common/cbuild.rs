//! Building C and C++ programs against the static library under test and running them
//! (directly, under ASan/UBSan, under valgrind): shared by tests/it/c_abi.rs and
//! tests/it/c_qr.rs. See tests/it/c_abi.rs for why the library is taken from `deps/`.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// How long one program may run before it is killed and the test fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(150);

// ------------------------------------------------------------------------------------
// Where things are

/// `target/<profile>` of this test binary (`.../target/debug/deps/it-HASH`).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("deps dir");
    deps.parent().expect("profile dir").to_path_buf()
}

/// Scratch space for this process: `target/<profile>/c-abi/<pid>` (a shared target dir
/// may be used by several `cargo test` runs at once).
pub fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = profile_dir().join("c-abi");
        // Leftovers of earlier runs whose process is gone (Linux: /proc/<pid>).
        if Path::new("/proc/self").exists() {
            for entry in fs::read_dir(&base).into_iter().flatten().flatten() {
                let name = entry.file_name();
                if !Path::new("/proc").join(&name).exists() {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(std::process::id().to_string());
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create work dir");
        dir
    })
}

/// The static library to link, copied into [`work_dir`] so that another cargo run in a
/// shared target dir cannot change it half-way through.
pub fn static_lib() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let found = locate_static_lib();
        let copy = work_dir().join("libcashfree_rpd.a");
        snapshot(&found, &copy);
        eprintln!("c_abi: linking {}", found.display());
        copy
    })
}

/// A hard link (rustc writes a new file on each build, so the link keeps this one), or a
/// copy where links are not possible.
pub fn snapshot(from: &Path, to: &Path) {
    let _ = fs::remove_file(to);
    if fs::hard_link(from, to).is_err() {
        fs::copy(from, to)
            .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
    }
}

pub fn locate_static_lib() -> PathBuf {
    if let Some(p) = std::env::var_os("CFRPD_TEST_STATICLIB") {
        return PathBuf::from(p);
    }
    let dir = profile_dir();
    let in_deps = dir.join("deps").join("libcashfree_rpd.a");
    if std::env::var_os("CFRPD_TEST_CARGO_BUILD").is_none() && in_deps.exists() {
        return in_deps;
    }
    cargo_build_lib(&dir)
}

/// `cargo build --lib` with this test's profile and target dir; returns the `.a` path
/// cargo reports.
pub fn cargo_build_lib(profile_dir: &Path) -> PathBuf {
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev".to_string(),
        Some(other) => other.to_string(),
        None => panic!("cannot tell the profile from {}", profile_dir.display()),
    };
    let parent = profile_dir.parent().expect("target dir");
    // target/<triple>/<profile> when cargo ran with --target.
    let (target_dir, triple) = if parent.join("CACHEDIR.TAG").exists() {
        (parent.to_path_buf(), None)
    } else {
        let triple = parent
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string);
        (parent.parent().expect("target dir").to_path_buf(), triple)
    };
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(MANIFEST_DIR)
        .args([
            "build",
            "--lib",
            "-p",
            "cashfree-rpd",
            "--message-format=json",
        ])
        .args(["--profile", &profile])
        .env("CARGO_TARGET_DIR", &target_dir)
        .stderr(Stdio::inherit());
    if let Some(t) = &triple {
        cmd.args(["--target", t]);
    }
    eprintln!("c_abi: running {cmd:?}");
    let out = cmd.output().expect("run cargo build --lib");
    assert!(out.status.success(), "cargo build --lib failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" || msg["target"]["name"] != "cashfree_rpd" {
            continue;
        }
        if let Some(files) = msg["filenames"].as_array() {
            for f in files.iter().filter_map(|f| f.as_str()) {
                if f.ends_with(".a") {
                    return PathBuf::from(f);
                }
            }
        }
    }
    panic!("cargo build --lib reported no libcashfree_rpd.a");
}

pub fn tool_available(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

// ------------------------------------------------------------------------------------
// Building and running programs

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    /// -O0 -g: run directly and under valgrind.
    Plain,
    /// AddressSanitizer + UndefinedBehaviorSanitizer, leak detection on.
    Sanitized,
}

#[derive(Clone, Copy)]
pub enum Runner {
    Direct,
    Valgrind,
}

/// Compiles `source` (relative to the crate root) into an executable in [`work_dir`].
pub fn compile(source: &str, variant: Variant) -> PathBuf {
    let cpp = source.ends_with(".cpp");
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let dir_tag = Path::new(source)
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("x");
    // A number per build: tests run in parallel, and two of them (e.g. the direct and the
    // valgrind run of the same program) must not share, and delete, one executable.
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exe = work_dir().join(format!("{dir_tag}-{stem}-{variant:?}-{n}").to_lowercase());
    let root = Path::new(MANIFEST_DIR);
    let mut cmd = Command::new(if cpp { "g++" } else { "gcc" });
    cmd.arg(if cpp { "-std=c++17" } else { "-std=c11" })
        .args([
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-g",
            "-O0",
            "-pthread",
        ])
        .arg("-I")
        .arg(root.join("include"));
    if variant == Variant::Sanitized {
        cmd.args([
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ]);
    }
    cmd.arg(root.join(source))
        .arg(static_lib())
        .args(["-Wl,--gc-sections", "-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe);
    let out = cmd.output().expect("run the C compiler");
    assert!(
        out.status.success(),
        "compiling {source} ({variant:?}) failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "exit status {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `exe` with `env` (CASHFREE_* and CFRPD_* variables of the parent are removed
/// first), killing it after [`RUN_LIMIT`].
pub fn run(exe: &Path, runner: Runner, args: &[&str], env: &BTreeMap<String, String>) -> Run {
    let cmd = match runner {
        Runner::Direct => Command::new(exe),
        Runner::Valgrind => {
            let mut c = Command::new("valgrind");
            c.args([
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--error-exitcode=1",
                "--quiet",
            ]);
            let supp = Path::new(MANIFEST_DIR).join("tests/c/valgrind.supp");
            if supp.exists() {
                c.arg(format!("--suppressions={}", supp.display()));
            }
            c.arg(exe);
            c
        }
    };
    let label = match runner {
        Runner::Direct => "direct",
        Runner::Valgrind => "valgrind",
    };
    run_command(cmd, exe, label, args, env)
}

/// Runs `exe` under the command `prefix` (e.g. `qemu-arm -L /usr/arm-linux-gnueabihf`;
/// empty: directly), like [`run`].
pub fn run_under(
    prefix: &[String],
    exe: &Path,
    args: &[&str],
    env: &BTreeMap<String, String>,
) -> Run {
    let cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let label = prefix.first().map_or("direct", |s| s.as_str()).to_string();
    run_command(cmd, exe, &label, args, env)
}

fn run_command(
    mut cmd: Command,
    exe: &Path,
    label: &str,
    args: &[&str],
    env: &BTreeMap<String, String>,
) -> Run {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = exe.file_name().unwrap().to_string_lossy().into_owned();
    let out_path = work_dir().join(format!("{name}.{n}.stdout"));
    let err_path = work_dir().join(format!("{name}.{n}.stderr"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CASHFREE_") || k.starts_with("CFRPD_") {
            cmd.env_remove(k.as_ref());
        }
    }
    cmd.args(args)
        .envs(env)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:halt_on_error=1",
        )
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"));
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name} ran longer than {RUN_LIMIT:?}; stdout so far:\n{}",
                read(&out_path)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let r = Run {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    };
    eprintln!(
        "c_abi: {name} {args:?} ({label}) took {:.1}s, {}",
        started.elapsed().as_secs_f64(),
        status
    );
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    r
}

pub fn read(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = File::open(path) {
        let mut bytes = Vec::new();
        let _ = f.read_to_end(&mut bytes);
        s = String::from_utf8_lossy(&bytes).into_owned();
    }
    s
}

/// Whether valgrind runs are possible; prints a notice once when not.
pub fn valgrind_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let ok = tool_available("valgrind");
        if !ok {
            super::skip::skip_or_fail(
                "valgrind runs of the C programs",
                "`valgrind` is not installed (Debian package valgrind)",
            );
        }
        ok
    })
}
