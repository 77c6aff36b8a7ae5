//! Create, status and wait, and the release of what they return.

use std::os::raw::{c_char, c_void};
use std::time::Duration;

use super::convert::{free_request, free_status, request_out, status_out};
use super::panic::{call_infallible, call_with_out, call_with_partial_out};
use super::ref_in;
use super::strings::str_in;
use super::types::*;
use crate::error::{Error, ErrorKind};
use crate::WaitOptions;

/// Creates a verification request (this costs the merchant money).
///
/// verification_id: 1-50 characters of [A-Za-z0-9._-], unique per merchant; name: not
/// blank. Both are checked before any I/O and copied. On success `*out` holds the
/// request (release with `cfrpd_request_free`); on failure `*out = NULL`.
///
/// Never sent twice by accident: re-sent automatically only when it certainly did not
/// reach Cashfree (connection not established, or a 429/503 answer). After a timeout
/// or reset after sending, a 500/502/504, or a 2xx that cannot be decoded, the error
/// has `ambiguous = true`: look the id up with `cfrpd_get_status` before creating
/// again. A second create with the same id fails with CFRPD_ERR_DUPLICATE_ID.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8, a malformed id or a
///   blank name; nothing was sent.
/// - CFRPD_ERR_DUPLICATE_ID: the id was used before (HTTP 400).
/// - CFRPD_ERR_BAD_REQUEST: Cashfree refused the request (HTTP 400).
/// - CFRPD_ERR_INSUFFICIENT_BALANCE: the merchant's balance is too low (HTTP 422).
/// - CFRPD_ERR_NETWORK, CFRPD_ERR_TIMEOUT, CFRPD_ERR_TLS: no usable answer (after the
///   re-tries that are safe); CFRPD_ERR_TIMEOUT also when the call deadline passed.
/// - CFRPD_ERR_UNAUTHORIZED, CFRPD_ERR_FORBIDDEN: wrong credentials; IP not whitelisted
///   or bad signature.
/// - CFRPD_ERR_RATE_LIMITED, CFRPD_ERR_SERVER, CFRPD_ERR_HTTP: HTTP 429, 5xx, any other
///   non-2xx (`http_status` and Cashfree's `api_code` are in the error).
/// - CFRPD_ERR_UNEXPECTED_RESPONSE: a 2xx that cannot be decoded.
/// - CFRPD_ERR_JOURNAL: with a journal, the intent could not be recorded (nothing was
///   sent), a flush of the journal failed earlier (nothing sent; make a new client), or
///   the journal is not usable in this process (a forked child).
///
/// With a journal (`cfrpd_config_set_journal_path`): the intent is on stable storage
/// before anything is sent (else CFRPD_ERR_JOURNAL, nothing sent), the answer is
/// recorded after (if only that write fails, the request is still returned and the
/// failure logged at ERROR). A create of an id with an open entry sends nothing: an
/// entry whose answer is recorded under the same name gives a copy of that request
/// with `replayed = true`; another name, or an entry still SENDING, gives
/// CFRPD_ERR_DUPLICATE_ID (settle it with `cfrpd_journal_resolve`). Creates of one id
/// from several threads of a client send at most one request: the others wait for it,
/// then follow these rules (or create afresh if the first certainly sent nothing).
///
/// Example:
/// ```c
/// cfrpd_request *req = NULL;
/// cfrpd_error *err = NULL;
/// if (cfrpd_create(client, "order-42", "John Doe", &req, &err) != CFRPD_OK) {
///     fprintf(stderr, "%s: %s\n", cfrpd_result_name(err->code), err->message);
///     if (err->ambiguous) { // look the id up with cfrpd_get_status first
///     }
///     cfrpd_error_free(err);
///     return 1;
/// }
/// printf("pay with %s\n", req->upi_link);
/// cfrpd_request_free(req);
/// ```
///
/// Requirements: `client` is NULL or live; strings are NULL or NUL-terminated; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_create(
    client: *const cfrpd_client,
    verification_id: *const c_char,
    name: *const c_char,
    out: *mut *mut cfrpd_request,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: the caller passes NULL or a live client (this function's requirements); it outlives this call.
        let client = unsafe { ref_in(client, "client") }?;
        // SAFETY: `verification_id` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let id = unsafe { str_in(verification_id, "verification_id") }?;
        // SAFETY: `name` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let name = unsafe { str_in(name, "name") }?;
        Ok(request_out(&client.inner.create(id, name)?))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// Frees a created request and everything in it. NULL is a no-op.
///
/// Requirements: `req` is NULL or a request from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_request_free(req: *mut cfrpd_request) {
    // SAFETY: `req` is NULL or a request from cfrpd_create, not freed before (this function's requirements).
    call_infallible((), || unsafe { free_request(req) })
}

/// The current status of a request by the merchant's verification_id (checked before
/// any I/O). Retried on connect failures, timeouts, resets, 429 and 500/502/503/504
/// (see `cfrpd_config_set_max_retries`). Release `*out` with `cfrpd_status_free`.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8 or a malformed id;
///   nothing was sent.
/// - CFRPD_ERR_NOT_FOUND, CFRPD_ERR_BAD_REQUEST: Cashfree does not know the id
///   (HTTP 404 or 400).
/// - CFRPD_ERR_NETWORK, CFRPD_ERR_TIMEOUT, CFRPD_ERR_TLS: no usable answer (after the
///   re-tries that are safe); CFRPD_ERR_TIMEOUT also when the call deadline passed.
/// - CFRPD_ERR_UNAUTHORIZED, CFRPD_ERR_FORBIDDEN: wrong credentials; IP not whitelisted
///   or bad signature.
/// - CFRPD_ERR_RATE_LIMITED, CFRPD_ERR_SERVER, CFRPD_ERR_HTTP: HTTP 429, 5xx, any other
///   non-2xx (`http_status` and Cashfree's `api_code` are in the error).
/// - CFRPD_ERR_UNEXPECTED_RESPONSE: a 2xx that cannot be decoded.
///
/// Requirements: `client` is NULL or live; `verification_id` is NULL or NUL-terminated; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_get_status(
    client: *const cfrpd_client,
    verification_id: *const c_char,
    out: *mut *mut cfrpd_status,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: the caller passes NULL or a live client (this function's requirements); it outlives this call.
        let client = unsafe { ref_in(client, "client") }?;
        // SAFETY: `verification_id` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let id = unsafe { str_in(verification_id, "verification_id") }?;
        Ok(status_out(&client.inner.status(id)?))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// The current status of a request by Cashfree's ref_id (must be > 0). Same rules as
/// `cfrpd_get_status`.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument or a ref_id below 1; nothing was sent.
/// - CFRPD_ERR_NOT_FOUND, CFRPD_ERR_BAD_REQUEST: Cashfree does not know the ref_id.
/// - CFRPD_ERR_NETWORK, CFRPD_ERR_TIMEOUT, CFRPD_ERR_TLS: no usable answer (after the
///   re-tries that are safe); CFRPD_ERR_TIMEOUT also when the call deadline passed.
/// - CFRPD_ERR_UNAUTHORIZED, CFRPD_ERR_FORBIDDEN: wrong credentials; IP not whitelisted
///   or bad signature.
/// - CFRPD_ERR_RATE_LIMITED, CFRPD_ERR_SERVER, CFRPD_ERR_HTTP: HTTP 429, 5xx, any other
///   non-2xx (`http_status` and Cashfree's `api_code` are in the error).
/// - CFRPD_ERR_UNEXPECTED_RESPONSE: a 2xx that cannot be decoded.
///
/// Requirements: `client` is NULL or live; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_get_status_by_ref_id(
    client: *const cfrpd_client,
    ref_id: i64,
    out: *mut *mut cfrpd_status,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: the caller passes NULL or a live client (this function's requirements); it outlives this call.
        let client = unsafe { ref_in(client, "client") }?;
        Ok(status_out(&client.inner.status_by_ref_id(ref_id)?))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// Polls until the state is final (SUCCESS, FAILURE, EXPIRED).
///
/// timeout_ms: overall deadline, > 0; requests in flight are cut short by it.
/// poll_interval_ms: pause between polls; 0 = CFRPD_DEFAULT_POLL_INTERVAL_MS; values below
/// 500 are raised to 500.
/// on_poll (may be NULL) is called after every successful poll with a status that is
/// valid only during the call; returning false stops the wait with CFRPD_ERR_CANCELLED
/// (unless that status is already final: then the result is CFRPD_OK). The callback
/// may call other cfrpd functions but must not free `latest`, and must not throw.
/// Transient failures (CFRPD_ERR_NETWORK, CFRPD_ERR_TIMEOUT, CFRPD_ERR_RATE_LIMITED,
/// CFRPD_ERR_SERVER) are retried until the deadline, except a proxy refusing its
/// credentials, which ends the wait at once; any other error of a poll (400, 401, 403,
/// 404, 422, TLS, a bad response, ...) ends the wait at once with that error.
/// On CFRPD_ERR_DEADLINE and CFRPD_ERR_CANCELLED, *out holds the last status seen
/// (NULL if no poll succeeded) and must be freed; on other errors *out = NULL.
///
/// Errors:
/// - CFRPD_ERR_DEADLINE: `timeout_ms` passed before a final state (`*out`: the last
///   status seen, or NULL).
/// - CFRPD_ERR_CANCELLED: `on_poll` returned false (`*out`: the status it saw).
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8, a malformed id or
///   `timeout_ms` 0; nothing was sent.
/// - every error of `cfrpd_get_status`.
///
/// Example:
/// ```c
/// cfrpd_status *st = NULL;
/// cfrpd_result rc = cfrpd_wait_for_result(client, "order-42", 600000, 3000, NULL, NULL,
///                                         &st, NULL);
/// if (rc == CFRPD_OK)
///     printf("%s, name match %s\n", cfrpd_state_name(st->state),
///            cfrpd_name_match_name(st->name_match));
/// cfrpd_status_free(st); // also on CFRPD_ERR_DEADLINE: the last status seen
/// ```
///
/// Requirements: `client` is NULL or live; `verification_id` is NULL or NUL-terminated; `on_poll` is
/// NULL or a function safe to call with `user_data`; `out`/`err` are NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cfrpd_wait_for_result(
    client: *const cfrpd_client,
    verification_id: *const c_char,
    timeout_ms: u32,
    poll_interval_ms: u32,
    on_poll: cfrpd_poll_callback,
    user_data: *mut c_void,
    out: *mut *mut cfrpd_status,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: the caller passes NULL or a live client (this function's requirements); it outlives this call.
        let client = unsafe { ref_in(client, "client") }.map_err(|e| (e, None))?;
        // SAFETY: `verification_id` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let id = unsafe { str_in(verification_id, "verification_id") }.map_err(|e| (e, None))?;
        if timeout_ms == 0 {
            return Err((Error::invalid("timeout_ms must be greater than 0"), None));
        }
        let options = WaitOptions::new(Duration::from_millis(timeout_ms.into()))
            .poll_interval(Duration::from_millis(poll_interval_ms.into()));
        let notify = |latest: &crate::Status| match on_poll {
            None => true,
            Some(callback) => {
                let view = Box::into_raw(status_out(latest));
                // SAFETY: the caller vouches for the callback; `view` lives until freed below.
                let keep_going = unsafe { callback(user_data, view) };
                // SAFETY: `view` came from Box::into_raw(status_out(..)) just above; the callback may not keep or free it (documented), so it is freed once, here.
                unsafe { free_status(view) };
                keep_going
            }
        };
        match client.inner.wait_for_result(id, &options, notify) {
            Ok(status) => Ok(status_out(&status)),
            Err(e) => {
                let keep_last =
                    matches!(e.error.kind(), ErrorKind::Deadline | ErrorKind::Cancelled);
                let last = if keep_last {
                    e.last.as_deref().map(status_out)
                } else {
                    None
                };
                Err((e.error, last))
            }
        }
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_partial_out requires.
    unsafe { call_with_partial_out(out, err, run) }
}

/// Frees a status and everything in it. NULL is a no-op.
///
/// Requirements: `status` is NULL or a status from this library (not one passed to a poll callback),
/// not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_status_free(status: *mut cfrpd_status) {
    // SAFETY: `status` is NULL or a status from this library, not freed before and not a callback's view (this function's requirements).
    call_infallible((), || unsafe { free_status(status) })
}
