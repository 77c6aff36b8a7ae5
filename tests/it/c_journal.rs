//! The create journal through the C ABI (tests/c/journal_test.c): a C program is
//! SIGKILLed at each point of a create, then a C program on the same journal — plain,
//! under ASan+UBSan and under valgrind — finds the right entry in the right state and
//! settles it, and the emulator's request log shows zero creates of the id when the
//! request never left, exactly one otherwise. Also: a journal held by another process,
//! and the rest of the C face (tests/c/journal_test.c `misc`).
#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cashfree_rpd_emulator::{Emulator, Options, PayOutcome, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use common::cbuild::*;
use common::fresh_id;
use common::gate::{canned_server, gate, Point};

fn env_for(base: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert("CASHFREE_CLIENT_ID".into(), TEST_CLIENT_ID.into());
    env.insert("CASHFREE_CLIENT_SECRET".into(), TEST_CLIENT_SECRET.into());
    env.insert("CASHFREE_BASE_URL".into(), base.into());
    env
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cfrpd-cj-{tag}-{}", fresh_id("d")));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn creates_of(emu: &Emulator, id: &str) -> usize {
    let needle = format!("\"verification_id\":\"{id}\"");
    emu.requests()
        .iter()
        .filter(|r| r.method == "POST" && String::from_utf8_lossy(&r.body).contains(&needle))
        .count()
}

fn passed(r: &Run) {
    assert!(r.status.success(), "{}", r.describe());
    let last = r.stdout.lines().last().unwrap_or("");
    assert!(
        last.ends_with(" passed, 0 failed") && !last.starts_with("0 "),
        "{}",
        r.describe()
    );
}

/// Kills a C `create` at `point`; then runs `restart` and `settle` with `runner`.
fn kill_at(point: Point, variant: Variant, runner: Runner) {
    let exe = compile("tests/c/journal_test.c", variant);
    let plain = compile("tests/c/journal_test.c", Variant::Plain);
    let emu = Emulator::start(Options::default()).unwrap();
    let upstream: SocketAddr = emu.base_url()["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (base, reached) = gate(upstream, point);
    let env = env_for(&base);
    let journal = temp_dir("kill").join("creates.journal");
    let j = journal.to_str().unwrap();
    let id = fresh_id("cj");
    let mut child = Command::new(&plain)
        .args(["create", j, &id])
        .envs(&env)
        .env_remove("CFRPD_JOURNAL")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    if point == Point::AfterRecorded {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("CREATED");
        assert!(line.starts_with("CREATED"), "{line}");
    } else {
        reached
            .recv_timeout(Duration::from_secs(30))
            .expect("the create reached the gate");
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let sent = usize::from(point != Point::BeforeSend);
    assert_eq!(creates_of(&emu, &id), sent, "{point:?}");

    let state = if point == Point::AfterRecorded {
        "CREATED"
    } else {
        "SENDING"
    };
    let r = run(&exe, runner, &["restart", j, &id, state], &env);
    passed(&r);
    assert_eq!(
        creates_of(&emu, &id),
        sent,
        "{point:?}: the restart sent no create"
    );
    if point == Point::BeforeSend {
        assert!(
            r.stdout.contains("RESOLVE CFRPD_ERR_NOT_FOUND"),
            "{}",
            r.describe()
        );
        return;
    }
    assert!(
        r.stdout.contains("RESOLVE CFRPD_OK CREATED"),
        "{}",
        r.describe()
    );
    emu.pay(&id, PayOutcome::default()).unwrap();
    passed(&run(&exe, runner, &["settle", j, &id], &env));
    assert_eq!(creates_of(&emu, &id), 1, "{point:?}: exactly one create");
}

fn matrix(variant: Variant, runner: Runner) {
    for point in [
        Point::BeforeSend,
        Point::InFlight,
        Point::AnswerArriving,
        Point::AfterRecorded,
    ] {
        kill_at(point, variant, runner);
    }
}

#[test]
fn c_kill_matrix() {
    matrix(Variant::Plain, Runner::Direct);
}

#[test]
fn c_kill_matrix_asan_ubsan() {
    matrix(Variant::Sanitized, Runner::Direct);
}

#[test]
fn c_kill_matrix_valgrind() {
    if valgrind_available() {
        matrix(Variant::Plain, Runner::Valgrind);
    }
}

fn misc(variant: Variant, runner: Runner) {
    let emu = Emulator::start(Options::default()).unwrap();
    let exe = compile("tests/c/journal_test.c", variant);
    let dir = temp_dir("misc");
    passed(&run(
        &exe,
        runner,
        &["misc", dir.to_str().unwrap()],
        &env_for(&emu.base_url()),
    ));
    // The forked child sent nothing: one create in all.
    assert_eq!(emu.stats().creates_received, 1);

    // A journal held by this process: the C program is refused, naming our pid.
    let journal = dir.join("held");
    let mut cfg = cashfree_rpd::Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(&emu.base_url()).unwrap();
    cfg.set_journal_path(&journal);
    let _holder = cashfree_rpd::Client::new(&cfg).unwrap();
    let pid = std::process::id().to_string();
    passed(&run(
        &exe,
        runner,
        &["locked", journal.to_str().unwrap(), &pid],
        &env_for(&emu.base_url()),
    ));
}

#[test]
fn c_journal_misc() {
    misc(Variant::Plain, Runner::Direct);
}

#[test]
fn c_journal_misc_asan_ubsan() {
    misc(Variant::Sanitized, Runner::Direct);
}

#[test]
fn c_journal_misc_valgrind() {
    if valgrind_available() {
        misc(Variant::Plain, Runner::Valgrind);
    }
}

/// Torn and garbage tails open with every earlier entry; damage before the tail is
/// refused with the file and offset, a file that is not a journal untouched; a full disk fails the create and sends nothing.
fn damage(variant: Variant, runner: Runner) {
    let emu = Emulator::start(Options::default()).unwrap();
    let exe = compile("tests/c/journal_test.c", variant);
    let env = env_for(&emu.base_url());
    let journal = temp_dir("damage").join("j");
    let j = journal.to_str().unwrap();
    let ids = [fresh_id("cjd"), fresh_id("cjd")];
    {
        let mut cfg = cashfree_rpd::Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
        cfg.set_base_url(&emu.base_url()).unwrap();
        cfg.set_journal_path(&journal);
        let c = cashfree_rpd::Client::new(&cfg).unwrap();
        for id in &ids {
            c.create(id, "Jane Doe").unwrap();
        }
    }
    let whole = std::fs::read(&journal).unwrap();
    std::fs::write(&journal, &whole[..whole.len() - 100]).unwrap();
    let r = run(&exe, runner, &["count", j, "2"], &env);
    passed(&r);
    assert!(
        r.stdout.contains(&format!("ENTRY {} SENDING", ids[1])),
        "{}",
        r.describe()
    );
    std::fs::write(&journal, [&whole[..], b"\x17\x00\x00\x00garbage"].concat()).unwrap();
    let r = run(&exe, runner, &["count", j, "2"], &env);
    passed(&r);
    assert!(
        r.stdout.contains(&format!("ENTRY {} CREATED", ids[1])),
        "{}",
        r.describe()
    );
    let mut damaged = whole.clone();
    let at = damaged
        .windows(ids[0].len())
        .position(|w| w == ids[0].as_bytes())
        .unwrap();
    damaged[at] ^= 1;
    std::fs::write(&journal, &damaged).unwrap();
    let r = run(&exe, runner, &["refused", j, "byte offset"], &env);
    passed(&r);
    assert!(
        r.stdout.contains(j),
        "the message names the file: {}",
        r.describe()
    );
    // A file that is not a journal: refused through the C ABI too, byte for byte
    // unchanged, nothing created beside it.
    let dir = temp_dir("foreign");
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, b"a shopkeeper's notes").unwrap();
    let r = run(
        &exe,
        runner,
        &[
            "refused",
            notes.to_str().unwrap(),
            "not a cashfree-rpd journal",
        ],
        &env,
    );
    passed(&r);
    assert_eq!(std::fs::read(&notes).unwrap(), b"a shopkeeper's notes");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no lock or temp file"
    );
    assert_eq!(emu.stats().creates_received, 2);
}

#[test]
fn c_journal_damage() {
    damage(Variant::Plain, Runner::Direct);
}

#[test]
fn c_journal_damage_asan_ubsan() {
    damage(Variant::Sanitized, Runner::Direct);
}

#[test]
fn c_journal_damage_valgrind() {
    if valgrind_available() {
        damage(Variant::Plain, Runner::Valgrind);
    }
}

#[test]
fn c_journal_full_disk() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        crate::common::skip::skip_or_fail(
            "c_journal_full_disk",
            "not root: the C full-disk journal test mounts a tmpfs",
        );
        return;
    }
    let emu = Emulator::start(Options::default()).unwrap();
    let exe = compile("tests/c/journal_test.c", Variant::Sanitized);
    let mnt = temp_dir("full");
    assert!(Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
        .arg(&mnt)
        .status()
        .unwrap()
        .success());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        use std::io::Write;
        let journal = mnt.join("j");
        let j = journal.to_str().unwrap();
        // Fill the file system, then create from Rust until an intent no longer fits
        // (answers stop fitting first: logged, their entries stay SENDING).
        let mut cfg = cashfree_rpd::Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
        cfg.set_base_url(&emu.base_url()).unwrap();
        cfg.set_journal_path(&journal);
        let c = cashfree_rpd::Client::new(&cfg).unwrap();
        let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
        while filler.write_all(&[0u8; 1024]).is_ok() {}
        drop(filler);
        let mut n = 0;
        let id = loop {
            n += 1;
            assert!(n < 200, "the journal never filled up");
            let id = format!("cjfull-{n:04}");
            match c.create(&id, "Jane Doe") {
                Ok(_) => continue,
                Err(e) => {
                    assert_eq!(e.kind(), cashfree_rpd::ErrorKind::Journal, "{e}");
                    break id;
                }
            }
        };
        drop(c);
        let before = emu.stats().creates_received;
        // The C program: the journal opens, the create fails, nothing is sent.
        let r = run(
            &exe,
            Runner::Direct,
            &["nospace", j, &id],
            &env_for(&emu.base_url()),
        );
        passed(&r);
        assert_eq!(creates_of(&emu, &id), 0);
        assert_eq!(emu.stats().creates_received, before);
    }));
    let _ = Command::new("umount").arg(&mnt).status();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

/// 10,000 creates and settles through the C ABI keep the file under its bound
/// (journal on /dev/shm, a canned loopback server). Plain and ASan+UBSan; valgrind
/// runs 1,000 (it is ~30x slower).
fn bulk(variant: Variant, runner: Runner, n: u32) {
    let exe = compile("tests/c/journal_test.c", variant);
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        let d = shm.join(fresh_id("cfrpd-cj-bulk"));
        std::fs::create_dir_all(&d).unwrap();
        d
    } else {
        temp_dir("bulk")
    };
    let journal = dir.join("j");
    let bound = cashfree_rpd::journal::JOURNAL_COMPACT_AT + 8 * 1024;
    let r = run(
        &exe,
        runner,
        &[
            "bulk",
            journal.to_str().unwrap(),
            &n.to_string(),
            &bound.to_string(),
        ],
        &env_for(&canned_server()),
    );
    passed(&r);
    eprintln!(
        "c_journal bulk {n}: {}",
        r.stdout
            .lines()
            .find(|l| l.starts_with("LARGEST"))
            .unwrap_or("")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn c_journal_ten_thousand() {
    bulk(Variant::Plain, Runner::Direct, 10_000);
}

#[test]
fn c_journal_ten_thousand_asan_ubsan() {
    bulk(Variant::Sanitized, Runner::Direct, 10_000);
}

#[test]
fn c_journal_bulk_valgrind() {
    if valgrind_available() {
        bulk(Variant::Plain, Runner::Valgrind, 1_000);
    }
}
