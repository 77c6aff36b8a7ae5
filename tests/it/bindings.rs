//! The Python and .NET bindings (bindings/python, bindings/dotnet), run from the
//! README's test command: `make python` / `make dotnet`, then each binding's own test suite
//! against an emulator started here (its URL in `CFRPD_EMULATOR_URL`). Python: mypy
//! (`--python-version 3.8 --strict`, `CFRPD_MYPY` or `mypy` on PATH), the wheel that
//! `pip install ./bindings/python` builds (and its failure without the library), then
//! `python3 -m unittest`. .NET: `mcs`, then the test program under `mono`, whose
//! declaration dump `scripts/bindings_abi.py` checks against the header and `abi/`.
//!
//! A missing tool (python3, mypy, mcs, mono) is a skip recorded by `common::skip`, and a
//! failure under `CI=true` (`.ci/run` installs them all).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cashfree_rpd_emulator::{Emulator, Options};

use crate::common::skip;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `target/<profile>` of this test binary.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The cargo target dir (`target/`, or the parent of `target/<triple>`): the one with
/// cargo's `.rustc_info.json` (`CACHEDIR.TAG` is not always there).
fn target_dir() -> PathBuf {
    let parent = profile_dir().parent().unwrap().to_path_buf();
    if parent.join(".rustc_info.json").exists() || parent.join("CACHEDIR.TAG").exists() {
        parent
    } else {
        parent.parent().unwrap().to_path_buf()
    }
}

fn describe(what: &str, out: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `cmd`; panics with its output unless it succeeds; returns stdout + stderr.
fn ok(cmd: &mut Command) -> String {
    let what = format!("{cmd:?}");
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{}", describe(&what, &out));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `make <goal>` in the repository, with this test's cargo and target dir, and without
/// the CARGO_* variables `cargo test` sets (they would make a nested cargo rebuild).
fn make(goal: &str) -> Command {
    let mut cmd = Command::new("make");
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
    cmd.current_dir(MANIFEST_DIR)
        .arg("--no-print-directory")
        .arg(format!("CARGO={}", env!("CARGO")))
        .arg(goal)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS");
    cmd
}

fn bindings_out(lang: &str) -> PathBuf {
    target_dir().join("release").join("bindings").join(lang)
}

/// A scratch directory of this process under `target/<profile>/bindings-tests/`.
fn scratch(name: &str) -> PathBuf {
    let dir = profile_dir()
        .join("bindings-tests")
        .join(format!("{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn python() -> String {
    std::env::var("CFRPD_BINDINGS_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".to_string())
}

fn mypy() -> String {
    std::env::var("CFRPD_MYPY")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "mypy".to_string())
}

#[test]
fn python_binding_builds_type_checks_and_passes_its_tests() {
    const TEST: &str = "bindings::python_binding_builds_type_checks_and_passes_its_tests";
    let py = python();
    if !skip::require_tool(TEST, &py, "python3") || !skip::require_tool(TEST, "make", "make") {
        return;
    }
    println!("{}", ok(&mut make("python")));
    let folder = bindings_out("python");
    assert!(
        folder
            .join("cashfree_rpd")
            .join("libcashfree_rpd.so")
            .is_file(),
        "make python left no library in {}",
        folder.display()
    );
    let src = Path::new(MANIFEST_DIR).join("bindings").join("python");

    // Type hints: mypy for Python 3.8 (the oldest supported), strict.
    let mypy = mypy();
    if skip::require_tool_with(
        TEST,
        &mypy,
        &["--version"],
        "python3-mypy, or mypy==1.14.1 from PyPI in a venv as .ci/run installs it; CFRPD_MYPY=its path",
    ) {
        let cache = scratch("mypy-cache");
        println!(
            "{}",
            ok(Command::new(&mypy)
                .current_dir(&src)
                .args(["--python-version", "3.8", "--strict", "--cache-dir"])
                .arg(&cache)
                .arg("cashfree_rpd"))
        );
    }

    // `pip install ./bindings/python`: the wheel holds the library ...
    let has_pip = skip::require_tool_with(TEST, &py, &["-m", "pip", "--version"], "python3-pip");
    if has_pip {
        let wheels = scratch("wheel");
        ok(Command::new(&py)
            .current_dir(MANIFEST_DIR)
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("CFRPD_LIBRARY")
            .args(["-m", "pip", "wheel", "--no-deps", "-q", "-w"])
            .arg(&wheels)
            .arg(&src));
        let listing = ok(Command::new(&py)
            .arg("-c")
            .arg(
                "import glob, sys, zipfile\n\
                 [w] = glob.glob(sys.argv[1] + '/cashfree_rpd-*-py3-none-linux_*.whl')\n\
                 print(w); print('\\n'.join(zipfile.ZipFile(w).namelist()))",
            )
            .arg(&wheels));
        assert!(
            listing.contains("cashfree_rpd/libcashfree_rpd.so")
                && listing.contains("cashfree_rpd/_client.py")
                && listing.contains("cashfree_rpd/py.typed"),
            "{listing}"
        );
        // ... and without the library the build fails, naming `make python`.
        let empty = scratch("no-library");
        let out = Command::new(&py)
            .current_dir(MANIFEST_DIR)
            .env("CARGO_TARGET_DIR", &empty)
            .env_remove("CFRPD_LIBRARY")
            .args(["-m", "pip", "wheel", "--no-deps", "-q", "-w"])
            .arg(empty.join("out"))
            .arg(&src)
            .output()
            .unwrap();
        let text = describe("pip wheel without the library", &out);
        assert!(!out.status.success(), "{text}");
        assert!(text.contains("make python"), "{text}");
    }

    // The binding's tests, against an emulator of this process.
    let emu = Emulator::start(Options::default()).expect("emulator starts");
    let tests = src.join("tests");
    let out = Command::new(&py)
        .current_dir(&tests)
        .env("PYTHONPATH", &folder)
        .env("CFRPD_EMULATOR_URL", emu.base_url())
        .env_remove("CFRPD_LIBRARY")
        .args(["-m", "unittest", "discover", "-v", "-s", "."])
        .arg("-t")
        .arg(".")
        .output()
        .unwrap();
    let text = describe("python3 -m unittest (bindings/python/tests)", &out);
    println!("{text}");
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("skipped"), "a Python test skipped:\n{text}");
}

#[test]
fn dotnet_binding_builds_matches_the_header_and_passes_its_tests() {
    const TEST: &str = "bindings::dotnet_binding_builds_matches_the_header_and_passes_its_tests";
    if !skip::require_tool_with(TEST, "mcs", &["--version"], "mono-mcs")
        || !skip::require_tool_with(TEST, "mono", &["--version"], "mono-runtime")
        || !skip::require_tool(TEST, "python3", "python3")
        || !skip::require_tool(TEST, "make", "make")
    {
        return;
    }
    println!("{}", ok(&mut make("dotnet")));
    let folder = bindings_out("dotnet");
    let dll = folder.join("CashfreeRpd.dll");
    assert!(dll.is_file() && folder.join("libcashfree_rpd.so").is_file());

    // The test program, outside the artefact folder (mono finds CashfreeRpd.dll through
    // MONO_PATH, and libcashfree_rpd.so beside it).
    let work = scratch("dotnet");
    let exe = work.join("Tests.exe");
    ok(Command::new("mcs")
        .args([
            "-sdk:4.6.1",
            "-noconfig",
            "-r:System.dll",
            "-r:System.Core.dll",
        ])
        .arg(format!("-r:{}", dll.display()))
        .arg(format!("-out:{}", exe.display()))
        .arg(Path::new(MANIFEST_DIR).join("bindings/dotnet/tests/Tests.cs")));

    // Declarations against the header and every abi/ baseline (32-bit ones included):
    // Mono on x86-64 would not notice a wrong calling convention or bool size.
    let dump = ok(Command::new("mono")
        .env("MONO_PATH", &folder)
        .arg(&exe)
        .arg("--dump"));
    let dump_file = work.join("declarations.txt");
    std::fs::write(&dump_file, &dump).unwrap();
    println!(
        "{}",
        ok(Command::new("python3")
            .current_dir(MANIFEST_DIR)
            .arg("scripts/bindings_abi.py")
            .arg("check")
            .arg(&dump_file)
            .arg("bindings/dotnet/README.md"))
    );

    // A library of another version beside the assembly is refused, naming the version found.
    if skip::require_tool(TEST, "gcc", "gcc") {
        let stub = scratch("dotnet-stub");
        let mut c = String::from(
            "unsigned cfrpd_version_number(void) { return 20304; }\n\
             const char *cfrpd_version(void) { return \"2.3.4\"; }\n",
        );
        for line in dump.lines().filter(|l| l.starts_with("fn ")) {
            let name = line.split_whitespace().nth(1).unwrap();
            if !name.starts_with("cfrpd_version") {
                c.push_str(&format!("void {name}(void) {{}}\n"));
            }
        }
        std::fs::write(stub.join("stub.c"), c).unwrap();
        ok(Command::new("gcc")
            .args(["-shared", "-fPIC", "-o"])
            .arg(stub.join("libcashfree_rpd.so"))
            .arg(stub.join("stub.c")));
        std::fs::copy(&dll, stub.join("CashfreeRpd.dll")).unwrap();
        let refused = ok(Command::new("mono")
            .env("MONO_PATH", &stub)
            .arg(&exe)
            .args(["--expect-version-refused", "2.3.4"]));
        assert!(refused.contains("20304"), "{refused}");
    }

    let emu = Emulator::start(Options::default()).expect("emulator starts");
    let out = Command::new("mono")
        .current_dir(&work)
        .env("MONO_PATH", &folder)
        .env("CFRPD_EMULATOR_URL", emu.base_url())
        .env("CFRPD_SOURCE_DIR", MANIFEST_DIR)
        .arg(&exe)
        .output()
        .unwrap();
    let text = describe("mono Tests.exe (bindings/dotnet/tests)", &out);
    println!("{text}");
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("tests passed") && !text.contains("FAIL "),
        "{text}"
    );
}
