//! The journal under simulated power cuts and I/O errors (see `sim.rs`).
//!
//! Three scripted workloads — a fresh journal (creates with and without answers, closes,
//! a compaction at open and one at the size threshold), a format-1 journal (written by earlier releases)
//! converted at open, and a file whose header was torn while it was created — run on
//! [`SimFs`]. Crash test: every state a power cut could leave after every operation is
//! reopened and checked against what the workload was promised. Fault test: each
//! operation in turn fails with EIO, then ENOSPC, and the poisoning and compaction rules
//! are checked.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::record::{self, Record};
use super::sim::{crash_images, Fault, Image, SimFs, World};
use super::store::{Begin, Journal, Log};
use super::JournalState;
use crate::decode::decode_created_detailed;
use crate::error::ErrorKind;

const PATH: &str = "/sim/j";
const TMP: &str = "/sim/j.tmp";

/// The format-1 journal written by the previous release (tests/data/journal-rev3.bin).
fn rev3() -> Vec<u8> {
    include_bytes!("../../tests/data/journal-rev3.bin").to_vec()
}

/// The environment every workload's journal belongs to (the fixture's).
fn owner() -> (String, String) {
    let v1 = rev3();
    match record::parse(&v1, 0, 1).unwrap().records.into_iter().next() {
        Some(Record::Header {
            base_url,
            client_id,
        }) => (base_url, client_id),
        other => panic!("fixture header: {other:?}"),
    }
}

fn quiet() -> Log {
    Arc::new(|_, _| {})
}

/// A create answer for `id`, about 3.3 KB (its record spans 7–8 sectors).
fn answer(id: &str, n: u32) -> String {
    let qr: String = (0..3600)
        .map(|i| char::from(b'A' + ((i * 7 + n as usize) % 26) as u8))
        .collect();
    format!(
        "{{\"verification_id\":\"{id}\",\"ref_id\":{n},\"valid_upto\":\"2026-12-06T10:00:00.000Z\",\
         \"upi_link\":\"upi://pay?pa=x@upi&tr={n}\",\"gpay\":\"tez://upi/pay?tr={n}\",\
         \"qr_code\":\"iVBORw0KGgo{qr}\"}}"
    )
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Open,
    Reopen,
    /// A create; `true`: its answer arrives.
    Create(&'static str, bool),
    Close(&'static str),
}

struct Workload {
    name: &'static str,
    start: BTreeMap<String, Vec<u8>>,
    steps: Vec<Step>,
    compact_at: u64,
}

fn workloads() -> Vec<Workload> {
    use Step::*;
    let (base, cid) = owner();
    let header = Record::Header {
        base_url: base,
        client_id: cid,
    }
    .encode()
    .unwrap();
    let torn = [&record::prefix()[..], &header[..header.len() / 2]].concat();
    vec![
        Workload {
            name: "fresh",
            start: BTreeMap::new(),
            steps: vec![
                Open,
                Create("a", true),
                Create("b", false),
                Create("c", true),
                Close("c"),
                Create("d", false),
                Close("d"),
                Reopen, // compaction at open: c and d are closed
                Create("e", true),
                Close("b"),
                Create("f", true),
                Close("f"),
                Create("g", true),
                Close("g"), // past compact_at: compaction
                Close("a"),
                Reopen,
            ],
            compact_at: 12 * 1024,
        },
        Workload {
            name: "revision-3",
            start: BTreeMap::from([(PATH.to_owned(), rev3())]),
            steps: vec![
                Open, // conversion
                Create("h", true),
                Close("rev3-created"),
                Reopen,
            ],
            compact_at: super::COMPACT_AT,
        },
        Workload {
            name: "torn-header",
            start: BTreeMap::from([(PATH.to_owned(), torn)]),
            steps: vec![Open, Create("i", true), Reopen],
            compact_at: super::COMPACT_AT,
        },
    ]
}

/// What the workload was promised about one id, as snapshot indices.
#[derive(Debug, Default, Clone)]
struct Promise {
    began: Option<usize>,
    sent: Option<usize>,
    answer: Option<String>,
    answered: Option<usize>,
    close_began: Option<usize>,
    closed: Option<usize>,
}

type Promises = BTreeMap<String, Promise>;

/// Promises the fixture's entries carry from the start.
fn initial_promises(w: &Workload) -> Promises {
    let mut p = Promises::new();
    if w.name == "revision-3" {
        let parsed = record::parse(&w.start[PATH], 0, 1).unwrap();
        for r in parsed.records {
            match r {
                Record::Intent { id, .. } => {
                    let e = p.entry(id).or_default();
                    e.began = Some(0);
                    e.sent = Some(0);
                }
                Record::Created { id, raw_json } => {
                    let e = p.entry(id).or_default();
                    e.answer = Some(raw_json);
                    e.answered = Some(0);
                }
                Record::Closed { id, .. } => {
                    let e = p.entry(id).or_default();
                    e.close_began = Some(0);
                    e.closed = Some(0);
                }
                Record::Header { .. } => {}
            }
        }
    }
    p
}

/// One step's outcome in a fault run.
#[derive(Debug)]
struct Outcome {
    step: Step,
    ops: std::ops::Range<usize>,
    ok: bool,
    error: Option<String>,
    poisoned_after: bool,
    sent: bool,
}

struct Driver {
    fs: SimFs,
    journal: Option<Journal>,
    promises: Promises,
    compact_at: u64,
    owner: (String, String),
    outcomes: Vec<Outcome>,
    snapshots: bool,
}

impl Driver {
    fn new(w: &Workload, record: bool, fault: Option<Fault>) -> Driver {
        Driver {
            fs: SimFs::new(World::with(&w.start), record, fault),
            journal: None,
            promises: initial_promises(w),
            compact_at: w.compact_at,
            owner: owner(),
            outcomes: Vec::new(),
            snapshots: record,
        }
    }

    fn now(&self) -> usize {
        if self.snapshots {
            self.fs.now()
        } else {
            0
        }
    }

    fn open(&mut self) -> Result<(), String> {
        let j = Journal::open_with(
            Arc::new(self.fs.clone()),
            Path::new(PATH),
            PATH.to_owned(),
            &self.owner.0,
            &self.owner.1,
            quiet(),
            self.compact_at,
        )
        .map_err(|e| {
            assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
            e.message().to_owned()
        })?;
        self.journal = Some(j);
        Ok(())
    }

    fn run(&mut self, steps: &[Step]) {
        for &step in steps {
            let before = self.fs.log().len();
            let mut sent = false;
            let result: Result<(), String> = match step {
                Step::Open | Step::Reopen => {
                    self.journal = None;
                    self.open()
                }
                Step::Create(id, with_answer) => self.create(id, with_answer, &mut sent),
                Step::Close(id) => self.close(id),
            };
            let poisoned_after = self
                .journal
                .as_ref()
                .is_some_and(|j| j.poisoned().is_some());
            self.outcomes.push(Outcome {
                step,
                ops: before..self.fs.log().len(),
                ok: result.is_ok(),
                error: result.err(),
                poisoned_after,
                sent,
            });
        }
    }

    fn create(&mut self, id: &str, with_answer: bool, sent: &mut bool) -> Result<(), String> {
        let began = self.now();
        self.promises.entry(id.to_owned()).or_default().began = Some(began);
        let Some(j) = self.journal.as_ref() else {
            return Err("no journal open".into());
        };
        let guard = match j.begin(id, "Name Of Customer") {
            Ok(Begin::Send(g)) => g,
            Ok(Begin::Replay(_)) => return Err("replayed".into()),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Journal, "{e}");
                return Err(e.message().to_owned());
            }
        };
        *sent = true;
        let now = self.now();
        self.promises.get_mut(id).unwrap().sent = Some(now);
        let mut result = Ok(());
        if with_answer {
            let raw = answer(id, self.promises.len() as u32 + 1000);
            let req = decode_created_detailed(raw.as_bytes(), id).unwrap().created;
            // The answer the file may hold from here on, recorded or not.
            self.promises.get_mut(id).unwrap().answer = Some(raw);
            match j.created(&req) {
                Ok(()) => {
                    let now = self.now();
                    self.promises.get_mut(id).unwrap().answered = Some(now);
                }
                Err(e) => result = Err(e.message().to_owned()),
            }
        }
        drop(guard);
        result
    }

    fn close(&mut self, id: &str) -> Result<(), String> {
        let began = self.now();
        self.promises.entry(id.to_owned()).or_default().close_began = Some(began);
        let Some(j) = self.journal.as_ref() else {
            return Err("no journal open".into());
        };
        match j.close(id, "settled") {
            Ok(true) => {
                let now = self.now();
                self.promises.get_mut(id).unwrap().closed = Some(now);
                Ok(())
            }
            Ok(false) => Err(format!("{id} was not open")),
            Err(e) => Err(e.message().to_owned()),
        }
    }
}

/// Reopens `files` and checks them against the promises as of snapshot `at`
/// (`usize::MAX`: everything promised).
fn check(
    files: &BTreeMap<String, Vec<u8>>,
    at: usize,
    promises: &Promises,
    owner: &(String, String),
) -> Result<(), String> {
    let fs = SimFs::new(World::with(files), false, None);
    let j = Journal::open_with(
        Arc::new(fs.clone()),
        Path::new(PATH),
        PATH.to_owned(),
        &owner.0,
        &owner.1,
        quiet(),
        super::COMPACT_AT,
    )
    .map_err(|e| format!("the journal does not open: {e}"))?;
    let pending = j.pending().map_err(|e| e.to_string())?;
    let found: BTreeMap<&str, _> = pending
        .iter()
        .map(|e| (e.verification_id.as_str(), e))
        .collect();
    let by = |x: Option<usize>| x.is_some_and(|s| s <= at);
    for (id, p) in promises {
        let entry = found.get(id.as_str());
        let close_untouched = p.close_began.is_none_or(|s| at <= s) && !by(p.closed);
        if by(p.sent) && close_untouched && entry.is_none() {
            return Err(format!("{id}: sent, not closed, and missing"));
        }
        if by(p.closed) && entry.is_some() {
            return Err(format!("{id}: closed, and back"));
        }
        if by(p.answered) && close_untouched {
            match entry {
                Some(e) if e.state == JournalState::Created => {}
                other => return Err(format!("{id}: answered, and now {other:?}")),
            }
        }
    }
    for e in &pending {
        let Some(p) = promises.get(&e.verification_id) else {
            return Err(format!("{}: never created", e.verification_id));
        };
        // (0: an entry the workload's starting file already held.)
        if p.began.is_none_or(|b| b != 0 && b >= at) {
            return Err(format!("{}: present before its create", e.verification_id));
        }
        if e.state == JournalState::Created {
            let raw = &e
                .request
                .as_ref()
                .expect("CREATED has its request")
                .raw_json;
            if p.answer.as_ref() != Some(raw) {
                return Err(format!(
                    "{}: the recorded answer changed",
                    e.verification_id
                ));
            }
        }
    }
    if fs.world().visible().contains_key(TMP) {
        return Err("the temporary file is left".into());
    }
    // Still writable: a torn tail is cut, a new create is recorded.
    let probe = match j.begin("zz-probe", "Probe") {
        Ok(Begin::Send(_)) => Ok(()),
        Ok(Begin::Replay(_)) => Err("probe replayed".into()),
        Err(e) => Err(format!("a create after reopening fails: {e}")),
    };
    probe
}

/// A 128-bit hash of a crash state (two 64-bit multiply-rotate hashes over 8-byte
/// words: fast enough in a debug build for ~100,000 states of ~20 KB).
fn content_hash(files: &Image<'_>) -> u128 {
    let mut h = [0x9E37_79B9_7F4A_7C15_u64, 0xC2B2_AE3D_27D4_EB4F];
    let mut mix = |word: u64| {
        h[0] = (h[0] ^ word)
            .wrapping_mul(0x0000_0100_0000_01B3)
            .rotate_left(29);
        h[1] = (h[1] ^ word)
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(31);
    };
    for (name, content) in files {
        for part in [name.as_bytes(), content] {
            mix(part.len() as u64);
            let mut words = part.chunks_exact(8);
            for w in &mut words {
                mix(u64::from_le_bytes(w.try_into().expect("8 bytes")));
            }
            let mut last = [0u8; 8];
            last[..words.remainder().len()].copy_from_slice(words.remainder());
            mix(u64::from_le_bytes(last));
        }
    }
    (u128::from(h[0]) << 64) | u128::from(h[1])
}

fn say(line: &str) {
    // Straight to the descriptor: libtest captures print!, and this figure is the
    // test's report.
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn every_state_a_power_cut_can_leave_reopens_with_what_was_promised() {
    let started = Instant::now();
    let mut seen = HashSet::new();
    let (mut images, mut snapshots) = (0usize, 0usize);
    let mut failures = Vec::new();
    for w in workloads() {
        let mut d = Driver::new(&w, true, None);
        d.run(&w.steps);
        for o in &d.outcomes {
            assert!(o.ok, "{}: {:?} failed: {:?}", w.name, o.step, o.error);
        }
        let promises = d.promises.clone();
        let owner = d.owner.clone();
        for (at, world) in d.fs.snapshots().iter().enumerate() {
            snapshots += 1;
            let mut batch = Vec::new();
            crash_images(world, |files| {
                images += 1;
                if seen.insert(content_hash(files)) {
                    batch.push(
                        files
                            .iter()
                            .map(|(n, c)| ((*n).to_owned(), c.to_vec()))
                            .collect::<BTreeMap<String, Vec<u8>>>(),
                    );
                }
            });
            // Two workers: the machine has two cores.
            let half = batch.len().div_ceil(2).max(1);
            let errors: Vec<String> = std::thread::scope(|s| {
                let handles: Vec<_> = batch
                    .chunks(half)
                    .map(|chunk| {
                        let (promises, owner) = (&promises, &owner);
                        s.spawn(move || {
                            chunk
                                .iter()
                                .filter_map(|files| {
                                    check(files, at, promises, owner).err().map(|e| {
                                        let sizes: Vec<_> =
                                            files.iter().map(|(n, c)| (n, c.len())).collect();
                                        format!("{} after op {at}: {e} (files {sizes:?})", w.name)
                                    })
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap())
                    .collect()
            });
            failures.extend(errors);
            if failures.len() > 20 {
                break; // enough to show what is wrong
            }
        }
    }
    let took = started.elapsed();
    say(&format!(
        "crash simulation: {} distinct states checked ({images} built from {snapshots} \
         snapshots) in {:.1} s, {} failed",
        seen.len(),
        took.as_secs_f64(),
        failures.len()
    ));
    assert!(
        failures.is_empty(),
        "{} states failed, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(seen.len() >= 10_000, "only {} distinct states", seen.len());
    assert!(took.as_secs() < 60, "took {took:?}");
}

#[test]
fn every_operation_failing_in_turn_poisons_or_fails_one_call_as_the_rules_say() {
    let mut runs = 0;
    for w in workloads() {
        let mut base = Driver::new(&w, false, None);
        base.run(&w.steps);
        let total = base.fs.log().len();
        for errno in [libc_eio(), libc_enospc()] {
            for at in 0..total {
                runs += 1;
                let mut d = Driver::new(&w, false, Some(Fault { at, errno }));
                d.run(&w.steps);
                let log = d.fs.log();
                let failed_op = &log[at];
                if let Err(e) = fault_rules(&d, at, failed_op) {
                    panic!(
                        "{} with {failed_op:?} failing (op {at}, errno {errno}): {e}\n{:#?}",
                        w.name, d.outcomes
                    );
                }
            }
        }
    }
    say(&format!(
        "fault injection: {runs} runs, each with one operation failing"
    ));
}

fn libc_eio() -> i32 {
    5
}

fn libc_enospc() -> i32 {
    28
}

/// The journal's failure rules (README, "Surviving a crash") for one failed operation.
fn fault_rules(d: &Driver, at: usize, op: &str) -> Result<(), String> {
    let Some(i) = d.outcomes.iter().position(|o| o.ops.contains(&at)) else {
        return Err("no step ran the failed operation".into());
    };
    let o = &d.outcomes[i];
    let later = &d.outcomes[i + 1..];
    let in_open = matches!(o.step, Step::Open | Step::Reopen);
    let on_journal = op.ends_with(PATH) || op.contains(&format!("{PATH} "));
    let on_temp = op.contains(TMP);
    let sync_of_journal = (op.starts_with("sync ") && on_journal) || op.starts_with("sync_dir");
    if in_open {
        // A client that could not open: the next open (a new client) re-reads the file.
        if !o.ok
            && later
                .first()
                .is_some_and(|n| matches!(n.step, Step::Create(..)))
        {
            // No journal: the create had nothing to record into and sent nothing.
            if later[0].sent {
                return Err("a create was sent with no journal".into());
            }
        }
    } else if sync_of_journal && !on_temp {
        if !o.poisoned_after {
            return Err("a failed sync did not poison the journal".into());
        }
        for n in later {
            if n.sent {
                return Err(format!(
                    "{:?} was sent after the journal was poisoned",
                    n.step
                ));
            }
            if matches!(n.step, Step::Create(..)) {
                let msg = n.error.as_deref().unwrap_or("");
                if !msg.contains("journal write failed earlier") || !msg.contains("Recreate") {
                    return Err(format!("{:?}: {msg:?}", n.step));
                }
            }
            if matches!(n.step, Step::Reopen | Step::Open) {
                break; // a new client: trusted again after re-reading the file
            }
        }
    } else {
        // Windows closes the journal to rename over it and opens it again by name: if
        // that open fails, the client has no journal file and is poisoned too.
        let reopen = cfg!(windows) && op.starts_with("open ") && on_journal;
        if o.poisoned_after && !reopen {
            return Err("poisoned by a failure that is not a sync".into());
        }
        if on_temp && !o.ok && !matches!(o.step, Step::Close(_)) {
            return Err("a failed compaction failed its call".into());
        }
        // The next create works.
        let next_create = later.iter().find(|n| matches!(n.step, Step::Create(..)));
        if let Some(n) = next_create.filter(|_| !reopen) {
            if !n.ok {
                return Err(format!(
                    "{:?} after a one-call failure: {:?}",
                    n.step, n.error
                ));
            }
        }
    }
    // Whatever failed: the files reopen with every promise kept, as a clean shutdown
    // leaves them and as the disk has them.
    let world = d.fs.world();
    if world.visible().contains_key(TMP) && !(op.starts_with("remove") && on_temp) {
        return Err("the temporary file is left".into());
    }
    for files in [world.visible(), world.on_disk()] {
        check(&files, usize::MAX, &d.promises, &d.owner)?;
    }
    Ok(())
}
