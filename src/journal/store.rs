//! The open journal: its entries in memory, appends, compaction, failures.
//!
//! Every sync and why:
//! - an intent is written and synced before its create is sent (the promise);
//! - an answer, a close: written and synced before the call returns, so a restart never
//!   shows a settled entry as open, nor a received answer as missing;
//! - the header (a new or re-initialised file): the file, then its directory, so the
//!   file's name survives a power cut;
//! - compaction and conversion: the temporary file before the rename (else the rename
//!   could publish unwritten data), the directory after it (else the old file returns).
//!
//! A failed sync is never retried and never trusted (after a failed `fsync` Linux may
//! drop the dirty pages and report success next time): the journal is *poisoned*, and
//! every later create and resolve of the client fails with nothing sent. A failed write or
//! truncate fails only its call: the bytes that may have landed are cut at the next write.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::fs::{beside, Create, Fs, FsFile, Kind, Meta};
use super::lock::{HeldLock, NotLocked};
use super::record::{self, Layout, Record, Refused, FORMAT_VERSION, PREFIX_LEN};
use super::{JournalEntry, JournalState, COMPACT_AT};
use crate::diagnostics::LogLevel;
use crate::error::{Error, ErrorKind, Result};
use crate::model::CreatedRequest;

/// Where the journal's log lines go (the client's logger, scrubbed).
pub(crate) type Log = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

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
    /// The answer as recorded (what compaction writes again).
    raw: Option<String>,
    /// Bytes its records take (what compaction keeps).
    bytes: u64,
}

#[derive(Debug)]
struct State {
    /// The journal; `None` only after a failed compaction on Windows could not open the
    /// journal again (the client is then poisoned).
    file: Option<Box<dyn FsFile>>,
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
    /// Set by a failed sync: why, for every later error.
    poisoned: Option<String>,
    compact_at: u64,
}

/// A journal held by one client.
#[derive(Debug)]
pub(crate) struct Journal {
    /// The resolved path.
    path: PathBuf,
    /// The path as the caller spelled it (messages).
    shown: String,
    owner_pid: u32,
    fs: Arc<dyn Fs>,
    log: LogFn,
    state: Mutex<State>,
    /// Signalled when a create stops being in flight.
    settled: Condvar,
    // Declared last: dropped after the journal's file, and itself releases the OS lock
    // before leaving the registry.
    _lock: HeldLock,
}

/// [`Log`] with a Debug impl.
struct LogFn(Log);

impl std::fmt::Debug for LogFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Log")
    }
}

/// What a create does after [`Journal::begin`].
pub(crate) enum Begin<'a> {
    /// The id's request was made already: hand back this copy, send nothing.
    Replay(Box<CreatedRequest>),
    /// Intent recorded: send it. Dropping the guard ends "in flight".
    Send(InFlight<'a>),
}

/// A create in flight on this client (hidden from `pending`, not touched by resolve).
pub(crate) struct InFlight<'a> {
    journal: &'a Journal,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.journal.state().in_flight.remove(&self.id);
        self.journal.settled.notify_all();
    }
}

/// Why an append did not happen.
enum Failed {
    Io(io::Error),
    Poisoned(String),
    TooLarge(usize),
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Io(e) => write!(f, "{e}"),
            Failed::Poisoned(why) => write!(f, "journal write failed earlier: {why}"),
            Failed::TooLarge(n) => write!(
                f,
                "the record would take {n} bytes, more than the journal's limit of {}",
                record::MAX_PAYLOAD
            ),
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The journal's real path (its directory must exist), symbolic links resolved: every
/// spelling of one file leads to one lock file.
pub(crate) fn resolve_path(path: &Path) -> io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => path.canonicalize().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot resolve it (a symbolic link to nothing?): {e}"),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let name = path.file_name().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "the path names no file")
            })?;
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
        Err(e) => Err(e),
    }
}

/// What the journal's open found in the file.
struct Found {
    meta: Option<Meta>,
    layout: Layout,
    data: Vec<u8>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for this base URL and client id.
    pub(crate) fn open(path: &Path, base_url: &str, client_id: &str, log: Log) -> Result<Journal> {
        let shown = path.display().to_string();
        let real = resolve_path(path)
            .map_err(|e| journal_error(format!("cannot open the create journal {shown}: {e}")))?;
        let fs: Arc<dyn Fs> = Arc::new(super::fs::RealFs);
        Self::open_with(fs, &real, shown, base_url, client_id, log, COMPACT_AT)
    }

    /// Opens the journal at the resolved `path` through `fs`.
    pub(crate) fn open_with(
        fs: Arc<dyn Fs>,
        path: &Path,
        shown: String,
        base_url: &str,
        client_id: &str,
        log: Log,
        compact_at: u64,
    ) -> Result<Journal> {
        let io_err = |what: &str, e: &dyn std::fmt::Display| {
            journal_error(format!("cannot {what} the create journal {shown}: {e}"))
        };
        // Judge the file before anything is created or removed beside it.
        examine(&*fs, path, &shown)?;
        let lock = match HeldLock::acquire(&*fs, &beside(path, ".lock")) {
            Ok(l) => l,
            Err(NotLocked::ThisProcess) => {
                return Err(journal_error(format!(
                    "the create journal {shown} is already used by another client in this process \
                     (pid {}): one client per journal",
                    std::process::id()
                )))
            }
            Err(NotLocked::OtherProcess(pid)) => {
                return Err(journal_error(format!(
                    "the create journal {shown} is in use by another client ({}): one client per \
                     journal",
                    match pid {
                        Some(p) => format!("process {p}"),
                        None => "another process".to_owned(),
                    }
                )))
            }
            Err(NotLocked::Io(e)) => return Err(io_err("lock", &e)),
        };
        // A compaction cut short leaves its temporary file; the journal itself is whole.
        remove_if_there(&*fs, &beside(path, ".tmp")).map_err(|e| io_err("clean up after", &e))?;
        // Under the lock, the file as it is now (another process may have been first).
        let found = examine(&*fs, path, &shown)?;
        let header = Record::Header {
            base_url: base_url.to_owned(),
            client_id: client_id.to_owned(),
        };
        let header_bytes = header
            .encode()
            .map_err(|e| io_err("write", &Failed::TooLarge(e.0)))?;
        let mut state = State {
            file: None,
            len: 0,
            clean_end: false,
            header_bytes: header_bytes.len() as u64,
            header: header.clone(),
            entries: HashMap::new(),
            next_seq: 0,
            in_flight: HashSet::new(),
            poisoned: None,
            compact_at,
        };
        let journal_version = match found.layout {
            Layout::Unborn => None,
            Layout::Format1 => Some(1),
            Layout::Current => Some(FORMAT_VERSION),
        };
        let mut closed_any = false;
        if let Some(version) = journal_version {
            let start = if version == 1 { 0 } else { PREFIX_LEN };
            let parsed = record::parse(&found.data, start, version).map_err(|d| {
                journal_error(format!(
                    "the create journal {shown} is damaged at byte offset {} (of {}): refusing to \
                     open it, since a lost record could hide a create in flight. Keep the file \
                     for inspection, resolve its ids by hand, then move it away",
                    d.offset,
                    found.data.len()
                ))
            })?;
            // Each record with the bytes it takes (what compaction decides by).
            let mut records = parsed.records.into_iter().zip(parsed.sizes);
            match records.next().map(|(r, _)| r) {
                Some(found) if found == header => {}
                Some(Record::Header {
                    base_url: b,
                    client_id: c,
                }) => {
                    return Err(journal_error(format!(
                        "the create journal {shown} belongs to client id {c} at {b}, not to client \
                         id {client_id} at {base_url}: use one journal per environment and client id"
                    )))
                }
                _ => {
                    return Err(journal_error(format!(
                        "the create journal {shown} is damaged at byte offset {start}: no header \
                         record"
                    )))
                }
            }
            for (r, bytes) in records {
                closed_any |= matches!(r, Record::Closed { .. });
                state.apply(r, bytes, &log, &shown);
            }
            state.len = parsed.valid_len as u64;
            state.clean_end = parsed.valid_len == found.data.len();
        }
        let log_fn = LogFn(log);
        match found.layout {
            Layout::Unborn => {
                // New, or created when the power went: written aside and renamed into
                // place like a compaction, so a power cut leaves either no journal (or the
                // old unborn file) or a whole one, never a torn header; private (0600).
                let file = state
                    .rewrite(&*fs, path, Some(0o600))
                    .map_err(|e| io_err("create", &e))?;
                state.install(file, &*fs, path, &log_fn, &shown);
                if let Some(why) = &state.poisoned {
                    return Err(io_err("create", why));
                }
            }
            Layout::Format1 => {
                // Rewritten in format 2 the compaction way (private: 0600). Until the
                // rename the old file is the journal; after it, the new one.
                let file = state
                    .rewrite(&*fs, path, Some(0o600))
                    .map_err(|e| io_err("convert (format 1 to 2)", &e))?;
                state.install(file, &*fs, path, &log_fn, &shown);
                if let Some(why) = &state.poisoned {
                    return Err(io_err("convert (format 1 to 2)", why));
                }
                (log_fn.0)(
                    LogLevel::Info,
                    &format!("the create journal {shown} was converted to format {FORMAT_VERSION}"),
                );
            }
            Layout::Current => {
                state.file = Some(fs.open(path, Create::No).map_err(|e| io_err("open", &e))?);
                // Closed entries' personal data leaves the file now.
                if closed_any {
                    state.compact(&*fs, path, &log_fn, &shown);
                    if let Some(why) = &state.poisoned {
                        return Err(io_err("compact", why));
                    }
                }
            }
        }
        if let Some(m) = found.meta {
            if m.mode & 0o044 != 0 {
                (log_fn.0)(
                    LogLevel::Warn,
                    &format!(
                        "the create journal {shown} is readable by other users (mode {:04o}): it \
                         holds customers' names and payment links; chmod 600 it",
                        m.mode
                    ),
                );
            }
        }
        Ok(Journal {
            path: path.to_path_buf(),
            shown,
            owner_pid: std::process::id(),
            fs,
            log: log_fn,
            state: Mutex::new(state),
            settled: Condvar::new(),
            _lock: lock,
        })
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
                self.shown, self.owner_pid
            )));
        }
        Ok(())
    }

    fn poisoned_error(&self, why: &str) -> Error {
        journal_error(format!(
            "the create journal {}: journal write failed earlier: {why}; nothing was sent. \
             Recreate the client (it re-reads the file)",
            self.shown
        ))
    }

    /// Before a create: replay, refuse, or record the intent (flushed) and go ahead. A
    /// create of the same id in flight on this client is waited for first.
    pub(crate) fn begin(&self, id: &str, name: &str) -> Result<Begin<'_>> {
        self.check_owner()?;
        let mut st = self.state();
        while st.in_flight.contains(id) && st.poisoned.is_none() {
            st = self.settled.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        if let Some(why) = &st.poisoned {
            return Err(self.poisoned_error(why));
        }
        if let Some(e) = st.entries.get(id) {
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
                        e.name, self.shown
                    ),
                )),
                (None, _) => Err(Error::new(
                    ErrorKind::DuplicateId,
                    format!(
                        "a create of verification_id {id} (name {:?}) was sent with no answer \
                         recorded in the create journal {}: it may exist at Cashfree; nothing was \
                         sent. cfrpd_journal_resolve / Client::journal_resolve settles it",
                        e.name, self.shown
                    ),
                )),
            };
        }
        let intent = Record::Intent {
            id: id.to_owned(),
            name: name.to_owned(),
            at_ms: now_ms(),
        };
        let bytes = st
            .append(&intent, &self.log, &self.shown)
            .map_err(|e| match e {
                Failed::Poisoned(why) => self.poisoned_error(&why),
                e => journal_error(format!(
                    "cannot record the create of {id} in the journal {}: {e}; nothing was sent",
                    self.shown
                )),
            })?;
        st.apply(intent, bytes, &self.log.0, &self.shown);
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
        let id = &req.verification_id;
        if !st.entries.contains_key(id) {
            return Ok(()); // settled meanwhile: nothing to add
        }
        let r = Record::Created {
            id: id.clone(),
            raw_json: req.raw_json.clone(),
        };
        let bytes = st.append(&r, &self.log, &self.shown).map_err(|e| {
            journal_error(format!(
                "cannot record the answer for {id} in the journal {}: {e}; the entry stays SENDING",
                self.shown
            ))
        })?;
        if let Some(e) = st.entries.get_mut(id) {
            e.request = Some(req.clone());
            e.raw = Some(req.raw_json.clone());
            e.bytes += bytes;
        }
        Ok(())
    }

    /// The sequence number of the id's open entry, when it has one that is not in flight
    /// (no I/O); `None` in a forked child.
    pub(crate) fn open_entry(&self, id: &str) -> Option<(u64, JournalState)> {
        if std::process::id() != self.owner_pid {
            return None;
        }
        let st = self.state();
        if st.in_flight.contains(id) {
            return None;
        }
        st.entries.get(id).map(|e| {
            let state = if e.request.is_some() {
                JournalState::Created
            } else {
                JournalState::Sending
            };
            (e.seq, state)
        })
    }

    /// Closes the id's entry if it is still the one numbered `seq` and not in flight;
    /// `Ok(true)` when it did.
    pub(crate) fn close_seen(&self, id: &str, seq: u64, why: &str) -> Result<bool> {
        self.check_owner()?;
        let mut st = self.state();
        if st.in_flight.contains(id) || st.entries.get(id).map(|e| e.seq) != Some(seq) {
            return Ok(false);
        }
        self.close_locked(&mut st, id, why)
    }

    /// Closes the id's entry (a create of it that certainly made no request).
    pub(crate) fn close(&self, id: &str, why: &str) -> Result<bool> {
        self.check_owner()?;
        let mut st = self.state();
        if !st.entries.contains_key(id) {
            return Ok(false);
        }
        self.close_locked(&mut st, id, why)
    }

    fn close_locked(&self, st: &mut State, id: &str, why: &str) -> Result<bool> {
        let r = Record::Closed {
            id: id.to_owned(),
            why: why.to_owned(),
        };
        let bytes = st.append(&r, &self.log, &self.shown).map_err(|e| {
            journal_error(format!(
                "cannot close {id} in the create journal {}: {e}",
                self.shown
            ))
        })?;
        st.apply(r, bytes, &self.log.0, &self.shown);
        st.maybe_compact(&*self.fs, &self.path, &self.log, &self.shown);
        Ok(true)
    }

    /// Before a resolve: refuses while a create of `id` is in flight here (retryable)
    /// or after a failed sync; the entry as seen now.
    pub(crate) fn before_resolve(&self, id: &str) -> Result<Option<(u64, JournalState)>> {
        self.check_owner()?;
        let st = self.state();
        if let Some(why) = &st.poisoned {
            return Err(self.poisoned_error(why));
        }
        if st.in_flight.contains(id) {
            return Err(journal_error(format!(
                "a create of {id} is in flight on this client: its own answer settles it; nothing \
                 was sent (try again once it returns)"
            ))
            .with_flags(true, false));
        }
        drop(st);
        Ok(self.open_entry(id))
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

    /// Why journaled calls fail, once a sync failed.
    #[cfg(test)]
    pub(crate) fn poisoned(&self) -> Option<String> {
        self.state().poisoned.clone()
    }
}

/// Checks the file at `path` before anything is written: what it is, that it may be
/// opened by this process; refuses (untouched) anything that is not a journal.
fn examine(fs: &dyn Fs, path: &Path, shown: &str) -> Result<Found> {
    let refuse = |why: String| journal_error(format!("the create journal {shown} {why}"));
    let meta = fs
        .stat(path)
        .map_err(|e| refuse(format!("cannot be examined: {e}")))?;
    let Some(m) = meta else {
        return Ok(Found {
            meta: None,
            layout: Layout::Unborn,
            data: Vec::new(),
        });
    };
    if m.kind != Kind::File {
        return Err(refuse("is not a regular file".to_owned()));
    }
    if m.nlink > 1 {
        return Err(refuse(format!(
            "has {} names (hard links): compaction would leave the others stale; keep one",
            m.nlink
        )));
    }
    if let (Some((uid, _)), Some(euid)) = (m.owner, fs.euid()) {
        if uid != euid && euid != 0 {
            return Err(refuse(format!(
                "belongs to user {uid}, not to this process's user {euid}: refusing another \
                 user's journal"
            )));
        }
    }
    let data = fs
        .open(path, Create::No)
        .and_then(|mut f| f.read_all())
        .map_err(|e| refuse(format!("cannot be read: {e}")))?;
    let layout = record::classify(&data).map_err(|r| match r {
        Refused::Foreign => refuse(
            "is not a cashfree-rpd journal (it does not start with a journal's first bytes): \
             refusing to touch it; name a new file or an existing journal"
                .to_owned(),
        ),
        Refused::Version(v) => refuse(format!(
            "has journal format version {v}; this library reads version {FORMAT_VERSION} (and \
             converts version 1): use the library that wrote it"
        )),
        Refused::Damage(at) => refuse(format!(
            "is damaged at byte offset {at} (of {}): its header record fails its checksum",
            data.len()
        )),
    })?;
    Ok(Found {
        meta: Some(m),
        layout,
        data,
    })
}

fn remove_if_there(fs: &dyn Fs, path: &Path) -> io::Result<()> {
    match fs.remove(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl State {
    /// Appends one record and flushes it; returns its size.
    fn append(&mut self, r: &Record, log: &LogFn, shown: &str) -> std::result::Result<u64, Failed> {
        if let Some(why) = &self.poisoned {
            return Err(Failed::Poisoned(why.clone()));
        }
        let bytes = r.encode().map_err(|e| Failed::TooLarge(e.0))?;
        let Some(file) = self.file.as_mut() else {
            return Err(Failed::Poisoned("the journal has no open file".to_owned()));
        };
        if !self.clean_end {
            file.set_len(self.len).map_err(Failed::Io)?;
            self.clean_end = true;
        }
        if let Err(e) = file.write_at(self.len, &bytes) {
            // Part of it may be there: cut it at the next write.
            self.clean_end = false;
            return Err(Failed::Io(e));
        }
        if let Err(e) = file.sync() {
            self.clean_end = false;
            let why = format!("flushing the journal failed ({e})");
            (log.0)(
                LogLevel::Error,
                &format!("the create journal {shown}: {why}; it is not trusted any more"),
            );
            self.poisoned = Some(why.clone());
            return Err(Failed::Poisoned(why));
        }
        self.len += bytes.len() as u64;
        Ok(bytes.len() as u64)
    }

    /// Applies a record (read back or just written) to the entries.
    fn apply(&mut self, r: Record, bytes: u64, log: &Log, shown: &str) {
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
                        raw: None,
                        bytes,
                    },
                );
            }
            Record::Created { id, raw_json } => {
                if let Some(e) = self.entries.get_mut(&id) {
                    match crate::decode::decode_created_detailed(raw_json.as_bytes(), &id) {
                        Ok(d) => {
                            let mut req = d.created;
                            req.raw_json = raw_json.clone();
                            e.request = Some(req);
                        }
                        // Cannot happen with the decoder that accepted it; if a later
                        // version is stricter, the entry is SENDING: resolve settles it.
                        Err(err) => log(
                            LogLevel::Warn,
                            &format!(
                                "the create journal {shown}: the recorded answer for {id} cannot \
                                 be read back ({}); the entry is SENDING",
                                err.message()
                            ),
                        ),
                    }
                    e.raw = Some(raw_json);
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

    /// Compacts when the file has grown past `compact_at` and more than half of it is
    /// closed entries.
    fn maybe_compact(&mut self, fs: &dyn Fs, path: &Path, log: &LogFn, shown: &str) {
        if self.poisoned.is_none() && self.len > self.compact_at && self.len > 2 * self.live_bytes()
        {
            self.compact(fs, path, log, shown);
        }
    }

    /// The file with only the open entries: written aside, synced, renamed over the
    /// journal, directory synced. Completes, or leaves the old file in use (logged).
    fn compact(&mut self, fs: &dyn Fs, path: &Path, log: &LogFn, shown: &str) {
        let mode = self.file.as_ref().map(|f| f.meta());
        let keep = match mode {
            Some(Ok(m)) => (m.mode, m.owner),
            Some(Err(e)) => {
                (log.0)(
                    LogLevel::Error,
                    &format!("the create journal {shown} was not compacted: {e}"),
                );
                return;
            }
            None => return,
        };
        match self.rewrite_keeping(fs, path, keep) {
            Ok(file) => self.install(file, fs, path, log, shown),
            Err(e) => (log.0)(
                LogLevel::Error,
                &format!("the create journal {shown} was not compacted ({e}); it stays as it was"),
            ),
        }
    }

    /// [`rewrite_keeping`](Self::rewrite_keeping) with `mode` and this process's owner.
    fn rewrite(&mut self, fs: &dyn Fs, path: &Path, mode: Option<u32>) -> io::Result<Rewritten> {
        self.rewrite_keeping(fs, path, (mode.unwrap_or(0o600), None))
    }

    /// Writes the open entries to `PATH.tmp` (mode and owner as given), syncs it and
    /// renames it over `path`. On failure the temporary file is removed and the old
    /// journal stays in use.
    fn rewrite_keeping(
        &mut self,
        fs: &dyn Fs,
        path: &Path,
        (mode, owner): (u32, Option<(u32, u32)>),
    ) -> io::Result<Rewritten> {
        let mut open: Vec<(&String, &Entry)> = self.entries.iter().collect();
        open.sort_by_key(|(_, e)| e.seq);
        let mut data = record::prefix().to_vec();
        let too_large = |e: record::TooLarge| io::Error::other(Failed::TooLarge(e.0).to_string());
        data.extend(self.header.encode().map_err(too_large)?);
        let mut sizes = Vec::with_capacity(open.len());
        for (id, e) in open {
            let before = data.len();
            let intent = Record::Intent {
                id: id.clone(),
                name: e.name.clone(),
                at_ms: e.at_ms,
            };
            data.extend(intent.encode().map_err(too_large)?);
            if let Some(raw) = &e.raw {
                let answer = Record::Created {
                    id: id.clone(),
                    raw_json: raw.clone(),
                };
                data.extend(answer.encode().map_err(too_large)?);
            }
            sizes.push((id.clone(), (data.len() - before) as u64));
        }
        let tmp = beside(path, ".tmp");
        remove_if_there(fs, &tmp)?;
        let mut f = fs.open(&tmp, Create::New)?;
        let written = (|| {
            let mine = f.meta()?.owner;
            f.set_perm(mode, owner.filter(|o| Some(*o) != mine))?;
            f.write_at(0, &data)?;
            f.sync()
        })();
        if let Err(e) = written {
            drop(f);
            let _ = fs.remove(&tmp);
            return Err(e);
        }
        // Windows refuses to rename over an open file: both handles are closed first,
        // and the journal opened again by name afterwards.
        #[cfg(windows)]
        {
            drop(f);
            self.file = None;
        }
        if let Err(e) = fs.rename(&tmp, path) {
            let _ = fs.remove(&tmp);
            #[cfg(windows)]
            self.reopen(fs, path);
            return Err(e);
        }
        #[cfg(windows)]
        let f = match fs.open(path, Create::No) {
            Ok(f) => f,
            Err(e) => {
                self.poisoned = Some(format!(
                    "the journal could not be opened again after it was rewritten ({e})"
                ));
                return Err(e);
            }
        };
        Ok(Rewritten {
            file: f,
            len: data.len() as u64,
            sizes,
        })
    }

    /// Windows: opens the journal again by name after a rename that failed (its handle
    /// was closed for the rename); a failure poisons (there is no file to write to).
    #[cfg(windows)]
    fn reopen(&mut self, fs: &dyn Fs, path: &Path) {
        match fs.open(path, Create::No) {
            Ok(f) => self.file = Some(f),
            Err(e) => {
                self.poisoned = Some(format!(
                    "the journal could not be opened again after a failed rename ({e})"
                ))
            }
        }
    }

    /// After a rewrite's rename: the new file is the journal; its directory is synced
    /// (a failure poisons: the rename may be undone by a power cut).
    fn install(&mut self, new: Rewritten, fs: &dyn Fs, path: &Path, log: &LogFn, shown: &str) {
        self.file = Some(new.file);
        self.len = new.len;
        self.clean_end = true;
        // Bytes per entry in the new file (what the next compaction decision needs).
        for (id, n) in new.sizes {
            if let Some(e) = self.entries.get_mut(&id) {
                e.bytes = n;
            }
        }
        if let Err(e) = fs.sync_dir(path) {
            let why = format!("flushing the journal's directory after a rewrite failed ({e})");
            (log.0)(
                LogLevel::Error,
                &format!("the create journal {shown}: {why}; it is not trusted any more"),
            );
            self.poisoned = Some(why);
        }
    }
}

/// A rewritten journal, renamed into place.
struct Rewritten {
    file: Box<dyn FsFile>,
    len: u64,
    /// The bytes each open entry's records take in it.
    sizes: Vec<(String, u64)>,
}
