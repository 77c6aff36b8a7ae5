//! Running Windows test programs under wine (tests/it/windows.rs): finds wine, keeps one
//! WINEPREFIX under `target/wine-prefix` (initialised once, then reused by later runs),
//! and builds the TEST-ONLY stand-in `bcryptprimitives.dll` (tests/windows/) that goes
//! next to each test `.exe`: Debian's wine 8.0 lacks `ProcessPrng`, which Rust's std
//! imports. The stand-in is never shipped (`make lib` does not build it).
//!
//! Skip convention (as tests/common/cprog.rs): when wine or the mingw-w64 compiler is
//! missing the caller prints why and skips; under `CI=true` that is a failure.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use super::cbuild::{profile_dir, MANIFEST_DIR};
use super::skip::skip_or_fail;

/// The 64-bit Windows target the full C set runs on.
pub const X64: &str = "x86_64-pc-windows-gnu";
/// The 32-bit Windows target (built and linked; run only with 32-bit wine).
pub const X86: &str = "i686-pc-windows-gnu";

/// The mingw-w64 tool prefix for a Windows target.
pub fn mingw_prefix(triple: &str) -> &'static str {
    match triple {
        X64 => "x86_64-w64-mingw32",
        X86 => "i686-w64-mingw32",
        other => panic!("not a Windows target: {other}"),
    }
}

/// The mingw-w64 C compiler for `triple`.
pub fn mingw_gcc(triple: &str) -> String {
    format!("{}-gcc", mingw_prefix(triple))
}

/// The variables cargo needs to build the library for a Windows target here: the
/// linker, and the C compiler and archiver for ring's C parts.
pub fn cargo_env(triple: &str) -> Vec<(String, String)> {
    let prefix = mingw_prefix(triple);
    let upper = triple.to_ascii_uppercase().replace('-', "_");
    let lower = triple.replace('-', "_");
    vec![
        (
            format!("CARGO_TARGET_{upper}_LINKER"),
            format!("{prefix}-gcc"),
        ),
        (format!("CC_{lower}"), format!("{prefix}-gcc")),
        (format!("AR_{lower}"), format!("{prefix}-ar")),
    ]
}

/// Whether `tool --version` runs.
pub fn runs(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The wine loader for 64-bit programs: Debian's `/usr/lib/wine/wine64` (the `wine`
/// wrapper warns about a missing wine32 on every start), else `wine64` or `wine`.
pub fn wine64() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let direct = Path::new("/usr/lib/wine/wine64");
            if direct.exists() {
                return Some(direct.to_path_buf());
            }
            ["wine64", "wine"]
                .into_iter()
                .find(|w| runs(w))
                .map(PathBuf::from)
        })
        .clone()
}

/// The wine loader for 32-bit programs: Debian's `/usr/lib/wine/wine` from `wine32:i386`
/// (the `wine` wrapper runs 64-bit programs without it, but not 32-bit ones).
pub fn wine32() -> Option<PathBuf> {
    let direct = Path::new("/usr/lib/wine/wine");
    direct.exists().then(|| direct.to_path_buf())
}

/// `target/wine-prefix`, initialised once (`wineboot --init` takes ~10-30 s the first
/// time; later runs reuse it). Gecko and Mono installs are suppressed.
pub fn prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let target = profile_dir()
            .ancestors()
            .find(|d| d.join("CACHEDIR.TAG").exists())
            .expect("the target directory")
            .to_path_buf();
        let dir = target.join("wine-prefix");
        let done = dir.join(".cfrpd-initialised");
        if !done.exists() {
            let wine = wine64().expect("wine");
            std::fs::create_dir_all(&dir).expect("create the wine prefix");
            let started = Instant::now();
            let mut cmd = Command::new(&wine);
            cmd.args(["wineboot", "--init"]);
            set_env(&mut cmd, &dir);
            let st = cmd.status().expect("run wineboot");
            assert!(st.success(), "wineboot --init failed: {st}");
            // Wait until the prefix is written out.
            let mut w = Command::new(wineserver(&wine));
            set_env(&mut w, &dir);
            let _ = w.arg("-w").status();
            std::fs::write(&done, b"").expect("mark the prefix");
            eprintln!(
                "wine: initialised {} in {:.1} s",
                dir.display(),
                started.elapsed().as_secs_f64()
            );
        }
        dir
    })
}

/// The wineserver beside the loader.
fn wineserver(wine: &Path) -> PathBuf {
    let beside = wine.with_file_name("wineserver");
    if beside.exists() {
        beside
    } else {
        PathBuf::from("wineserver")
    }
}

fn set_env(cmd: &mut Command, prefix: &Path) {
    cmd.env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        // No Gecko/Mono install prompts; the stand-in next to the .exe wins over
        // wine's own bcryptprimitives.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=;bcryptprimitives=n,b")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
}

/// A command that runs the 64-bit Windows program `exe` under wine (with the stand-in
/// DLL placed next to it), or `None` after printing why not (a failure under
/// `CI=true`).
pub fn command(exe: &Path) -> Option<Command> {
    command_for(exe, X64)
}

/// [`command`] for a program built for `triple` ([`X64`] or [`X86`]).
pub fn command_for(exe: &Path, triple: &str) -> Option<Command> {
    let (wine, package) = if triple == X86 {
        (wine32(), "wine32:i386")
    } else {
        (wine64(), "wine64")
    };
    let Some(wine) = wine else {
        skip_or_fail(
            &format!("running {} under wine", exe.display()),
            &format!("wine is not installed (Debian package {package})"),
        );
        return None;
    };
    if !runs(&mingw_gcc(triple)) {
        skip_or_fail(
            "building the bcryptprimitives stand-in",
            &format!(
                "{} is not installed (Debian gcc-mingw-w64)",
                mingw_gcc(triple)
            ),
        );
        return None;
    }
    standin_beside(exe, triple);
    let mut cmd = Command::new(wine);
    set_env(&mut cmd, prefix());
    cmd.arg(exe);
    Some(cmd)
}

/// Builds the TEST-ONLY `bcryptprimitives.dll` (tests/windows/) into the directory of
/// `exe`, unless it is already there.
pub fn standin_beside(exe: &Path, triple: &str) -> PathBuf {
    let dir = exe.parent().expect("exe dir");
    let dll = dir.join("bcryptprimitives.dll");
    if dll.exists() {
        return dll;
    }
    let src = Path::new(MANIFEST_DIR).join("tests/windows");
    let tmp = dir.join(format!("bcryptprimitives.dll.{}", std::process::id()));
    let mut cmd = Command::new(mingw_gcc(triple));
    cmd.args(["-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-o"])
        .arg(&tmp)
        .arg(src.join("bcryptprimitives_standin.c"))
        .arg(src.join("bcryptprimitives_standin.def"))
        .arg("-ladvapi32");
    if triple == X86 {
        // ProcessPrng is __stdcall there: export it undecorated, as Windows does.
        cmd.args(["-Wl,--kill-at", "-Wl,--enable-stdcall-fixup"]);
    }
    let out = cmd.output().expect("run the mingw compiler");
    assert!(
        out.status.success(),
        "building the bcryptprimitives stand-in failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Renamed into place: parallel tests may build it at the same time.
    std::fs::rename(&tmp, &dll).expect("place the stand-in DLL");
    dll
}
