//! The cross targets of the C library, as the tests see them: for each Rust triple, its
//! toolchain values from `targets.mk` (read through `make -s print-target TARGET=...`,
//! so the Makefile's table stays the one definition) and whether its tools are here.
//!
//! Self-contained (no `super::`); used by tests/it/abi.rs and tests/it/cross.rs.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The shipped cross targets (targets.mk SUPPORTED_TARGETS), in the order tests report them.
pub const TARGETS: &[&str] = &[
    "armv7-unknown-linux-gnueabihf",
    "aarch64-unknown-linux-gnu",
    "aarch64-unknown-linux-musl",
    "x86_64-unknown-linux-musl",
    "i686-unknown-linux-gnu",
    "x86_64-pc-windows-gnu",
    "i686-pc-windows-gnu",
];

/// One target's toolchain values.
#[derive(Debug, Clone)]
pub struct Target {
    pub triple: String,
    /// zig, gcc or vendor (targets.mk TOOLCHAIN).
    pub toolchain: String,
    /// linux or windows.
    pub os: String,
    /// gnu, musl or mingw.
    pub libc: String,
    /// Prefix of the target's GNU binutils (`arm-linux-gnueabihf-`; empty: this machine's).
    pub gnu_prefix: String,
    /// The C compiler for programs with the C library shared (argv).
    pub cc: Vec<String>,
    /// The C compiler for fully static programs (argv, ends with `-static`).
    pub static_cc: Vec<String>,
    /// How a program runs here (argv prefix; empty: natively).
    pub runner: Vec<String>,
    /// Files of the shared library in c-dist (`libcashfree_rpd.so`, or the DLL, its
    /// import library and .def; none for musl).
    pub shared_files: Vec<String>,
}

impl Target {
    /// A binutils tool of the target (`objdump` -> `arm-linux-gnueabihf-objdump`).
    pub fn tool(&self, name: &str) -> String {
        format!("{}{name}", self.gnu_prefix)
    }

    pub fn is_windows(&self) -> bool {
        self.os == "windows"
    }

    pub fn exe_suffix(&self) -> &'static str {
        if self.is_windows() {
            ".exe"
        } else {
            ""
        }
    }

    /// `triple` with `-` as `_` (file and test names).
    pub fn ident(&self) -> String {
        self.triple.replace('-', "_")
    }
}

/// A `make` command in the crate root without the variables `cargo test` sets for this
/// process (ring's build script reruns when they change, rebuilding the library).
pub fn make() -> Command {
    let mut cmd = Command::new("make");
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        let keep = ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_TERM_COLOR"];
        if (k.starts_with("CARGO_") && !keep.contains(&k.as_str()))
            || k == "OUT_DIR"
            || k == "LD_LIBRARY_PATH"
            || k == "MAKEFLAGS"
            || k == "MFLAGS"
        {
            cmd.env_remove(&k);
        }
    }
    cmd.current_dir(MANIFEST_DIR)
        .arg("--no-print-directory")
        .arg(format!("CARGO={}", env!("CARGO")));
    cmd
}

/// The values of `triple` from targets.mk.
pub fn target(triple: &str) -> Target {
    let out = make()
        .args(["-s", "print-target"])
        .arg(format!("TARGET={triple}"))
        .stdin(Stdio::null())
        .output()
        .expect("run make print-target");
    assert!(
        out.status.success(),
        "make print-target TARGET={triple}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let get = |k: &str| -> String {
        v.get(k)
            .unwrap_or_else(|| panic!("make print-target printed no {k}:\n{text}"))
            .to_string()
    };
    let words = |k: &str| -> Vec<String> { get(k).split_whitespace().map(String::from).collect() };
    Target {
        triple: triple.to_string(),
        toolchain: get("TOOLCHAIN"),
        os: get("TARGET_OS"),
        libc: get("TARGET_LIBC"),
        gnu_prefix: get("GNU_PREFIX"),
        cc: words("TARGET_CC"),
        static_cc: words("STATIC_CC"),
        runner: words("RUNNER"),
        shared_files: words("SHARED_FILES"),
    }
}

/// Whether the command `argv[0]` can be started (`--version`, or `version` for zig).
pub fn runs(argv0: &str) -> bool {
    let probe = |arg: &str| {
        Command::new(argv0)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    probe("--version") || probe("version")
}

/// Whether every tool in `tools` runs. When one does not: under `CI=true` a failure
/// (.ci/run installs them all), elsewhere a recorded skip (`super::skip`).
pub fn tools_or_skip(tools: &[&str], what: &str) -> bool {
    for t in tools {
        if !runs(t) {
            super::skip::skip_or_fail(what, &format!("`{t}` is not installed"));
            return false;
        }
    }
    true
}

/// Whether the Rust standard library for `triple` is installed (`rustup target add`).
pub fn rust_target_installed(triple: &str) -> bool {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("run rustc");
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot)
        .join("lib/rustlib")
        .join(triple)
        .join("lib")
        .is_dir()
}
