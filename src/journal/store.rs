//! The open journal: its entries in memory, appends, compaction, the one-client rule.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::file::{self, Lock, LockError};
use super::record::{self, Record};
use super::{JournalEntry, JournalState, COMPACT_AT};
use crate::error::{Error, ErrorKind, Result};
use crate::model::CreatedRequest;

/// Journals open in this process (absolute paths): one client per journal.
fn registry() -> MutexGuard<'static, HashSet<PathBuf>> {
    static OPEN: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

fn journal_error(message: String) -> Error {
    Error::new(ErrorKind::Journal, message)
}

/// An open entry.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    at_ms: i64,
    seq: u64,
    request: Option<CreatedRequest>,
    /// Bytes its records take (what compaction keeps).
    bytes: u64,
}

#[derive(Debug)]
struct State {
    file: File,
    /// Bytes of whole records: the next record goes here.
    len: u64,
    /// False when the file may hold more than `len` bytes (a torn tail, a failed
    /// write): the next append cuts it first.
    clean_end: bool,
    header: Record,
    header_bytes: u64,
    entries: HashMap<String, Entry>,
    next_seq: u64,
    in_flight: HashSet<String>,
    /// True when a failed compaction on Windows could not open the journal again
    /// (`file` is then not the journal): every later write fails, so nothing is sent.
    file_lost: bool,
}

/// A journal held by one client.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    key: PathBuf,
    owner_pid: u32,
    state: Mutex<State>,
    _lock: Lock,
}

/// What a create does after [`Journal::begin`].
pub(crate) enum Begin<'a> {
    /// The id's request was made already: hand back this copy, send nothing.
    Replay(Box<CreatedRequest>),
    /// Intent recorded: send it. Dropping the guard ends "in flight".
    Send(InFlight<'a>),
}

/// A create in flight on this client (hidden from `pending`).
pub(crate) struct InFlight<'a> {
    journal: &'a Journal,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.journal.state().in_flight.remove(&self.id);
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The journal's absolute path (its directory must exist), with symbolic links
/// resolved: two spellings of one file are one journal (one registry key, one lock).
fn absolute(path: &Path) -> io::Result<PathBuf> {
    if let Ok(real) = path.canonicalize() {
        if real.is_file() {
            return Ok(real);
        }
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = dir.canonicalize()?;
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{} is not a directory", dir.display()),
        ));
    }
    Ok(dir.join(name))
}

impl Journal {
    /// Opens (or creates) the journal at `path` for this base URL and client id.
    pub(crate) fn open(path: &Path, base_url: &str, client_id: &str) -> Result<Journal> {
        let shown = path.display().to_string();
        let key = absolute(path)
            .map_err(|e| journal_error(format!("cannot open the create journal {shown}: {e}")))?;
        if !registry().insert(key.clone()) {
            return Err(journal_error(format!(
                "the create journal {shown} is already used by another client in this process \
                 (pid {}): one client per journal",
                std::process::id()
            )));
        }
        let opened = Self::open_registered(&key, &shown, base_url, client_id);
        if opened.is_err() {
            registry().remove(&key);
        }
        let (state, lock) = opened?;
        Ok(Journal {
            path: key.clone(),
            key,
            owner_pid: std::process::id(),
            state: Mutex::new(state),
            _lock: lock,
        })
    }

    fn open_registered(
        path: &Path,
        shown: &str,
        base_url: &str,
        client_id: &str,
    ) -> Result<(State, Lock)> {
        let io_err = |what: &str, e: io::Error| {
            journal_error(format!("cannot {what} the create journal {shown}: {e}"))
        };
        let lock = match Lock::acquire(&file::lock_path(path)) {
            Ok(l) => l,
            Err(LockError::Held(pid)) => {
                return Err(journal_error(format!(
                    "the create journal {shown} is in use by another client ({}): one client per \
                     journal",
                    match pid {
                        Some(p) => format!("process {p}"),
                        None => "another process".to_owned(),
                    }
                )))
            }
            Err(LockError::Io(e)) => return Err(io_err("lock", e)),
        };
        // A compaction cut short leaves its temporary file; the journal itself is whole.
        let _ = std::fs::remove_file(file::temp_path(path));
        let existed = path.exists();
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_err("open", e))?;
        let mut data = Vec::new();
        f.read_to_end(&mut data).map_err(|e| io_err("read", e))?;
        let parsed = record::parse(&data).map_err(|d| {
            journal_error(format!(
                "the create journal {shown} is damaged at byte offset {} (of {}): refusing to \
                 open it, since a lost record could hide a create in flight. Keep the file for \
                 inspection, resolve its ids by hand, then move it away",
                d.offset,
                data.len()
            ))
        })?;
        let header = Record::Header {
            base_url: base_url.to_owned(),
            client_id: client_id.to_owned(),
        };
        let mut state = State {
            file: f,
            len: parsed.valid_len as u64,
            clean_end: parsed.valid_len == data.len(),
            header_bytes: header.encode().len() as u64,
            header: header.clone(),
            entries: HashMap::new(),
            next_seq: 0,
            in_flight: HashSet::new(),
            file_lost: false,
        };
        let mut records = parsed.records.into_iter();
        match records.next() {
            None => {
                // New (or only a torn header): start it.
                state.len = 0;
                state.clean_end = false;
                state.append(&header).map_err(|e| io_err("write", e))?;
                if !existed {
                    file::sync_dir(path).map_err(|e| io_err("flush the directory of", e))?;
                }
            }
            Some(found) if found == header => {}
            Some(Record::Header {
                base_url: b,
                client_id: c,
            }) => {
                return Err(journal_error(format!(
                    "the create journal {shown} belongs to client id {c} at {b}, not to client id \
                     {client_id} at {base_url}: use one journal per environment and client id"
                )))
            }
            Some(_) => {
                return Err(journal_error(format!(
                    "the create journal {shown} is damaged at byte offset 0: no header record"
                )))
            }
        }
        for r in records {
            let bytes = r.encode().len() as u64;
            state.apply(r, bytes);
        }
        state.maybe_compact(path);
        Ok((state, lock))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Refuses journaled calls in a forked child (the journal belongs to the parent).
    pub(crate) fn check_owner(&self) -> Result<()> {
        if std::process::id() != self.owner_pid {
            return Err(journal_error(format!(
                "the create journal {} belongs to process {}, not to this forked child: create \
                 a new client in the child (with its own journal) instead",
                self.path.display(),
                self.owner_pid
            )));
        }
        Ok(())
    }

    /// Before a create: replay, refuse, or record the intent (flushed) and go ahead.
    pub(crate) fn begin(&self, id: &str, name: &str) -> Result<Begin<'_>> {
        self.check_owner()?;
        let mut st = self.state();
        if let Some(e) = st.entries.get(id) {
            let in_flight = st.in_flight.contains(id);
            return match (&e.request, e.name == name) {
                (Some(req), true) => {
                    let mut copy = Box::new(req.clone());
                    copy.replayed = true;
                    Ok(Begin::Replay(copy))
                }
                (Some(_), false) => Err(Error::new(
                    ErrorKind::DuplicateId,
                    format!(
                        "verification_id {id} was already created for the name {:?} (recorded in \
                         the create journal {}); nothing was sent. cfrpd_journal_resolve / \
                         Client::journal_resolve settles it once it is final",
                        e.name,
                        self.path.display()
                    ),
                )),
                (None, _) => Err(Error::new(
                    ErrorKind::DuplicateId,
                    format!(
                        "a create of verification_id {id} (name {:?}) {} with no answer recorded in \
                         the create journal {}: it may exist at Cashfree; nothing was sent. \
                         cfrpd_journal_resolve / Client::journal_resolve settles it",
                        e.name,
                        if in_flight {
                            "is in flight"
                        } else {
                            "was sent"
                        },
                        self.path.display()
                    ),
                )),
            };
        }
        let intent = Record::Intent {
            id: id.to_owned(),
            name: name.to_owned(),
            at_ms: now_ms(),
        };
        let bytes = st.append(&intent).map_err(|e| {
            journal_error(format!(
                "cannot record the create of {id} in the journal {}: {e}; nothing was sent",
                self.path.display()
            ))
        })?;
        st.apply(intent, bytes);
        st.in_flight.insert(id.to_owned());
        Ok(Begin::Send(InFlight {
            journal: self,
            id: id.to_owned(),
        }))
    }

    /// Records Cashfree's answer to a create (flushed).
    pub(crate) fn created(&self, req: &CreatedRequest) -> Result<()> {
        self.check_owner()?;
        let mut st = self.state();
        let r = Record::Created {
            id: req.verification_id.clone(),
            request: Box::new(req.clone()),
        };
        let bytes = st.append(&r).map_err(|e| {
            journal_error(format!(
                "cannot record the answer for {} in the journal {}: {e}; the entry stays SENDING",
                req.verification_id,
                self.path.display()
            ))
        })?;
        st.apply(r, bytes);
        Ok(())
    }

    /// Closes the id's entry when one is open; `Ok(true)` when it did.
    pub(crate) fn close(&self, id: &str, why: &str) -> Result<bool> {
        self.check_owner()?;
        let mut st = self.state();
        if !st.entries.contains_key(id) {
            return Ok(false);
        }
        let r = Record::Closed {
            id: id.to_owned(),
            why: why.to_owned(),
        };
        let bytes = st.append(&r).map_err(|e| {
            journal_error(format!(
                "cannot close {id} in the create journal {}: {e}",
                self.path.display()
            ))
        })?;
        st.apply(r, bytes);
        st.maybe_compact(&self.path);
        Ok(true)
    }

    /// Whether the id has an open entry (no I/O); false in a forked child.
    pub(crate) fn is_open(&self, id: &str) -> bool {
        std::process::id() == self.owner_pid && self.state().entries.contains_key(id)
    }

    /// Open entries, oldest first, except creates in flight on this client.
    pub(crate) fn pending(&self) -> Result<Vec<JournalEntry>> {
        self.check_owner()?;
        let st = self.state();
        let mut list: Vec<(&String, &Entry)> = st
            .entries
            .iter()
            .filter(|(id, _)| !st.in_flight.contains(*id))
            .collect();
        list.sort_by_key(|(_, e)| e.seq);
        Ok(list
            .into_iter()
            .map(|(id, e)| JournalEntry {
                verification_id: id.clone(),
                name: e.name.clone(),
                state: if e.request.is_some() {
                    JournalState::Created
                } else {
                    JournalState::Sending
                },
                recorded_at_ms: e.at_ms,
                request: e.request.clone().map(|mut r| {
                    r.replayed = true;
                    r
                }),
            })
            .collect())
    }

    /// The current size of the file in bytes (for tests and docs).
    #[cfg(test)]
    fn len(&self) -> u64 {
        self.state().len
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        if std::process::id() == self.owner_pid {
            registry().remove(&self.key);
        }
    }
}

impl State {
    /// Appends one record and flushes it; returns its size.
    fn append(&mut self, r: &Record) -> io::Result<u64> {
        if self.file_lost {
            return Err(io::Error::other(
                "the journal could not be opened again after a failed compaction",
            ));
        }
        let bytes = r.encode();
        if !self.clean_end {
            self.file.set_len(self.len)?;
            self.clean_end = true;
        }
        let written = self
            .file
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| self.file.write_all(&bytes))
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Part of it may be there: cut it at the next write.
            self.clean_end = false;
            return Err(e);
        }
        self.len += bytes.len() as u64;
        Ok(bytes.len() as u64)
    }

    /// Applies a record (read back or just written) to the entries.
    fn apply(&mut self, r: Record, bytes: u64) {
        match r {
            Record::Header { .. } => {}
            Record::Intent { id, name, at_ms } => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.entries.insert(
                    id,
                    Entry {
                        name,
                        at_ms,
                        seq,
                        request: None,
                        bytes,
                    },
                );
            }
            Record::Created { id, request } => {
                if let Some(e) = self.entries.get_mut(&id) {
                    e.request = Some(*request);
                    e.bytes += bytes;
                }
            }
            Record::Closed { id, .. } => {
                self.entries.remove(&id);
            }
        }
    }

    fn live_bytes(&self) -> u64 {
        self.header_bytes + self.entries.values().map(|e| e.bytes).sum::<u64>()
    }

    /// Rewrites the file with only the open entries when it has grown past
    /// [`COMPACT_AT`] and more than half of it is closed entries. A failure leaves the
    /// old file (still whole) in place.
    fn maybe_compact(&mut self, path: &Path) {
        if self.len <= COMPACT_AT || self.len <= 2 * self.live_bytes() {
            return;
        }
        let _ = self.compact(path);
    }

    fn compact(&mut self, path: &Path) -> io::Result<()> {
        let mut open: Vec<(&String, &Entry)> = self.entries.iter().collect();
        open.sort_by_key(|(_, e)| e.seq);
        let mut data = self.header.encode();
        for (id, e) in open {
            data.extend(
                Record::Intent {
                    id: id.clone(),
                    name: e.name.clone(),
                    at_ms: e.at_ms,
                }
                .encode(),
            );
            if let Some(req) = &e.request {
                data.extend(
                    Record::Created {
                        id: id.clone(),
                        request: Box::new(req.clone()),
                    }
                    .encode(),
                );
            }
        }
        let tmp = file::temp_path(path);
        let f = file::write_new(&tmp, &data)?;
        // Windows refuses to rename over a file that is open: the old journal's handle is
        // closed first (the new file's handle follows it through the rename), and opened
        // again if the rename fails.
        #[cfg(windows)]
        {
            self.file = f.try_clone()?;
        }
        if let Err(e) = file::replace(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            #[cfg(windows)]
            match OpenOptions::new().read(true).write(true).open(path) {
                Ok(old) => self.file = old,
                Err(_) => self.file_lost = true,
            }
            return Err(e);
        }
        self.file = f;
        self.len = data.len() as u64;
        self.clean_end = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cfrpd-journal-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn request(id: &str) -> CreatedRequest {
        CreatedRequest::from_journal(
            id.into(),
            7,
            None,
            "upi://pay".into(),
            [None, None, None, None],
            Some("x".repeat(3000)),
            "{}".into(),
        )
    }

    const URL: &str = "http://127.0.0.1:1/verification";

    #[test]
    fn entries_survive_reopening_and_close() {
        let d = dir("reopen");
        let p = d.join("j");
        {
            let j = Journal::open(&p, URL, "cid").unwrap();
            let Begin::Send(g) = j.begin("a", "Ann").unwrap() else {
                panic!()
            };
            assert!(j.pending().unwrap().is_empty(), "in flight is hidden");
            drop(g);
            let Begin::Send(_g) = j.begin("b", "Bob").unwrap() else {
                panic!()
            };
            j.created(&request("b")).unwrap();
            // Same process, same path: refused.
            let e = Journal::open(&p, URL, "cid").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Journal);
            assert!(e.message().contains("this process"), "{}", e.message());
        }
        let j = Journal::open(&p, URL, "cid").unwrap();
        let list = j.pending().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            (list[0].verification_id.as_str(), list[0].state),
            ("a", JournalState::Sending)
        );
        assert_eq!(list[1].state, JournalState::Created);
        assert_eq!(
            list[1].request.as_ref().unwrap().qr_code,
            request("b").qr_code
        );
        match j.begin("b", "Bob").unwrap() {
            Begin::Replay(r) => assert!(r.replayed && r.ref_id == 7),
            Begin::Send(_) => panic!("a recorded create is replayed"),
        }
        for (id, name) in [("b", "Other"), ("a", "Ann")] {
            let e = j.begin(id, name).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::DuplicateId, "{}", e.message());
            assert!(e.message().contains("resolve"), "{}", e.message());
        }
        assert!(j.close("a", "test").unwrap());
        assert!(!j.close("zzz", "test").unwrap());
        drop(j);
        let j = Journal::open(&p, URL, "cid").unwrap();
        assert_eq!(j.pending().unwrap().len(), 1);
        drop(j);
        let e = Journal::open(&p, URL, "other").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Journal);
        assert!(
            e.message().contains("belongs to client id cid"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn compaction_keeps_the_file_small_and_the_open_entries() {
        let d = dir("compact");
        let p = d.join("j");
        let j = Journal::open(&p, URL, "cid").unwrap();
        let Begin::Send(g) = j.begin("keep", "K").unwrap() else {
            panic!()
        };
        drop(g);
        let mut largest = 0;
        for i in 0..400 {
            let id = format!("id-{i}");
            let Begin::Send(g) = j.begin(&id, "N").unwrap() else {
                panic!()
            };
            j.created(&request(&id)).unwrap();
            drop(g);
            assert!(j.close(&id, "final").unwrap());
            largest = largest.max(j.len());
        }
        assert!(largest <= COMPACT_AT + 8 * 1024, "{largest}");
        assert_eq!(std::fs::metadata(&p).unwrap().len(), j.len());
        drop(j);
        let j = Journal::open(&p, URL, "cid").unwrap();
        let list = j.pending().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].verification_id, "keep");
    }

    #[test]
    fn a_torn_tail_is_cut_at_the_next_write() {
        let d = dir("torn");
        let p = d.join("j");
        let j = Journal::open(&p, URL, "cid").unwrap();
        let Begin::Send(g) = j.begin("a", "A").unwrap() else {
            panic!()
        };
        drop(g);
        drop(j);
        let good = std::fs::metadata(&p).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"\x40\x00\x00\x00torn").unwrap();
        drop(f);
        let j = Journal::open(&p, URL, "cid").unwrap();
        assert_eq!(j.pending().unwrap().len(), 1);
        assert!(j.close("a", "x").unwrap());
        drop(j);
        let data = std::fs::read(&p).unwrap();
        let parsed = record::parse(&data).unwrap();
        assert_eq!(parsed.valid_len, data.len(), "the torn bytes were cut");
        assert!(data.len() as u64 > good);
    }

    #[cfg(unix)]
    #[test]
    fn two_spellings_of_one_journal_are_one_journal() {
        let d = dir("spell");
        let p = d.join("j");
        let j = Journal::open(&p, URL, "cid").unwrap();
        std::os::unix::fs::symlink(&p, d.join("link")).unwrap();
        for other in [d.join("link"), d.join(".").join("j")] {
            let e = Journal::open(&other, URL, "cid").unwrap_err();
            assert!(e.message().contains("this process"), "{}", e.message());
        }
        drop(j);
    }

    #[test]
    fn a_parent_that_is_a_file_is_a_journal_error() {
        let d = dir("parent");
        std::fs::write(d.join("f"), b"x").unwrap();
        let e = Journal::open(&d.join("f").join("j"), URL, "cid").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Journal);
        assert!(e.message().contains("cannot open"), "{}", e.message());
    }
}
