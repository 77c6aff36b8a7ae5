//! The journal on the real file system (natively, and under wine for the Windows build:
//! LockFileEx, file identity by volume serial and file index, close-before-rename).

use std::path::PathBuf;
use std::sync::Arc;

use super::record::{self, Record};
use super::store::{resolve_path, Begin, Journal, Log};
use super::{JournalState, COMPACT_AT};
use crate::decode::decode_created_detailed;
use crate::error::ErrorKind;

const URL: &str = "http://127.0.0.1:1/verification";

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cfrpd-journal-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn quiet() -> Log {
    Arc::new(|_, _| {})
}

fn open(p: &std::path::Path) -> crate::Result<Journal> {
    Journal::open(p, URL, "cid", quiet())
}

fn answer(id: &str, padding: usize) -> crate::CreatedRequest {
    let raw = format!(
        "{{\"verification_id\":\"{id}\",\"ref_id\":7,\"upi_link\":\"upi://pay?tr=7\",\
         \"qr_code\":\"iVBORw0KGgo\",\"padding\":\"{}\"}}",
        "\\u0001".repeat(padding)
    );
    decode_created_detailed(raw.as_bytes(), id).unwrap().created
}

#[test]
fn entries_survive_reopening_and_settled_ones_leave_the_file() {
    let d = dir("reopen");
    let p = d.join("j");
    {
        let j = open(&p).unwrap();
        let Begin::Send(g) = j.begin("a", "Ann").unwrap() else {
            panic!("a new id is sent")
        };
        assert!(j.pending().unwrap().is_empty(), "in flight is hidden");
        drop(g);
        let Begin::Send(_g) = j.begin("b", "Bob").unwrap() else {
            panic!("a new id is sent")
        };
        j.created(&answer("b", 0)).unwrap();
        let e = open(&p).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Journal);
        assert!(e.message().contains("this process"), "{}", e.message());
    }
    let j = open(&p).unwrap();
    let list = j.pending().unwrap();
    let got: Vec<_> = list
        .iter()
        .map(|e| (e.verification_id.as_str(), e.state))
        .collect();
    assert_eq!(
        got,
        [("a", JournalState::Sending), ("b", JournalState::Created)]
    );
    match j.begin("b", "Bob").unwrap() {
        Begin::Replay(r) => assert!(r.replayed && r.ref_id == 7),
        Begin::Send(_) => panic!("a recorded create is replayed"),
    }
    assert!(j.close("a", "test").unwrap());
    drop(j);
    let before = std::fs::metadata(&p).unwrap().len();
    // Opening a journal with a closed entry compacts it: Ann is gone from the file.
    let j = open(&p).unwrap();
    assert_eq!(j.pending().unwrap().len(), 1);
    let data = std::fs::read(&p).unwrap();
    assert!((data.len() as u64) < before);
    assert!(!String::from_utf8_lossy(&data).contains("Ann"));
    assert!(!d.join("j.tmp").exists());
    drop(j);
    let e = Journal::open(&p, URL, "other", quiet()).unwrap_err();
    assert!(
        e.message().contains("belongs to client id cid"),
        "{}",
        e.message()
    );
}

#[test]
fn an_ordinary_file_is_refused_untouched_and_nothing_is_made_beside_it() {
    let d = dir("foreign");
    let p = d.join("notes.txt");
    std::fs::write(&p, b"not a journal").unwrap();
    let e = open(&p).unwrap_err();
    assert!(
        e.message().contains("not a cashfree-rpd journal"),
        "{}",
        e.message()
    );
    assert_eq!(std::fs::read(&p).unwrap(), b"not a journal");
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
}

#[test]
fn the_largest_answer_accepted_is_recorded_and_read_back() {
    let d = dir("large");
    let p = d.join("j");
    // Close to the 1 MiB body limit, and every byte of it escaped in a JSON string.
    let big = answer("big", (crate::net::http::MAX_BODY as usize - 200) / 6);
    assert!(big.raw_json.len() as u64 <= crate::net::http::MAX_BODY);
    let j = open(&p).unwrap();
    let Begin::Send(g) = j.begin("big", "N").unwrap() else {
        panic!("a new id is sent")
    };
    j.created(&big).unwrap();
    drop(g);
    drop(j);
    let j = open(&p).unwrap();
    let list = j.pending().unwrap();
    assert_eq!(list[0].request.as_ref().unwrap().raw_json, big.raw_json);
    let data = std::fs::read(&p).unwrap();
    let parsed = record::parse(&data, record::PREFIX_LEN, record::FORMAT_VERSION).unwrap();
    assert!(parsed
        .records
        .iter()
        .all(|r| r.encode().map(|b| b.len()).unwrap_or(usize::MAX) <= record::MAX_PAYLOAD + 8));
    assert!(matches!(parsed.records[0], Record::Header { .. }));
}

#[test]
fn compaction_keeps_the_file_small_and_the_open_entries() {
    let d = dir("compact");
    let p = d.join("j");
    let j = open(&p).unwrap();
    let Begin::Send(g) = j.begin("keep", "K").unwrap() else {
        panic!("a new id is sent")
    };
    drop(g);
    let mut largest = 0;
    for i in 0..120 {
        let id = format!("id-{i}");
        let Begin::Send(g) = j.begin(&id, "N").unwrap() else {
            panic!("a new id is sent")
        };
        j.created(&answer(&id, 500)).unwrap();
        drop(g);
        assert!(j.close(&id, "final").unwrap());
        largest = largest.max(std::fs::metadata(&p).unwrap().len());
    }
    assert!(largest <= COMPACT_AT + 8 * 1024, "{largest}");
    drop(j);
    let j = open(&p).unwrap();
    let list = j.pending().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].verification_id, "keep");
}

#[test]
fn two_spellings_of_one_journal_are_one_journal() {
    let d = dir("spell");
    let p = d.join("j");
    let _j = open(&p).unwrap();
    let other = d.join(".").join("j");
    assert_eq!(resolve_path(&other).unwrap(), resolve_path(&p).unwrap());
    let e = open(&other).unwrap_err();
    assert!(e.message().contains("this process"), "{}", e.message());
}
