//! The README's "Building for your terminal or app" routes, run as written. Each fenced
//! block after a `<!-- run: tests/it/readme_routes.rs (NAME) -->` line is taken from
//! README.md (never retyped here) and run with `bash -euo pipefail` from the repository
//! root, the way a user pastes it into a shell on a fresh clone:
//! - zig route: armv7 library, the quickstart linked with `zig cc` against glibc 2.17,
//!   `make check-glibc`, run under `qemu-arm -L ...`;
//! - CMake route: staged `make install`, examples/c built with the glibc-2.17 toolchain
//!   file, `make check-glibc`, run under qemu;
//! - Windows route: x86-64 DLL and static quickstarts, the wine stand-in, both run under
//!   wine.
//!
//! Every route runs twice: without `CARGO_TARGET_DIR`, and with it set to another path
//! (a symbolic link to the same target directory, so nothing is built twice; that no
//! command names `target/` except through `${CARGO_TARGET_DIR:-target}` is checked on
//! the text). The quickstarts talk to an in-process emulator that pays every request,
//! and must print the whole flow. `make check-glibc` must also refuse a program linked
//! with Debian's gcc (GLIBC_2.34).
//!
//! The release builds take minutes on 2 cores the first time (.ci/run builds the same
//! ARM library in its platform step).
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common;
use common::cross;

use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MARK: &str = "<!-- run: tests/it/readme_routes.rs (";

/// The blocks of README.md marked for this test: (route name, shell text).
fn routes() -> BTreeMap<String, String> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let mut out = BTreeMap::new();
    for (i, _) in readme.match_indices(MARK) {
        let rest = &readme[i + MARK.len()..];
        let name = rest[..rest.find(") -->").expect("a closed mark")].to_string();
        let after = &rest[rest.find("-->").unwrap() + 3..];
        let body = after
            .trim_start_matches('\n')
            .strip_prefix("```sh\n")
            .unwrap_or_else(|| panic!("the mark of {name:?} is not followed by a ```sh block"));
        let block = &body[..body.find("\n```").expect("a closed block") + 1];
        out.insert(name, block.to_string());
    }
    out
}

#[test]
fn the_readme_marks_the_three_routes_and_names_no_fixed_target_dir() {
    let r = routes();
    assert_eq!(
        r.keys().map(String::as_str).collect::<Vec<_>>(),
        ["CMake route", "Windows route", "zig route"]
    );
    for (name, block) in &r {
        for (n, line) in block.lines().enumerate() {
            let without = line.replace("${CARGO_TARGET_DIR:-target}", "");
            assert!(
                !without.contains("target/") || without.contains("-target "),
                "{name}, line {}: names target/ directly (CARGO_TARGET_DIR would be ignored): {line}",
                n + 1
            );
        }
    }
    assert!(r["zig route"].contains("qemu-arm -L /usr/arm-linux-gnueabihf"));
    assert!(r["zig route"].contains("make check-glibc APP="));
    assert!(r["CMake route"].contains("glibc2.17.cmake"));
    assert!(r["Windows route"].contains("make wine-prng-standin"));
}

/// Whether everything a route needs is here (under CI=true: a failure if not).
fn have(route: &str, tools: &[&str], triple: &str, extra: &[&Path]) -> bool {
    let what = format!("README {route}");
    if !cross::tools_or_skip(tools, &what) {
        return false;
    }
    if !cross::rust_target_installed(triple) {
        common::skip::skip_or_fail(&what, &format!("`rustup target add {triple}` was not run"));
        return false;
    }
    for p in extra {
        if !p.exists() {
            common::skip::skip_or_fail(&what, &format!("{} is missing", p.display()));
            return false;
        }
    }
    true
}

/// Runs `block` with bash from the repository root, with the emulator's variables, once
/// without and once with CARGO_TARGET_DIR; `check` looks at each run's stdout.
fn run_twice(route: &str, block: &str, extra_env: &[(&str, String)], check: impl Fn(&str)) {
    let emu = Emulator::start(Options {
        auto_pay_after: Some(Duration::from_millis(300)),
        ..Options::default()
    })
    .expect("emulator");
    let target = Path::new(ROOT).join("target");
    // One link per route: the routes' tests run in parallel.
    let alias = std::env::temp_dir().join(format!(
        "cfrpd-readme-target-{}-{}",
        std::process::id(),
        route.replace(' ', "-")
    ));
    let _ = std::fs::remove_file(&alias);
    std::os::unix::fs::symlink(&target, &alias).expect("symlink the target directory");
    for with_var in [false, true] {
        // make's environment as the other tests give it (cargo's CARGO_*, MAKEFLAGS
        // removed), for the make commands of the block.
        let make = cross::make();
        let mut bash = Command::new("bash");
        for (k, v) in make.get_envs() {
            match v {
                Some(v) => bash.env(k, v),
                None => bash.env_remove(k),
            };
        }
        bash.args(["-euo", "pipefail", "-c", block])
            .current_dir(ROOT)
            .stdin(Stdio::null())
            .env_remove("CARGO_TARGET_DIR")
            .env("CASHFREE_BASE_URL", emu.base_url())
            .env("CASHFREE_CLIENT_ID", TEST_CLIENT_ID)
            .env("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET)
            .env("CFRPD_POLL_INTERVAL_MS", "500")
            .env("CFRPD_WAIT_TIMEOUT_MS", "60000");
        for (k, v) in extra_env {
            bash.env(k, v);
        }
        if with_var {
            bash.env("CARGO_TARGET_DIR", &alias);
        }
        let out = bash.output().expect("run bash");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "README {route} (CARGO_TARGET_DIR {}) failed: {}\n--- stdout ---\n{stdout}\n--- stderr (end) ---\n{}",
            if with_var { "set" } else { "unset" },
            out.status,
            &stderr[stderr.len().saturating_sub(6000)..]
        );
        check(&stdout);
    }
    let _ = std::fs::remove_file(&alias);
}

/// The quickstart's whole flow on stdout, as many times as it ran.
fn flow_ok(stdout: &str, runs: usize) {
    for want in [
        "verification_id: quickstart-",
        "or scan:",
        "outcome:           SUCCESS",
        "name at bank:      JOHN DOE",
    ] {
        assert_eq!(stdout.matches(want).count(), runs, "{want:?} in\n{stdout}");
    }
}

fn remove(paths: &[&str]) {
    for p in paths {
        let p = Path::new(ROOT).join(p);
        let _ = std::fs::remove_file(&p);
        let _ = std::fs::remove_dir_all(&p);
    }
}

const ARM_TRIPLE: &str = "armv7-unknown-linux-gnueabihf";

fn arm_tools(route: &str) -> bool {
    // `make zig-tools` (the route's first command) needs PyPI when its venv is missing:
    // without the venv this is a skip (CI makes it before the tests).
    let venv = std::env::var("ZIG_VENV").unwrap_or_else(|_| "/tmp/cfrpd-zig".into());
    let zigbuild = Path::new(&venv).join("bin/cargo-zigbuild");
    have(
        route,
        &[
            "qemu-arm",
            "arm-linux-gnueabihf-gcc",
            "cmake",
            "readelf",
            "python3",
            "man",
        ],
        ARM_TRIPLE,
        &[Path::new("/usr/arm-linux-gnueabihf/lib"), &zigbuild],
    )
}

/// The ARM routes share the release library: one test runs both, in order.
#[test]
fn readme_arm_routes_zig_and_cmake_run_under_qemu_within_glibc_2_17() {
    if !arm_tools("zig and CMake routes") {
        return;
    }
    let r = routes();
    remove(&["quickstart-armv7", "sysroot", "build-arm"]);
    run_twice("zig route", &r["zig route"], &[], |out| {
        assert!(out.contains("quickstart-armv7: needs GLIBC_2."), "{out}");
        flow_ok(out, 1);
    });
    let sysroot = format!("{ROOT}/sysroot");
    run_twice(
        "CMake route",
        &r["CMake route"],
        &[("MANWIDTH", "80".into())],
        |out| {
            assert!(
                out.contains("build-arm/quickstart: needs GLIBC_2."),
                "{out}"
            );
            flow_ok(out, 1);
            // pkg-config on the staged tree: paths inside it.
            assert!(out.contains(&format!("-I{sysroot}/usr/include")), "{out}");
            assert!(out.contains(&format!("{sysroot}/usr/lib")), "{out}");
            // The staged manual pages: man finds the new function's page.
            assert!(out.contains("cfrpd_qr_to_text"), "{out}");
        },
    );
    // Every page of man/man3 was staged: the functions', the types' and the overview.
    let staged = Path::new(&sysroot).join("usr/share/man/man3");
    let wanted: Vec<_> = std::fs::read_dir(Path::new(ROOT).join("man/man3"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(wanted.len() > 60, "{wanted:?}");
    for page in &wanted {
        assert!(staged.join(page).is_file(), "{page:?} was not staged");
    }
    // The check is not a formality: Debian's gcc links against GLIBC_2.34, refused.
    let gcc_app = Path::new(ROOT).join("target/readme-gcc-app");
    let o = Command::new("arm-linux-gnueabihf-gcc")
        .args(["-x", "c", "-", "-o"])
        .arg(&gcc_app)
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            let src = b"#include <stdio.h>\n#include <sys/random.h>\nint main(void){char b[4];return getrandom(b,4,0)<0||printf(\"x\")<0;}\n";
            c.stdin.take().unwrap().write_all(src)?;
            c.wait_with_output()
        })
        .expect("run arm-linux-gnueabihf-gcc");
    assert!(o.status.success(), "{o:?}");
    let o = cross::make()
        .arg("check-glibc")
        .arg(format!("APP={}", gcc_app.display()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "make's exit status for a failed recipe: {o:?}"
    );
    assert!(err.contains("newer than GLIBC_2.17"), "{err}");
    let _ = std::fs::remove_file(gcc_app);
    remove(&["quickstart-armv7", "sysroot", "build-arm"]);
}

#[test]
fn readme_windows_route_runs_the_dll_and_static_programs_under_wine() {
    let triple = "x86_64-pc-windows-gnu";
    if !have(
        "Windows route",
        &["x86_64-w64-mingw32-gcc", "wine"],
        triple,
        &[],
    ) {
        return;
    }
    if common::wine::wine64().is_none() {
        common::skip::skip_or_fail("README Windows route", "wine64 is not installed");
        return;
    }
    let r = routes();
    let files = [
        "quickstart-dll.exe",
        "quickstart-static.exe",
        "cashfree_rpd.dll",
        "bcryptprimitives.dll",
    ];
    remove(&files);
    let prefix: PathBuf = common::wine::prefix().to_path_buf();
    run_twice(
        "Windows route",
        &r["Windows route"],
        &[
            ("WINEPREFIX", prefix.display().to_string()),
            ("WINEDEBUG", "-all".to_string()),
        ],
        |out| flow_ok(out, 2),
    );
    remove(&files);
}
