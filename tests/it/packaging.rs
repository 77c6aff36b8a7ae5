//! "Ships like a C library": what `make` + `make install` produce, used the way C and
//! C++ users use it.
//!
//! Once per test process: `make lib PROFILE=release` (override: `CFRPD_TEST_MAKE_PROFILE`)
//! in this test's target dir — the build `make install` installs, with the cleaned
//! static archive and the `native-static-libs` rustc printed — then two installs from it:
//! `make install DESTDIR=<work>/stage PREFIX=/usr` (CMake, relocatable) and
//! `make install PREFIX=<work>/prefix` (pkg-config and the README's commands).
//!
//! Checks: installed files and links; the SONAME (`readelf -d`); the installed archive
//! exports only `cfrpd_*` (`nm`), links with another Rust staticlib in both orders and
//! with C code defining Rust runtime names; pkg-config files; the CMake package
//! (tests/cmake_consumer: C and C++, `cashfree_rpd::static` and `::shared`, version
//! check); the README's link commands and CMake snippet exactly as written there. The
//! programs run against an in-process emulator.
//!
//! Tools: make, gcc/g++, binutils (readelf, nm, ld, objcopy), pkg-config, cmake. A test
//! whose tool is missing prints why it skips — and fails when `CI=true`.
#![cfg(target_os = "linux")]

use crate::common::skip;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const RUN_LIMIT: Duration = Duration::from_secs(120);

// ------------------------------------------------------------------------------------
// Tools, directories, commands

/// Whether `name` runs. When it does not: panics under `CI=true`, else records the skip.
fn tool(name: &str, test: &str) -> bool {
    skip::require_tool(test, name, name)
}

fn tools(names: &[&str], test: &str) -> bool {
    names.iter().all(|n| tool(n, test))
}

/// `target/<profile>` of this test binary.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The cargo target dir (`target/`, or the parent of `target/<triple>`).
fn target_dir() -> PathBuf {
    let parent = profile_dir().parent().unwrap().to_path_buf();
    if parent.join("CACHEDIR.TAG").exists() {
        parent
    } else {
        parent.parent().unwrap().to_path_buf()
    }
}

/// Scratch space of this process: `target/<profile>/packaging/<pid>`.
fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = profile_dir().join("packaging");
        for entry in fs::read_dir(&base).into_iter().flatten().flatten() {
            if !Path::new("/proc").join(entry.file_name()).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(std::process::id().to_string());
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn describe(what: &str, out: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `cmd`, panics with its output unless it succeeds; returns stdout.
fn ok(cmd: &mut Command) -> String {
    let what = format!("{cmd:?}");
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{}", describe(&what, &out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ------------------------------------------------------------------------------------
// The build and the installs

struct Installed {
    /// `target/<profile>/c-dist`: what `make install` copies.
    dist: PathBuf,
    /// `make install DESTDIR=<stage> PREFIX=/usr`: files under `<stage>/usr`.
    stage_usr: PathBuf,
    /// `make install PREFIX=<prefix>`.
    prefix: PathBuf,
}

/// The environment of a nested cargo: without the CARGO_PKG_*, CARGO_MANIFEST_* ... that
/// `cargo test` gives this process (ring's build script reruns when they change, which
/// would rebuild the library every time the test and a shell take turns).
fn clean_cargo_env(cmd: &mut Command) {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        let keep = ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_TERM_COLOR"];
        if (k.starts_with("CARGO_") && !keep.contains(&k.as_str()))
            || k == "OUT_DIR"
            || k == "LD_LIBRARY_PATH"
        {
            cmd.env_remove(&k);
        }
    }
}

fn make(args: &[String]) -> Command {
    let mut cmd = Command::new("make");
    clean_cargo_env(&mut cmd);
    cmd.current_dir(MANIFEST_DIR)
        .arg("--no-print-directory")
        .arg(format!("CARGO={}", env!("CARGO")))
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS");
    cmd
}

/// `make lib` and both installs, once per process; `None` (after a notice) without make.
fn installed(test: &str) -> Option<&'static Installed> {
    if !tools(&["make", "gcc", "readelf", "ld", "objcopy", "ar"], test) {
        return None;
    }
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    Some(INSTALLED.get_or_init(|| {
        let profile =
            std::env::var("CFRPD_TEST_MAKE_PROFILE").unwrap_or_else(|_| "release".to_string());
        let profile_arg = format!("PROFILE={profile}");
        eprintln!(
            "packaging: make lib {profile_arg} (CARGO_TARGET_DIR={})",
            target_dir().display()
        );
        let started = Instant::now();
        let out = make(&["lib".into(), profile_arg.clone()])
            .stdin(Stdio::null())
            .output()
            .expect("run make lib");
        assert!(out.status.success(), "{}", describe("make lib", &out));
        eprintln!(
            "packaging: make lib took {:.0}s",
            started.elapsed().as_secs_f64()
        );
        let dir = if profile == "dev" {
            "debug".to_string()
        } else {
            profile.clone()
        };
        let dist = target_dir().join(dir).join("c-dist");
        let stage = work_dir().join("stage");
        ok(&mut make(&[
            "install".into(),
            profile_arg.clone(),
            format!("DESTDIR={}", stage.display()),
            "PREFIX=/usr".into(),
        ]));
        let prefix = work_dir().join("prefix");
        ok(&mut make(&[
            "install".into(),
            profile_arg,
            format!("PREFIX={}", prefix.display()),
        ]));
        Installed {
            dist,
            stage_usr: stage.join("usr"),
            prefix,
        }
    }))
}

fn native_static_libs(inst: &Installed) -> Vec<String> {
    fs::read_to_string(inst.dist.join("native-static-libs"))
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

// ------------------------------------------------------------------------------------
// Running programs against the emulator

fn emulator() -> Emulator {
    Emulator::start(Options {
        auto_pay_after: Some(Duration::from_millis(300)),
        ..Options::default()
    })
    .expect("start emulator")
}

/// Runs `exe` with the emulator's credentials and `extra` env (CASHFREE_*/CFRPD_*/
/// LD_LIBRARY_PATH of the parent removed); returns (success, stdout + stderr).
fn run(exe: &Path, args: &[&str], base_url: &str, extra: &[(&str, String)]) -> (bool, String) {
    let mut cmd = Command::new(exe);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CASHFREE_") || k.starts_with("CFRPD_") || k == "LD_LIBRARY_PATH" {
            cmd.env_remove(k);
        }
    }
    let mut env = BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID", TEST_CLIENT_ID.to_string());
    env.insert("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET.to_string());
    env.insert("CASHFREE_BASE_URL", base_url.to_string());
    env.insert("CFRPD_POLL_INTERVAL_MS", "200".to_string());
    env.insert("CFRPD_WAIT_TIMEOUT_MS", "30000".to_string());
    for (k, v) in extra {
        env.insert(k, v.clone());
    }
    // One file per run: tests run in parallel, and several programs are called `app`.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out_path = work_dir().join(format!(
        "{}.{n}.out",
        exe.file_name().unwrap().to_string_lossy()
    ));
    let mut child = cmd
        .args(args)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} ran longer than {RUN_LIMIT:?}", exe.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    (
        status.success(),
        format!(
            "{} {status}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
            exe.display()
        ),
    )
}

/// A quickstart (C or C++) runs the whole flow against a fresh emulator.
fn assert_quickstart_works(exe: &Path, extra: &[(&str, String)]) {
    let emu = emulator();
    let (success, output) = run(exe, &[], &emu.base_url(), extra);
    assert!(success, "{output}");
    assert!(output.contains("outcome:           SUCCESS"), "{output}");
}

/// The NEEDED entries of an ELF file.
fn needed(file: &Path) -> Vec<String> {
    ok(Command::new("readelf").arg("-dW").arg(file))
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next().map(str::to_string))
        .collect()
}

fn assert_static(exe: &Path) {
    let n = needed(exe);
    assert!(
        !n.iter().any(|l| l.contains("cashfree_rpd")),
        "{} should not need a shared cashfree_rpd: {n:?}",
        exe.display()
    );
}

fn assert_shared(exe: &Path) {
    let n = needed(exe);
    assert!(
        n.iter().any(|l| l == "libcashfree_rpd.so.0"),
        "{} should need libcashfree_rpd.so.0: {n:?}",
        exe.display()
    );
}

// ------------------------------------------------------------------------------------
// Installed files, SONAME, symbols

#[test]
fn installed_files_and_soname() {
    let Some(inst) = installed("installed_files_and_soname") else {
        return;
    };
    for root in [&inst.stage_usr, &inst.prefix] {
        let lib = root.join("lib");
        for f in [
            "include/cashfree_rpd.h",
            "include/cashfree_rpd.hpp",
            "lib/libcashfree_rpd.a",
            "lib/pkgconfig/cashfree_rpd.pc",
            "lib/pkgconfig/cashfree_rpd-static.pc",
            "lib/cmake/cashfree_rpd/cashfree_rpdConfig.cmake",
            "lib/cmake/cashfree_rpd/cashfree_rpdConfigVersion.cmake",
            "share/man/man3/cashfree_rpd.3",
            "share/man/man3/cfrpd_create.3",
            "share/man/man3/cfrpd_status.3",
            "share/man/man3/cfrpd_poll_callback.3",
        ] {
            assert!(
                root.join(f).is_file(),
                "{f} was not installed in {}",
                root.display()
            );
        }
        let real = format!("libcashfree_rpd.so.{VERSION}");
        assert!(lib.join(&real).is_file());
        assert_eq!(
            fs::read_link(lib.join("libcashfree_rpd.so.0")).unwrap(),
            Path::new(&real)
        );
        assert_eq!(
            fs::read_link(lib.join("libcashfree_rpd.so")).unwrap(),
            Path::new("libcashfree_rpd.so.0")
        );
        let dynamic = ok(Command::new("readelf").arg("-dW").arg(lib.join(&real)));
        assert!(
            dynamic.contains("Library soname: [libcashfree_rpd.so.0]"),
            "no SONAME libcashfree_rpd.so.0:\n{dynamic}"
        );
    }
}

/// Defined global (and weak) symbols of `file`, by `nm`.
fn nm_defined_globals(file: &Path) -> Vec<String> {
    ok(Command::new("nm").args(["-g", "--defined-only"]).arg(file))
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3).then(|| f[2].to_string())
        })
        .collect()
}

#[test]
fn static_archive_exports_only_cfrpd_symbols() {
    let Some(inst) = installed("static_archive_exports_only_cfrpd_symbols") else {
        return;
    };
    if !tool("nm", "static_archive_exports_only_cfrpd_symbols") {
        return;
    }
    let archive = inst.prefix.join("lib/libcashfree_rpd.a");
    let mut globals = nm_defined_globals(&archive);
    globals.sort();
    let leaked: Vec<&String> = globals
        .iter()
        .filter(|s| !s.starts_with("cfrpd_"))
        .collect();
    assert!(
        leaked.is_empty(),
        "libcashfree_rpd.a exports more than cfrpd_*: {leaked:?}"
    );
    // The same functions as the shared library.
    let so = inst
        .prefix
        .join(format!("lib/libcashfree_rpd.so.{VERSION}"));
    let mut exported: Vec<String> = ok(Command::new("nm").args(["-D", "--defined-only"]).arg(&so))
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .filter(|s| s.starts_with("cfrpd_"))
        .collect();
    exported.sort();
    assert_eq!(
        globals, exported,
        "archive and shared library export different functions"
    );
    assert!(globals.len() >= 20, "{globals:?}");
}

// ------------------------------------------------------------------------------------
// Linking the archive with other Rust code and with C code using Rust's names

/// tests/other_staticlib built with this test's cargo (own target dir).
fn other_rust_staticlib() -> PathBuf {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let target = target_dir().join("packaging-other-staticlib");
        let mut cargo = Command::new(env!("CARGO"));
        clean_cargo_env(&mut cargo);
        ok(cargo
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(Path::new(MANIFEST_DIR).join("tests/other_staticlib/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS"));
        target.join("release/libother_rust_staticlib.a")
    })
    .clone()
}

fn link_mix(inst: &Installed, name: &str, objects: &[PathBuf], defines: &[&str]) -> PathBuf {
    let exe = work_dir().join(name);
    let mut cmd = Command::new("gcc");
    if defines.contains(&"OTHER_RUST") {
        // An ordinary Rust staticlib needs it on its own (as rustc always passes it): its
        // std refers to glibc 2.39 functions (pidfd_spawnp) from code nothing calls.
        // The cleaned libcashfree_rpd.a does not (garbage-collected when cleaned).
        cmd.arg("-Wl,--gc-sections");
    }
    cmd.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .arg(format!("-I{}", inst.prefix.join("include").display()))
        .args(defines.iter().map(|d| format!("-D{d}")))
        .arg(Path::new(MANIFEST_DIR).join("tests/c/link_mix.c"))
        .args(objects)
        .args(native_static_libs(inst))
        .arg("-o")
        .arg(&exe);
    ok(&mut cmd);
    exe
}

#[test]
fn static_archive_links_with_another_rust_staticlib_in_both_orders() {
    let test = "static_archive_links_with_another_rust_staticlib_in_both_orders";
    let Some(inst) = installed(test) else {
        return;
    };
    let ours = inst.prefix.join("lib/libcashfree_rpd.a");
    let other = other_rust_staticlib();
    let emu = emulator();
    for (name, order) in [
        ("mix-ours-first", vec![ours.clone(), other.clone()]),
        ("mix-other-first", vec![other.clone(), ours.clone()]),
    ] {
        let exe = link_mix(inst, name, &order, &["OTHER_RUST"]);
        let (success, output) = run(&exe, &[&emu.base_url()], &emu.base_url(), &[]);
        assert!(success, "{output}");
        assert!(output.contains("other rust staticlib: 42"), "{output}");
        // The emulator answered (401: link_mix.c uses made-up credentials): the
        // library's HTTP stack and error paths work.
        assert!(
            output.contains("status call: CFRPD_ERR_UNAUTHORIZED"),
            "{output}"
        );
    }
}

#[test]
fn static_archive_links_with_c_defining_rust_runtime_names() {
    let Some(inst) = installed("static_archive_links_with_c_defining_rust_runtime_names") else {
        return;
    };
    let ours = inst.prefix.join("lib/libcashfree_rpd.a");
    let names = Path::new(MANIFEST_DIR).join("tests/c/rust_names.c");
    let emu = emulator();
    for (name, order) in [
        ("names-c-first", vec![names.clone(), ours.clone()]),
        ("names-c-last", vec![ours.clone(), names.clone()]),
    ] {
        let exe = link_mix(inst, name, &order, &[]);
        let (success, output) = run(&exe, &[&emu.base_url()], &emu.base_url(), &[]);
        assert!(success, "{output}");
        assert!(
            output.contains("status call: CFRPD_ERR_UNAUTHORIZED"),
            "{output}"
        );
        assert!(output.contains("link_mix ok"), "{output}");
    }
}

// ------------------------------------------------------------------------------------
// pkg-config

#[test]
fn pkg_config_files() {
    let Some(inst) = installed("pkg_config_files") else {
        return;
    };
    if !tool("pkg-config", "pkg_config_files") {
        return;
    }
    let libs = native_static_libs(inst);
    assert!(libs.iter().any(|l| l == "-lpthread"), "{libs:?}");
    let pc_dir = inst.prefix.join("lib/pkgconfig");
    let pkg = |args: &[&str]| -> Vec<String> {
        ok(Command::new("pkg-config")
            .args(args)
            .env("PKG_CONFIG_PATH", &pc_dir)
            .env_remove("PKG_CONFIG_LIBDIR")
            .env_remove("PKG_CONFIG_SYSROOT_DIR"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
    };
    assert_eq!(pkg(&["--modversion", "cashfree_rpd"]), [VERSION]);
    let lib_dir = inst.prefix.join("lib").display().to_string();
    let shared = pkg(&["--libs", "cashfree_rpd"]);
    assert_eq!(
        shared,
        [format!("-L{lib_dir}"), "-lcashfree_rpd".to_string()]
    );
    // --static adds exactly what rustc asked for.
    let with_private = pkg(&["--libs", "--static", "cashfree_rpd"]);
    for l in &libs {
        assert!(
            with_private.contains(l),
            "{l} missing from {with_private:?}"
        );
    }
    let static_pc = pkg(&["--libs", "cashfree_rpd-static"]);
    assert_eq!(
        static_pc[0],
        format!("{lib_dir}/libcashfree_rpd.a"),
        "{static_pc:?}"
    );
    for l in &libs {
        assert!(static_pc.contains(l), "{l} missing from {static_pc:?}");
    }
}

// ------------------------------------------------------------------------------------
// The README's commands, exactly as written there

/// The `sh` code block following `heading` in README.md: its lines starting with `cc `.
fn readme_block(heading: &str, lang: &str) -> String {
    let readme = fs::read_to_string(Path::new(MANIFEST_DIR).join("README.md")).unwrap();
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no heading {heading:?}"));
    let rest = &readme[start..];
    let fence = format!("```{lang}\n");
    let open = rest
        .find(&fence)
        .unwrap_or_else(|| panic!("no ```{lang} block after {heading:?} in README.md"))
        + fence.len();
    let len = rest[open..].find("```").unwrap();
    rest[open..open + len].to_string()
}

#[test]
fn readme_link_commands() {
    let test = "readme_link_commands";
    let Some(inst) = installed(test) else {
        return;
    };
    if !tools(&["pkg-config", "cc"], test) {
        return;
    }
    let block = readme_block("### Linking", "sh");
    let commands: Vec<&str> = block.lines().filter(|l| l.starts_with("cc ")).collect();
    assert!(
        commands.len() >= 4,
        "expected 4 cc commands in README's Linking block:\n{block}"
    );

    // A directory that looks like the README assumes: app.c, and for the build-tree
    // command include/ and target/release/c-dist/ (links to this build).
    let dir = work_dir().join("readme");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("target/release")).unwrap();
    fs::copy(
        Path::new(MANIFEST_DIR).join("examples/c/quickstart.c"),
        dir.join("app.c"),
    )
    .unwrap();
    std::os::unix::fs::symlink(Path::new(MANIFEST_DIR).join("include"), dir.join("include"))
        .unwrap();
    std::os::unix::fs::symlink(&inst.dist, dir.join("target/release/c-dist")).unwrap();
    let lib_dir = inst.prefix.join("lib").display().to_string();

    let (mut statics, mut shareds, mut rpaths) = (0, 0, 0);
    for command in commands {
        let _ = fs::remove_file(dir.join("app"));
        ok(Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&dir)
            .env("PKG_CONFIG_PATH", inst.prefix.join("lib/pkgconfig"))
            .env_remove("PKG_CONFIG_LIBDIR")
            .env_remove("LIBRARY_PATH"));
        let app = dir.join("app");
        assert!(app.is_file(), "`{command}` made no ./app");
        if command.contains("cashfree_rpd-static") || command.contains("libcashfree_rpd.a") {
            statics += 1;
            assert_static(&app);
            assert_quickstart_works(&app, &[]);
        } else if command.contains("-rpath") {
            rpaths += 1;
            assert_shared(&app);
            assert_quickstart_works(&app, &[]);
        } else {
            shareds += 1;
            assert_shared(&app);
            // What `ldconfig` does for an installed copy.
            assert_quickstart_works(&app, &[("LD_LIBRARY_PATH", lib_dir.clone())]);
        }
        eprintln!("packaging: README command ok: {command}");
    }
    assert!(statics >= 2 && shareds >= 1 && rpaths >= 1, "{block}");
}

// ------------------------------------------------------------------------------------
// CMake

fn cmake_configure(source: &Path, build: &Path, prefix: &Path, extra: &[String]) -> Output {
    let _ = fs::remove_dir_all(build);
    Command::new("cmake")
        .arg("-S")
        .arg(source)
        .arg("-B")
        .arg(build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .arg("-DCMAKE_BUILD_TYPE=Release")
        .args(extra)
        .env_remove("CMAKE_PREFIX_PATH")
        .output()
        .expect("run cmake")
}

fn cmake_build(build: &Path) {
    ok(Command::new("cmake")
        .arg("--build")
        .arg(build)
        .args(["--parallel", "2"]));
}

#[test]
fn cmake_consumer_static_and_shared() {
    let test = "cmake_consumer_static_and_shared";
    let Some(inst) = installed(test) else {
        return;
    };
    if !tools(&["cmake", "g++"], test) {
        return;
    }
    let build = work_dir().join("cmake-consumer");
    let source = Path::new(MANIFEST_DIR).join("tests/cmake_consumer");
    let out = cmake_configure(&source, &build, &inst.stage_usr, &[]);
    assert!(
        out.status.success(),
        "{}",
        describe("cmake configure", &out)
    );
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains(&format!("cashfree_rpd {VERSION} from")),
        "{log}"
    );
    cmake_build(&build);
    for lang in ["c", "cpp"] {
        let exe = build.join(format!("quickstart_{lang}_static"));
        assert_static(&exe);
        assert_quickstart_works(&exe, &[]);
        // The shared one finds the staged library through CMake's build-tree rpath.
        let exe = build.join(format!("quickstart_{lang}_shared"));
        assert_shared(&exe);
        assert_quickstart_works(&exe, &[]);
    }
}

#[test]
fn cmake_version_check() {
    let test = "cmake_version_check";
    let Some(inst) = installed(test) else {
        return;
    };
    if !tool("cmake", test) {
        return;
    }
    let source = Path::new(MANIFEST_DIR).join("tests/cmake_consumer");
    let (major, minor) = {
        let mut p = VERSION.split('.');
        let major: u32 = p.next().unwrap().parse().unwrap();
        let minor: u32 = p.next().unwrap().parse().unwrap();
        (major, minor)
    };
    let same = format!("{major}.{minor}");
    let next_minor = format!("{major}.{}", minor + 1);
    let next_major = format!("{}.0", major + 1);
    // Older than installed within the compatible series: accepted. Anything newer, or of
    // another major (another minor while the major is 0): refused.
    let mut cases = vec![(same.clone(), true), (VERSION.to_string(), true)];
    cases.push((next_minor.clone(), false));
    cases.push((next_major, false));
    if major == 0 && minor > 0 {
        cases.push((format!("0.{}", minor - 1), false));
    }
    for (want, accepted) in cases {
        let build = work_dir().join(format!("cmake-version-{want}"));
        let out = cmake_configure(
            &source,
            &build,
            &inst.stage_usr,
            &[format!("-DCFRPD_WANT_VERSION={want}")],
        );
        assert_eq!(
            out.status.success(),
            accepted,
            "find_package(cashfree_rpd {want}) with {VERSION} installed\n{}",
            describe("cmake configure", &out)
        );
        let _ = fs::remove_dir_all(build);
    }
}

#[test]
fn readme_cmake_snippet() {
    let test = "readme_cmake_snippet";
    let Some(inst) = installed(test) else {
        return;
    };
    if !tool("cmake", test) {
        return;
    }
    let snippet = readme_block("### CMake", "cmake");
    let dir = work_dir().join("readme-cmake");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::copy(
        Path::new(MANIFEST_DIR).join("examples/c/quickstart.c"),
        dir.join("app.c"),
    )
    .unwrap();
    let mut variants = vec![("static", snippet.clone())];
    // The snippet's comment names the other target: build that too.
    assert!(snippet.contains("cashfree_rpd::static"), "{snippet}");
    assert!(snippet.contains("cashfree_rpd::shared"), "{snippet}");
    variants.push((
        "shared",
        snippet.replace(
            "PRIVATE cashfree_rpd::static",
            "PRIVATE cashfree_rpd::shared",
        ),
    ));
    for (kind, text) in variants {
        fs::write(dir.join("CMakeLists.txt"), &text).unwrap();
        let build = dir.join(format!("build-{kind}"));
        let out = cmake_configure(&dir, &build, &inst.prefix, &[]);
        assert!(
            out.status.success(),
            "{}",
            describe("cmake configure", &out)
        );
        cmake_build(&build);
        let app = build.join("app");
        if kind == "static" {
            assert_static(&app);
        } else {
            assert_shared(&app);
        }
        assert_quickstart_works(&app, &[]);
    }
}

#[test]
fn make_uninstall_removes_everything() {
    let Some(_) = installed("make_uninstall_removes_everything") else {
        return;
    };
    let profile = std::env::var("CFRPD_TEST_MAKE_PROFILE").unwrap_or_else(|_| "release".into());
    let prefix = work_dir().join("uninstall-prefix");
    let args = |target: &str| {
        vec![
            target.to_string(),
            format!("PROFILE={profile}"),
            format!("PREFIX={}", prefix.display()),
        ]
    };
    ok(&mut make(&args("install")));
    assert!(prefix.join("lib/libcashfree_rpd.so.0").exists());
    ok(&mut make(&args("uninstall")));
    let mut left = Vec::new();
    let mut dirs = vec![prefix.clone()];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                dirs.push(p);
            } else {
                left.push(p);
            }
        }
    }
    assert!(left.is_empty(), "make uninstall left {left:?}");
}

/// The cleaned archive (one merged object, symbols localized, thread-locals included)
/// under concurrency: tests/c/threads_test.c linked against the installed copy.
#[test]
fn cleaned_archive_runs_the_c_threads_test() {
    let Some(inst) = installed("cleaned_archive_runs_the_c_threads_test") else {
        return;
    };
    let exe = work_dir().join("threads-installed");
    ok(Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-pthread"])
        .arg(format!("-I{}", inst.prefix.join("include").display()))
        .arg(Path::new(MANIFEST_DIR).join("tests/c/threads_test.c"))
        .arg(inst.prefix.join("lib/libcashfree_rpd.a"))
        .args(native_static_libs(inst))
        .arg("-o")
        .arg(&exe));
    let emu = Emulator::start(Options::default()).expect("start emulator");
    let calls = 50;
    let (success, output) = run(
        &exe,
        &[],
        &emu.base_url(),
        &[("CFRPD_THREADS_CALLS", calls.to_string())],
    );
    assert!(success, "{output}");
    assert!(
        output.contains(&format!("{} passed, 0 failed", 8 * calls)),
        "{output}"
    );
}

#[test]
fn readme_cmake_cpp_snippet() {
    let test = "readme_cmake_cpp_snippet";
    let Some(inst) = installed(test) else {
        return;
    };
    if !tool("cmake", test) {
        return;
    }
    let snippet = readme_block("### C++", "cmake");
    assert!(snippet.contains("cashfree_rpd::static"), "{snippet}");
    let dir = work_dir().join("readme-cmake-cpp");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::copy(
        Path::new(MANIFEST_DIR).join("examples/cpp/quickstart.cpp"),
        dir.join("app.cpp"),
    )
    .unwrap();
    fs::write(dir.join("CMakeLists.txt"), &snippet).unwrap();
    let build = dir.join("build");
    let out = cmake_configure(&dir, &build, &inst.prefix, &[]);
    assert!(
        out.status.success(),
        "{}",
        describe("cmake configure", &out)
    );
    cmake_build(&build);
    let app = build.join("app");
    assert_static(&app);
    assert_quickstart_works(&app, &[]);
}
