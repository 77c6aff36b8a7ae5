//! The create journal under real crashes: a child process (this test binary, re-run
//! with `CFRPD_JOURNAL_CHILD` set) is SIGKILLed at each point of a create, then this
//! process opens the same journal, finds the right entry in the right state, settles
//! it, and the emulator's request log shows zero creates of that id when the request
//! never left, exactly one otherwise — whatever the restarted process does next.
//! Also: torn and damaged files, a full disk, a bad path, two clients on one journal,
//! a forked child, and the file-size bound over 10,000 creates.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use std::time::Instant;

use cashfree_rpd::{Client, ErrorKind, JournalState, VerificationStatus};
use cashfree_rpd_emulator::{Emulator, Options, PayOutcome, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
use common::fresh_id;
use common::gate::{canned_server, gate, Point};

const CHILD: &str = "CFRPD_JOURNAL_CHILD";

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cfrpd-jt-{tag}-{}", fresh_id("d")));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn client(base: &str, journal: &Path) -> cashfree_rpd::Result<Client> {
    let mut cfg = cashfree_rpd::Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(base).unwrap();
    cfg.set_timeouts(Duration::from_secs(5), Duration::from_secs(60));
    cfg.set_call_deadline(Duration::from_secs(120));
    cfg.set_journal_path(journal);
    Client::new(&cfg)
}

/// Creates of `id` the emulator received.
fn creates_of(emu: &Emulator, id: &str) -> usize {
    let needle = format!("\"verification_id\":\"{id}\"");
    emu.requests()
        .iter()
        .filter(|r| r.method == "POST" && String::from_utf8_lossy(&r.body).contains(&needle))
        .count()
}

/// The child's side: `create` (create, print CREATED, then wait to be killed) or
/// `hold` (open the journal, print OPEN, wait). Run only as a child process.
#[test]
fn child_process_entry() {
    let Ok(role) = std::env::var(CHILD) else {
        return; // the parent's run: the tests below start this as a child
    };
    let base = std::env::var("CFRPD_JT_BASE").unwrap();
    let journal = PathBuf::from(std::env::var("CFRPD_JT_JOURNAL").unwrap());
    let c = client(&base, &journal).unwrap();
    let mut out = std::io::stdout();
    match role.as_str() {
        "create" => {
            let id = std::env::var("CFRPD_JT_ID").unwrap();
            let r = c.create(&id, "Jane Doe").unwrap();
            writeln!(out, "CREATED {}", r.ref_id).unwrap();
        }
        _ => writeln!(out, "OPEN").unwrap(),
    }
    out.flush().unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

/// A child process killed (SIGKILL) and reaped when dropped, even if the test fails.
struct Killed(Child);

impl Killed {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_child(
    role: &str,
    base: &str,
    journal: &Path,
    id: &str,
) -> (Killed, mpsc::Receiver<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, role)
        .env("CFRPD_JT_BASE", base)
        .env("CFRPD_JT_JOURNAL", journal)
        .env("CFRPD_JT_ID", id)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (Killed(child), rx)
}

fn wait_line(rx: &mpsc::Receiver<String>, prefix: &str) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the child never printed {prefix}"));
        // libtest may print "test child_process_entry ... " before it on the same line.
        if line.contains(prefix) {
            return line;
        }
    }
}

fn kill_at(point: Point) {
    let emu = Emulator::start(Options::default()).unwrap();
    let upstream: SocketAddr = emu.base_url()["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (base, reached) = gate(upstream, point);
    let dir = temp_dir("kill");
    let journal = dir.join("creates.journal");
    let id = fresh_id("kill");
    let (mut child, lines) = spawn_child("create", &base, &journal, &id);
    match point {
        Point::AfterRecorded => {
            wait_line(&lines, "CREATED");
        }
        _ => reached
            .recv_timeout(Duration::from_secs(30))
            .expect("the child's create reached the gate"),
    }
    child.kill(); // SIGKILL
    let sent = usize::from(point != Point::BeforeSend);
    assert_eq!(
        creates_of(&emu, &id),
        sent,
        "{point:?}: creates before the restart"
    );

    // The restarted process.
    let c = client(&base, &journal).unwrap();
    let pending = c.journal_pending().unwrap();
    assert_eq!(pending.len(), 1, "{point:?}: {pending:?}");
    let entry = &pending[0];
    assert_eq!(entry.verification_id, id);
    assert_eq!(entry.name, "Jane Doe");
    let want = if point == Point::AfterRecorded {
        JournalState::Created
    } else {
        JournalState::Sending
    };
    assert_eq!(entry.state, want, "{point:?}");
    // Creating the same id again sends nothing.
    match c.create(&id, "Jane Doe") {
        Ok(r) => {
            assert_eq!(want, JournalState::Created, "{point:?}: replayed {r:?}");
            assert!(r.replayed);
            assert_eq!(Some(&r), entry.request.as_ref());
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::DuplicateId, "{point:?}: {e}");
            assert!(e.message().contains("resolve"), "{e}");
        }
    }
    assert_eq!(
        creates_of(&emu, &id),
        sent,
        "{point:?}: the restarted create sent nothing"
    );

    if point == Point::BeforeSend {
        // Cashfree never heard of it: resolve closes the entry.
        let e = c.journal_resolve(&id).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        assert!(c.journal_pending().unwrap().is_empty());
        assert_eq!(creates_of(&emu, &id), 0);
        // Creating again with the same id is then the safe next step.
        let r = c.create(&id, "Jane Doe").unwrap();
        assert!(!r.replayed);
        assert_eq!(creates_of(&emu, &id), 1);
        return;
    }
    // It exists at Cashfree, not final yet: the entry stays open in its state.
    let s = c.journal_resolve(&id).unwrap();
    assert_eq!(s.status, VerificationStatus::Created);
    assert_eq!(c.journal_pending().unwrap()[0].state, want);
    emu.pay(&id, PayOutcome::default()).unwrap();
    let s = c.journal_resolve(&id).unwrap();
    assert_eq!(s.status, VerificationStatus::Success);
    assert!(
        c.journal_pending().unwrap().is_empty(),
        "{point:?}: settled"
    );
    assert_eq!(creates_of(&emu, &id), 1, "{point:?}: exactly one create");
    drop(c);
    // Still settled after another restart.
    let c = client(&base, &journal).unwrap();
    assert!(c.journal_pending().unwrap().is_empty());
}

#[test]
fn killed_after_the_intent_before_sending() {
    kill_at(Point::BeforeSend);
}

#[test]
fn killed_while_the_request_is_in_flight() {
    kill_at(Point::InFlight);
}

#[test]
fn killed_while_the_answer_is_arriving() {
    kill_at(Point::AnswerArriving);
}

#[test]
fn killed_after_the_answer_is_recorded() {
    kill_at(Point::AfterRecorded);
}

#[test]
fn a_second_process_is_refused_naming_the_first() {
    let emu = Emulator::start(Options::default()).unwrap();
    let journal = temp_dir("two").join("j");
    let (mut child, lines) = spawn_child("hold", &emu.base_url(), &journal, "x");
    wait_line(&lines, "OPEN");
    let e = client(&emu.base_url(), &journal).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal);
    assert!(
        e.message().contains(&format!("process {}", child.0.id())),
        "{}",
        e.message()
    );
    child.kill();
    // The lock goes with the process.
    client(&emu.base_url(), &journal).unwrap();
}

#[test]
fn a_second_client_in_this_process_is_refused_and_a_dropped_one_frees_the_journal() {
    let emu = Emulator::start(Options::default()).unwrap();
    let journal = temp_dir("same").join("j");
    let first = client(&emu.base_url(), &journal).unwrap();
    let e = client(&emu.base_url(), &journal).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal);
    assert!(
        e.message().contains(&format!("pid {}", std::process::id())),
        "{e}"
    );
    drop(first);
    client(&emu.base_url(), &journal).unwrap();
}

#[test]
fn another_environment_or_client_id_is_refused() {
    let emu = Emulator::start(Options::default()).unwrap();
    let journal = temp_dir("bind").join("j");
    drop(client(&emu.base_url(), &journal).unwrap());
    let e = client("http://127.0.0.1:9/verification", &journal).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal);
    assert!(e.message().contains("belongs to"), "{e}");
    assert!(!e.message().contains(TEST_CLIENT_SECRET));
    let text = std::fs::read(&journal).unwrap();
    assert!(!String::from_utf8_lossy(&text).contains(TEST_CLIENT_SECRET));
}

#[test]
fn torn_tails_open_with_every_earlier_entry_and_middle_damage_refuses() {
    let emu = Emulator::start(Options::default()).unwrap();
    let journal = temp_dir("torn").join("j");
    let ids = [fresh_id("t"), fresh_id("t")];
    let c = client(&emu.base_url(), &journal).unwrap();
    for id in &ids {
        c.create(id, "Jane Doe").unwrap();
    }
    drop(c);
    let whole = std::fs::read(&journal).unwrap();
    // Truncated mid-record (the second create's answer cut), then garbage appended.
    for damaged in [
        whole[..whole.len() - 100].to_vec(),
        [&whole[..], b"\x17\x00\x00\x00garbage after a power cut"].concat(),
    ] {
        std::fs::write(&journal, &damaged).unwrap();
        let c = client(&emu.base_url(), &journal).unwrap();
        let p = c.journal_pending().unwrap();
        let expect_second = if damaged.len() < whole.len() {
            JournalState::Sending
        } else {
            JournalState::Created
        };
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].state, JournalState::Created);
        assert_eq!(p[1].state, expect_second);
    }
    // A flipped byte in the first intent (with records after it): refused, with the
    // file and the offset.
    let mut damaged = whole.clone();
    let at = damaged
        .windows(ids[0].len())
        .position(|w| w == ids[0].as_bytes())
        .unwrap();
    damaged[at] ^= 1;
    std::fs::write(&journal, &damaged).unwrap();
    let e = client(&emu.base_url(), &journal).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal);
    assert!(e.message().contains(&journal.display().to_string()), "{e}");
    assert!(e.message().contains("byte offset"), "{e}");
}

#[test]
fn a_parent_that_is_a_file_is_a_journal_error_and_sends_nothing() {
    let emu = Emulator::start(Options::default()).unwrap();
    let dir = temp_dir("parent");
    std::fs::write(dir.join("file"), b"x").unwrap();
    let e = client(&emu.base_url(), &dir.join("file").join("j")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
    assert_eq!(emu.stats().requests_total, 0);
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_full_disk_fails_the_create_with_journal_and_sends_nothing() {
    if !is_root() {
        common::skip::skip_or_fail(
            "a_full_disk_fails_the_create_with_journal_and_sends_nothing",
            "not root: the full-disk journal test mounts a tmpfs",
        );
        return;
    }
    let emu = Emulator::start(Options::default()).unwrap();
    let mnt = temp_dir("full");
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mount tmpfs failed");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let journal = mnt.join("j");
        let c = client(&emu.base_url(), &journal).unwrap();
        // Fill the file system.
        let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
        while filler.write_all(&[0u8; 4096]).is_ok() {}
        let _ = filler.sync_all();
        // Creates go on while the file's last page has room for their intents (their
        // answers, ~5 KiB, no longer fit: logged, the entries stay SENDING); then one
        // cannot record its intent.
        let mut attempts = 0;
        let (id, e) = loop {
            attempts += 1;
            assert!(attempts < 200, "the journal never filled up");
            let id = fresh_id("full");
            match c.create(&id, "Jane Doe") {
                Ok(_) => continue,
                Err(e) => break (id, e),
            }
        };
        assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
        assert!(e.message().contains("nothing was sent"), "{e}");
        assert_eq!(creates_of(&emu, &id), 0);
        assert_eq!(emu.stats().creates_received, attempts - 1);
        // Room again: the same client goes on.
        drop(filler);
        std::fs::remove_file(mnt.join("filler")).unwrap();
        c.create(&id, "Jane Doe").unwrap();
        assert_eq!(creates_of(&emu, &id), 1);
    }));
    let _ = Command::new("umount").arg(&mnt).status();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn a_forked_child_is_refused_and_writes_nothing() {
    let emu = Emulator::start(Options::default()).unwrap();
    let journal = temp_dir("fork").join("j");
    let c = client(&emu.base_url(), &journal).unwrap();
    let id = fresh_id("fork");
    c.create(&id, "Jane Doe").unwrap();
    let before = std::fs::read(&journal).unwrap();
    // SAFETY: the child only makes calls on the client and then _exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let kinds = [
            c.create(&fresh_id("forked"), "X").map(drop),
            c.journal_pending().map(drop),
            c.journal_resolve(&id).map(drop),
        ];
        let ok = kinds
            .iter()
            .all(|r| matches!(r, Err(e) if e.kind() == ErrorKind::Journal));
        // A status call still works in the child.
        let status_ok = c.status(&id).is_ok();
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(if ok && status_ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child made above.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child {status}"
    );
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        before,
        "the child wrote nothing"
    );
    assert_eq!(emu.stats().creates_received, 1);
    // The parent still owns it.
    assert_eq!(c.journal_pending().unwrap().len(), 1);
    emu.pay(&id, PayOutcome::default()).unwrap();
    assert_eq!(c.status(&id).unwrap().status, VerificationStatus::Success);
    assert!(c.journal_pending().unwrap().is_empty());
}

#[test]
fn ten_thousand_creates_and_settles_keep_the_file_under_its_bound() {
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.join(fresh_id("cfrpd-jt-10k"))
    } else {
        temp_dir("10k")
    };
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("j");
    let base = canned_server();
    let c = client(&base, &journal).unwrap();
    let started = Instant::now();
    let mut largest = 0;
    for i in 0..10_000 {
        let id = format!("bulk-{i}");
        let r = c.create(&id, "Jane Doe").unwrap();
        assert!(!r.replayed);
        assert!(c.status(&id).unwrap().is_final());
        largest = largest.max(std::fs::metadata(&journal).unwrap().len());
    }
    assert!(c.journal_pending().unwrap().is_empty());
    // The documented bound with no open entry: JOURNAL_COMPACT_AT plus one record.
    let bound = cashfree_rpd::journal::JOURNAL_COMPACT_AT + 8 * 1024;
    assert!(largest <= bound, "largest {largest} > {bound}");
    eprintln!(
        "10,000 journaled creates + settles in {:?}; largest journal file {largest} bytes",
        started.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
