//! The create journal's C face (`cfrpd_config_set_journal_path`, `cfrpd_journal_*`).
#![allow(non_camel_case_types)]

use std::os::raw::c_char;

use super::bytes::{free_slice, slice_out};
use super::config::with_config;
use super::convert::{free_request, request_out, status_out};
use super::panic::{call_infallible, call_with_out};
use super::ref_in;
use super::strings::{free_string, opt_str_in, str_in, string_out};
use super::types::{
    cfrpd_client, cfrpd_config, cfrpd_error, cfrpd_request, cfrpd_result, cfrpd_status,
};
use crate::journal::{JournalEntry, JournalState};
use crate::Config;

/// Where a journaled create stands (`cfrpd_journal_entry.state`).
pub type cfrpd_journal_state = u32;
/// Intent recorded, no answer recorded: the request may exist at Cashfree (its links
/// were never received). Settle it with `cfrpd_journal_resolve`.
pub const CFRPD_JOURNAL_SENDING: u32 = 1;
/// Cashfree's answer recorded: the same links and QR can be shown again.
pub const CFRPD_JOURNAL_CREATED: u32 = 2;

/// The journal format version this library writes. A journal starts with 8 magic bytes
/// and this version; a file of version 1 (written by releases before format 2) is
/// converted when opened, and any other file is refused untouched with
/// `CFRPD_ERR_JOURNAL` (no lock or temporary file is created beside it).
pub const CFRPD_JOURNAL_FORMAT_VERSION: u32 = 2;
const _: () = assert!(CFRPD_JOURNAL_FORMAT_VERSION == crate::journal::JOURNAL_FORMAT_VERSION);

/// Size in bytes past which a client compacts its journal file (rewrites it with only the
/// open entries). Not settable.
pub const CFRPD_JOURNAL_COMPACT_AT: u64 = 262_144;
const _: () = assert!(CFRPD_JOURNAL_COMPACT_AT == crate::journal::JOURNAL_COMPACT_AT);

/// An open entry of the create journal. Strings and `request` belong to the list.
#[repr(C)]
pub struct cfrpd_journal_entry {
    /// The id of the create.
    pub verification_id: *mut c_char,
    /// The name it was sent with.
    pub name: *mut c_char,
    /// `CFRPD_JOURNAL_SENDING` or `CFRPD_JOURNAL_CREATED`.
    pub state: cfrpd_journal_state,
    /// Unix time of the intent, milliseconds.
    pub recorded_at_ms: i64,
    /// CREATED: the answer as first received (`replayed = true`); SENDING: NULL.
    pub request: *mut cfrpd_request,
}

/// The open entries of a create journal (`cfrpd_journal_pending`). Owned by the caller:
/// release with `cfrpd_journal_list_free`.
#[repr(C)]
pub struct cfrpd_journal_list {
    /// Number of entries.
    pub count: usize,
    /// `count` entries, oldest first (NULL when `count` is 0).
    pub entries: *mut cfrpd_journal_entry,
}

fn state_out(s: JournalState) -> cfrpd_journal_state {
    match s {
        JournalState::Sending => CFRPD_JOURNAL_SENDING,
        JournalState::Created => CFRPD_JOURNAL_CREATED,
    }
}

fn entry_out(e: &JournalEntry) -> cfrpd_journal_entry {
    cfrpd_journal_entry {
        verification_id: string_out(&e.verification_id),
        name: string_out(&e.name),
        state: state_out(e.state),
        recorded_at_ms: e.recorded_at_ms,
        request: e
            .request
            .as_ref()
            .map_or(std::ptr::null_mut(), |r| Box::into_raw(request_out(r))),
    }
}

/// Records every create of clients made from this config in the journal file at
/// `path`, so that a process that crashes or loses power mid-create resumes that
/// request instead of paying for a new one. NULL or "" means no journal (the default).
///
/// The file is opened, checked and locked by `cfrpd_client_new`, which fails with
/// CFRPD_ERR_JOURNAL when it cannot be created or read; is not a journal (a file that
/// does not start with the journal's magic bytes is never written: it is refused
/// byte-for-byte unchanged, and no lock or temporary file is made beside it); has a
/// format version other than CFRPD_JOURNAL_FORMAT_VERSION (version 1 files are
/// converted); is damaged before its tail (the message names the file and byte offset);
/// belongs to another base URL or client id; has more than one name (hard links); is
/// owned by another user (unless the process runs as root); or is held by another client
/// (in this process or another, through whatever name: symbolic links are resolved
/// first; the message names the holder's pid where the OS can tell). Its directory must
/// exist, on a file system with atomic rename (not FAT).
///
/// Files: the journal, `path`.lock (the lock, next to the resolved journal) and
/// `path`.tmp (compaction) are created with mode 0600 whatever the umask, the lock and
/// temporary files never through a symbolic link; compaction keeps the journal's mode
/// and owner; a group- or world-readable journal is logged at WARN. On Windows they
/// inherit the directory's ACL. A settled entry's name and links leave the file at the
/// next compaction, which also runs when a client opens a journal holding settled
/// entries.
///
/// A failed flush (fsync) of the journal or its directory is never retried: the client's
/// journal is then unusable ("journal write failed earlier"): every later `cfrpd_create`
/// and `cfrpd_journal_resolve` fails with CFRPD_ERR_JOURNAL and sends nothing (status
/// calls and waits still work); make a new client, which reads the file again.
///
/// With a journal, `cfrpd_create` records the intent on stable storage before sending
/// (else CFRPD_ERR_JOURNAL and nothing is sent) and the answer after; a create of an id
/// with an open entry sends nothing (see `cfrpd_create`).
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config or a path that is not UTF-8 (the path
///   itself is checked by `cfrpd_client_new`).
///
/// Requirements: `c` is NULL or a live config; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_journal_path(
    c: *mut cfrpd_config,
    path: *const c_char,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        // SAFETY: `path` is NULL or NUL-terminated and outlives this call (this function's
        // requirements), which is what opt_str_in needs.
        let path = unsafe { opt_str_in(path, "path") }?;
        cfg.set_journal_path(path.unwrap_or(""));
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// The open entries of the client's create journal, oldest first, except creates in
/// flight on this client at this moment. For each CREATED entry, show its `request`'s
/// QR again if `valid_upto` has not passed, and wait; for each SENDING entry, call
/// `cfrpd_journal_resolve`.
///
/// On success `*out` holds the list (possibly empty; release with
/// `cfrpd_journal_list_free`).
///
/// Errors:
/// - CFRPD_ERR_JOURNAL: the client has no journal or is used in a forked child.
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument.
///
/// Requirements: `client` is NULL or live; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_journal_pending(
    client: *const cfrpd_client,
    out: *mut *mut cfrpd_journal_list,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `client` is NULL or a live client (this function's requirements), which
        // is what ref_in needs for a shared borrow during this call.
        let client = unsafe { ref_in(client, "client") }?;
        let entries: Vec<cfrpd_journal_entry> = client
            .inner
            .journal_pending()?
            .iter()
            .map(entry_out)
            .collect();
        // The entries keep their real length out of the caller's reach (bytes.rs).
        Ok(Box::new(cfrpd_journal_list {
            count: entries.len(),
            entries: slice_out(entries),
        }))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// Frees a list from `cfrpd_journal_pending` with its entries, strings and requests.
/// NULL is a no-op. The length freed is the one allocated, whatever `count` now says.
///
/// Requirements: `list` is NULL or a list from `cfrpd_journal_pending`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_journal_list_free(list: *mut cfrpd_journal_list) {
    call_infallible((), || {
        if list.is_null() {
            return;
        }
        // SAFETY: `list` came from Box::into_raw in cfrpd_journal_pending (the caller's
        // promise) and is handed back once.
        let list = unsafe { Box::from_raw(list) };
        // SAFETY: `entries` is the slice_out array cfrpd_journal_pending made (its
        // length is kept out of the caller's reach); each entry's strings and request
        // were made by string_out / request_out for this entry alone, so freeing them
        // here frees each once.
        unsafe {
            free_slice(list.entries, |e| {
                free_string(e.verification_id);
                free_string(e.name);
                free_request(e.request);
            })
        };
    })
}

/// Settles an entry of the create journal: one status lookup (the usual retry rules).
///
/// On success returns CFRPD_OK and `*out` holds the status (release with
/// `cfrpd_status_free`): a final status (SUCCESS, FAILURE, EXPIRED) closes the entry; a
/// non-final one leaves it open in its state (a SENDING entry stays SENDING: its links
/// were never received). When Cashfree does not know the id (CFRPD_ERR_NOT_FOUND, or
/// CFRPD_ERR_BAD_REQUEST "Please enter a valid verification_id") and the entry is
/// SENDING, the create never happened: the entry is closed and that error returned;
/// creating again with the same id is then the safe next step. A CREATED entry is never
/// closed by that answer (its recorded answer proves Cashfree has it): the error is
/// returned and the entry stays. Only the entry seen before the lookup is settled. For an
/// id not in the journal it is a plain status lookup.
///
/// Errors:
/// - every error of `cfrpd_get_status`.
/// - CFRPD_ERR_JOURNAL: the client has no journal, is used in a forked child, the
///   journal cannot be written or failed a flush earlier, or — with `retryable` true and
///   nothing sent — a `cfrpd_create` of the same id is in flight on this client (its own
///   answer settles it).
///
/// Requirements: `client` is NULL or live; `verification_id` is NULL or NUL-terminated; `out`/`err`
/// are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_journal_resolve(
    client: *const cfrpd_client,
    verification_id: *const c_char,
    out: *mut *mut cfrpd_status,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `client` is NULL or a live client (this function's requirements), which
        // is what ref_in needs for a shared borrow during this call.
        let client = unsafe { ref_in(client, "client") }?;
        // SAFETY: `verification_id` is NULL or NUL-terminated and outlives this call (this
        // function's requirements), which is what str_in needs.
        let id = unsafe { str_in(verification_id, "verification_id") }?;
        Ok(status_out(&client.inner.journal_resolve(id)?))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// The name of a journal state: "SENDING", "CREATED", or "UNKNOWN" for any other
/// number.
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_journal_state_name(s: cfrpd_journal_state) -> *const c_char {
    call_infallible(c"UNKNOWN".as_ptr(), || {
        match s {
            CFRPD_JOURNAL_SENDING => c"SENDING",
            CFRPD_JOURNAL_CREATED => c"CREATED",
            _ => c"UNKNOWN",
        }
        .as_ptr()
    })
}
