//! The C and C++ surface as a whole, read from the header (no hand-kept lists of
//! functions; functions added later are covered automatically):
//! - every macro, type, struct tag and function of `include/cashfree_rpd.h` starts with
//!   `CFRPD_` / `cfrpd_` (the include guard aside);
//! - `include/cashfree_rpd.hpp` uses every C function the header declares;
//! - `man/man3/` holds one page per C function plus `cashfree_rpd.3`, equal to a fresh
//!   generation (`make man`), each rendering without a warning (`groff -man -ww -z`).
//!
//! The header is read by `scripts/cheader.py` (the same code `make header` and the man
//! page generator use). Needs python3 (and groff for the rendering); without them the
//! tests print a notice and skip, and fail under `CI=true`.
#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

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
    // As many as `cfrpd_*(` declarations in the header text.
    let declared = header_text()
        .lines()
        .filter(|l| !l.starts_with([' ', '*', '/', '#', '}']) && !l.starts_with("typedef"))
        .filter_map(|l| l.split_once('('))
        .filter(|(before, _)| {
            before
                .rsplit([' ', '*'])
                .next()
                .is_some_and(|n| n.starts_with("cfrpd_"))
        })
        .count();
    assert_eq!(names.len(), declared, "{protos}");
    let at = |n: &str| {
        names
            .iter()
            .position(|x| *x == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    // Version functions together; every free right after what it frees.
    assert_eq!(at("cfrpd_version") + 1, at("cfrpd_version_number"));
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
