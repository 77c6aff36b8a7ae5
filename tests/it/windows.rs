//! Windows: builds the library for `x86_64-pc-windows-gnu` (dev profile, `cargo build
//! --lib --target …` from inside the test, as tests/common/cbuild.rs does for the host),
//! links the C programs with mingw-w64 and runs them under wine against emulators and
//! servers running natively on loopback:
//!
//! - static library (`-static`): examples/c/quickstart.c, tests/c/abi_test.c (every error
//!   code and the secret checks), tests/c/qr_test.c, examples/c/print_qr.c (its PBM
//!   decoded by `zbarimg`), tests/c/threads_test.c, tests/c/deadline_test.c (the call
//!   deadline: at most 50 ms late under wine);
//! - the DLL route: the quickstart linked against the import library
//!   `libcashfree_rpd.dll.a`, run with `cashfree_rpd.dll` beside it;
//! - `i686-pc-windows-gnu`: the library built, the quickstart and abi_test linked; run
//!   only when 32-bit wine (Debian `wine32:i386`) is installed (see
//!   [`i686_builds_links_and_runs_when_wine32_is_installed`]).
//!
//! fork_test.c and sigpipe_test.c are POSIX-only (fork(), SIGPIPE) and not run here.
//! Under wine the TEST-ONLY stand-in `bcryptprimitives.dll` goes next to each `.exe`
//! (tests/common/wine.rs). Missing mingw-w64, wine or rustup targets: the tests print why
//! they skip; under `CI=true` they fail.
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cashfree_rpd_emulator::Emulator;
use common::cbuild::{work_dir, Run, MANIFEST_DIR};
use common::cenv::*;
use common::wine::{self, X64, X86};

/// How long one program may run under wine.
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// How late a call may end after its deadline under wine (the bound).
const WINE_MAX_OVERSHOOT_MS: u32 = 50;

// ------------------------------------------------------------------------------------
// The library for a Windows target

/// What `cargo build --lib --target <triple>` left, copied into this run's work dir.
struct WinLib {
    dir: PathBuf,
    staticlib: PathBuf,
    import_lib: PathBuf,
    dll: PathBuf,
}

/// Builds the library for `triple` once per test process, or `None` after printing why
/// not (a failure under `CI=true`).
fn win_lib(triple: &'static str) -> Option<&'static WinLib> {
    static LIBS: Mutex<BTreeMap<&str, &'static Option<WinLib>>> = Mutex::new(BTreeMap::new());
    let mut libs = LIBS.lock().unwrap_or_else(|e| e.into_inner());
    let lib = *libs
        .entry(triple)
        .or_insert_with(|| Box::leak(Box::new(build_win_lib(triple))));
    lib.as_ref()
}

fn build_win_lib(triple: &str) -> Option<WinLib> {
    let gcc = wine::mingw_gcc(triple);
    if !wine::runs(&gcc) {
        common::skip::skip_or_fail(
            &format!("the {triple} tests"),
            &format!("{gcc} is not installed (Debian gcc-mingw-w64)"),
        );
        return None;
    }
    let libdir = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", triple])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if !libdir.is_some_and(|d| d.is_dir()) {
        common::skip::skip_or_fail(
            &format!("the {triple} tests"),
            &format!("the Rust target is not installed (rustup target add {triple})"),
        );
        return None;
    }
    let target_dir = common::cbuild::profile_dir()
        .parent()
        .expect("target dir")
        .to_path_buf();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(MANIFEST_DIR)
        .args(["build", "--lib", "-p", "cashfree-rpd", "--profile", "dev"])
        .args(["--target", triple, "--message-format=json"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .envs(wine::cargo_env(triple))
        .stderr(Stdio::inherit());
    let started = Instant::now();
    eprintln!("windows: running {cmd:?}");
    let out = cmd.output().expect("run cargo build");
    assert!(out.status.success(), "cargo build --target {triple} failed");
    eprintln!(
        "windows: library for {triple} built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut files = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "cashfree_rpd" {
            for f in msg["filenames"].as_array().into_iter().flatten() {
                files.push(PathBuf::from(f.as_str().unwrap_or_default()));
            }
        }
    }
    let find = |suffix: &str| {
        files
            .iter()
            .find(|f| f.to_string_lossy().ends_with(suffix))
            .unwrap_or_else(|| panic!("cargo reported no *{suffix} for {triple}: {files:?}"))
            .clone()
    };
    // A snapshot: another cargo run in the same target dir must not change it under us.
    let dir = work_dir().join(triple);
    fs::create_dir_all(&dir).unwrap();
    let snap = |from: PathBuf, name: &str| {
        let to = dir.join(name);
        common::cbuild::snapshot(&from, &to);
        to
    };
    Some(WinLib {
        staticlib: snap(find("/libcashfree_rpd.a"), "libcashfree_rpd.a"),
        import_lib: snap(find("/libcashfree_rpd.dll.a"), "libcashfree_rpd.dll.a"),
        dll: snap(find("/cashfree_rpd.dll"), "cashfree_rpd.dll"),
        dir,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Link {
    /// The static library, and a fully static program (`-static`: winpthreads and
    /// libgcc inside the .exe).
    Static,
    /// The import library; `cashfree_rpd.dll` is copied next to the .exe.
    Dll,
}

/// Compiles `source` (relative to the crate root) with mingw-w64's gcc and the project's
/// warning flags into the target's work dir.
fn compile(lib: &WinLib, triple: &str, source: &str, link: Link) -> PathBuf {
    let stem = Path::new(source).file_stem().unwrap().to_string_lossy();
    let exe = lib.dir.join(format!("{stem}-{link:?}.exe").to_lowercase());
    let root = Path::new(MANIFEST_DIR);
    let mut cmd = Command::new(wine::mingw_gcc(triple));
    cmd.args([
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-Werror",
        "-g",
        "-O0",
    ])
    .arg("-pthread")
    .arg("-I")
    .arg(root.join("include"))
    .arg(root.join(source));
    match link {
        Link::Static => {
            cmd.arg(&lib.staticlib);
        }
        Link::Dll => {
            cmd.arg(&lib.import_lib);
        }
    }
    // What `cargo rustc -- --print native-static-libs` lists for windows-gnu, and -static
    // so that no MinGW runtime DLL is needed beside the program.
    cmd.args([
        "-static",
        "-lws2_32",
        "-lntdll",
        "-luserenv",
        "-lbcrypt",
        "-ladvapi32",
        "-o",
    ])
    .arg(&exe);
    let started = Instant::now();
    let out = cmd.output().expect("run the mingw compiler");
    assert!(
        out.status.success(),
        "compiling {source} for {triple} ({link:?}) failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "windows: {source} linked for {triple} ({link:?}) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if link == Link::Dll {
        let beside = lib.dir.join("cashfree_rpd.dll");
        if beside != lib.dll {
            common::cbuild::snapshot(&lib.dll, &beside);
        }
    }
    exe
}

/// Runs `exe` under wine in its own directory with `env` (CASHFREE_* and CFRPD_* of the
/// parent removed), killing it after [`RUN_LIMIT`]; `None` when wine is missing (the
/// reason printed; a failure under `CI=true`).
fn run(exe: &Path, args: &[&str], env: &BTreeMap<String, String>) -> Option<Run> {
    run_on(X64, exe, args, env)
}

/// [`run`] for a program built for `triple`.
fn run_on(triple: &str, exe: &Path, args: &[&str], env: &BTreeMap<String, String>) -> Option<Run> {
    let mut cmd = wine::command_for(exe, triple)?;
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CASHFREE_") || k.starts_with("CFRPD_") {
            cmd.env_remove(k.as_ref());
        }
    }
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = exe.file_name().unwrap().to_string_lossy().into_owned();
    let dir = exe.parent().unwrap();
    let out_path = dir.join(format!("{name}.{n}.stdout"));
    let err_path = dir.join(format!("{name}.{n}.stderr"));
    cmd.args(args)
        .envs(env)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start wine");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name} ran longer than {RUN_LIMIT:?} under wine; stdout so far:\n{}",
                common::cbuild::read(&out_path)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let r = Run {
        status,
        stdout: common::cbuild::read(&out_path),
        stderr: common::cbuild::read(&err_path),
    };
    eprintln!(
        "windows: {name} {args:?} under wine took {:.1} s, {status}",
        started.elapsed().as_secs_f64()
    );
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    Some(r)
}

// ------------------------------------------------------------------------------------
// The programs

/// The quickstart's happy path (CREATED, then paid) and its wrong-secret path.
fn quickstart(triple: &str, exe: &Path) {
    let emu = Emulator::start(Default::default()).expect("emulator");
    let mut env = base_env(&emu.base_url());
    env.insert("CFRPD_POLL_INTERVAL_MS".into(), "500".into());
    env.insert("CFRPD_WAIT_TIMEOUT_MS".into(), "30000".into());
    let id = format!("win-qs-{}", run_id());
    let Some(r) = with_payer(&emu, || run_on(triple, exe, &[&id], &env)) else {
        return;
    };
    assert!(r.status.success(), "{}", r.describe());
    for want in [
        format!("verification_id: {id} (ref_id "),
        "pay 1 rupee with:  upi://pay?".to_string(),
        "poll 1: CREATED".to_string(),
        "outcome:           SUCCESS".to_string(),
        "DIRECT_MATCH".to_string(),
    ] {
        assert!(
            r.stdout.contains(&want),
            "missing {want:?}\n{}",
            r.describe()
        );
    }
    assert_eq!(emu.stats().creates_received, 1, "{:?}", emu.stats());
    // Wrong secret: the same error code, message and HTTP status as on Linux, no secret.
    let mut bad = env.clone();
    bad.insert("CASHFREE_CLIENT_SECRET".into(), "wrong-secret".into());
    let r = run_on(triple, exe, &[], &bad).expect("wine ran before");
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("CFRPD_ERR_UNAUTHORIZED"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("http_status 401"), "{}", r.describe());
    assert!(
        !r.stderr.contains("wrong-secret"),
        "secret leaked\n{}",
        r.describe()
    );
}

#[test]
fn x64_quickstart_static() {
    let Some(lib) = win_lib(X64) else { return };
    quickstart(
        X64,
        &compile(lib, X64, "examples/c/quickstart.c", Link::Static),
    );
}

#[test]
fn x64_quickstart_through_the_dll() {
    let Some(lib) = win_lib(X64) else { return };
    let exe = compile(lib, X64, "examples/c/quickstart.c", Link::Dll);
    // The program imports the library from cashfree_rpd.dll (not linked in).
    let dump = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(&exe)
        .output()
        .expect("objdump");
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("DLL Name: cashfree_rpd.dll"), "{dump}");
    quickstart(X64, &exe);
}

/// abi_test.c: every result code, NULL and bad input handling, secrets never in
/// messages — the same program and expectations as on Linux.
fn abi_test(triple: &str, exe: &Path) {
    let plain = emulator(None);
    let autopay = emulator(Some(Duration::from_millis(700)));
    let mut env = base_env(&plain.base_url());
    env.insert("CFRPD_TEST_AUTOPAY_BASE_URL".into(), autopay.base_url());
    env.insert("CFRPD_TEST_CLOSED_URL".into(), closed_url());
    webhook_env(&mut env);
    let Some(r) = run_on(triple, exe, &[], &env) else {
        return;
    };
    assert_all_passed(&r, 250);
    assert_only_valid_ids_sent(&plain);
    assert_only_valid_ids_sent(&autopay);
}

#[test]
fn x64_abi_test() {
    let Some(lib) = win_lib(X64) else { return };
    abi_test(X64, &compile(lib, X64, "tests/c/abi_test.c", Link::Static));
}

#[test]
fn x64_qr_test_and_print_qr_decoded_by_zbar() {
    let Some(lib) = win_lib(X64) else { return };
    let exe = compile(lib, X64, "tests/c/qr_test.c", Link::Static);
    let Some(r) = run(&exe, &[], &BTreeMap::new()) else {
        return;
    };
    assert_all_passed(&r, 150);

    let exe = compile(lib, X64, "examples/c/print_qr.c", Link::Static);
    let emu = Emulator::start(Default::default()).expect("emulator");
    let env = base_env(&emu.base_url());
    let id = format!("win-qr-{}", run_id());
    // Relative names: the program runs in its own directory.
    let (bin, pbm) = (format!("{id}.bin"), format!("{id}.pbm"));
    let args = ["--id", &id, "--scale", "4", "--quiet-zone", "4", &bin, &pbm];
    let r = run(&exe, &args, &env).expect("wine ran before");
    assert!(r.status.success(), "{}", r.describe());
    let upi_link = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("upi_link: "))
        .unwrap_or_else(|| panic!("no upi_link line\n{}", r.describe()))
        .to_string();
    let pbm = lib.dir.join(pbm);
    assert!(fs::read(&pbm).unwrap().starts_with(b"P4\n"), "a PBM");
    if !common::cprog::tool_or_skip("zbarimg", "decoding the PBM print_qr.exe wrote") {
        return;
    }
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&pbm)
        .output()
        .expect("run zbarimg");
    assert!(out.status.success(), "zbarimg found no code");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), upi_link);
    let _ = fs::remove_file(pbm);
    let _ = fs::remove_file(lib.dir.join(bin));
}

#[test]
fn x64_threads_test() {
    let Some(lib) = win_lib(X64) else { return };
    let exe = compile(lib, X64, "tests/c/threads_test.c", Link::Static);
    let calls = 100u32;
    let emu = emulator(None);
    let mut env = base_env(&emu.base_url());
    env.insert("CFRPD_THREADS_CALLS".into(), calls.to_string());
    let Some(r) = run(&exe, &[], &env) else {
        return;
    };
    assert!(r.status.success(), "{}", r.describe());
    let want = format!("{} passed, 0 failed", 8 * calls);
    assert_eq!(
        r.stdout.lines().last(),
        Some(want.as_str()),
        "{}",
        r.describe()
    );
    let stats = emu.stats();
    assert_eq!(stats.creates_received, u64::from(4 * calls), "{stats:?}");
    assert_eq!(stats.status_received, u64::from(4 * calls), "{stats:?}");
}

#[test]
fn x64_deadline_test_overshoots_at_most_50_ms_under_wine() {
    let Some(lib) = win_lib(X64) else { return };
    let exe = compile(lib, X64, "tests/c/deadline_test.c", Link::Static);
    common::dlservers::run_checked("windows (wine)", WINE_MAX_OVERSHOOT_MS, |env| {
        run(&exe, &[], env)
    });
}

/// The library's own unit tests (the transport's read deadline among them) and
/// tests/zeroize.rs (no freed block holds the secret), built for Windows and run under
/// wine.
#[test]
fn x64_rust_unit_tests_and_zeroize_under_wine() {
    if win_lib(X64).is_none() {
        return;
    }
    let target_dir = common::cbuild::profile_dir()
        .parent()
        .expect("target dir")
        .to_path_buf();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(MANIFEST_DIR)
        .args(["test", "-p", "cashfree-rpd", "--lib", "--test", "zeroize"])
        .args(["--target", X64, "--no-run", "--message-format=json"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .envs(wine::cargo_env(X64))
        .stderr(Stdio::inherit());
    let started = Instant::now();
    let out = cmd.output().expect("run cargo test --no-run");
    assert!(
        out.status.success(),
        "cargo test --no-run --target {X64} failed"
    );
    eprintln!(
        "windows: unit tests and zeroize built for {X64} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let exes: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .collect();
    assert_eq!(exes.len(), 2, "{exes:?}");
    let dir = work_dir().join("rust-tests");
    fs::create_dir_all(&dir).unwrap();
    for exe in exes {
        // A snapshot in our own directory (with the stand-in DLL beside it).
        let copy = dir.join(exe.file_name().unwrap());
        common::cbuild::snapshot(&exe, &copy);
        let Some(r) = run(&copy, &[], &BTreeMap::new()) else {
            return;
        };
        assert!(r.status.success(), "{}", r.describe());
        let summary = r
            .stdout
            .lines()
            .find(|l| l.starts_with("test result: ok."))
            .unwrap_or_else(|| panic!("no test summary\n{}", r.describe()));
        eprintln!("windows: {} under wine: {summary}", copy.display());
        assert!(!summary.contains(" 0 passed"), "{summary}");
        if copy.to_string_lossy().contains("cashfree_rpd-") {
            assert!(
                r.stdout.contains(
                    "transport::tests::a_read_times_out_within_a_few_ms_of_its_timeout ... ok"
                ),
                "{}",
                r.describe()
            );
            // The journal's crash and fault simulations, on the Windows build (its
            // close-before-rename path).
            for t in [
                "journal::crash_tests::every_state_a_power_cut_can_leave_reopens_with_what_was_promised ... ok",
                "journal::crash_tests::every_operation_failing_in_turn_poisons_or_fails_one_call_as_the_rules_say ... ok",
            ] {
                assert!(r.stdout.contains(t), "{t}\n{}", r.describe());
            }
        }
    }
}

#[test]
fn posix_only_programs_are_not_built_for_windows() {
    // fork_test.c and sigpipe_test.c test fork() and SIGPIPE, which Windows does not
    // have (the library needs no fork handling there): they run on Linux targets only.
    for (source, posix) in [
        ("tests/c/fork_test.c", "fork("),
        ("tests/c/sigpipe_test.c", "SIGPIPE"),
    ] {
        let text = fs::read_to_string(Path::new(MANIFEST_DIR).join(source)).unwrap();
        assert!(text.contains(posix), "{source} no longer uses {posix}");
        eprintln!("NOTICE: {source} is not run on Windows: it tests {posix}, POSIX-only");
    }
}

// ------------------------------------------------------------------------------------
// 32-bit Windows

/// Why the i686 programs are not run when `wine32` is missing: set by .ci/run (a
/// decision documented there: installing `wine32:i386` costs more CI time than it is
/// worth). Under `CI=true` a missing wine32 without this variable is a failure.
const WINE32_SKIP_VAR: &str = "CFRPD_WINE32_SKIP_REASON";

#[test]
fn i686_builds_links_and_runs_when_wine32_is_installed() {
    let Some(lib) = win_lib(X86) else { return };
    let quickstart_exe = compile(lib, X86, "examples/c/quickstart.c", Link::Static);
    let abi_exe = compile(lib, X86, "tests/c/abi_test.c", Link::Static);
    for exe in [&quickstart_exe, &abi_exe] {
        let dump = Command::new("i686-w64-mingw32-objdump")
            .arg("-f")
            .arg(exe)
            .output()
            .expect("objdump");
        let dump = String::from_utf8_lossy(&dump.stdout);
        assert!(dump.contains("pei-i386"), "{}: {dump}", exe.display());
    }
    if wine::wine32().is_none() {
        common::skip::skip_unless_deliberate(
            "running the i686 programs under wine",
            "i686 programs built and linked, NOT run: 32-bit wine (wine32:i386) is not installed",
            WINE32_SKIP_VAR,
        );
        return;
    }
    quickstart(X86, &quickstart_exe);
    abi_test(X86, &abi_exe);
}
