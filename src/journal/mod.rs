//! The create journal: durable creates across crashes and power cuts.
//!
//! With [`Config::set_journal_path`](crate::Config::set_journal_path), every create is
//! recorded in an append-only file: the intent (id, name, time) is on stable storage
//! before the create is sent, and Cashfree's answer after it arrives. A process that
//! restarts after a crash lists the open entries ([`Client::journal_pending`]) and
//! resumes them: shows the same QR again, keeps waiting, or settles an entry whose
//! answer never arrived ([`Client::journal_resolve`]). A create of an id with an open
//! entry sends nothing. See the README, "Surviving a crash".
//!
//! Layout: `record` (the format: magic, version, checksummed records), `fs` (the one
//! interface to the file system: the real one here, a crash simulator in `sim` for
//! tests), `lock` (one writer per file: the OS lock and the in-process registry),
//! `store` (entries, appends, compaction, failures).
//!
//! [`Client::journal_pending`]: crate::Client::journal_pending
//! [`Client::journal_resolve`]: crate::Client::journal_resolve

#[cfg(test)]
mod crash_tests;
mod fs;
mod lock;
mod record;
#[cfg(test)]
mod sim;
mod store;
#[cfg(test)]
mod tests;

pub(crate) use store::{Begin, Journal, Log};

use crate::model::CreatedRequest;

/// The file is compacted (rewritten with only its open entries) once it is larger than
/// this and more than half of it is closed entries. So it never grows past
/// `max(COMPACT_AT, 2 × open entries' records) + one record`; an open CREATED entry
/// takes ~3–6 KiB (mostly its QR PNG), a SENDING one ~100 bytes.
pub const JOURNAL_COMPACT_AT: u64 = 256 * 1024;
pub(crate) const COMPACT_AT: u64 = JOURNAL_COMPACT_AT;

/// The journal format version this library writes. Files of version 1 (earlier
/// releases) are converted when opened; any other version is refused untouched.
pub const JOURNAL_FORMAT_VERSION: u32 = record::FORMAT_VERSION;

/// Where a journaled create stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JournalState {
    /// The intent is recorded, no answer is: the request may exist at Cashfree (sent,
    /// answer lost) or not (never arrived). Its links were never received: settle it
    /// with [`Client::journal_resolve`](crate::Client::journal_resolve).
    Sending,
    /// Cashfree's answer is recorded: the same links and QR can be shown again.
    Created,
}

impl JournalState {
    /// `"SENDING"` or `"CREATED"`.
    pub fn name(self) -> &'static str {
        match self {
            JournalState::Sending => "SENDING",
            JournalState::Created => "CREATED",
        }
    }
}

/// An open entry of the journal (see [`Client::journal_pending`](crate::Client::journal_pending)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The id of the create.
    pub verification_id: String,
    /// The name it was sent with.
    pub name: String,
    /// Where it stands.
    pub state: JournalState,
    /// Unix time of the intent, in milliseconds.
    pub recorded_at_ms: i64,
    /// [`Created`](JournalState::Created): the answer as first received (with
    /// `replayed = true`); [`Sending`](JournalState::Sending): `None`.
    pub request: Option<CreatedRequest>,
}
