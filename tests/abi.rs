//! The C ABI baseline: `abi/cashfree_rpd.abi` describes what C programs compiled against
//! `include/cashfree_rpd.h` and linked to `libcashfree_rpd.so.0` depend on — every
//! exported function with its prototype, every struct's size, alignment and field
//! offsets (measured by compiling a C program against the header), the typedefs and the
//! `#define` constants. This test regenerates the description and fails when it differs
//! from the committed file, so an ABI change can only land together with an updated
//! baseline (and a reviewer sees the diff).
//!
//! Regenerate: `make abi` (= `CFRPD_BLESS_ABI=1 cargo test -p cashfree-rpd --test abi`).
//! Deterministic: sorted, no paths, no compiler versions, no crate version (the
//! `CFRPD_VERSION*` macros are left out).
//!
//! Also checks that the shared library exports exactly the functions the header declares
//! (a stale header fails here too: `make header`).
//!
//! Needs a C compiler (`cc`) and `nm`; skips with a notice without them, fails under
//! `CI=true`. Linux x86_64/aarch64 (LP64) only: the offsets are those of that ABI.
#![cfg(all(target_os = "linux", target_pointer_width = "64"))]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const BASELINE: &str = "abi/cashfree_rpd.abi";
const REGENERATE: &str = "make abi";

fn tool(name: &str) -> bool {
    let ok = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("abi: `{name}` is not installed, and CI=true requires it");
        }
        eprintln!("NOTICE: abi: skipped, `{name}` is not installed (CI installs it)");
    }
    ok
}

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

/// The header without comments, one logical declaration per item.
fn strip_comments(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..].find("*/").expect("unterminated comment") + b + 4;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            (None, None) => {
                out.push_str(rest);
                break;
            }
            (Some(_), None) => unreachable!(),
        }
    }
    out
}

fn squash(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
}

struct Header {
    constants: Vec<String>,
    typedefs: Vec<String>,
    /// (struct name, [(field declaration, field name)])
    structs: Vec<(String, Vec<(String, String)>)>,
    functions: Vec<(String, String)>,
}

fn parse_header(text: &str) -> Header {
    let mut constants = Vec::new();
    let mut body = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(def) = t.strip_prefix("#define ") {
            let mut parts = def.splitn(2, char::is_whitespace);
            let name = parts.next().unwrap();
            let value = parts.next().unwrap_or("").trim();
            if name.starts_with("CFRPD_VERSION") || value.is_empty() {
                continue; // the crate version is not ABI; include guards
            }
            constants.push(format!("{name} = {value}"));
        } else if t.starts_with('#') || t == "extern \"C\" {" || t == "}" {
            continue;
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    let last_word = |s: &str| -> String {
        let s = s.split('[').next().unwrap();
        s.rsplit([' ', '*']).next().unwrap().to_string()
    };
    let (mut typedefs, mut structs, mut functions) = (Vec::new(), Vec::new(), Vec::new());
    let mut rest = body.as_str();
    while let Some(semi) = rest.find(';') {
        match rest.find('{') {
            Some(open) if open < semi => {
                // typedef struct NAME { fields } NAME;
                let close = rest[open..].find('}').expect("unclosed struct") + open;
                let name = squash(&rest[..open])
                    .trim_start_matches("typedef struct")
                    .trim()
                    .to_string();
                let fields = rest[open + 1..close]
                    .split(';')
                    .map(squash)
                    .filter(|f| !f.is_empty())
                    .map(|f| {
                        let n = last_word(&f);
                        (f, n)
                    })
                    .collect();
                structs.push((name, fields));
                let end = rest[close..].find(';').expect("struct without ;") + close;
                rest = &rest[end + 1..];
            }
            _ => {
                let decl = squash(&rest[..semi]);
                rest = &rest[semi + 1..];
                if decl.is_empty() {
                    continue;
                }
                if decl.starts_with("typedef ") {
                    typedefs.push(decl);
                } else if let Some(paren) = decl.find('(') {
                    functions.push((last_word(&decl[..paren]), format!("{decl};")));
                } else {
                    panic!("unexpected declaration in the header: {decl:?}");
                }
            }
        }
    }
    Header {
        constants,
        typedefs,
        structs,
        functions,
    }
}

/// Sizes, alignments and offsets from the C compiler.
fn layouts(header: &Header, work: &Path) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include \"cashfree_rpd.h\"\nint main(void) {\n",
    );
    for (name, fields) in &header.structs {
        writeln!(
            c,
            "    printf(\"struct {name}: size %zu, align %zu\\n\", sizeof(struct {name}), _Alignof(struct {name}));"
        )
        .unwrap();
        for (decl, field) in fields {
            writeln!(
                c,
                "    printf(\"  %3zu +%zu  {decl}\\n\", offsetof(struct {name}, {field}), sizeof(((struct {name} *)0)->{field}));"
            )
            .unwrap();
        }
    }
    c.push_str("    return 0;\n}\n");
    let src = work.join("abi_layout.c");
    let exe = work.join("abi_layout");
    fs::write(&src, c).unwrap();
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(Path::new(MANIFEST_DIR).join("include"))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run cc");
    assert!(
        out.status.success(),
        "compiling the layout probe failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

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
         # include/cashfree_rpd.h. Checked by tests/abi.rs; regenerate with `{REGENERATE}` and\n\
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
    let mut constants = header.constants.clone();
    constants.sort();
    for c in &constants {
        d.push_str(c);
        d.push('\n');
    }
    d
}

#[test]
fn abi_matches_baseline() {
    if !tool("cc") || !tool("nm") {
        return;
    }
    let root = Path::new(MANIFEST_DIR);
    let text = fs::read_to_string(root.join("include/cashfree_rpd.h")).unwrap();
    let header = parse_header(&strip_comments(&text));
    assert!(header.functions.len() >= 20, "parsed too few functions");
    assert!(
        header.structs.iter().all(|(_, f)| !f.is_empty()),
        "a struct without fields"
    );

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

    let work = std::env::temp_dir().join(format!("cfrpd-abi-{}", std::process::id()));
    fs::create_dir_all(&work).unwrap();
    let layout = layouts(&header, &work);
    let _ = fs::remove_dir_all(&work);
    let now = describe(&header, &layout);

    let path = root.join(BASELINE);
    if std::env::var_os("CFRPD_BLESS_ABI").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &now).unwrap();
        eprintln!("abi: wrote {BASELINE}");
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
            "The C ABI differs from {BASELINE}:\n{diff}\n\
             If the change is intended, run `{REGENERATE}` and commit {BASELINE} in the same \
             commit. If it removes or changes anything existing, bump the SONAME in build.rs."
        );
    }
}
