//! The one panic boundary every exported function runs inside.

use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::error::{set_error, set_error_code, set_ok};
use super::strings::string_out;
use super::types::{cfrpd_error, cfrpd_result, CFRPD_ERR_PANIC, CFRPD_OK};
use crate::error::{Error, ErrorKind};

/// Runs a fallible call that hands back one owned object through `out`.
///
/// Writes `*out = NULL` and `*err = NULL` first; on success stores the object; on
/// failure stores an owned error in `*err` (when `err` is not NULL) and returns its
/// code; a caught panic is `CFRPD_ERR_PANIC`. A NULL `out` is
/// `CFRPD_ERR_INVALID_ARGUMENT` and `f` is not run.
///
/// # Safety
/// `out` is NULL or valid for writing one pointer; `err` is NULL or valid for writing
/// one pointer. (Every exported caller passes its own arguments on, with this same
/// requirement in its documentation.)
pub(crate) unsafe fn call_with_out<T>(
    out: *mut *mut T,
    err: *mut *mut cfrpd_error,
    f: impl FnOnce() -> Result<Box<T>, Error>,
) -> cfrpd_result {
    // SAFETY: this function's requirements are call_with_partial_out's.
    unsafe { call_with_partial_out(out, err, || f().map_err(|e| (e, None))) }
}

/// [`call_with_out`] for the one call that may hand back an object *and* an error
/// (`cfrpd_wait_for_result`: the last status seen on deadline or cancel).
///
/// # Safety
/// As [`call_with_out`]: `out` and `err` are each NULL or valid for writing one pointer.
pub(crate) unsafe fn call_with_partial_out<T>(
    out: *mut *mut T,
    err: *mut *mut cfrpd_error,
    f: impl FnOnce() -> Result<Box<T>, (Error, Option<Box<T>>)>,
) -> cfrpd_result {
    // SAFETY: this function's requirements are call_with_raw_out's.
    unsafe {
        call_with_raw_out(out, err, || {
            f().map(Box::into_raw)
                .map_err(|(e, p)| (e, p.map(Box::into_raw)))
        })
    }
}

/// [`call_with_out`] for an owned C string (`cfrpd_qr_to_text`; released with
/// `cfrpd_string_free`).
///
/// # Safety
/// As [`call_with_out`]: `out` and `err` are each NULL or valid for writing one pointer.
pub(crate) unsafe fn call_with_string_out(
    out: *mut *mut c_char,
    err: *mut *mut cfrpd_error,
    f: impl FnOnce() -> Result<String, Error>,
) -> cfrpd_result {
    // SAFETY: this function's requirements are call_with_raw_out's.
    unsafe {
        call_with_raw_out(out, err, || {
            f().map(|s| string_out(&s)).map_err(|e| (e, None))
        })
    }
}

/// The one body of the calls above: `f` hands back what `*out` receives, already an
/// owned pointer that the caller releases with the matching `cfrpd_*_free`.
///
/// # Safety
/// As [`call_with_out`]: `out` and `err` are each NULL or valid for writing one pointer.
unsafe fn call_with_raw_out<T>(
    out: *mut *mut T,
    err: *mut *mut cfrpd_error,
    f: impl FnOnce() -> Result<*mut T, (Error, Option<*mut T>)>,
) -> cfrpd_result {
    // SAFETY: `err` is NULL or valid for writes (this function's requirement), which is
    // all set_ok needs.
    unsafe { set_ok(err) };
    if out.is_null() {
        let e = Error::invalid("the out pointer is NULL");
        // SAFETY: `err` is NULL or valid for writes (this function's requirement).
        return unsafe { set_error(err, &e) };
    }
    // SAFETY: `out` is not NULL (checked above), so by this function's requirement it is
    // valid for writing one pointer.
    unsafe { *out = std::ptr::null_mut() };
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => {
            // SAFETY: `out` is non-NULL and valid for writes (as above); `value` was just
            // made for this call and nothing else holds it, so the caller becomes its
            // only owner.
            unsafe { *out = value };
            CFRPD_OK
        }
        Ok(Err((e, partial))) => {
            if let Some(p) = partial {
                // SAFETY: as above: a writable `out`, and a pointer no one else holds.
                unsafe { *out = p };
            }
            // SAFETY: `err` is NULL or valid for writes (this function's requirement).
            unsafe { set_error(err, &e) }
        }
        // SAFETY: `err` is NULL or valid for writes (this function's requirement).
        Err(_) => unsafe { set_error_code(err, CFRPD_ERR_PANIC, &panic_error()) },
    }
}

/// Runs a fallible call without an out-object or error details (config setters).
pub(crate) fn call_status(f: impl FnOnce() -> Result<(), Error>) -> cfrpd_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => CFRPD_OK,
        Ok(Err(e)) => super::error::code_of(e.kind()),
        Err(_) => CFRPD_ERR_PANIC,
    }
}

/// Runs an infallible call (free functions, name lookups); a panic yields `fallback`.
pub(crate) fn call_infallible<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

pub(crate) fn panic_error() -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        "internal error: the library panicked (please report this bug)",
    )
}
