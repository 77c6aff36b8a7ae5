//! The C library on the cross targets (targets.mk), end to end on this x86-64 machine:
//! `make lib TARGET=<triple> PROFILE=dev` builds it with the target's toolchain, the C
//! programs below are linked with the target's C compiler (the README's link command)
//! and run against emulators on loopback — under `qemu-arm -L /usr/arm-linux-gnueabihf`
//! / `qemu-aarch64 -L /usr/aarch64-linux-gnu`, natively for i686 and musl.
//!
//! - armv7 and aarch64 glibc run the full C set ([`PROGRAMS`]), check that the shared
//!   library and a program need nothing newer than GLIBC_2.17 (`objdump -T`), and link
//!   the quickstart fully static (static glibc) and run it;
//! - i686 glibc and the two musl targets run the quickstart and abi_test; musl programs
//!   are fully static (`file`).
//! - Windows (x86_64 and i686): the packaging (the DLL exports exactly the header's
//!   functions, the .def lists them, a program links against the import library and one
//!   against the static library). Running Windows programs under wine: tests/it/windows.rs.
//!
//! Each line `cross: <triple>: <program> passed` in the output is one program that ran
//! on that target. A target whose tools are missing (Rust target, cross compiler, qemu,
//! zig) is skipped with a notice; under `CI=true` that is a failure (.ci/run installs
//! them all).
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cashfree_rpd_emulator::{Emulator, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use common::cbuild::{self, run_under, work_dir, Run};
use common::cenv::*;
use common::cheader;
use common::cross::{self, Target};
use common::tls::{self, Leaf, Pki, Server};

/// Which targets run a program: all tested Linux targets, or only the full-set ones
/// (armv7 and aarch64 glibc).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Set {
    Basic,
    Full,
}

/// A C program of the cross run and how its output is checked. Adding a program is one
/// line here.
struct Program {
    source: &'static str,
    set: Set,
    check: fn(&Built, &Path),
}

const PROGRAMS: &[Program] = &[
    Program {
        source: "examples/c/quickstart.c",
        set: Set::Basic,
        check: quickstart,
    },
    Program {
        source: "tests/c/abi_test.c",
        set: Set::Basic,
        check: abi_test,
    },
    Program {
        source: "tests/c/qr_test.c",
        set: Set::Full,
        check: qr_test,
    },
    Program {
        source: "examples/c/print_qr.c",
        set: Set::Full,
        check: print_qr,
    },
    Program {
        source: "tests/c/threads_test.c",
        set: Set::Full,
        check: threads_test,
    },
    Program {
        source: "tests/c/fork_test.c",
        set: Set::Full,
        check: fork_test,
    },
    Program {
        source: "tests/c/sigpipe_test.c",
        set: Set::Full,
        check: sigpipe_test,
    },
    // Run when the file exists (the call-deadline cases from C).
    Program {
        source: "tests/c/deadline_test.c",
        set: Set::Full,
        check: deadline_test,
    },
];

/// The library built for one target and where its programs go.
struct Built {
    target: Target,
    /// Snapshot of c-dist/libcashfree_rpd.a in the work dir.
    archive: PathBuf,
    /// c-dist/ of the build.
    dist: PathBuf,
    native_libs: Vec<String>,
}

// ------------------------------------------------------------------------------------
// Building

/// `target/` of this test binary.
fn target_dir() -> PathBuf {
    let parent = cbuild::profile_dir().parent().unwrap().to_path_buf();
    if parent.join("CACHEDIR.TAG").exists() {
        parent
    } else {
        parent.parent().unwrap().to_path_buf()
    }
}

/// Runs `cmd`; panics with its output unless it succeeds; returns stdout.
fn ok(cmd: &mut Command) -> String {
    let what = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether `triple` can be built and run here; a notice (a failure under CI=true) if not.
fn available(t: &Target, run: bool) -> bool {
    let what = format!("the cross test of {}", t.triple);
    if !cross::rust_target_installed(&t.triple) {
        common::skip::skip_or_fail(
            &what,
            &format!(
                "the Rust target is not installed (rustup target add {})",
                t.triple
            ),
        );
        return false;
    }
    let mut tools = vec![t.cc[0].as_str()];
    let ld = t.tool("ld");
    tools.push(&ld);
    if run {
        if let Some(r) = t.runner.first() {
            tools.push(r);
        }
    }
    cross::tools_or_skip(&tools, &what)
}

/// `make lib TARGET=<triple> PROFILE=dev` (one build at a time: they share cargo's lock
/// and the machine's cores).
fn build(triple: &str) -> Built {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let target = cross::target(triple);
    let started = Instant::now();
    {
        let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        ok(cross::make()
            .args(["lib", "PROFILE=dev"])
            .arg(format!("TARGET={triple}"))
            .env("CARGO_TARGET_DIR", target_dir()));
    }
    eprintln!(
        "cross: {triple}: make lib PROFILE=dev ({} toolchain) took {:.0}s",
        target.toolchain,
        started.elapsed().as_secs_f64()
    );
    let dist = target_dir().join(triple).join("debug/c-dist");
    let archive = work_dir().join(format!("libcashfree_rpd-{triple}.a"));
    cbuild::snapshot(&dist.join("libcashfree_rpd.a"), &archive);
    let native_libs = fs::read_to_string(dist.join("native-static-libs"))
        .unwrap()
        .split_whitespace()
        .map(String::from)
        .collect();
    Built {
        target,
        archive,
        dist,
        native_libs,
    }
}

/// Links `source` (relative to the crate root) with the target's C compiler against the
/// static library: `cc -std=c11 -Iinclude SOURCE libcashfree_rpd.a $(native-static-libs)`
/// (+ `-static` on Windows and musl). `fully_static`: the STATIC_CC route instead
/// (static glibc: `-lgcc_s` becomes `-lgcc_eh`, there is no static libgcc_s).
fn compile(b: &Built, source: &str, fully_static: bool) -> PathBuf {
    let t = &b.target;
    let stem = Path::new(source).file_stem().unwrap().to_string_lossy();
    let exe = work_dir().join(format!(
        "{}-{stem}{}{}",
        t.triple,
        if fully_static { "-static" } else { "" },
        t.exe_suffix()
    ));
    let cc = if fully_static || t.libc == "musl" {
        &t.static_cc
    } else {
        &t.cc
    };
    let root = Path::new(cbuild::MANIFEST_DIR);
    let mut cmd = Command::new(&cc[0]);
    cmd.args(&cc[1..])
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-g",
            "-O0",
        ])
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join(source))
        .arg(&b.archive)
        .arg("-Wl,--gc-sections");
    if t.is_windows() {
        cmd.arg("-static");
    }
    for lib in &b.native_libs {
        if fully_static && lib == "-lgcc_s" {
            cmd.arg("-lgcc_eh");
        } else {
            cmd.arg(lib);
        }
    }
    cmd.arg("-o").arg(&exe);
    ok(&mut cmd);
    exe
}

/// The GLIBC_x.y versions `file` needs (`objdump -T` of the target), highest last.
fn glibc_versions(t: &Target, file: &Path) -> Vec<(u32, u32)> {
    let out = ok(Command::new(t.tool("objdump")).arg("-T").arg(file));
    let mut v: Vec<(u32, u32)> = out
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|w| w.strip_prefix("GLIBC_"))
        .filter_map(|v| {
            let mut p = v.split('.');
            Some((p.next()?.parse().ok()?, p.next()?.parse().ok()?))
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn assert_glibc_at_most_2_17(t: &Target, file: &Path) {
    let v = glibc_versions(t, file);
    let max = *v.last().expect("no GLIBC_ versions: not a glibc binary?");
    assert!(
        max <= (2, 17),
        "{} needs GLIBC_{}.{} (> 2.17): {v:?}",
        file.display(),
        max.0,
        max.1
    );
    eprintln!(
        "cross: {}: {} needs at most GLIBC_{}.{}",
        t.triple,
        file.file_name().unwrap().to_string_lossy(),
        max.0,
        max.1
    );
}

fn file_says(path: &Path) -> String {
    ok(Command::new("file").arg("-b").arg(path))
}

// ------------------------------------------------------------------------------------
// Running

fn run(b: &Built, exe: &Path, args: &[&str], env: &BTreeMap<String, String>) -> Run {
    run_under(&b.target.runner, exe, args, env)
}

fn quickstart(b: &Built, exe: &Path) {
    let paid = emulator(None);
    let mut env = base_env(&paid.base_url());
    env.insert("CFRPD_POLL_INTERVAL_MS".into(), "300".into());
    env.insert("CFRPD_WAIT_TIMEOUT_MS".into(), "60000".into());
    let id = format!("xqs-{}", run_id());
    let r = with_payer(&paid, || run(b, exe, &[&id], &env));
    assert!(r.status.success(), "{}", r.describe());
    for want in [
        format!("verification_id: {id} (ref_id "),
        "pay 1 rupee with:  upi://pay?".to_string(),
        "poll 1: CREATED".to_string(),
        "outcome:           SUCCESS".to_string(),
        "account:           026291800001191".to_string(),
        "DIRECT_MATCH".to_string(),
    ] {
        assert!(
            r.stdout.contains(&want),
            "missing {want:?}\n{}",
            r.describe()
        );
    }
    assert_eq!(paid.stats().creates_received, 1);
    // Wrong secret: the error's name and HTTP status, exit status 1, no secret.
    let mut bad = env.clone();
    bad.insert("CASHFREE_CLIENT_SECRET".into(), "wrong-secret".into());
    let r = run(b, exe, &[], &bad);
    assert_eq!(r.status.code(), Some(1), "{}", r.describe());
    assert!(
        r.stderr.contains("CFRPD_ERR_UNAUTHORIZED"),
        "{}",
        r.describe()
    );
    assert!(r.stderr.contains("http_status 401"), "{}", r.describe());
    assert!(!r.stderr.contains("wrong-secret"), "{}", r.describe());
}

fn abi_test(b: &Built, exe: &Path) {
    let plain = emulator(None);
    let autopay = emulator(Some(Duration::from_millis(700)));
    let mut env = base_env(&plain.base_url());
    env.insert("CFRPD_TEST_AUTOPAY_BASE_URL".into(), autopay.base_url());
    env.insert("CFRPD_TEST_CLOSED_URL".into(), closed_url());
    webhook_env(&mut env);
    let r = run(b, exe, &[], &env);
    assert_all_passed(&r, 250);
    assert_only_valid_ids_sent(&plain);
    assert_only_valid_ids_sent(&autopay);
}

fn qr_test(b: &Built, exe: &Path) {
    let r = run(b, exe, &[], &BTreeMap::new());
    assert_all_passed(&r, 150);
}

/// print_qr against the emulator; `zbarimg` decodes the PBM it wrote back to the
/// upi_link it printed.
fn print_qr(b: &Built, exe: &Path) {
    if !cross::tools_or_skip(&["zbarimg"], "decoding print_qr's PBM") {
        return;
    }
    let emu = Emulator::start_default().expect("emulator");
    let id = format!("xqr-{}", run_id());
    let bin = work_dir().join(format!("{}-{id}.bin", b.target.triple));
    let pbm = work_dir().join(format!("{}-{id}.pbm", b.target.triple));
    let mut env = BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".to_string(), TEST_CLIENT_ID.to_string());
    env.insert(
        "CASHFREE_CLIENT_SECRET".to_string(),
        TEST_CLIENT_SECRET.to_string(),
    );
    env.insert("CASHFREE_BASE_URL".to_string(), emu.base_url());
    let r = run(
        b,
        exe,
        &[
            "--id",
            &id,
            "--scale",
            "3",
            bin.to_str().unwrap(),
            pbm.to_str().unwrap(),
        ],
        &env,
    );
    assert!(r.status.success(), "{}", r.describe());
    let upi_link = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("upi_link: "))
        .unwrap_or_else(|| panic!("no upi_link line\n{}", r.describe()))
        .to_string();
    let out = ok(Command::new("zbarimg").args(["--raw", "-q"]).arg(&pbm));
    assert_eq!(out.trim_end_matches('\n'), upi_link);
    let _ = fs::remove_file(bin);
    let _ = fs::remove_file(pbm);
}

fn threads_test(b: &Built, exe: &Path) {
    let calls = 40u32;
    let emu = emulator(None);
    let mut env = base_env(&emu.base_url());
    env.insert("CFRPD_THREADS_CALLS".into(), calls.to_string());
    let r = run(b, exe, &[], &env);
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

fn fork_test(b: &Built, exe: &Path) {
    let calls = 40u32;
    let emu = emulator(None);
    let mut env = base_env(&emu.base_url());
    env.insert("CFRPD_FORK_CALLS".into(), calls.to_string());
    let r = run(b, exe, &[], &env);
    assert!(r.status.success(), "{}", r.describe());
    for who in ["parent", "child"] {
        let want = format!("{who}: {calls} ok, 0 failed");
        assert!(
            r.stdout.lines().any(|l| l == want),
            "{want}\n{}",
            r.describe()
        );
    }
    let stats = emu.stats();
    assert_eq!(stats.creates_received, 2, "{stats:?}");
    assert_eq!(stats.status_received, 1 + 2 * u64::from(calls), "{stats:?}");
}

fn sigpipe_test(b: &Built, exe: &Path) {
    let rounds = 10u32;
    let pki = Pki::new("cross-sigpipe");
    let plain = Server::start(tls::plain_fin_then_reset());
    let tls_server = Server::start(tls::tls_flight_then_reset(
        pki.server_config(Leaf::Good, &[&rustls::version::TLS13]),
    ));
    let mut env = BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".to_string(), TEST_CLIENT_ID.to_string());
    env.insert(
        "CASHFREE_CLIENT_SECRET".to_string(),
        TEST_CLIENT_SECRET.to_string(),
    );
    env.insert("CFRPD_TEST_PLAIN_URL".to_string(), plain.url("http"));
    env.insert("CFRPD_TEST_TLS_URL".to_string(), tls_server.url("https"));
    env.insert("CFRPD_TEST_CA_PEM".to_string(), pki.ca_pem.clone());
    env.insert("CFRPD_TEST_ROUNDS".to_string(), rounds.to_string());
    let r = run(b, exe, &[], &env);
    assert!(r.status.success(), "{}", r.describe());
    assert!(
        r.stdout.contains("sigpipe_test: 0 failures"),
        "{}",
        r.describe()
    );
    assert!(tls_server.accepted() >= u64::from(2 * rounds));
}

/// The call-deadline cases of tests/common/dlservers.rs (the same servers as natively
/// and under wine). Emulated CPUs are slow: the allowed overshoot is 150 ms here (50 ms
/// natively and under wine).
fn deadline_test(b: &Built, exe: &Path) {
    let label = format!("cross: {}", b.target.triple);
    common::dlservers::run_checked(&label, 150, |env| {
        let mut all = base_env("http://127.0.0.1:9/verification");
        all.extend(env.clone());
        Some(run(b, exe, &[], &all))
    });
}

/// "qemu-arm", "qemu-aarch64" or "native".
fn how_run(t: &Target) -> &str {
    match t.runner.first() {
        Some(r) if r.starts_with("qemu") => r,
        _ => "native",
    }
}

/// Builds the library for `triple`, then links and runs every program of `set`.
fn run_programs(triple: &str, set: Set) -> Option<Built> {
    let t = cross::target(triple);
    if !available(&t, true) {
        return None;
    }
    let b = build(triple);
    for p in PROGRAMS {
        if p.set == Set::Full && set == Set::Basic {
            continue;
        }
        if !Path::new(cbuild::MANIFEST_DIR).join(p.source).exists() {
            eprintln!("cross: {triple}: {} does not exist, not run", p.source);
            continue;
        }
        let started = Instant::now();
        let exe = compile(&b, p.source, false);
        (p.check)(&b, &exe);
        eprintln!(
            "cross: {triple}: {} passed ({}, {:.1}s)",
            p.source,
            how_run(&b.target),
            started.elapsed().as_secs_f64()
        );
        let _ = fs::remove_file(exe);
    }
    Some(b)
}

/// The glibc floor and the static-glibc route of the full-set targets.
fn glibc_floor_and_static(b: &Built) {
    let t = &b.target;
    // The shared library and a program linked with the documented command.
    assert_glibc_at_most_2_17(t, &b.dist.join("libcashfree_rpd.so"));
    let exe = compile(b, "examples/c/quickstart.c", false);
    assert_glibc_at_most_2_17(t, &exe);
    let _ = fs::remove_file(exe);
    // Fully static (static glibc): runs without the target's libraries (no -L).
    let exe = compile(b, "examples/c/quickstart.c", true);
    let what = file_says(&exe);
    assert!(what.contains("statically linked"), "{what}");
    let no_sysroot = vec![t.runner[0].clone()];
    let paid = emulator(None);
    let mut env = base_env(&paid.base_url());
    env.insert("CFRPD_POLL_INTERVAL_MS".into(), "300".into());
    let r = with_payer(&paid, || run_under(&no_sysroot, &exe, &[], &env));
    assert!(r.status.success(), "{}", r.describe());
    assert!(
        r.stdout.contains("outcome:           SUCCESS"),
        "{}",
        r.describe()
    );
    eprintln!(
        "cross: {}: quickstart linked -static (static glibc) passed ({})",
        t.triple, t.runner[0]
    );
    let _ = fs::remove_file(exe);
}

#[test]
fn armv7_unknown_linux_gnueabihf() {
    if let Some(b) = run_programs("armv7-unknown-linux-gnueabihf", Set::Full) {
        glibc_floor_and_static(&b);
    }
}

#[test]
fn aarch64_unknown_linux_gnu() {
    if let Some(b) = run_programs("aarch64-unknown-linux-gnu", Set::Full) {
        glibc_floor_and_static(&b);
    }
}

#[test]
fn i686_unknown_linux_gnu() {
    run_programs("i686-unknown-linux-gnu", Set::Basic);
}

fn musl(triple: &str) {
    if let Some(b) = run_programs(triple, Set::Basic) {
        let exe = compile(&b, "examples/c/quickstart.c", false);
        let what = file_says(&exe);
        assert!(what.contains("statically linked"), "{what}");
        let _ = fs::remove_file(exe);
    }
}

#[test]
fn aarch64_unknown_linux_musl() {
    musl("aarch64-unknown-linux-musl");
}

#[test]
fn x86_64_unknown_linux_musl() {
    musl("x86_64-unknown-linux-musl");
}

// ------------------------------------------------------------------------------------
// Windows packaging (running the programs under wine: tests/it/windows.rs)

/// The functions the header declares, sorted.
fn header_functions() -> Vec<String> {
    let mut names = cheader::read().function_names();
    names.sort();
    names.dedup();
    names
}

/// The names in a PE file's export table (`objdump -p`).
fn dll_exports(t: &Target, dll: &Path) -> Vec<String> {
    let out = ok(Command::new(t.tool("objdump")).arg("-p").arg(dll));
    let mut names = Vec::new();
    let mut table = false;
    for line in out.lines() {
        if line.starts_with("[Ordinal/Name Pointer] Table") {
            table = true;
        } else if table && line.trim().is_empty() {
            table = false;
        } else if table {
            names.push(line.split_whitespace().last().unwrap().to_string());
        }
    }
    names.sort();
    names
}

/// The DLLs a PE program imports (`objdump -p`, "DLL Name:").
fn dll_imports(t: &Target, exe: &Path) -> Vec<String> {
    ok(Command::new(t.tool("objdump")).arg("-p").arg(exe))
        .lines()
        .filter_map(|l| l.trim().strip_prefix("DLL Name: "))
        .map(|s| s.to_ascii_lowercase())
        .collect()
}

fn windows_packaging(triple: &str, pointer_size: u32) {
    let t = cross::target(triple);
    if !available(&t, false) {
        return;
    }
    let b = build(triple);
    let declared = header_functions();
    // The DLL exports exactly the header's functions, and the .def lists them.
    assert_eq!(dll_exports(&t, &b.dist.join("cashfree_rpd.dll")), declared);
    let def = fs::read_to_string(b.dist.join("cashfree_rpd.def")).unwrap();
    let mut lines = def.lines();
    assert_eq!(lines.next(), Some("LIBRARY cashfree_rpd.dll"));
    assert_eq!(lines.next(), Some("EXPORTS"));
    let listed: Vec<String> = lines.map(|l| l.trim().to_string()).collect();
    assert_eq!(listed, declared, "cashfree_rpd.def");
    eprintln!(
        "cross: {triple}: cashfree_rpd.dll exports exactly the {} cfrpd_* functions, as the .def lists",
        declared.len()
    );

    // A program linked through the import library imports cashfree_rpd.dll; one linked
    // with the static library does not.
    let root = Path::new(cbuild::MANIFEST_DIR);
    let shared_exe = work_dir().join(format!("{triple}-quickstart-dll.exe"));
    ok(Command::new(&t.cc[0])
        .args(&t.cc[1..])
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(root.join("include"))
        .arg(root.join("examples/c/quickstart.c"))
        .arg(format!("-L{}", b.dist.display()))
        .args(["-lcashfree_rpd", "-o"])
        .arg(&shared_exe));
    let imports = dll_imports(&t, &shared_exe);
    assert!(
        imports.contains(&"cashfree_rpd.dll".to_string()),
        "{imports:?}"
    );
    let static_exe = compile(&b, "examples/c/quickstart.c", false);
    let imports = dll_imports(&t, &static_exe);
    assert!(
        !imports.contains(&"cashfree_rpd.dll".to_string()),
        "{imports:?}"
    );
    assert!(
        !imports
            .iter()
            .any(|d| d.contains("winpthread") || d.contains("libgcc")),
        "a -static program needs no mingw runtime DLLs: {imports:?}"
    );
    eprintln!(
        "cross: {triple}: quickstart links with the import library and with the static library"
    );

    // make install: the DLL in bin/, the rest in lib/, CMake's pointer size.
    let stage = work_dir().join(format!("stage-{triple}"));
    let _ = fs::remove_dir_all(&stage);
    ok(cross::make()
        .args(["install", "PROFILE=dev", "PREFIX=/usr"])
        .arg(format!("TARGET={triple}"))
        .arg(format!("DESTDIR={}", stage.display()))
        .env("CARGO_TARGET_DIR", target_dir()));
    for f in [
        "bin/cashfree_rpd.dll",
        "lib/libcashfree_rpd.dll.a",
        "lib/cashfree_rpd.def",
        "lib/libcashfree_rpd.a",
        "include/cashfree_rpd.h",
        "lib/pkgconfig/cashfree_rpd.pc",
        "lib/cmake/cashfree_rpd/cashfree_rpdConfig.cmake",
    ] {
        assert!(
            stage.join("usr").join(f).exists(),
            "make install left no {f}"
        );
    }
    // The installed DLL is stripped (no symbol table, smaller) and exports the same.
    let built = b.dist.join("cashfree_rpd.dll");
    let installed = stage.join("usr/bin/cashfree_rpd.dll");
    assert!(
        fs::metadata(&installed).unwrap().len() < fs::metadata(&built).unwrap().len(),
        "the installed DLL is not smaller than the built one"
    );
    let syms = Command::new(t.tool("nm"))
        .arg(&installed)
        .output()
        .expect("run nm");
    assert!(
        String::from_utf8_lossy(&syms.stderr).contains("no symbols"),
        "the installed DLL still has a symbol table: {}",
        String::from_utf8_lossy(&syms.stdout)
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(dll_exports(&t, &installed), declared);
    let version = fs::read_to_string(
        stage.join("usr/lib/cmake/cashfree_rpd/cashfree_rpdConfigVersion.cmake"),
    )
    .unwrap();
    assert!(
        version.contains(&format!("STREQUAL \"{pointer_size}\"")),
        "SIZEOF_VOID_P {pointer_size} in\n{version}"
    );
    let config =
        fs::read_to_string(stage.join("usr/lib/cmake/cashfree_rpd/cashfree_rpdConfig.cmake"))
            .unwrap();
    assert!(
        config.contains("${_cfrpd_bindir}/cashfree_rpd.dll"),
        "{config}"
    );
    assert!(
        config.contains("${_cfrpd_libdir}/libcashfree_rpd.dll.a"),
        "{config}"
    );
    let _ = fs::remove_dir_all(&stage);
    eprintln!("cross: {triple}: make install puts the DLL in bin/, the rest in lib/");
}

#[test]
fn x86_64_pc_windows_gnu_packaging() {
    windows_packaging("x86_64-pc-windows-gnu", 8);
}

#[test]
fn i686_pc_windows_gnu_packaging() {
    windows_packaging("i686-pc-windows-gnu", 4);
}

// ------------------------------------------------------------------------------------
// The vendor toolchain route

/// Setting cargo's compiler variable for a target (a terminal SDK's gcc) makes `make`
/// use plain cargo with it, take the binutils from the same prefix and link programs
/// with it — no zig.
#[test]
fn vendor_compiler_variables_select_the_vendor_route() {
    if !cross::tools_or_skip(&["make"], "the vendor route") {
        return;
    }
    let sdk_gcc = "/opt/vos3-sdk/bin/arm-none-linux-gnueabihf-gcc";
    let out = ok(cross::make()
        .args(["-s", "print-target", "TARGET=armv7-unknown-linux-gnueabihf"])
        .env("CC_armv7_unknown_linux_gnueabihf", sdk_gcc)
        .env("CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER", sdk_gcc));
    for want in [
        "TOOLCHAIN=vendor".to_string(),
        "GNU_PREFIX=/opt/vos3-sdk/bin/arm-none-linux-gnueabihf-".to_string(),
        format!("TARGET_CC={sdk_gcc}"),
        format!("STATIC_CC={sdk_gcc} -static"),
    ] {
        assert!(out.lines().any(|l| l == want), "{want} in\n{out}");
    }
    // Without them: the zig route (glibc 2.17).
    let out = ok(cross::make()
        .args(["-s", "print-target", "TARGET=armv7-unknown-linux-gnueabihf"])
        .env_remove("CC_armv7_unknown_linux_gnueabihf")
        .env_remove("CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER"));
    assert!(out.lines().any(|l| l == "TOOLCHAIN=zig"), "{out}");
    assert!(out.contains("-target arm-linux-gnueabihf.2.17"), "{out}");
}
