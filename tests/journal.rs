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
    let tmpfs = ["-t", "tmpfs", "-o", "size=64k", "tmpfs"].map(std::ffi::OsStr::new);
    with_mount(&tmpfs, &mnt, || {
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
    });
}

/// Runs `f` with `mount ARGS TARGET` in place, and unmounts TARGET afterwards, also
/// when `f` panics (the panic then goes on).
fn with_mount(args: &[&std::ffi::OsStr], target: &Path, f: impl FnOnce()) {
    let ok = Command::new("mount")
        .args(args)
        .arg(target)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mount {args:?} {} failed", target.display());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let _ = Command::new("umount").arg(target).status();
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

// ---------------------------------------------------------------------------------------
// Only journals are written, private files, one writer per file, races.

fn logged_client(
    base: &str,
    journal: &Path,
) -> (
    cashfree_rpd::Result<Client>,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = logs.clone();
    let mut cfg = cashfree_rpd::Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(base).unwrap();
    cfg.set_journal_path(journal);
    cfg.set_log_callback(cashfree_rpd::LogLevel::Info, move |level, text| {
        sink.lock().unwrap().push(format!("{level}: {text}"))
    });
    (Client::new(&cfg), logs)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

fn ino(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).unwrap().ino()
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_untouched() {
    let emu = Emulator::start(Options::default()).unwrap();
    let dir = temp_dir("foreign");
    let notes = dir.join("notes.txt");
    let mut newer = b"\x89CFRPDJ\n".to_vec();
    newer.extend_from_slice(&3u32.to_le_bytes());
    newer.extend_from_slice(b"\x10\x00\x00\x00....{\"t\":\"h\"}");
    for (content, says) in [
        (
            &b"buy milk, call Ravi 9x"[..],
            "is not a cashfree-rpd journal",
        ),
        (&newer[..], "format version 3"),
    ] {
        std::fs::write(&notes, content).unwrap();
        let e = client(&emu.base_url(), &notes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
        assert!(e.message().contains(says), "{e}");
        assert!(e.message().contains("notes.txt"), "{e}");
        assert_eq!(
            std::fs::read(&notes).unwrap(),
            content,
            "byte for byte unchanged"
        );
        assert_eq!(
            names(&dir),
            ["notes.txt"],
            "no lock or temporary file beside it"
        );
    }
    assert_eq!(emu.stats().requests_total, 0);
}

#[test]
fn a_revision_3_journal_is_converted_with_its_open_entries_and_made_private() {
    // tests/data/journal-rev3.bin was written by the previous release against an
    // emulator on port 47213: rev3-created (answer recorded), rev3-sending (no answer),
    // rev3-final (closed: its name and links must not survive the conversion).
    let fixture = std::fs::read("tests/data/journal-rev3.bin").unwrap();
    let emu = Emulator::start(Options {
        port: 47_213,
        ..Options::default()
    })
    .expect("port 47213 (the fixture's base URL) is free");
    let dir = temp_dir("rev3");
    let journal = dir.join("creates.journal");
    std::fs::write(&journal, &fixture).unwrap();
    std::fs::set_permissions(
        &journal,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let (c, logs) = logged_client(&emu.base_url(), &journal);
    let c = c.unwrap();
    let p = c.journal_pending().unwrap();
    let got: Vec<(&str, JournalState)> = p
        .iter()
        .map(|e| (e.verification_id.as_str(), e.state))
        .collect();
    assert_eq!(
        got,
        [
            ("rev3-created", JournalState::Created),
            ("rev3-sending", JournalState::Sending)
        ]
    );
    assert_eq!(p[0].name, "Asha Rao");
    let req = p[0].request.as_ref().unwrap();
    assert_eq!(req.ref_id, 1000);
    assert!(req.qr_png().is_some(), "the QR survives the conversion");
    let now = std::fs::read(&journal).unwrap();
    assert!(now.starts_with(b"\x89CFRPDJ\n\x02\x00\x00\x00"), "format 2");
    assert!(
        !String::from_utf8_lossy(&now).contains("Ravi Kumar"),
        "closed entry gone"
    );
    assert_eq!(mode(&journal), 0o600);
    assert!(
        logs.lock().unwrap().iter().any(|l| l.contains("converted")),
        "{logs:?}"
    );
    // The replay is the recorded answer.
    let r = c.create("rev3-created", "Asha Rao").unwrap();
    assert!(r.replayed);
    assert_eq!(emu.stats().creates_received, 0);
}

#[test]
fn journal_lock_and_compaction_files_are_private_whatever_the_umask() {
    let emu = Emulator::start(Options::default()).unwrap();
    let dir = temp_dir("private");
    let journal = dir.join("j");
    // SAFETY: umask only changes this process's file-creation mask (restored below).
    let old = unsafe { libc::umask(0) };
    let c = client(&emu.base_url(), &journal);
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    let c = c.unwrap();
    assert_eq!(mode(&journal), 0o600);
    assert_eq!(mode(&dir.join("j.lock")), 0o600);
    let id = fresh_id("p");
    c.create(&id, "Jane Doe").unwrap();
    emu.pay(&id, PayOutcome::default()).unwrap();
    assert!(c.status(&id).unwrap().is_final());
    drop(c);
    let before = std::fs::read(&journal).unwrap();
    assert!(String::from_utf8_lossy(&before).contains("Jane Doe"));
    // An operator's 0640 survives the compaction that opening with a closed entry runs,
    // and that compaction takes the closed entry's personal data out of the file.
    std::fs::set_permissions(
        &journal,
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    let old_ino = ino(&journal);
    let (c, logs) = logged_client(&emu.base_url(), &journal);
    let c = c.unwrap();
    assert_ne!(ino(&journal), old_ino, "compacted at open");
    assert_eq!(mode(&journal), 0o640);
    let after = std::fs::read(&journal).unwrap();
    assert!(
        !String::from_utf8_lossy(&after).contains("Jane Doe"),
        "personal data erased"
    );
    assert!(!String::from_utf8_lossy(&after).contains(&id));
    let logs = logs.lock().unwrap();
    assert!(
        logs.iter()
            .any(|l| l.starts_with("WARN") && l.contains("readable by other users")),
        "{logs:?}"
    );
    drop(c);
    assert_eq!(names(&dir), ["j", "j.lock"], "no temporary file left");
    // Root keeps the owner too: a journal chowned to the POS app's user stays that
    // user's after a compaction run by root.
    if is_root() {
        use std::os::unix::fs::MetadataExt;
        std::os::unix::fs::chown(&journal, Some(65534), Some(65534)).unwrap();
        let id = fresh_id("p");
        let c = client(&emu.base_url(), &journal).unwrap();
        c.create(&id, "Jane Doe").unwrap();
        emu.pay(&id, PayOutcome::default()).unwrap();
        assert!(c.status(&id).unwrap().is_final());
        drop(c);
        let old_ino = ino(&journal);
        drop(client(&emu.base_url(), &journal).unwrap()); // compacts at open
        assert_ne!(ino(&journal), old_ino, "compacted at open");
        let m = std::fs::metadata(&journal).unwrap();
        assert_eq!((m.uid(), m.gid(), mode(&journal)), (65534, 65534, 0o640));
    }
}

#[test]
fn symbolic_links_at_the_lock_or_temporary_name_are_never_followed() {
    let emu = Emulator::start(Options::default()).unwrap();
    let dir = temp_dir("symlinks");
    let journal = dir.join("j");
    let victim = dir.join("victim");
    std::os::unix::fs::symlink(&victim, dir.join("j.lock")).unwrap();
    let e = client(&emu.base_url(), &journal).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
    assert!(e.message().contains("symbolic link"), "{e}");
    assert!(!victim.exists(), "nothing created through the link");
    std::fs::remove_file(dir.join("j.lock")).unwrap();
    // A link at the temporary name is removed (not followed) and the file made anew.
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("j.tmp")).unwrap();
    let c = client(&emu.base_url(), &journal).unwrap();
    let id = fresh_id("s");
    c.create(&id, "Jane Doe").unwrap();
    drop(c);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(!dir.join("j.tmp").exists());
}

#[test]
fn one_writer_per_file_whatever_name_reaches_it() {
    let emu = Emulator::start(Options::default()).unwrap();
    let dir = temp_dir("names");
    let journal = dir.join("j");
    let held = client(&emu.base_url(), &journal).unwrap();
    std::os::unix::fs::symlink(&journal, dir.join("alias")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    for other in [
        dir.join("alias"),
        dir.join("sub").join("..").join("j"),
        dir.join(".").join("j"),
    ] {
        let e = client(&emu.base_url(), &other).unwrap_err();
        assert!(e.message().contains("this process"), "{other:?}: {e}");
    }
    // A relative path, from another process whose working directory is `dir`.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "hold")
        .env("CFRPD_JT_BASE", emu.base_url())
        .env("CFRPD_JT_JOURNAL", "j")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(!status.success(), "the relative name opened a held journal");
    assert!(
        err.contains(&format!("process {}", std::process::id())),
        "names this process: {err}"
    );
    drop(held);
    // Several hard links: refused (compaction would leave the other names stale).
    std::fs::hard_link(&journal, dir.join("second-name")).unwrap();
    let e = client(&emu.base_url(), &journal).unwrap_err();
    assert!(e.message().contains("has 2 names"), "{e}");
    std::fs::remove_file(dir.join("second-name")).unwrap();
    client(&emu.base_url(), &journal).unwrap();
}

#[test]
fn a_bind_mount_leads_to_the_same_lock() {
    if !is_root() {
        common::skip::skip_or_fail(
            "a_bind_mount_leads_to_the_same_lock",
            "not root: the bind-mount journal test needs root for its bind mount",
        );
        return;
    }
    let emu = Emulator::start(Options::default()).unwrap();
    let (a, b) = (temp_dir("bind-a"), temp_dir("bind-b"));
    with_mount(&[std::ffi::OsStr::new("--bind"), a.as_os_str()], &b, || {
        let _held = client(&emu.base_url(), &a.join("j")).unwrap();
        let e = client(&emu.base_url(), &b.join("j")).unwrap_err();
        assert!(e.message().contains("this process"), "{e}");
    });
}

#[test]
fn another_users_journal_is_refused() {
    if !is_root() {
        common::skip::skip_or_fail(
            "another_users_journal_is_refused",
            "not root: the other-user journal test needs root to run as another user",
        );
        return;
    }
    let emu = Emulator::start(Options::default()).unwrap();
    let dir = temp_dir("owner");
    let journal = dir.join("j");
    drop(client(&emu.base_url(), &journal).unwrap()); // root's journal
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    // SAFETY: the child only drops its privileges, opens a client and _exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // SAFETY: plain system calls in the child; 65534 is "nobody".
        let dropped = unsafe { libc::setgid(65534) == 0 && libc::setuid(65534) == 0 };
        let refused = match client(&emu.base_url(), &journal) {
            Err(e) => e.kind() == ErrorKind::Journal && e.message().contains("belongs to user 0"),
            Ok(_) => false,
        };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(if dropped && refused { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child made above.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child {status}"
    );
    // Root may open anyone's.
    client(&emu.base_url(), &journal).unwrap();
}

/// A relay to an upstream that can be changed (each new connection goes to the
/// current one).
fn switchable_relay(upstream: std::sync::Arc<std::sync::Mutex<SocketAddr>>) -> String {
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let to = *upstream.lock().unwrap();
            std::thread::spawn(move || {
                let Ok(up) = TcpStream::connect(to) else {
                    return;
                };
                let (mut a, mut b) = (conn.try_clone().unwrap(), up.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut a, &mut b);
                    let _ = b.shutdown(std::net::Shutdown::Write);
                });
                let (mut c, mut d) = (up, conn);
                let _ = std::io::copy(&mut c, &mut d);
                let _ = d.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    format!("http://127.0.0.1:{port}/verification")
}

fn addr(emu: &Emulator) -> SocketAddr {
    emu.base_url()["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn resolve_never_closes_a_created_entry_and_refuses_while_its_create_is_in_flight() {
    // A CREATED entry whose id Cashfree (here: another emulator) does not know: the
    // recorded answer proves it exists, so the entry stays open.
    let (first, other) = (
        Emulator::start(Options::default()).unwrap(),
        Emulator::start(Options::default()).unwrap(),
    );
    let to = std::sync::Arc::new(std::sync::Mutex::new(addr(&first)));
    let base = switchable_relay(to.clone());
    let journal = temp_dir("resolve").join("j");
    let id = fresh_id("cr");
    let c = client(&base, &journal).unwrap();
    c.create(&id, "Jane Doe").unwrap();
    drop(c);
    *to.lock().unwrap() = addr(&other);
    let c = client(&base, &journal).unwrap();
    let e = c.journal_resolve(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let p = c.journal_pending().unwrap();
    assert_eq!((p.len(), p[0].state), (1, JournalState::Created), "{p:?}");
    drop(c);

    // A create held on the wire: resolve sends nothing and leaves it alone (retryable).
    let emu = Emulator::start(Options::default()).unwrap();
    let (base, reached) = gate(addr(&emu), Point::BeforeSend);
    let journal = temp_dir("inflight").join("j");
    let mut cfg = cashfree_rpd::Config::new(TEST_CLIENT_ID, TEST_CLIENT_SECRET).unwrap();
    cfg.set_base_url(&base).unwrap();
    cfg.set_timeouts(Duration::from_secs(5), Duration::from_secs(3));
    cfg.set_max_retries(0).unwrap();
    cfg.set_journal_path(&journal);
    let c = std::sync::Arc::new(Client::new(&cfg).unwrap());
    let id = fresh_id("fl");
    let creating = {
        let (c, id) = (c.clone(), id.clone());
        std::thread::spawn(move || c.create(&id, "Jane Doe"))
    };
    reached.recv_timeout(Duration::from_secs(30)).unwrap();
    let e = c.journal_resolve(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
    assert!(e.is_retryable(), "{e:?}");
    assert!(e.message().contains("in flight"), "{e}");
    assert_eq!(emu.stats().requests_total, 0, "resolve sent nothing");
    let lost = creating.join().unwrap().unwrap_err();
    assert!(lost.is_ambiguous(), "{lost}");
    assert_eq!(c.journal_pending().unwrap()[0].state, JournalState::Sending);
    // Now resolve may settle it: the request never arrived, the SENDING entry closes.
    let e = c.journal_resolve(&id).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(c.journal_pending().unwrap().is_empty());
}

#[test]
fn creates_of_one_id_from_eight_threads_send_one_post() {
    let emu = Emulator::start(Options::default()).unwrap();
    let journal = temp_dir("threads").join("j");
    let c = std::sync::Arc::new(client(&emu.base_url(), &journal).unwrap());
    let id = fresh_id("t8");
    let go = std::sync::Arc::new(std::sync::Barrier::new(8));
    let results: Vec<_> = (0..8)
        .map(|_| {
            let (c, id, go) = (c.clone(), id.clone(), go.clone());
            std::thread::spawn(move || {
                go.wait();
                c.create(&id, "Jane Doe")
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap().unwrap())
        .collect();
    assert_eq!(creates_of(&emu, &id), 1, "one POST");
    assert_eq!(results.iter().filter(|r| !r.replayed).count(), 1);
    assert!(results.iter().all(|r| r.ref_id == results[0].ref_id));
    // A first create that certainly made no request (422, no balance): a waiter
    // creates afresh instead of failing on its entry.
    let poor = Emulator::start(Options {
        balance: Some(0),
        ..Options::default()
    })
    .unwrap();
    let c = std::sync::Arc::new(client(&poor.base_url(), &temp_dir("poor").join("j")).unwrap());
    let id = fresh_id("t2");
    let both: Vec<_> = (0..2)
        .map(|_| {
            let (c, id) = (c.clone(), id.clone());
            std::thread::spawn(move || c.create(&id, "Jane Doe"))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap().unwrap_err())
        .collect();
    for e in &both {
        assert_ne!(e.kind(), ErrorKind::DuplicateId, "{e}");
        assert!(!e.is_ambiguous(), "{e}");
    }
    assert_eq!(
        creates_of(&poor, &id),
        2,
        "each one its own, one after the other"
    );
    assert!(c.journal_pending().unwrap().is_empty());
}
