//! The one way errors reach C: a `cfrpd_result` code plus an optional owned `cfrpd_error`.

use super::panic::call_infallible;
use super::strings::{free_string, opt_string_out, string_out};
use super::types::*;
use crate::error::{Error, ErrorKind};

/// The C code of an error kind.
pub(crate) fn code_of(kind: ErrorKind) -> cfrpd_result {
    match kind {
        ErrorKind::InvalidInput => CFRPD_ERR_INVALID_ARGUMENT,
        ErrorKind::Network => CFRPD_ERR_NETWORK,
        ErrorKind::Timeout => CFRPD_ERR_TIMEOUT,
        ErrorKind::Tls => CFRPD_ERR_TLS,
        ErrorKind::BadRequest => CFRPD_ERR_BAD_REQUEST,
        ErrorKind::DuplicateId => CFRPD_ERR_DUPLICATE_ID,
        ErrorKind::Unauthorized => CFRPD_ERR_UNAUTHORIZED,
        ErrorKind::Forbidden => CFRPD_ERR_FORBIDDEN,
        ErrorKind::NotFound => CFRPD_ERR_NOT_FOUND,
        ErrorKind::InsufficientBalance => CFRPD_ERR_INSUFFICIENT_BALANCE,
        ErrorKind::RateLimited => CFRPD_ERR_RATE_LIMITED,
        ErrorKind::Server => CFRPD_ERR_SERVER,
        ErrorKind::Http => CFRPD_ERR_HTTP,
        ErrorKind::UnexpectedResponse => CFRPD_ERR_UNEXPECTED_RESPONSE,
        ErrorKind::Signature => CFRPD_ERR_SIGNATURE,
        ErrorKind::Cancelled => CFRPD_ERR_CANCELLED,
        ErrorKind::Deadline => CFRPD_ERR_DEADLINE,
        ErrorKind::WebhookSignature => CFRPD_ERR_WEBHOOK_SIGNATURE,
        ErrorKind::Journal => CFRPD_ERR_JOURNAL,
    }
}

/// The static name of a code.
pub(crate) fn name_of(code: cfrpd_result) -> &'static std::ffi::CStr {
    match code {
        CFRPD_OK => c"CFRPD_OK",
        CFRPD_ERR_INVALID_ARGUMENT => c"CFRPD_ERR_INVALID_ARGUMENT",
        CFRPD_ERR_NETWORK => c"CFRPD_ERR_NETWORK",
        CFRPD_ERR_TIMEOUT => c"CFRPD_ERR_TIMEOUT",
        CFRPD_ERR_TLS => c"CFRPD_ERR_TLS",
        CFRPD_ERR_BAD_REQUEST => c"CFRPD_ERR_BAD_REQUEST",
        CFRPD_ERR_DUPLICATE_ID => c"CFRPD_ERR_DUPLICATE_ID",
        CFRPD_ERR_UNAUTHORIZED => c"CFRPD_ERR_UNAUTHORIZED",
        CFRPD_ERR_FORBIDDEN => c"CFRPD_ERR_FORBIDDEN",
        CFRPD_ERR_NOT_FOUND => c"CFRPD_ERR_NOT_FOUND",
        CFRPD_ERR_INSUFFICIENT_BALANCE => c"CFRPD_ERR_INSUFFICIENT_BALANCE",
        CFRPD_ERR_RATE_LIMITED => c"CFRPD_ERR_RATE_LIMITED",
        CFRPD_ERR_SERVER => c"CFRPD_ERR_SERVER",
        CFRPD_ERR_HTTP => c"CFRPD_ERR_HTTP",
        CFRPD_ERR_UNEXPECTED_RESPONSE => c"CFRPD_ERR_UNEXPECTED_RESPONSE",
        CFRPD_ERR_SIGNATURE => c"CFRPD_ERR_SIGNATURE",
        CFRPD_ERR_CANCELLED => c"CFRPD_ERR_CANCELLED",
        CFRPD_ERR_DEADLINE => c"CFRPD_ERR_DEADLINE",
        CFRPD_ERR_WEBHOOK_SIGNATURE => c"CFRPD_ERR_WEBHOOK_SIGNATURE",
        CFRPD_ERR_JOURNAL => c"CFRPD_ERR_JOURNAL",
        CFRPD_ERR_PANIC => c"CFRPD_ERR_PANIC",
        _ => c"CFRPD_UNKNOWN_RESULT",
    }
}

/// `*err = NULL` when `err` is not NULL.
///
/// # Safety
/// `err` is NULL or writable.
pub(crate) unsafe fn set_ok(err: *mut *mut cfrpd_error) {
    if !err.is_null() {
        // SAFETY: `err` is not NULL (checked above) and writable (this function's requirements).
        unsafe { *err = std::ptr::null_mut() };
    }
}

/// Stores an owned copy of `e` in `*err` (when not NULL) and returns its code.
///
/// # Safety
/// `err` is NULL or writable.
pub(crate) unsafe fn set_error(err: *mut *mut cfrpd_error, e: &Error) -> cfrpd_result {
    // SAFETY: `err` is NULL or writable (this function's requirement), which is all
    // set_error_code needs.
    unsafe { set_error_code(err, code_of(e.kind()), e) }
}

/// [`set_error`] with an explicit code (used for caught panics).
///
/// # Safety
/// `err` is NULL or writable.
pub(crate) unsafe fn set_error_code(
    err: *mut *mut cfrpd_error,
    code: cfrpd_result,
    e: &Error,
) -> cfrpd_result {
    if !err.is_null() {
        let boxed = Box::new(cfrpd_error {
            code,
            http_status: e.http_status().unwrap_or(0),
            message: string_out(e.message()),
            api_code: opt_string_out(e.api_code()),
            api_type: opt_string_out(e.api_type()),
            retry_after_ms: e
                .retry_after()
                .map_or(0, |d| d.as_millis().min(u32::MAX as u128) as u32),
            retryable: e.is_retryable(),
            ambiguous: e.is_ambiguous(),
            raw_body: opt_string_out(e.raw_body()),
            request_id: opt_string_out(e.request_id()),
            rate_limit_limit: rl(e.rate_limit().and_then(|r| r.limit)),
            rate_limit_remaining: rl(e.rate_limit().and_then(|r| r.remaining)),
            rate_limit_reset_ms: rl(e
                .rate_limit()
                .and_then(|r| r.reset)
                .map(|d| d.as_millis().min(i64::MAX as u128) as u64)),
        });
        // SAFETY: `err` is not NULL (checked above) and writable (this function's requirements).
        unsafe { *err = Box::into_raw(boxed) };
    }
    code
}

/// A rate-limit number for C: -1 when unknown.
pub(crate) fn rl(v: Option<u64>) -> i64 {
    v.map_or(-1, |n| n.min(i64::MAX as u64) as i64)
}

/// Frees an error made by [`set_error_code`].
///
/// # Safety
/// `e` is NULL or an error from this library not freed before.
pub(crate) unsafe fn free_error(e: *mut cfrpd_error) {
    if e.is_null() {
        return;
    }
    // SAFETY: `e` is the Box::into_raw of set_error_code's box, not freed before (this function's requirements).
    let b = unsafe { Box::from_raw(e) };
    // SAFETY: set_error_code made every string with string_out/opt_string_out; each is freed once, here.
    unsafe {
        free_string(b.message);
        free_string(b.api_code);
        free_string(b.api_type);
        free_string(b.raw_body);
        free_string(b.request_id);
    }
}

/// Frees an error. NULL is a no-op.
///
/// Requirements: `err` is NULL or an error from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_error_free(err: *mut cfrpd_error) {
    // SAFETY: `err` is NULL or an error from this library, not freed before (this function's requirements).
    call_infallible((), || unsafe { free_error(err) })
}
