//! The C and C++ surface as a whole, read from the header (no hand-kept lists of
//! functions; functions added later are covered automatically):
//! - `include/cashfree_rpd.h` is what the pinned cbindgen writes from the sources now
//!   (`make header`; `make regen` rewrites it with the man pages and ABI baselines);
//! - every macro, type, struct tag and function of `include/cashfree_rpd.h` starts with
//!   `CFRPD_` / `cfrpd_` (the include guard aside);
//! - `include/cashfree_rpd.hpp` uses every C function the header declares;
//! - `man/man3/` holds one page per C function and per type (struct fields, callback
//!   prototypes, integer values) plus `cashfree_rpd.3`, equal to a fresh
//!   generation (`make man`), each rendering without a warning (`groff -man -ww -z`).
//!
//! - a C++17 program using only the .hpp (tests/cpp/surface_test.cpp) draws a request's
//!   QR (zbarimg reads its PBM back as the upi_link), logs, reads the rate-limit window
//!   and the version number, against the emulator, plain and under ASan+UBSan.
//!
//! The header is read by `scripts/cheader.py` (the same code `make header` and the man
//! page generator use). Needs python3 (and groff for the rendering, the pinned cbindgen
//! for the freshness of the header); without them the tests print a notice and skip,
//! and fail under `CI=true`.
#![cfg(target_os = "linux")]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use cashfree_rpd_emulator::{Emulator, Options, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use common::cbuild::{compile, run, work_dir, Runner, Variant};
use common::cheader;
use common::cprog::tool_or_skip;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn python(args: &[&str]) -> Output {
    Command::new("python3")
        .current_dir(ROOT)
        .args(args)
        .output()
        .expect("run python3")
}

fn describe(o: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A scratch file under target/ for a doctored copy of the header or wrapper.
fn scratch(name: &str, text: &str) -> String {
    let dir = Path::new(ROOT).join("target").join("c-surface");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn header_text() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("include/cashfree_rpd.h")).unwrap()
}

/// Every ```c example in the header's comments compiles and links as C11 with the flags
/// of the C tests, so the manual's examples cannot rot. In an example, lines before a
/// `// ...` line are file scope (a callback it passes); the rest is the body of a
/// function given the objects the examples use (`config`, `client`, `req`).
#[test]
fn header_examples_compile() {
    let test = "header_examples_compile";
    if !tool_or_skip("gcc", test) {
        return;
    }
    let text = header_text();
    let mut file = String::from("#include <stdio.h>\n\n#include \"cashfree_rpd.h\"\n\n");
    let mut n = 0;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_start_matches([' ', '*']).trim_end() != "```c" {
            continue;
        }
        let mut code = Vec::new();
        for l in lines.by_ref() {
            let l = l
                .strip_prefix(" * ")
                .or_else(|| l.strip_prefix(" *"))
                .unwrap_or(l);
            if l.trim() == "```" {
                break;
            }
            code.push(l);
        }
        n += 1;
        let (scope, body) = match code.iter().position(|l| l.trim() == "// ...") {
            Some(i) => (&code[..i], &code[i + 1..]),
            None => (&code[..0], &code[..]),
        };
        file += &format!(
            "{}\nint example_{n}(cfrpd_config *config, cfrpd_client *client, \
             const cfrpd_request *req) {{\n    (void)config;\n    (void)client;\n    \
             (void)req;\n    {{\n{}\n    }}\n    return 0;\n}}\n\n",
            scope.join("\n"),
            body.join("\n")
        );
    }
    assert!(n >= 5, "only {n} ```c examples found in the header");
    file += "int main(void) { return 0; }\n";
    let path = scratch("header_examples.c", &file);
    let exe = compile(&path, Variant::Plain);
    let _ = std::fs::remove_file(exe);
    let _ = std::fs::remove_file(path);
}

/// The cbindgen version the header is generated with: `.ci/run`'s `CBINDGEN_VERSION`
/// (the version it installs).
fn pinned_cbindgen() -> String {
    let ci = std::fs::read_to_string(Path::new(ROOT).join(".ci/run")).unwrap();
    ci.lines()
        .find_map(|l| l.strip_prefix("CBINDGEN_VERSION="))
        .expect("CBINDGEN_VERSION= in .ci/run")
        .trim()
        .to_string()
}

/// The committed header is what the pinned cbindgen writes from the sources now. With
/// the man pages (`man_pages_are_fresh_and_one_per_function`) and the ABI baselines
/// (`abi::`), the third generated artefact that `make regen` rewrites.
#[test]
fn header_is_fresh() {
    let test = "header_is_fresh";
    let pinned = pinned_cbindgen();
    let install = format!("cargo install cbindgen --version {pinned} --locked");
    let version = Command::new("cbindgen").arg("--version").output();
    let found = match &version {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => {
            common::skip::skip_or_fail(test, &format!("`cbindgen` is not installed ({install})"));
            return;
        }
    };
    if found != format!("cbindgen {pinned}") {
        common::skip::skip_or_fail(
            test,
            &format!("{found} is installed, the header is generated by {pinned} ({install})"),
        );
        return;
    }
    let fresh = scratch("fresh.h", "");
    let o = Command::new("cbindgen")
        .current_dir(ROOT)
        .args([
            "--config",
            "cbindgen.toml",
            "--crate",
            "cashfree-rpd",
            "--output",
        ])
        .arg(&fresh)
        .output()
        .expect("run cbindgen");
    assert!(o.status.success(), "{}", describe(&o));
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    let _ = std::fs::remove_file(&fresh);
    let committed = header_text();
    let differ: Vec<String> = committed
        .lines()
        .zip(fresh_text.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(5)
        .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
        .collect();
    assert!(
        committed == fresh_text,
        "include/cashfree_rpd.h is stale ({} lines committed, {} generated): run `make header` \
         (or `make regen`) and commit it\n{}",
        committed.lines().count(),
        fresh_text.lines().count(),
        differ.join("\n")
    );
}

#[test]
fn every_header_name_is_prefixed() {
    if !tool_or_skip("python3", "every_header_name_is_prefixed") {
        return;
    }
    let o = python(&["scripts/cheader.py", "check-names"]);
    assert!(o.status.success(), "{}", describe(&o));

    // The check sees each kind of leak (so the pass above means something).
    let header = header_text();
    let guard_end = header.find("#include <stdint.h>").unwrap();
    for (leak, what) in [
        ("#define MAX_THINGS 4\n", "macro MAX_THINGS"),
        ("typedef uint32_t thing_t;\n", "type thing_t"),
        (
            "typedef struct widget { int x; } cfrpd_widget;\n",
            "struct tag widget",
        ),
    ] {
        let mut doctored = header.clone();
        doctored.insert_str(guard_end, leak);
        let path = scratch("leak.h", &doctored);
        let o = python(&["scripts/cheader.py", "check-names", &path]);
        assert!(!o.status.success(), "{what} not seen\n{}", describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(what),
            "{}",
            describe(&o)
        );
    }
    let close = header.rfind("#ifdef __cplusplus").unwrap();
    let mut doctored = header.clone();
    doctored.insert_str(close, "/** A leak. */\nint helper_fn(int x);\n\n");
    let path = scratch("leakfn.h", &doctored);
    let o = python(&["scripts/cheader.py", "check-names", &path]);
    assert!(!o.status.success(), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("function helper_fn"),
        "{}",
        describe(&o)
    );
}

#[test]
fn header_functions_are_found_and_grouped_by_topic() {
    if !tool_or_skip("python3", "header_functions_are_found_and_grouped_by_topic") {
        return;
    }
    let o = python(&["scripts/cheader.py", "functions"]);
    assert!(o.status.success(), "{}", describe(&o));
    let protos = String::from_utf8_lossy(&o.stdout).into_owned();
    let names: Vec<&str> = protos
        .lines()
        .map(|l| {
            let before = &l[..l.find('(').unwrap()];
            before.rsplit([' ', '*']).next().unwrap()
        })
        .collect();
    // As many as the Rust tests' reader of the header finds (tests/common/cheader.rs).
    let declared = cheader::read().functions.len();
    assert_eq!(names.len(), declared, "{protos}");
    let at = |n: &str| {
        names
            .iter()
            .position(|x| *x == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    // Version functions together; every free right after what it frees.
    assert_eq!(at("cfrpd_version"), 0, "{protos}");
    assert_eq!(at("cfrpd_version") + 1, at("cfrpd_version_number"));
    assert!(at("cfrpd_error_free") < at("cfrpd_config_new"), "{protos}");
    assert!(at("cfrpd_client_free") < at("cfrpd_create"), "{protos}");
    for (made_by, free) in [
        ("cfrpd_create", "cfrpd_request_free"),
        ("cfrpd_qr_encode", "cfrpd_qr_free"),
        ("cfrpd_qr_bitmap", "cfrpd_bitmap_free"),
        ("cfrpd_webhook_verify", "cfrpd_webhook_free"),
    ] {
        assert_eq!(
            at(made_by) + 1,
            at(free),
            "{free} after {made_by}\n{protos}"
        );
    }
    assert!(at("cfrpd_client_new") < at("cfrpd_client_free"));
    assert!(at("cfrpd_config_new") < at("cfrpd_config_free"));
    assert!(at("cfrpd_config_free") < at("cfrpd_client_new"));
    assert!(at("cfrpd_wait_for_result") < at("cfrpd_status_free"));
    assert!(at("cfrpd_get_status") < at("cfrpd_status_free"));
}

#[test]
fn hpp_uses_every_c_function() {
    if !tool_or_skip("python3", "hpp_uses_every_c_function") {
        return;
    }
    let o = python(&["scripts/cheader.py", "check-hpp"]);
    assert!(o.status.success(), "{}", describe(&o));

    // A function the wrapper does not call is reported by name (comments do not count).
    let header = header_text();
    let close = header.rfind("#ifdef __cplusplus").unwrap();
    let mut doctored = header.clone();
    doctored.insert_str(close, "/** New. */\nvoid cfrpd_brand_new(void);\n\n");
    let h = scratch("new.h", &doctored);
    let hpp = std::fs::read_to_string(Path::new(ROOT).join("include/cashfree_rpd.hpp")).unwrap();
    let hpp = scratch(
        "new.hpp",
        &format!("{hpp}\n// cfrpd_brand_new is mentioned only here\n"),
    );
    let o = python(&["scripts/cheader.py", "check-hpp", &h, &hpp]);
    assert!(!o.status.success(), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not use cfrpd_brand_new"),
        "{}",
        describe(&o)
    );
}

/// Requests per rate-limit window of the emulator surface_test.cpp talks to.
const RATE_LIMIT: u32 = 6;

fn surface_program(variant: Variant) {
    let exe = compile("tests/cpp/surface_test.cpp", variant);
    let emu = Emulator::start(Options {
        rate_limit: Some((RATE_LIMIT, std::time::Duration::from_secs(60))),
        ..Options::default()
    })
    .expect("emulator");
    let pbm = work_dir().join(format!("surface-{variant:?}.pbm"));
    let _ = std::fs::remove_file(&pbm);
    let mut env = std::collections::BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".to_string(), TEST_CLIENT_ID.to_string());
    env.insert(
        "CASHFREE_CLIENT_SECRET".to_string(),
        TEST_CLIENT_SECRET.to_string(),
    );
    env.insert("CASHFREE_BASE_URL".to_string(), emu.base_url());
    env.insert("CFRPD_TEST_RATE_LIMIT".to_string(), RATE_LIMIT.to_string());
    env.insert("CFRPD_TEST_PBM".to_string(), pbm.display().to_string());
    env.insert(
        "CFRPD_TEST_RUN_ID".to_string(),
        format!("{}-{variant:?}", std::process::id()),
    );
    let r = run(&exe, Runner::Direct, &[], &env);
    // Every check ran and passed ("0 passed, 0 failed" is not a pass).
    common::cenv::assert_all_passed(&r, 24);
    assert!(r.stderr.is_empty(), "{}", r.describe());
    let upi_link = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("upi_link: "))
        .unwrap_or_else(|| panic!("no upi_link line\n{}", r.describe()))
        .to_string();
    assert!(upi_link.starts_with("upi://pay?"), "{upi_link}");
    if tool_or_skip("zbarimg", "decoding surface_test's PBM") {
        let out = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&pbm)
            .output()
            .expect("run zbarimg");
        assert!(out.status.success(), "zbarimg: {}", describe(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'),
            upi_link
        );
    }
    let _ = std::fs::remove_file(exe);
}

#[test]
fn cpp_program_draws_the_qr_logs_and_reads_the_window() {
    surface_program(Variant::Plain);
}

#[test]
fn cpp_program_draws_the_qr_logs_and_reads_the_window_asan_ubsan() {
    surface_program(Variant::Sanitized);
}

/// The half-block QR examples/cpp/quickstart.cpp prints (`QrCode::text`: dark modules
/// drawn), as a PBM with `scale` pixels per module.
fn terminal_qr_to_pbm(lines: &[&str], scale: usize) -> Vec<u8> {
    let rows: Vec<Vec<char>> = lines.iter().map(|l| l.chars().collect()).collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let height = rows.len() * 2;
    // dark[y][x]: true where the module is dark (drawn: QrCode::text's blocks).
    let mut dark = vec![vec![false; width]; height];
    for (r, row) in rows.iter().enumerate() {
        for (x, c) in row.iter().enumerate() {
            let (top, bottom) = match c {
                '\u{2588}' => (true, true),
                '\u{2580}' => (true, false),
                '\u{2584}' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected {other:?} in the QR"),
            };
            dark[2 * r][x] = top;
            dark[2 * r + 1][x] = bottom;
        }
    }
    // A white border around it, then the PBM rows.
    let border = 4;
    let (w, h) = ((width + 2 * border) * scale, (height + 2 * border) * scale);
    let mut out = format!("P4\n{w} {h}\n").into_bytes();
    let stride = w.div_ceil(8);
    for py in 0..h {
        let mut row = vec![0u8; stride];
        for px in 0..w {
            let (mx, my) = (px / scale, py / scale);
            let inside =
                mx >= border && my >= border && mx < width + border && my < height + border;
            if inside && dark[my - border][mx - border] {
                row[px / 8] |= 0x80 >> (px % 8);
            }
        }
        out.extend_from_slice(&row);
    }
    out
}

#[test]
fn cpp_quickstart_shows_the_qr_and_the_log() {
    let exe = compile("examples/cpp/quickstart.cpp", Variant::Plain);
    let emu = Emulator::start(Options {
        auto_pay_after: Some(std::time::Duration::from_millis(300)),
        ..Options::default()
    })
    .expect("emulator");
    let mut env = std::collections::BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".to_string(), TEST_CLIENT_ID.to_string());
    env.insert(
        "CASHFREE_CLIENT_SECRET".to_string(),
        TEST_CLIENT_SECRET.to_string(),
    );
    env.insert("CASHFREE_BASE_URL".to_string(), emu.base_url());
    env.insert("CFRPD_POLL_INTERVAL_MS".to_string(), "500".to_string());
    env.insert("CFRPD_WAIT_TIMEOUT_MS".to_string(), "20000".to_string());
    env.insert("CFRPD_LOG".to_string(), "info".to_string());
    let id = format!("qs-surface-{}", std::process::id());
    let r = run(&exe, Runner::Direct, &[&id], &env);
    assert!(r.status.success(), "{}", r.describe());
    // The log at INFO on stderr: the create's attempt line, the polls'.
    assert!(r.stderr.contains("[cfrpd INFO]"), "{}", r.describe());
    assert!(r.stderr.contains("POST"), "{}", r.describe());
    assert!(!r.stderr.contains(TEST_CLIENT_SECRET), "{}", r.describe());
    // The QR on the terminal decodes to the upi_link.
    let upi_link = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("pay 1 rupee with:  "))
        .expect("upi_link line")
        .to_string();
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| *l != "or scan:")
        .skip(1)
        .take_while(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| matches!(c, '\u{2588}' | '\u{2580}' | '\u{2584}' | ' '))
        })
        .collect();
    assert!(lines.len() > 10, "no QR on stdout\n{}", r.describe());
    // QrCode::text(false) (stdout is not a terminal): the Rust API's drawing exactly.
    let want = cashfree_rpd::qr::QrCode::encode(&upi_link)
        .unwrap()
        .to_unicode();
    assert_eq!(
        lines.concat(),
        want.lines().collect::<String>(),
        "{}",
        r.stdout
    );
    if tool_or_skip("zbarimg", "decoding the quickstart's terminal QR") {
        let pbm = work_dir().join("quickstart-terminal.pbm");
        std::fs::write(&pbm, terminal_qr_to_pbm(&lines, 4)).unwrap();
        let out = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&pbm)
            .output()
            .expect("run zbarimg");
        assert!(
            out.status.success(),
            "zbarimg: {}\n{}",
            describe(&out),
            r.stdout
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'),
            upi_link
        );
    }
    let _ = std::fs::remove_file(exe);
}

/// The functions the header declares, by name (through scripts/cheader.py).
fn header_functions() -> Vec<String> {
    let o = python(&["scripts/cheader.py", "functions"]);
    assert!(o.status.success(), "{}", describe(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let before = &l[..l.find('(').unwrap()];
            before.rsplit([' ', '*']).next().unwrap().to_string()
        })
        .collect()
}

/// The types the header declares (structs, callbacks, opaque handles, integer types).
fn header_types() -> Vec<String> {
    let o = python(&["scripts/cheader.py", "types"]);
    assert!(o.status.success(), "{}", describe(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The tags of a page's ERRORS section (`.TP` then `\fBCODE[, CODE]\fR`), one code each.
fn error_codes(page: &str) -> Vec<String> {
    let Some(at) = page.find(".SH ERRORS") else {
        return Vec::new();
    };
    let section = &page[at..];
    let section = &section[..section[4..].find(".SH ").map_or(section.len(), |e| e + 4)];
    let mut codes = Vec::new();
    let mut lines = section.lines();
    while let Some(l) = lines.next() {
        if l == ".TP" {
            let tag = lines.next().unwrap_or("");
            for c in tag.replace("\\fB", "").replace("\\fR", "").split(", ") {
                codes.push(c.trim().to_string());
            }
        }
    }
    codes
}

#[test]
fn man_pages_are_fresh_and_one_per_function() {
    if !tool_or_skip("python3", "man_pages_are_fresh_and_one_per_function") {
        return;
    }
    let o = python(&["scripts/gen-man.py", "--check"]);
    assert!(
        o.status.success(),
        "man/man3 differs from a fresh generation: run `make man`\n{}",
        describe(&o)
    );
    let man3 = Path::new(ROOT).join("man/man3");
    let functions = header_functions();
    assert!(functions.len() > 30, "{functions:?}");
    for f in &functions {
        let page = man3.join(format!("{f}.3"));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|e| panic!("{f} has no man page ({}): {e}", page.display()));
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH RETURN VALUE",
            ".SH SEE ALSO",
        ] {
            assert!(text.contains(section), "{f}.3 lacks {section}");
        }
        assert!(text.contains(&format!("{f}(")), "{f}.3: no prototype");
        if text.contains(&format!("cfrpd_result {f}(")) {
            assert!(text.contains(".SH ERRORS"), "{f}.3 lacks ERRORS");
        }
    }
    assert!(man3.join("cashfree_rpd.3").exists());
    let types = header_types();
    for t in [
        "cfrpd_request",
        "cfrpd_status",
        "cfrpd_error",
        "cfrpd_qr",
        "cfrpd_poll_callback",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not among {types:?}");
    }
    let pages = std::fs::read_dir(&man3).unwrap().count();
    assert_eq!(
        pages,
        functions.len() + types.len() + 1,
        "one page per function and per type plus cashfree_rpd.3"
    );
    let header = header_text();
    for t in &types {
        let text = std::fs::read_to_string(man3.join(format!("{t}.3")))
            .unwrap_or_else(|e| panic!("{t} has no man page: {e}"));
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH SEE ALSO",
        ] {
            assert!(text.contains(section), "{t}.3 lacks {section}");
        }
        // A struct's page lists every field of the header's definition, each with its doc.
        if let Some(start) = header.find(&format!("typedef struct {t} {{")) {
            assert!(text.contains(".SH FIELDS"), "{t}.3 lacks FIELDS");
            let body = &header[start..start + header[start..].find(&format!("}} {t};")).unwrap()];
            let fields: Vec<&str> = body
                .lines()
                .filter(|l| l.trim_end().ends_with(';') && !l.trim_start().starts_with('*'))
                .map(|l| {
                    let decl = l.trim().trim_end_matches(';');
                    decl.rsplit([' ', '*']).next().unwrap()
                })
                .collect();
            assert!(!fields.is_empty(), "{t}: no fields parsed");
            for f in fields {
                let tag = format!(".TP\n\\fB{}\\fR (", f.replace('-', "\\-"));
                let at = text
                    .find(&tag)
                    .unwrap_or_else(|| panic!("{t}.3: field {f} missing"));
                let doc = text[at..].lines().nth(2).unwrap_or("");
                assert!(
                    !doc.is_empty() && doc != "-" && !doc.starts_with(".TP"),
                    "{t}.3: field {f} has no doc"
                );
            }
        }
        if header.contains(&format!("(*{t})(")) {
            assert!(text.contains(&format!("(*{t})(")), "{t}.3: no prototype");
        }
    }
    // Integer types list their values.
    let state = std::fs::read_to_string(man3.join("cfrpd_state.3")).unwrap();
    assert!(
        state.contains(".SH VALUES") && state.contains("CFRPD_STATE_SUCCESS"),
        "{state}"
    );

    // Summaries are whole sentences: never cut after an abbreviation's dot.
    for entry in std::fs::read_dir(&man3).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let name_line = text
            .lines()
            .skip_while(|l| *l != ".SH NAME")
            .nth(1)
            .unwrap();
        for cut in ["e.g", "i.e", "etc", " vs"] {
            assert!(!name_line.ends_with(cut), "summary cut short: {name_line}");
        }
    }
    let version = std::fs::read_to_string(man3.join("cfrpd_version.3")).unwrap();
    assert!(
        version.contains("cfrpd_version \\- The library version, e.g. \"0.1.0\""),
        "{version}"
    );

    // Error lists: every fallible function has one; cfrpd_client_new's includes what
    // opening the journal fails with; "every error of `cfrpd_get_status`" pulls in that
    // function's list as the code documents it (not a copy).
    for f in &functions {
        let text = std::fs::read_to_string(man3.join(format!("{f}.3"))).unwrap();
        if text.contains(&format!("cfrpd_result {f}(")) {
            let codes = error_codes(&text);
            assert!(codes.len() >= 2, "{f}.3: ERRORS lists {codes:?}");
            assert_eq!(
                codes.last().map(String::as_str),
                Some("CFRPD_ERR_PANIC"),
                "{f}.3"
            );
        }
    }
    let page = |f: &str| std::fs::read_to_string(man3.join(format!("{f}.3"))).unwrap();
    let client_new = error_codes(&page("cfrpd_client_new"));
    for c in [
        "CFRPD_ERR_INVALID_ARGUMENT",
        "CFRPD_ERR_TLS",
        "CFRPD_ERR_JOURNAL",
    ] {
        assert!(
            client_new.iter().any(|x| x == c),
            "cfrpd_client_new.3: {client_new:?}"
        );
    }
    let resolve = error_codes(&page("cfrpd_journal_resolve"));
    for c in error_codes(&page("cfrpd_get_status")) {
        assert!(
            resolve.contains(&c),
            "cfrpd_journal_resolve.3 lacks {c}: {resolve:?}"
        );
    }
    assert!(
        resolve.iter().any(|x| x == "CFRPD_ERR_JOURNAL"),
        "{resolve:?}"
    );

    // The generator notices a function without a page, and writes one for it.
    let close = header.rfind("#ifdef __cplusplus").unwrap();
    let mut doctored = header.clone();
    doctored.insert_str(
        close,
        "/**\n * Does something new.\n *\n * Errors:\n * - CFRPD_ERR_INVALID_ARGUMENT: always.\n */\ncfrpd_result cfrpd_brand_new(const char *what);\n\n/** A name, documented without the Returns: convention. */\nconst char *cfrpd_brand_name(uint32_t x);\n\n",
    );
    let h = scratch("gen.h", &doctored);
    let o = python(&["scripts/gen-man.py", "--check", "--header", &h]);
    assert!(!o.status.success(), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cfrpd_brand_new.3 is missing"),
        "{}",
        describe(&o)
    );
    let dir = Path::new(ROOT)
        .join("target/c-surface")
        .join(format!("man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = python(&[
        "scripts/gen-man.py",
        "--header",
        &h,
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", describe(&o));
    let page = std::fs::read_to_string(dir.join("cfrpd_brand_new.3")).unwrap();
    assert!(
        page.contains("cfrpd_brand_new \\- Does something new"),
        "{page}"
    );
    assert!(
        page.contains("cfrpd_result cfrpd_brand_new(const char *what);"),
        "{page}"
    );
    assert!(page.contains("CFRPD_ERR_INVALID_ARGUMENT"), "{page}");
    // A fallible function without an Errors paragraph is refused: its page could list
    // nothing true.
    let mut undocumented = header.clone();
    undocumented.insert_str(
        close,
        "/**\n * Does something, failing somehow.\n */\ncfrpd_result cfrpd_brand_new(const char *what);\n\n",
    );
    let h2 = scratch("gen-noerrors.h", &undocumented);
    let o = python(&[
        "scripts/gen-man.py",
        "--header",
        &h2,
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert!(!o.status.success(), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("cfrpd_brand_new returns cfrpd_result but its doc comment has no 'Errors:'"),
        "{}",
        describe(&o)
    );
    // Without a Returns: paragraph a page is still written (and stderr says what to add).
    let named = std::fs::read_to_string(dir.join("cfrpd_brand_name.3")).unwrap();
    assert!(
        named.contains("const char *cfrpd_brand_name(uint32_t x);"),
        "{named}"
    );
    assert!(
        named.contains(".BR cfrpd_brand_new (3)"),
        "siblings: {named}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn man_pages_render_without_warnings() {
    if !tool_or_skip("groff", "man_pages_render_without_warnings") {
        return;
    }
    let man3 = Path::new(ROOT).join("man/man3");
    let mut rendered = 0;
    for entry in std::fs::read_dir(&man3).unwrap() {
        let path = entry.unwrap().path();
        let o = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .arg(&path)
            .output()
            .expect("run groff");
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "{}: {}",
            path.display(),
            describe(&o)
        );
        rendered += 1;
    }
    assert!(rendered > 30, "{rendered} pages");
}

#[test]
fn make_install_makes_man_find_every_page() {
    let test = "make_install_makes_man_find_every_page";
    if !tool_or_skip("make", test) || !tool_or_skip("man", test) || !tool_or_skip("python3", test) {
        return;
    }
    let prefix = Path::new(ROOT)
        .join("target/c-surface")
        .join(format!("prefix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&prefix);
    // install-man is what `make install` runs for the pages (the library part is
    // tests/it/packaging.rs').
    let o = Command::new("make")
        .current_dir(ROOT)
        .args(["-s", "install-man"])
        .arg(format!("PREFIX={}", prefix.display()))
        .output()
        .expect("run make");
    assert!(o.status.success(), "{}", describe(&o));
    let mandir = prefix.join("share/man");
    for page in header_functions()
        .iter()
        .chain(header_types().iter())
        .map(String::as_str)
        .chain(["cashfree_rpd"])
    {
        let o = Command::new("man")
            .env("MANPATH", &mandir)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .args(["3", page])
            .output()
            .expect("run man");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "man 3 {page}: {}", describe(&o));
        assert!(
            text.contains("NAME") && text.contains(page),
            "man 3 {page}:\n{text}"
        );
    }
    let o = Command::new("make")
        .current_dir(ROOT)
        .args(["-s", "uninstall-man"])
        .arg(format!("PREFIX={}", prefix.display()))
        .output()
        .expect("run make");
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(std::fs::read_dir(mandir.join("man3")).unwrap().count(), 0);
    let _ = std::fs::remove_dir_all(&prefix);
}

fn request_free_program(variant: Variant, runner: Runner) {
    let exe = compile("tests/c/request_free_test.c", variant);
    let emu = Emulator::start_default().expect("emulator");
    let mut env = std::collections::BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".to_string(), TEST_CLIENT_ID.to_string());
    env.insert(
        "CASHFREE_CLIENT_SECRET".to_string(),
        TEST_CLIENT_SECRET.to_string(),
    );
    env.insert("CASHFREE_BASE_URL".to_string(), emu.base_url());
    env.insert(
        "CFRPD_TEST_RUN_ID".to_string(),
        format!("{}-{variant:?}", std::process::id()),
    );
    let r = run(&exe, runner, &[], &env);
    assert!(r.status.success(), "{}", r.describe());
    assert_eq!(r.stdout.trim(), "ok", "{}", r.describe());
    assert!(r.stderr.is_empty(), "{}", r.describe());
    let _ = std::fs::remove_file(exe);
}

#[test]
fn request_free_ignores_a_changed_qr_png_len_asan_ubsan() {
    request_free_program(Variant::Sanitized, Runner::Direct);
}

#[test]
fn request_free_ignores_a_changed_qr_png_len_valgrind() {
    if common::cbuild::valgrind_available() {
        request_free_program(Variant::Plain, Runner::Valgrind);
    }
}

/// The first fenced block of `lang` after `heading` in README.md.
fn readme_block(heading: &str, lang: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no heading {heading:?}"));
    let rest = &readme[start..];
    let fence = format!("```{lang}\n");
    let open = rest.find(&fence).expect("block") + fence.len();
    let len = rest[open..].find("```").unwrap();
    rest[open..open + len].to_string()
}

#[test]
fn readme_cpp_snippet_builds_and_draws_a_decodable_qr() {
    let source = work_dir().join("readme_snippet.cpp");
    std::fs::write(&source, readme_block("### C++", "cpp")).unwrap();
    let exe = compile(source.to_str().unwrap(), Variant::Sanitized);
    let emu = Emulator::start(Options {
        auto_pay_after: Some(std::time::Duration::from_millis(300)),
        ..Options::default()
    })
    .expect("emulator");
    // Run directly: stdout is a binary PBM (the shared runner reads text).
    let out = Command::new(&exe)
        .env("CASHFREE_CLIENT_ID", TEST_CLIENT_ID)
        .env("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET)
        .env("CASHFREE_BASE_URL", emu.base_url())
        .env_remove("CASHFREE_ENV")
        .env_remove("CASHFREE_PUBLIC_KEY")
        .env("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1")
        .output()
        .expect("run the README snippet");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(out.stdout.starts_with(b"P4\n"), "{}", describe(&out));
    assert!(stderr.contains("[cfrpd INFO]"), "{stderr}");
    assert!(stderr.trim_end().ends_with("SUCCESS"), "{stderr}");
    if tool_or_skip("zbarimg", "decoding the README snippet's PBM") {
        let pbm = work_dir().join("readme_snippet.pbm");
        std::fs::write(&pbm, &out.stdout).unwrap();
        let z = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&pbm)
            .output()
            .expect("run zbarimg");
        assert!(z.status.success(), "zbarimg: {}", describe(&z));
        assert!(
            String::from_utf8_lossy(&z.stdout).starts_with("upi://pay?"),
            "{}",
            describe(&z)
        );
    }
    let _ = std::fs::remove_file(exe);
}
