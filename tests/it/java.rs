//! The Java binding (`bindings/java`) on this machine's JDK (OpenJDK 17, the jar
//! built with `javac --release 8`): `make java java-test-classes`, then the binding's own
//! tests (`bindings/java/test`, a dependency-free runner) on the JVM with `-Xcheck:jni`
//! against emulators in this process; the jar checked with `javap` against a denylist of
//! what Android API 21 lacks; the JNI library's exports; every header function used by the
//! glue or listed in `bindings/java/README.md`; the Java constants against the header.
//!
//! Needs `javac`, `java`, `jar`, `javap` (Debian `openjdk-17-jdk-headless`), `make`, `gcc`,
//! `nm`, `readelf` and `zbarimg`: skipped and recorded without them, failed under `CI=true`
//! (tests/common/skip.rs). Run: `cargo test --test it java::`.
//!
//! `make lib` runs with `DIST_DIR=<target>/release/java-c-dist`: its own cleaned archive, so
//! it never writes the `c-dist/` that tests/it/packaging.rs builds at the same time (cargo's
//! lock serializes the compile itself).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use cashfree_rpd_emulator::{Emulator, Options};

use crate::common::{cenv, cross, skip};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn describe(what: &str, out: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The cargo target dir of this build (`target/`): the parent of `CARGO_TARGET_TMPDIR`
/// (`CACHEDIR.TAG` is not a sure sign: cargo writes it only into a target dir it created,
/// and `make lib` may have created `target/` first).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent")
        .to_path_buf()
}

/// What `make java java-test-classes` left.
struct Built {
    /// `target/release/bindings/java`: the jar, the JNI library, `classes/`, `test-classes/`.
    out: PathBuf,
    /// The cleaned static library the JNI library was linked with, and its native libs.
    dist: PathBuf,
}

impl Built {
    fn jar(&self) -> PathBuf {
        self.out.join("cashfree-rpd.jar")
    }
    fn jni(&self) -> PathBuf {
        self.out.join("libcashfree_rpd_jni.so")
    }
}

fn java_tools(test: &str) -> bool {
    let jdk = "openjdk-17-jdk-headless";
    skip::require_tool_with(test, "javac", &["-version"], jdk)
        && skip::require_tool_with(test, "java", &["-version"], jdk)
        && skip::require_tool_with(test, "jar", &["--version"], jdk)
        && skip::require_tool_with(test, "javap", &["-version"], jdk)
        && skip::require_tool(test, "make", "make")
        && skip::require_tool(test, "gcc", "gcc")
        && skip::require_tool(test, "nm", "binutils")
        && skip::require_tool(test, "readelf", "binutils")
}

/// `make java java-test-classes`, once per process.
fn built(test: &str) -> Option<&'static Built> {
    if !java_tools(test) {
        return None;
    }
    static BUILT: OnceLock<Built> = OnceLock::new();
    Some(BUILT.get_or_init(|| {
        let target = target_dir();
        let dist = target.join("release/java-c-dist");
        let started = Instant::now();
        let out = cross::make()
            .args(["java", "java-test-classes"])
            .arg(format!("TARGET_DIR={}", target.display()))
            .arg(format!("DIST_DIR={}", dist.display()))
            .env("CARGO_TARGET_DIR", &target)
            .stdin(Stdio::null())
            .output()
            .expect("run make java");
        assert!(out.status.success(), "{}", describe("make java", &out));
        eprintln!(
            "java: make java java-test-classes took {:.0}s",
            started.elapsed().as_secs_f64()
        );
        Built {
            out: target.join("release/bindings/java"),
            dist,
        }
    }))
}

/// Scratch directory of this process under `target/tmp`.
fn scratch(tag: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "java-{tag}-{}-{}",
        std::process::id(),
        cenv::run_id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Tests that run in a JVM of their own (java_native_memory_stays_flat,
/// java_cpu_per_status_call_against_c), skipped by the main run.
const OWN_JVM: &str = "testNativeMemoryFlat,testCpuPerStatusCall";

/// `java <jvm...>` running `cashfree.rpd.TestMain` (all tests but `skip`, or those whose
/// name contains `filter`) with `env`.
fn run_java_tests(
    b: &Built,
    env: &BTreeMap<String, String>,
    filter: &str,
    skip: &str,
    jvm: &[&str],
) -> Output {
    let cp = format!(
        "{}:{}",
        b.jar().display(),
        b.out.join("test-classes").display()
    );
    Command::new("java")
        .args(jvm)
        .arg(format!("-Dcashfree.rpd.library={}", b.jni().display()))
        .arg(format!("-Dcfrpd.test.filter={filter}"))
        .arg(format!("-Dcfrpd.test.skip={skip}"))
        .args(["-cp", &cp, "cashfree.rpd.TestMain"])
        .env_remove("CASHFREE_ENV")
        .env_remove("CASHFREE_PUBLIC_KEY")
        .envs(env)
        .stdin(Stdio::null())
        .output()
        .expect("run java")
}

/// The emulators and the environment the Java tests read (T.java).
struct JavaEnv {
    _emu: Emulator,
    _tls: Emulator,
    env: BTreeMap<String, String>,
    dir: PathBuf,
}

fn java_env(tag: &str) -> JavaEnv {
    let emu = Emulator::start(Options::default()).expect("emulator");
    let tls = Emulator::start(Options {
        tls: true,
        ..Options::default()
    })
    .expect("TLS emulator");
    let dir = scratch(tag);
    let mut env = cenv::base_env(&emu.base_url());
    cenv::webhook_env(&mut env);
    env.insert("CFRPD_TEST_TLS_URL".into(), tls.base_url());
    env.insert(
        "CFRPD_TEST_TLS_CA".into(),
        tls.ca_cert_pem().expect("the TLS emulator's CA"),
    );
    env.insert("CFRPD_TEST_CLOSED_URL".into(), cenv::closed_url());
    env.insert("CFRPD_TEST_DIR".into(), dir.display().to_string());
    env.insert(
        "CFRPD_TEST_PBM".into(),
        dir.join("flow.pbm").display().to_string(),
    );
    JavaEnv {
        _emu: emu,
        _tls: tls,
        env,
        dir,
    }
}

#[test]
fn java_binding_runs_on_the_jvm_against_the_emulator() {
    let test = "java::java_binding_runs_on_the_jvm_against_the_emulator";
    let Some(b) = built(test) else { return };
    if !skip::require_tool_with(test, "zbarimg", &["--version"], "zbar-tools") {
        return;
    }
    let je = java_env("all");
    let started = Instant::now();
    let out = run_java_tests(b, &je.env, "", OWN_JVM, &["-Xcheck:jni"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!(
        "java: the Java tests took {:.1}s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    assert!(out.status.success(), "{}", describe("java TestMain", &out));
    let last = stdout.lines().last().unwrap_or("");
    let passed: u32 = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("last line {last:?}\n{}", describe("java", &out)));
    assert!(passed >= 28, "only {passed} Java tests ran");

    // -Xcheck:jni: no warning (a JNI call with an exception pending, a local reference
    // pile, a wrong type) anywhere in the output.
    for line in stdout.lines().chain(stderr.lines()) {
        assert!(
            !line.contains("WARNING") && !line.contains("FATAL ERROR"),
            "-Xcheck:jni complained: {line}\n{}",
            describe("java", &out)
        );
    }

    // Every error code of the C library reached Java as an RpdException with that code,
    // except OK (no error) and PANIC (a bug in the library: nothing triggers it).
    let seen: BTreeSet<&str> = stdout
        .lines()
        .find_map(|l| l.strip_prefix("codes seen: "))
        .expect("a 'codes seen' line")
        .split_whitespace()
        .collect();
    let header = read(&Path::new(MANIFEST_DIR).join("include/cashfree_rpd.h"));
    for (name, _) in defines(&header) {
        if let Some(code) = name.strip_prefix("ERR_") {
            if code != "PANIC" {
                assert!(seen.contains(code), "no Java test saw {code}: {seen:?}");
            }
        }
    }

    // The QR the flow test drew from the request's UPI link decodes to that link.
    let pbm = je.dir.join("flow.pbm");
    let decoded = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&pbm)
        .output()
        .expect("run zbarimg");
    assert!(
        decoded.status.success(),
        "{}",
        describe("zbarimg", &decoded)
    );
    let text = String::from_utf8_lossy(&decoded.stdout);
    assert!(
        text.trim().starts_with("upi://pay?"),
        "the PBM decodes to {text:?}"
    );
    let _ = fs::remove_dir_all(&je.dir);
}

/// Native memory stays flat over 10,000 calls (MemoryTest.testNativeMemoryFlatOver10000Calls
/// says how it is measured), in a JVM of its own with C1 only: C2's compiler arenas move the
/// C heap by megabytes. The same jar and JNI library as the main run.
#[test]
fn java_native_memory_stays_flat() {
    let test = "java::java_native_memory_stays_flat";
    let Some(b) = built(test) else { return };
    let je = java_env("leak");
    let out = run_java_tests(
        b,
        &je.env,
        "testNativeMemoryFlat",
        "",
        &["-XX:TieredStopAtLevel=1"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "{}",
        describe("java leak check", &out)
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("leak check: "))
            && stdout.contains("1 passed, 0 failed"),
        "{}",
        describe("java leak check", &out)
    );
    let _ = fs::remove_dir_all(&je.dir);
}

/// The quickstart of the README (`make java-quickstart` runs the same file) against an
/// emulator that pays 2 s after the create; and the Java snippet of bindings/java/README.md
/// compiles against the jar.
#[test]
fn java_quickstart_and_readme_snippet() {
    let test = "java::java_quickstart_and_readme_snippet";
    let Some(b) = built(test) else { return };
    let emu = Emulator::start(Options {
        auto_pay_after: Some(std::time::Duration::from_secs(2)),
        ..Options::default()
    })
    .expect("emulator");
    let dir = scratch("quickstart");
    let out = Command::new("java")
        .arg(format!("-Dcashfree.rpd.library={}", b.jni().display()))
        .arg("-cp")
        .arg(b.jar())
        .arg(Path::new(MANIFEST_DIR).join("bindings/java/examples/Quickstart.java"))
        .env_remove("CASHFREE_ENV")
        .env_remove("CASHFREE_PUBLIC_KEY")
        .envs(cenv::base_env(&emu.base_url()))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output()
        .expect("run java Quickstart.java");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        describe("Quickstart.java", &out)
    );
    assert!(
        stdout.contains("result SUCCESS: JOHN DOE, name match DIRECT_MATCH"),
        "{}",
        describe("Quickstart.java", &out)
    );
    assert!(dir.join("upi.pbm").exists(), "the QR file");

    let readme = read(&Path::new(MANIFEST_DIR).join("bindings/java/README.md"));
    let blocks: Vec<&str> = readme
        .split("```java\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(
        !blocks.is_empty(),
        "a Java snippet in bindings/java/README.md"
    );
    let mut src = String::from("import cashfree.rpd.*;\nclass Snippets {\n");
    for (i, block) in blocks.iter().enumerate() {
        src.push_str(&format!(
            "static void snippet{i}(java.io.OutputStream printer) throws Exception {{\n{block}}}\n"
        ));
    }
    src.push_str("}\n");
    fs::write(dir.join("Snippets.java"), &src).unwrap();
    let javac = Command::new("javac")
        .args(["--release", "8", "-Xlint:all", "-Werror", "-cp"])
        .arg(b.jar())
        .arg("-d")
        .arg(&dir)
        .arg(dir.join("Snippets.java"))
        .output()
        .expect("javac Snippets.java");
    assert!(
        javac.status.success(),
        "{}\n{src}",
        describe("javac README snippet", &javac)
    );
    let _ = fs::remove_dir_all(&dir);
}

/// Client CPU per status call through Java against the same call from C, same emulator,
/// same run (BENCHMARKS.md, "Java binding"). Prints the figures; asserts only that the
/// Java overhead stays within reason (the JNI copies are a few µs).
#[test]
fn java_cpu_per_status_call_against_c() {
    let test = "java::java_cpu_per_status_call_against_c";
    let Some(b) = built(test) else { return };
    let je = java_env("bench");
    let exe = je.dir.join("status_bench");
    let cc = Command::new("gcc")
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-O2",
            "-Iinclude",
        ])
        .arg("bindings/java/test/status_bench.c")
        .arg(b.dist.join("libcashfree_rpd.a"))
        .args(read(&b.dist.join("native-static-libs")).split_whitespace())
        .arg("-o")
        .arg(&exe)
        .current_dir(MANIFEST_DIR)
        .output()
        .expect("run gcc");
    assert!(
        cc.status.success(),
        "{}",
        describe("gcc status_bench.c", &cc)
    );
    let per_call = |text: &str, who: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(&format!("bench: {who} status")))
            .and_then(|l| l.split("cpu_us_per_call=").nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {who} figure in:\n{text}"))
    };
    let mut rows = Vec::new();
    // Alternate C and Java twice; keep each one's best (least disturbed) run.
    let (mut c_best, mut j_best) = (f64::MAX, f64::MAX);
    for round in 0..2 {
        let mut env = je.env.clone();
        env.insert(
            "CFRPD_BENCH_ID".into(),
            format!("bench-c-{}", cenv::run_id()),
        );
        let c = Command::new(&exe)
            .envs(&env)
            .stdin(Stdio::null())
            .output()
            .expect("run status_bench");
        assert!(c.status.success(), "{}", describe("status_bench", &c));
        let c_text = String::from_utf8_lossy(&c.stdout).into_owned();
        let mut j_env = je.env.clone();
        j_env.insert("CFRPD_TEST_RUN_ID".into(), cenv::run_id());
        let j = run_java_tests(b, &j_env, "testCpuPerStatusCall", "", &[]);
        assert!(j.status.success(), "{}", describe("java bench", &j));
        let j_text = String::from_utf8_lossy(&j.stdout).into_owned();
        let (cu, ju) = (per_call(&c_text, "c"), per_call(&j_text, "java"));
        rows.push(format!(
            "round {round}: C {cu:.2} µs, Java {ju:.2} µs CPU per status call"
        ));
        c_best = c_best.min(cu);
        j_best = j_best.min(ju);
    }
    let jar = fs::metadata(b.jar()).expect("jar").len();
    let so = fs::metadata(b.jni()).expect("JNI library").len();
    eprintln!(
        "java: {}\njava: best: C {c_best:.2} µs, Java {j_best:.2} µs, Java/C {:.2}\n\
         java: sizes: cashfree-rpd.jar {jar} bytes, libcashfree_rpd_jni.so {so} bytes (stripped)",
        rows.join("\njava: "),
        j_best / c_best
    );
    assert!(
        j_best < c_best * 3.0 + 20.0,
        "Java costs {j_best:.2} µs per status call against C's {c_best:.2}"
    );
    let _ = fs::remove_dir_all(&je.dir);
}

/// Substrings that must not occur in `javap -v -p` of any class in the jar: APIs newer
/// than Android API 21 or Java 8 (one per line in bindings/java/api21-denylist.txt, `#`
/// comments), plus `invokedynamic` (lambdas need desugaring on Android).
#[test]
fn java_jar_uses_nothing_above_android_api_21() {
    let test = "java::java_jar_uses_nothing_above_android_api_21";
    let Some(b) = built(test) else { return };
    let deny_file = Path::new(MANIFEST_DIR).join("bindings/java/api21-denylist.txt");
    let deny: Vec<String> = read(&deny_file)
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(deny.len() >= 20, "a real denylist: {deny:?}");
    // Classes of the jar as shipped: list it, extract, javap each.
    let list = Command::new("jar")
        .arg("tf")
        .arg(b.jar())
        .output()
        .expect("jar tf");
    assert!(list.status.success(), "{}", describe("jar tf", &list));
    let classes: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|l| l.ends_with(".class"))
        .map(|l| l.trim_end_matches(".class").replace('/', "."))
        .collect();
    assert!(classes.len() >= 15, "classes in the jar: {classes:?}");
    for name in [
        "Client",
        "Config",
        "RpdException",
        "QrCode",
        "Bitmap",
        "Webhooks",
    ] {
        assert!(
            classes.contains(&format!("cashfree.rpd.{name}")),
            "cashfree.rpd.{name} in the jar"
        );
    }
    let out = Command::new("javap")
        .args(["-v", "-p", "-c", "-cp"])
        .arg(b.jar())
        .args(&classes)
        .output()
        .expect("run javap");
    assert!(out.status.success(), "{}", describe("javap", &out));
    let text = String::from_utf8_lossy(&out.stdout);
    let majors: BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("major version: "))
        .collect();
    assert_eq!(
        majors,
        BTreeSet::from(["52"]),
        "every class is Java 8 (major 52)"
    );
    let mut found = Vec::new();
    for line in text.lines() {
        for d in deny.iter().map(String::as_str).chain(["invokedynamic"]) {
            if line.contains(d) {
                found.push(format!("{d}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the jar uses what Android API 21 lacks:\n{}",
        found.join("\n")
    );
    // The denylist catches what it is meant to: a class that uses two denied APIs.
    let probe_dir = scratch("probe");
    let src = probe_dir.join("Probe.java");
    fs::write(
        &src,
        "class Probe { Object f() { return java.util.Optional.of(String.join(\",\", \"a\")); } }",
    )
    .unwrap();
    let javac = Command::new("javac")
        .args(["--release", "8", "-d"])
        .arg(&probe_dir)
        .arg(&src)
        .output()
        .expect("javac probe");
    assert!(
        javac.status.success(),
        "{}",
        describe("javac probe", &javac)
    );
    let probe = Command::new("javap")
        .args(["-v", "-p", "-c", "-cp"])
        .arg(&probe_dir)
        .arg("Probe")
        .output()
        .expect("javap probe");
    let probe_text = String::from_utf8_lossy(&probe.stdout);
    let hits: Vec<&String> = deny
        .iter()
        .filter(|d| probe_text.contains(d.as_str()))
        .collect();
    assert!(
        hits.len() >= 2,
        "the denylist misses Optional and String.join in:\n{probe_text}"
    );
    let _ = fs::remove_dir_all(&probe_dir);
}

/// The JNI library exports `Java_*` only, has no versioned SONAME (an APK loads
/// `lib<name>.so` by that name) and needs no libcashfree_rpd.so (the static library is
/// inside).
#[test]
fn java_jni_library_exports_only_java_symbols() {
    let test = "java::java_jni_library_exports_only_java_symbols";
    let Some(b) = built(test) else { return };
    let nm = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(b.jni())
        .output()
        .expect("nm -D");
    assert!(nm.status.success(), "{}", describe("nm -D", &nm));
    let names: Vec<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(String::from))
        .collect();
    assert!(names.len() >= 15, "exports: {names:?}");
    let other: Vec<&String> = names.iter().filter(|n| !n.starts_with("Java_")).collect();
    assert!(other.is_empty(), "exported besides Java_*: {other:?}");
    // Every native method of the jar has its export (a missing one would only fail when
    // called): the Java_ name of each `native` declaration in the sources.
    let src_dir = Path::new(MANIFEST_DIR).join("bindings/java/src/cashfree/rpd");
    for entry in fs::read_dir(&src_dir).unwrap().flatten() {
        let path = entry.path();
        let class = path.file_stem().unwrap().to_string_lossy().into_owned();
        for line in read(&path).lines() {
            let line = line.trim();
            let head: Vec<&str> = line.split('(').next().unwrap().split_whitespace().collect();
            if !head.contains(&"native") || line.starts_with('*') || line.starts_with('/') {
                continue;
            }
            let method = head.last().unwrap();
            let want = format!("Java_cashfree_rpd_{class}_{method}");
            assert!(names.contains(&want), "{want} is not exported");
        }
    }
    let re = Command::new("readelf")
        .arg("-dW")
        .arg(b.jni())
        .output()
        .expect("readelf -d");
    let dynamic = String::from_utf8_lossy(&re.stdout);
    for line in dynamic.lines() {
        if line.contains("(SONAME)") {
            assert!(
                line.contains("[libcashfree_rpd_jni.so]"),
                "a versioned SONAME: {line}"
            );
        }
        if line.contains("(NEEDED)") {
            assert!(
                !line.contains("cashfree"),
                "the static library must be inside: {line}"
            );
        }
    }
}

/// Every function of the header is called by the JNI glue or listed, with a reason, in
/// bindings/java/README.md's "Left out" table; the header is read now, so a function added
/// to it fails this test until the binding uses or lists it.
#[test]
fn java_binding_uses_every_header_function_or_says_why() {
    let header = read(&Path::new(MANIFEST_DIR).join("include/cashfree_rpd.h"));
    let functions = header_functions(&header);
    assert!(functions.len() >= 40, "functions parsed: {functions:?}");
    let jni_dir = Path::new(MANIFEST_DIR).join("bindings/java/jni");
    let glue: String = fs::read_dir(&jni_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "c"))
        .map(|e| read(&e.path()))
        .collect();
    let readme = read(&Path::new(MANIFEST_DIR).join("bindings/java/README.md"));
    let left_out = left_out_table(&readme);
    let mut missing = Vec::new();
    for f in &functions {
        let used = glue.contains(&format!("{f}("));
        match (used, left_out.get(f.as_str())) {
            (true, Some(_)) => {
                missing.push(format!("{f}: used by the glue AND listed as left out"))
            }
            (false, None) => missing.push(format!("{f}: neither used nor listed")),
            (false, Some(reason)) if reason.len() < 15 => {
                missing.push(format!("{f}: listed without a reason"))
            }
            _ => {}
        }
    }
    for f in left_out.keys() {
        if !functions.contains(*f) {
            missing.push(format!("{f}: listed in the README but not in the header"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The Java constants and enum values equal the header's (never hand-copied numbers
/// left unchecked); a `#define` of the header that no mapping covers fails, so a new one
/// shows up here.
#[test]
fn java_constants_match_the_header() {
    let header = read(&Path::new(MANIFEST_DIR).join("include/cashfree_rpd.h"));
    let src = Path::new(MANIFEST_DIR).join("bindings/java/src/cashfree/rpd");
    let enum_of = |file: &str| enum_values(&read(&src.join(file)));
    let consts_of = |file: &str| int_constants(&read(&src.join(file)));
    let results = enum_of("ResultCode.java");
    let states = enum_of("State.java");
    let journal = enum_of("JournalState.java");
    let matches = enum_of("NameMatch.java");
    let reversals = enum_of("Reversal.java");
    let envs = enum_of("Environment.java");
    let levels = enum_of("LogLevel.java");
    let qr = consts_of("QrCode.java");
    let config = consts_of("Config.java");
    let client = consts_of("Client.java");
    let native = consts_of("Native.java");

    let mut problems = Vec::new();
    let mut checked = 0usize;
    let defs = defines(&header);
    let mut check = |kind: &str, java: &BTreeMap<String, i64>, name: &str, value: i64| {
        match java.get(name) {
            Some(v) if *v == value => {}
            Some(v) => problems.push(format!("{kind} {name}: Java {v}, header {value}")),
            None => problems.push(format!("{kind} {name} = {value}: not in the Java binding")),
        }
        checked += 1;
    };
    // Not bound, each with the reason (bindings/java/README.md says the same).
    let not_bound = |name: &str| -> bool {
        // A file format number and a size, not JournalState values; the library's own
        // affairs. The webhook age is C++'s default: Webhooks.verify takes the age.
        name == "JOURNAL_FORMAT_VERSION"
            || name == "JOURNAL_COMPACT_AT"
            || name == "RECOMMENDED_WEBHOOK_MAX_AGE_S"
    };
    let mut header_numbers = BTreeMap::new();
    let mut unmapped = Vec::new();
    for (name, value) in &defs {
        header_numbers.insert(name.clone(), *value);
        let n = name.as_str();
        if n == "OK" {
            check("ResultCode", &results, "OK", *value);
        } else if let Some(c) = n.strip_prefix("ERR_") {
            check("ResultCode", &results, c, *value);
        } else if let Some(s) = n.strip_prefix("STATE_") {
            check("State", &states, s, *value);
        } else if not_bound(n) {
        } else if let Some(s) = n.strip_prefix("JOURNAL_") {
            check("JournalState", &journal, s, *value);
        } else if let Some(m) = n.strip_prefix("MATCH_") {
            check("NameMatch", &matches, m, *value);
        } else if let Some(r) = n.strip_prefix("REVERSAL_") {
            check("Reversal", &reversals, r, *value);
        } else if let Some(e) = n.strip_prefix("ENV_") {
            check("Environment", &envs, e, *value);
        } else if let Some(l) = n.strip_prefix("LOG_") {
            check("LogLevel", &levels, l, *value);
        } else if let Some(q) = n.strip_prefix("QR_") {
            check("QrCode", &qr, q, *value);
        } else if n == "MAX_RETRIES_LIMIT"
            || n == "MAX_IDLE_CONNECTIONS_LIMIT"
            || n.starts_with("DEFAULT_")
        {
            check("Config", &config, n, *value);
        } else if n == "MAX_VERIFICATION_ID_LEN" {
            check("Client", &client, n, *value);
        } else if n.starts_with("VERSION_") {
            // VERSION_MAJOR/MINOR/PATCH: checked as the version number below.
        } else {
            unmapped.push(format!(
                "CFRPD_{n} = {value}: no Java constant maps it (add one, or a reason to tests/it/java.rs)"
            ));
        }
    }
    problems.extend(unmapped);
    // The other direction: no Java enum value the header lacks.
    for (kind, java, prefix) in [
        ("ResultCode", &results, "ERR_"),
        ("State", &states, "STATE_"),
        ("JournalState", &journal, "JOURNAL_"),
        ("NameMatch", &matches, "MATCH_"),
        ("Reversal", &reversals, "REVERSAL_"),
        ("Environment", &envs, "ENV_"),
        ("LogLevel", &levels, "LOG_"),
    ] {
        for name in java.keys() {
            let h = if kind == "ResultCode" && name == "OK" {
                "OK".to_string()
            } else {
                format!("{prefix}{name}")
            };
            if !header_numbers.contains_key(&h) {
                problems.push(format!("{kind}.{name}: no CFRPD_{h} in the header"));
            }
        }
    }
    let v = |k: &str| header_numbers[&format!("VERSION_{k}")];
    let number = v("MAJOR") * 10000 + v("MINOR") * 100 + v("PATCH");
    if native.get("BUILT_FOR_VERSION_NUMBER") != Some(&number) {
        problems.push(format!(
            "Native.BUILT_FOR_VERSION_NUMBER {:?}, header CFRPD_VERSION_NUMBER {number}",
            native.get("BUILT_FOR_VERSION_NUMBER")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 40, "only {checked} constants checked");
}

// ---------------------------------------------------------------------------------------
// Parsing the header and the Java sources

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `#define CFRPD_<NAME> <integer>`: (NAME, value), in header order.
fn defines(header: &str) -> Vec<(String, i64)> {
    header
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("#define CFRPD_")?;
            let mut it = rest.split_whitespace();
            let name = it.next()?;
            let value: i64 = it.next()?.parse().ok()?;
            it.next().is_none().then(|| (name.to_string(), value))
        })
        .collect()
}

/// The names of the functions the header declares (`<type> cfrpd_x(` at a line start,
/// outside comments).
fn header_functions(header: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in header.lines() {
        if line.starts_with(' ') || line.starts_with('/') || line.starts_with('#') {
            continue;
        }
        let Some(paren) = line.find('(') else {
            continue;
        };
        let head = &line[..paren];
        if head.starts_with("typedef") {
            continue;
        }
        if let Some(name) = head.split([' ', '*']).next_back() {
            if name.starts_with("cfrpd_") {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// The README's "Left out" table: rows `| `cfrpd_x` | reason |`.
fn left_out_table(readme: &str) -> BTreeMap<&str, &str> {
    let mut out = BTreeMap::new();
    let Some(start) = readme.find("## Left out") else {
        return out;
    };
    for line in readme[start..].lines().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() >= 4 {
            if let Some(name) = cells[1].strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
                if name.starts_with("cfrpd_") {
                    out.insert(name, cells[2]);
                }
            }
        }
    }
    out
}

/// Enum constants `NAME(<integer>)` of a Java enum source.
fn enum_values(src: &str) -> BTreeMap<String, i64> {
    src.lines()
        .filter_map(|l| {
            let l = l.trim().trim_end_matches([',', ';']);
            let (name, rest) = l.split_once('(')?;
            let value = rest.strip_suffix(')')?.parse().ok()?;
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
                .then(|| (name.to_string(), value))
        })
        .collect()
}

/// `static final int NAME = <integer>;` of a Java source.
fn int_constants(src: &str) -> BTreeMap<String, i64> {
    src.lines()
        .filter_map(|l| {
            let rest = l.split("static final int ").nth(1)?;
            let (name, value) = rest.split_once('=')?;
            let value = value.trim().strip_suffix(';')?.parse().ok()?;
            Some((name.trim().to_string(), value))
        })
        .collect()
}
