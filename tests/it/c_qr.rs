//! The QR part of the C ABI from C: compiles tests/c/qr_test.c and examples/c/print_qr.c
//! with gcc against the static library (as tests/it/c_abi.rs does), runs qr_test plain,
//! under AddressSanitizer+UBSan and under valgrind, and runs print_qr against an
//! in-process emulator, decoding the PBM it writes with `zbarimg` (Debian `zbar-tools`)
//! back to exactly the `upi_link` the create returned.
//!
//! valgrind and zbarimg are optional locally (the test says which check it skips and
//! why) but required when `CI=true`: there a missing tool fails the test.
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::cbuild::{self, compile, work_dir, Runner, Variant};

use cashfree_rpd_emulator::{Emulator, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

/// Whether `tool` runs. When it does not: under `CI=true` the test fails (CI must
/// install `package`); elsewhere it prints why the check is skipped.
fn required_tool(tool: &str, package: &str, check: &str) -> bool {
    common::skip::require_tool(check, tool, package)
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a program directly or under valgrind (the shared harness: CASHFREE_* of the
/// parent removed, killed after its time limit, output through files).
fn run(exe: &Path, valgrind: bool, args: &[&str], env: &[(&str, &str)]) -> Output {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let runner = if valgrind {
        Runner::Valgrind
    } else {
        Runner::Direct
    };
    let r = cbuild::run(exe, runner, args, &env);
    Output {
        status: r.status,
        stdout: r.stdout.into_bytes(),
        stderr: r.stderr.into_bytes(),
    }
}

// ------------------------------------------------------------------------------------
// qr_test.c

fn qr_test(variant: Variant, valgrind: bool) {
    let exe = compile("tests/c/qr_test.c", variant);
    // qr_test.c writes cfrpd_qr_to_text's output for "hello" there (.0 plain, .1 ANSI).
    let text_out = work_dir().join(format!(
        "qr-text-{}-{variant:?}-{valgrind}",
        std::process::id()
    ));
    let text_out_s = text_out.to_str().expect("UTF-8 path").to_string();
    let out = run(
        &exe,
        valgrind,
        &[],
        &[("CFRPD_QR_TEXT_OUT", text_out_s.as_str())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", describe(&out));
    let last = stdout.lines().last().unwrap_or("");
    let n: u32 = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("last line {last:?}\n{}", describe(&out)));
    assert!(n >= 150, "only {n} checks ran\n{}", describe(&out));
    assert!(!stdout.contains("FAIL "), "{}", describe(&out));
    // The C text is the Rust API's, byte for byte (zbar cannot read text: this is the
    // check that it is the right code).
    let qr = cashfree_rpd::qr::QrCode::encode("hello").unwrap();
    for (suffix, want) in [("0", qr.to_unicode()), ("1", qr.to_unicode_ansi())] {
        let path = format!("{text_out_s}.{suffix}");
        let got = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            got, want,
            "cfrpd_qr_to_text(ansi = {suffix}) vs QrCode::to_unicode"
        );
        let _ = std::fs::remove_file(path);
    }
    let _ = std::fs::remove_file(exe);
}

#[test]
fn qr_test_c() {
    qr_test(Variant::Plain, false);
}

#[test]
fn qr_test_c_asan_ubsan() {
    qr_test(Variant::Sanitized, false);
}

#[test]
fn qr_test_c_valgrind() {
    if required_tool("valgrind", "valgrind", "qr_test.c under valgrind") {
        qr_test(Variant::Plain, true);
    }
}

// ------------------------------------------------------------------------------------
// examples/c/print_qr.c

fn emulator_env(emu: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("CASHFREE_CLIENT_ID", TEST_CLIENT_ID.to_string()),
        ("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET.to_string()),
        ("CASHFREE_BASE_URL", emu.base_url()),
    ]
}

/// The value of a `key: value` line of print_qr's stdout.
fn field<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
        .unwrap_or_else(|| panic!("no {key}: line in\n{stdout}"))
}

/// Runs print_qr once at `scale` (quiet zone 4) and checks both files; returns the
/// upi_link it printed and the PBM path.
fn print_once(exe: &Path, emu: &Emulator, scale: u32, valgrind: bool) -> (String, PathBuf) {
    // Unique per call: the tests run in parallel and share the work dir.
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let id = format!("print-qr-{}-{n}-{scale}", std::process::id());
    let bin = work_dir().join(format!("{id}.bin"));
    let pbm = work_dir().join(format!("{id}.pbm"));
    let env = emulator_env(emu);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let scale_arg = scale.to_string();
    let out = run(
        exe,
        valgrind,
        &[
            "--id",
            &id,
            "--scale",
            &scale_arg,
            "--quiet-zone",
            "4",
            bin.to_str().unwrap(),
            pbm.to_str().unwrap(),
        ],
        &env,
    );
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(field(&stdout, "verification_id"), id);
    let upi_link = field(&stdout, "upi_link").to_string();
    assert!(upi_link.starts_with("upi://pay?"), "{stdout}");

    // The PBM: P4 header, then (size + 8) * scale square pixels.
    let size: u32 = field(&stdout, "qr")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("qr: N modules");
    let side = (size + 8) * scale;
    let stride = side.div_ceil(8) as usize;
    let pbm_bytes = std::fs::read(&pbm).expect("the PBM was written");
    let header = format!("P4\n{side} {side}\n");
    assert!(pbm_bytes.starts_with(header.as_bytes()), "PBM header");
    let rows = &pbm_bytes[header.len()..];
    assert_eq!(rows.len(), stride * side as usize);
    // The same matrix as the Rust API draws.
    let expected = cashfree_rpd::qr::QrCode::encode(&upi_link)
        .unwrap()
        .to_bitmap(scale, 4)
        .unwrap();
    assert!(rows == expected.bits(), "C and Rust bitmaps differ");

    // The ESC/POS file holds one GS v 0 image with exactly those rows.
    let esc = std::fs::read(&bin).expect("the ESC/POS file was written");
    assert!(esc.starts_with(&[0x1B, 0x40]), "starts with ESC @");
    let at = esc
        .windows(4)
        .position(|w| w == [0x1D, 0x76, 0x30, 0x00])
        .expect("a GS v 0 command");
    let head = &esc[at + 4..at + 8];
    assert_eq!(u16::from_le_bytes([head[0], head[1]]) as usize, stride);
    assert_eq!(u32::from(u16::from_le_bytes([head[2], head[3]])), side);
    assert!(
        &esc[at + 8..at + 8 + rows.len()] == rows,
        "raster data = PBM rows"
    );
    assert!(esc.ends_with(&[0x1D, 0x56, 0x42, 0x00]), "ends with a cut");
    (upi_link, pbm)
}

/// Decodes a PBM with zbarimg; the symbols' data, one per line.
fn zbar(pbm: &Path) -> String {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(pbm)
        .output()
        .expect("run zbarimg");
    assert!(
        out.status.success(),
        "zbarimg found no code in {}: {}",
        pbm.display(),
        describe(&out)
    );
    String::from_utf8(out.stdout).expect("UTF-8 from zbarimg")
}

#[test]
fn print_qr_writes_escpos_and_a_pbm_that_zbar_decodes_to_the_upi_link() {
    let exe = compile("examples/c/print_qr.c", Variant::Plain);
    let emu = Emulator::start_default().expect("emulator");
    let zbar_ok = required_tool("zbarimg", "zbar-tools", "decoding print_qr's PBM");
    for scale in [2, 4] {
        let (upi_link, pbm) = print_once(&exe, &emu, scale, false);
        if zbar_ok {
            assert_eq!(zbar(&pbm).trim_end_matches('\n'), upi_link, "scale {scale}");
        }
    }
    // Usage errors: exit status 2, nothing sent.
    let creates = emu.stats().creates_received;
    for args in [
        &[][..],
        &["--scale", "0", "x.bin"],
        &["--quiet-zone", "17", "x.bin"],
    ] {
        let out = run(&exe, false, args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
    }
    assert_eq!(emu.stats().creates_received, creates);
    // No credentials: a clear error, exit status 1.
    let out = run(&exe, false, &["x.bin"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("CASHFREE_CLIENT_ID"),
        "{}",
        describe(&out)
    );
}

#[test]
fn print_qr_asan_ubsan_and_valgrind() {
    let emu = Emulator::start_default().expect("emulator");
    let exe = compile("examples/c/print_qr.c", Variant::Sanitized);
    print_once(&exe, &emu, 4, false);
    if required_tool("valgrind", "valgrind", "print_qr.c under valgrind") {
        let exe = compile("examples/c/print_qr.c", Variant::Plain);
        print_once(&exe, &emu, 2, true);
    }
}
