//! README snippets cannot rot: Rust blocks are doctests (see `ReadmeDoctests` in
//! src/lib.rs); every C block must appear verbatim in examples/c/quickstart.c, which
//! the C tests compile and run; the two commands stay in the README.

use crate::common::cheader;

#[test]
fn c_snippets_are_part_of_the_c_quickstart() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{root}/examples/c/quickstart.c")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```c\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(!blocks.is_empty(), "README has a C snippet");
    for block in blocks {
        assert!(
            example.contains(block),
            "README C snippet not found in examples/c/quickstart.c:\n{block}"
        );
    }
}

/// The C blocks that are whole top-level code (functions, not lines from inside one)
/// compile on their own with just the headers a C file starts with: nothing they use is
/// left out of the README.
#[test]
fn top_level_c_snippets_compile_on_their_own() {
    let root = env!("CARGO_MANIFEST_DIR");
    if !crate::common::skip::require_tool("top_level_c_snippets_compile_on_their_own", "cc", "gcc")
    {
        return;
    }
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let dir = std::path::Path::new(root).join("target/readme-snippets");
    std::fs::create_dir_all(&dir).unwrap();
    let mut built = 0;
    for (n, block) in readme
        .split("```c\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .enumerate()
    {
        if block.starts_with(char::is_whitespace) {
            continue; // lines from inside main(): checked against the compiled quickstart
        }
        let src = dir.join(format!("snippet-{n}-{}.c", std::process::id()));
        let text = format!(
            "#include <stdio.h>\n#include <stdlib.h>\n#include <time.h>\n#include \"cashfree_rpd.h\"\n\n{block}"
        );
        std::fs::write(&src, text).unwrap();
        let out = std::process::Command::new("cc")
            .args([
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Wpedantic",
                "-Werror",
                "-Wno-unused-function",
            ])
            .arg(format!("-I{root}/include"))
            .arg("-c")
            .arg(&src)
            .arg("-o")
            .arg(src.with_extension("o"))
            .output()
            .expect("run cc");
        assert!(
            out.status.success(),
            "README C snippet {n} does not compile on its own:\n{block}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_file(src.with_extension("o"));
        let _ = std::fs::remove_file(src);
        built += 1;
    }
    assert!(
        built >= 2,
        "the journal restart code and the log callback: {built}"
    );
}

#[test]
fn readme_gives_the_two_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("cargo run --example quickstart"));
    assert!(readme.contains("cargo test --workspace"));
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --workspace"),
        ".ci/run runs the README's test command"
    );
}

#[test]
fn header_version_matches_the_crate() {
    let header = cheader::read();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        header.macro_value("CFRPD_VERSION"),
        Some(format!("\"{version}\"").as_str())
    );
    let mut parts = version.split('.');
    for name in ["MAJOR", "MINOR", "PATCH"] {
        let n = parts.next().unwrap();
        assert_eq!(
            header.macro_value(&format!("CFRPD_VERSION_{name}")),
            Some(n),
            "CFRPD_VERSION_{name}"
        );
    }
    // SAFETY: cfrpd_version returns a static NUL-terminated string.
    let runtime = unsafe { std::ffi::CStr::from_ptr(cashfree_rpd::ffi::cfrpd_version()) };
    assert_eq!(runtime.to_str().unwrap(), version);
}
