//! Names of result codes and enum values for logs and screens: static strings taken
//! from the Rust enums (the one definition of each name), "UNKNOWN" for a number the
//! library does not know.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::sync::OnceLock;

use super::error::name_of;
use super::panic::call_infallible;
use super::types::*;
use crate::config::Environment;
use crate::diagnostics::LogLevel;
use crate::model::{NameMatch, ReversalStatus, VerificationStatus};

/// What a number the library does not know reads as.
const UNKNOWN: &CStr = c"UNKNOWN";

/// The C number of each known `VerificationStatus` (everything else is
/// `CFRPD_STATE_UNKNOWN`).
pub(crate) const STATES: [(cfrpd_state, VerificationStatus); 4] = [
    (CFRPD_STATE_CREATED, VerificationStatus::Created),
    (CFRPD_STATE_SUCCESS, VerificationStatus::Success),
    (CFRPD_STATE_FAILURE, VerificationStatus::Failure),
    (CFRPD_STATE_EXPIRED, VerificationStatus::Expired),
];

/// The C number of each known `NameMatch` (else `CFRPD_MATCH_UNKNOWN`).
pub(crate) const NAME_MATCHES: [(cfrpd_name_match, NameMatch); 5] = [
    (CFRPD_MATCH_DIRECT, NameMatch::Direct),
    (CFRPD_MATCH_GOOD_PARTIAL, NameMatch::GoodPartial),
    (CFRPD_MATCH_MODERATE_PARTIAL, NameMatch::ModeratePartial),
    (CFRPD_MATCH_POOR_PARTIAL, NameMatch::PoorPartial),
    (CFRPD_MATCH_NO_MATCH, NameMatch::NoMatch),
];

/// The C number of each known `ReversalStatus` (else `CFRPD_REVERSAL_UNKNOWN`).
pub(crate) const REVERSALS: [(cfrpd_reversal, ReversalStatus); 4] = [
    (CFRPD_REVERSAL_PENDING, ReversalStatus::Pending),
    (
        CFRPD_REVERSAL_TRANSFER_INITIATED,
        ReversalStatus::TransferInitiated,
    ),
    (
        CFRPD_REVERSAL_TRANSFER_SUCCESS,
        ReversalStatus::TransferSuccess,
    ),
    (CFRPD_REVERSAL_FAILED, ReversalStatus::Failed),
];

/// The C number of each `LogLevel`.
pub(crate) const LOG_LEVELS: [(cfrpd_log_level, LogLevel); 4] = [
    (CFRPD_LOG_ERROR, LogLevel::Error),
    (CFRPD_LOG_WARN, LogLevel::Warn),
    (CFRPD_LOG_INFO, LogLevel::Info),
    (CFRPD_LOG_DEBUG, LogLevel::Debug),
];

/// The C number of each `Environment`.
pub(crate) const ENVIRONMENTS: [(cfrpd_environment, Environment); 2] = [
    (CFRPD_ENV_SANDBOX, Environment::Sandbox),
    (CFRPD_ENV_PRODUCTION, Environment::Production),
];

/// The C number of `value` in `table`, or `unknown`.
pub(crate) fn number_of<T: PartialEq>(table: &[(u32, T)], value: &T, unknown: u32) -> u32 {
    table
        .iter()
        .find(|(_, v)| v == value)
        .map_or(unknown, |(n, _)| *n)
}

/// The Rust value of C number `n` in `table`.
pub(crate) fn value_of<T: Clone>(table: &[(u32, T)], n: u32) -> Option<T> {
    table.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())
}

/// The static C string of `n`'s name in a table of names built once from the Rust
/// enum; "UNKNOWN" when `n` is not in it.
fn c_name(
    cell: &'static OnceLock<Vec<(u32, CString)>>,
    build: impl FnOnce() -> Vec<(u32, String)>,
    n: u32,
) -> *const c_char {
    let names = cell.get_or_init(|| {
        build()
            .into_iter()
            .filter_map(|(k, name)| CString::new(name).ok().map(|c| (k, c)))
            .collect()
    });
    names
        .iter()
        .find(|(k, _)| *k == n)
        .map_or(UNKNOWN.as_ptr(), |(_, c)| c.as_ptr())
}

/// The names of a table's values, with `name` giving each value's text.
fn names_of<T>(table: &[(u32, T)], name: impl Fn(&T) -> String) -> Vec<(u32, String)> {
    table.iter().map(|(n, v)| (*n, name(v))).collect()
}

/// The constant's name of a result code, e.g. "CFRPD_ERR_TIMEOUT" (static; do not
/// free). An unknown value gives "CFRPD_UNKNOWN_RESULT".
///
/// Returns: a static NUL-terminated string, never NULL.
#[no_mangle]
pub extern "C" fn cfrpd_result_name(r: cfrpd_result) -> *const c_char {
    call_infallible(UNKNOWN.as_ptr(), || name_of(r).as_ptr())
}

/// The name of a request state as Cashfree writes it: "CREATED", "SUCCESS", "FAILURE",
/// "EXPIRED"; "UNKNOWN" for CFRPD_STATE_UNKNOWN and any number the library does not
/// know. (The raw text Cashfree sent is in `cfrpd_status.status`.)
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_state_name(s: cfrpd_state) -> *const c_char {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    call_infallible(UNKNOWN.as_ptr(), || {
        c_name(&NAMES, || names_of(&STATES, |v| v.as_str().to_owned()), s)
    })
}

/// The name of a name-match result as Cashfree writes it: "DIRECT_MATCH",
/// "GOOD_PARTIAL_MATCH", "MODERATE_PARTIAL_MATCH", "POOR_PARTIAL_MATCH", "NO_MATCH";
/// "UNKNOWN" for CFRPD_MATCH_UNKNOWN and any number the library does not know.
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_name_match_name(m: cfrpd_name_match) -> *const c_char {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    call_infallible(UNKNOWN.as_ptr(), || {
        c_name(
            &NAMES,
            || names_of(&NAME_MATCHES, |v| v.as_str().to_owned()),
            m,
        )
    })
}

/// The name of a refund state as Cashfree writes it: "PENDING", "TRANSFER_INITIATED",
/// "TRANSFER_SUCCESS", "FAILED"; "UNKNOWN" for CFRPD_REVERSAL_UNKNOWN and any number
/// the library does not know.
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_reversal_name(r: cfrpd_reversal) -> *const c_char {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    call_infallible(UNKNOWN.as_ptr(), || {
        c_name(
            &NAMES,
            || names_of(&REVERSALS, |v| v.as_str().to_owned()),
            r,
        )
    })
}

/// The name of a log level: "ERROR", "WARN", "INFO", "DEBUG"; "UNKNOWN" for any other
/// number.
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_log_level_name(l: cfrpd_log_level) -> *const c_char {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    call_infallible(UNKNOWN.as_ptr(), || {
        c_name(&NAMES, || names_of(&LOG_LEVELS, |v| v.name().to_owned()), l)
    })
}

/// The name of an environment: "SANDBOX", "PRODUCTION"; "UNKNOWN" for any other
/// number.
///
/// Returns: a static NUL-terminated string (never NULL; do not free).
#[no_mangle]
pub extern "C" fn cfrpd_environment_name(e: cfrpd_environment) -> *const c_char {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    call_infallible(UNKNOWN.as_ptr(), || {
        c_name(
            &NAMES,
            || names_of(&ENVIRONMENTS, |v| v.name().to_ascii_uppercase()),
            e,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: *const c_char) -> String {
        // SAFETY: every name function returns a pointer to a static NUL-terminated string
        // (or the static fallback), valid for the whole program.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn every_known_number_has_its_rust_name_and_others_read_unknown() {
        for (n, v) in &STATES {
            assert_eq!(s(cfrpd_state_name(*n)), v.as_str());
        }
        for (n, v) in &NAME_MATCHES {
            assert_eq!(s(cfrpd_name_match_name(*n)), v.as_str());
        }
        for (n, v) in &REVERSALS {
            assert_eq!(s(cfrpd_reversal_name(*n)), v.as_str());
        }
        for (n, v) in &LOG_LEVELS {
            assert_eq!(s(cfrpd_log_level_name(*n)), v.name());
        }
        assert_eq!(s(cfrpd_environment_name(CFRPD_ENV_SANDBOX)), "SANDBOX");
        assert_eq!(
            s(cfrpd_environment_name(CFRPD_ENV_PRODUCTION)),
            "PRODUCTION"
        );
        assert_eq!(s(cfrpd_state_name(CFRPD_STATE_UNKNOWN)), "UNKNOWN");
        assert_eq!(s(cfrpd_name_match_name(CFRPD_MATCH_UNKNOWN)), "UNKNOWN");
        assert_eq!(s(cfrpd_reversal_name(CFRPD_REVERSAL_UNKNOWN)), "UNKNOWN");
        for f in [
            cfrpd_state_name,
            cfrpd_name_match_name,
            cfrpd_reversal_name,
            cfrpd_log_level_name,
            cfrpd_environment_name,
        ] {
            assert_eq!(s(f(77)), "UNKNOWN");
            assert_eq!(s(f(u32::MAX)), "UNKNOWN");
            // The same pointer each time: static, never to be freed.
            assert_eq!(f(1), f(1));
        }
    }
}
