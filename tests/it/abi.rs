//! The C ABI baseline: `abi/cashfree_rpd.abi` describes what C programs compiled against
//! `include/cashfree_rpd.h` and linked to `libcashfree_rpd.so.0` depend on — every
//! exported function with its prototype, every struct's size, alignment and field
//! offsets (measured by compiling a C program against the header), the typedefs and the
//! `#define` constants. This test regenerates the description and fails when it differs
//! from the committed file, so an ABI change can only land together with an updated
//! baseline (and a reviewer sees the diff).
//!
//! Regenerate: `make abi` (= `CFRPD_BLESS_ABI=1 cargo test -p cashfree-rpd --test it -- abi:: --skip c_abi::`).
//! Deterministic: sorted, no paths, no compiler versions, no crate version (the
//! `CFRPD_VERSION*` macros are left out).
//!
//! Also checks that the shared library exports exactly the functions the header declares
//! (a stale header fails here too: `make header`).
//!
//! Per target: `abi/<triple>.abi` records the struct layouts of every shipped cross target
//! (armv7 and i686 are ILP32 — and differ: `int64_t` is 4-aligned in i386 SysV structs,
//! 8-aligned on ARM EABI and Win32 —, aarch64 and x86-64 LP64, Windows x64 LLP64),
//! measured with that target's C compiler from targets.mk without running anything.
//!
//! Needs a C compiler (`cc`) and `nm` (and the cross compilers for the per-target
//! baselines); skips with a notice without them, fails under `CI=true`. Runs on 64-bit
//! Linux: `abi/cashfree_rpd.abi` is x86-64's.
#![cfg(all(target_os = "linux", target_pointer_width = "64"))]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::cheader::{self, Header};
use crate::common::cross;
use crate::common::skip;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const BASELINE: &str = "abi/cashfree_rpd.abi";
const REGENERATE: &str = "make abi";

/// The shared library cargo built for this test run (`target/<profile>/deps/`).
fn shared_lib() -> PathBuf {
    if let Some(p) = std::env::var_os("CFRPD_TEST_CDYLIB") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for candidate in [
        deps.join("libcashfree_rpd.so"),
        deps.parent().unwrap().join("libcashfree_rpd.so"),
    ] {
        if candidate.exists() {
            return candidate;
        }
    }
    panic!(
        "no libcashfree_rpd.so in {} (cargo test builds it with the library)",
        deps.display()
    );
}

/// Sizes, alignments and offsets as the C compiler `cc` (argv) lays out the header's
/// structs, without running anything: a generated C file stores every value as a
/// `uint32_t` after a 16-byte marker in a constant, `cc -c` compiles it, and the values
/// are read back from the object file (all shipped targets are little-endian). So a
/// cross compiler measures its target's layout here, with no emulator.
fn layouts(header: &Header, work: &Path, cc: &[String]) -> String {
    let mut values = Vec::new();
    for (name, fields) in &header.structs {
        values.push(format!("sizeof(struct {name})"));
        values.push(format!("_Alignof(struct {name})"));
        for (_, field) in fields {
            values.push(format!("offsetof(struct {name}, {field})"));
            values.push(format!("sizeof(((struct {name} *)0)->{field})"));
        }
    }
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdint.h>\n#include \"cashfree_rpd.h\"\n\
         const struct { char magic[16]; uint32_t v[",
    );
    writeln!(
        c,
        "{}]; }} cfrpd_abi_layout = {{\"{MARKER}\", {{",
        values.len()
    )
    .unwrap();
    for v in &values {
        writeln!(c, "    (uint32_t)({v}),").unwrap();
    }
    c.push_str("}};\n");
    let src = work.join("abi_layout.c");
    let obj = work.join("abi_layout.o");
    fs::write(&src, c).unwrap();
    let out = Command::new(&cc[0])
        .args(&cc[1..])
        .args(["-std=c11", "-Wall", "-Werror", "-O0", "-c", "-I"])
        .arg(Path::new(MANIFEST_DIR).join("include"))
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .output()
        .unwrap_or_else(|e| panic!("run {cc:?}: {e}"));
    assert!(
        out.status.success(),
        "compiling the layout probe with {cc:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = fs::read(&obj).unwrap();
    let at = bytes
        .windows(MARKER.len())
        .position(|w| w == MARKER.as_bytes())
        .expect("the layout marker is in the object file")
        + MARKER.len();
    let mut v = bytes[at..at + 4 * values.len()]
        .chunks(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut text = String::new();
    for (name, fields) in &header.structs {
        let (size, align) = (v.next().unwrap(), v.next().unwrap());
        writeln!(text, "struct {name}: size {size}, align {align}").unwrap();
        for (decl, _) in fields {
            let (offset, fsize) = (v.next().unwrap(), v.next().unwrap());
            writeln!(text, "  {offset:3} +{fsize}  {decl}").unwrap();
        }
    }
    text
}

/// Precedes the layout values in the probe's object file (16 bytes, no NUL).
const MARKER: &str = "CFRPD-ABI-LAYOUT";

fn exported_functions(so: &Path) -> BTreeSet<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(so)
        .output()
        .expect("run nm");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && f[1] == "T").then(|| f[2].to_string())
        })
        .collect()
}

fn describe(header: &Header, layout: &str) -> String {
    let mut d = String::new();
    d.push_str(&format!(
        "# C ABI of libcashfree_rpd.so.0 / libcashfree_rpd.a (LP64 Linux), from\n\
         # include/cashfree_rpd.h. Checked by tests/it/abi.rs; regenerate with `{REGENERATE}` and\n\
         # commit with the change. Removing or changing anything below breaks programs\n\
         # built against the old one: bump the SONAME (build.rs) when you do.\n"
    ));
    d.push_str("\n[functions]\n");
    let mut functions = header.functions.clone();
    functions.sort();
    for (_, proto) in &functions {
        d.push_str(proto);
        d.push('\n');
    }
    d.push_str("\n[types]\n");
    let mut typedefs = header.typedefs.clone();
    typedefs.sort();
    for t in &typedefs {
        d.push_str(t);
        d.push_str(";\n");
    }
    d.push_str("\n[layouts]  offset +size  field\n");
    d.push_str(layout);
    d.push_str("\n[constants]\n");
    // The crate version is not ABI (`CFRPD_VERSION*`).
    let mut constants: Vec<String> = header
        .macros
        .iter()
        .filter(|(name, _)| !name.starts_with("CFRPD_VERSION"))
        .map(|(name, value)| format!("{name} = {value}"))
        .collect();
    constants.sort();
    for c in &constants {
        d.push_str(c);
        d.push('\n');
    }
    d
}

/// A scratch directory of this process for `what`.
fn work_dir(what: &str) -> PathBuf {
    let work = std::env::temp_dir().join(format!("cfrpd-abi-{}-{what}", std::process::id()));
    fs::create_dir_all(&work).unwrap();
    work
}

/// Writes `now` to `baseline` under `CFRPD_BLESS_ABI`, else fails when they differ.
fn compare_or_bless(baseline: &str, now: &str) {
    let path = Path::new(MANIFEST_DIR).join(baseline);
    if std::env::var_os("CFRPD_BLESS_ABI").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, now).unwrap();
        eprintln!("abi: wrote {baseline}");
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    if committed != now {
        let old: BTreeSet<&str> = committed.lines().collect();
        let new: BTreeSet<&str> = now.lines().collect();
        let mut diff = String::new();
        for l in committed.lines().filter(|l| !new.contains(l)) {
            writeln!(diff, "- {l}").unwrap();
        }
        for l in now.lines().filter(|l| !old.contains(l)) {
            writeln!(diff, "+ {l}").unwrap();
        }
        panic!(
            "The C ABI differs from {baseline}:\n{diff}\n\
             If the change is intended, run `{REGENERATE}` and commit {baseline} in the same \
             commit. If it removes or changes anything existing, bump the SONAME in build.rs."
        );
    }
}

#[test]
fn abi_matches_baseline() {
    if !skip::require_tool("abi", "cc", "gcc") || !skip::require_tool("abi", "nm", "binutils") {
        return;
    }
    let header = cheader::read();

    // The library exports exactly the header's functions.
    let exported = exported_functions(&shared_lib());
    let declared: BTreeSet<String> = header.functions.iter().map(|(n, _)| n.clone()).collect();
    let exported_cfrpd: BTreeSet<String> = exported
        .iter()
        .filter(|s| s.starts_with("cfrpd_"))
        .cloned()
        .collect();
    assert_eq!(
        declared,
        exported_cfrpd,
        "include/cashfree_rpd.h and libcashfree_rpd.so disagree: run `make header` (then `{REGENERATE}`)"
    );
    let others: Vec<&String> = exported
        .iter()
        .filter(|s| !s.starts_with("cfrpd_"))
        .collect();
    assert!(
        others.is_empty(),
        "libcashfree_rpd.so exports non-cfrpd functions: {others:?}"
    );

    let work = work_dir("native");
    let layout = layouts(&header, &work, &["cc".to_string()]);
    let _ = fs::remove_dir_all(&work);
    compare_or_bless(BASELINE, &describe(&header, &layout));
}

/// The header's structs use only fixed-size types, pointers, `bool` and `size_t`: no
/// `long` (32 bits on Windows x64 and every ILP32 target, 64 on LP64 Linux), no `int`
/// or `enum` (the enums are `uint32_t` typedefs). `size_t` (and pointers) follow the
/// pointer width, which the per-target baselines record.
#[test]
fn boundary_structs_have_no_data_model_dependent_integers() {
    let header = cheader::read();
    let allowed = [
        "char *",
        "uint8_t *",
        "int64_t ",
        "uint32_t ",
        "uint16_t ",
        "bool ",
        "size_t ",
        "struct cfrpd_",
        "cfrpd_",
    ];
    for (name, fields) in &header.structs {
        for (decl, _) in fields {
            let ok = allowed.iter().any(|a| decl.starts_with(a))
                && !decl.contains("long")
                && !decl.contains("enum ");
            assert!(
                ok,
                "struct {name}: field `{decl}` has a type whose size depends on the data model"
            );
        }
    }
    for t in &header.typedefs {
        assert!(!t.contains("long") && !t.contains("enum "), "typedef `{t}`");
    }
}

/// The layouts of one cross target, measured with its C compiler (targets.mk), against
/// `abi/<triple>.abi`.
fn target_layout_matches_baseline(triple: &str) {
    let t = cross::target(triple);
    if !cross::tools_or_skip(&[&t.cc[0]], &format!("the ABI layout of {triple}")) {
        return;
    }
    let header = cheader::read();
    let work = work_dir(triple);
    let layout = layouts(&header, &work, &t.cc);
    let _ = fs::remove_dir_all(&work);
    let now = format!(
        "# C struct layouts of include/cashfree_rpd.h on {triple}, measured with the\n\
         # target's C compiler (targets.mk). The functions, types and constants are those of\n\
         # {BASELINE}. Checked by tests/it/abi.rs; regenerate with `{REGENERATE}` and commit\n\
         # with the change.\n\
         \n[layouts]  offset +size  field\n{layout}"
    );
    compare_or_bless(&format!("abi/{triple}.abi"), &now);
    eprintln!("abi: {triple}: layouts match abi/{triple}.abi");
}

#[test]
fn layout_armv7_unknown_linux_gnueabihf() {
    target_layout_matches_baseline("armv7-unknown-linux-gnueabihf");
}

#[test]
fn layout_aarch64_unknown_linux_gnu() {
    target_layout_matches_baseline("aarch64-unknown-linux-gnu");
}

#[test]
fn layout_aarch64_unknown_linux_musl() {
    target_layout_matches_baseline("aarch64-unknown-linux-musl");
}

#[test]
fn layout_x86_64_unknown_linux_musl() {
    target_layout_matches_baseline("x86_64-unknown-linux-musl");
}

#[test]
fn layout_i686_unknown_linux_gnu() {
    target_layout_matches_baseline("i686-unknown-linux-gnu");
}

#[test]
fn layout_x86_64_pc_windows_gnu() {
    target_layout_matches_baseline("x86_64-pc-windows-gnu");
}

#[test]
fn layout_i686_pc_windows_gnu() {
    target_layout_matches_baseline("i686-pc-windows-gnu");
}

/// Every shipped target has a test above and a baseline.
#[test]
fn every_target_has_a_baseline() {
    for triple in cross::TARGETS {
        let path = Path::new(MANIFEST_DIR).join(format!("abi/{triple}.abi"));
        assert!(
            path.exists() || std::env::var_os("CFRPD_BLESS_ABI").is_some(),
            "{} is missing: run `{REGENERATE}`",
            path.display()
        );
    }
}
