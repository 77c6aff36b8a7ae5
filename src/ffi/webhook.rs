//! Webhook verification.

use std::os::raw::c_char;
use std::time::Duration;

use super::convert::{free_webhook, webhook_out};
use super::panic::{call_infallible, call_with_out};
use super::strings::{opt_str_in, str_in};
use super::types::*;
use crate::error::Error;

/// The `max_age_s` recommended for the header scheme, in seconds (the C++ wrapper's
/// default when a timestamp is given). 0 means no age check.
pub const CFRPD_RECOMMENDED_WEBHOOK_MAX_AGE_S: u32 = 300;
const _: () = assert!(
    CFRPD_RECOMMENDED_WEBHOOK_MAX_AGE_S as u64 == crate::webhook::RECOMMENDED_MAX_AGE.as_secs()
);

/// Verifies, then parses, one webhook delivery.
///
/// raw_body/body_len: the exact bytes received (not NUL-terminated; may contain
/// anything; NULL only with body_len 0). signature, timestamp: the
/// `x-webhook-signature` and `x-webhook-timestamp` header values (surrounding
/// whitespace ignored; timestamp in Unix seconds, or milliseconds with 13 digits);
/// signature = base64(HMAC-SHA256(key = client secret, message = timestamp text followed
/// by the raw body)). When both are NULL the body's own "signature" field is verified
/// instead (the v1 scheme: it signs only `data` and has no timestamp, so no replay
/// protection; take the outcome from data->status, never from event_type).
/// max_age_s: reject a timestamp older (or further in the future) than this; 0 = no check
/// (CFRPD_RECOMMENDED_WEBHOOK_MAX_AGE_S suits the header scheme; the v1 scheme needs 0).
/// Signatures are compared in constant time. Release `*out` with `cfrpd_webhook_free`.
///
/// Errors:
/// - CFRPD_ERR_WEBHOOK_SIGNATURE: a wrong, missing or stale signature, or exactly one of
///   signature/timestamp; nothing is parsed.
/// - CFRPD_ERR_UNEXPECTED_RESPONSE: a verified body that is not a webhook.
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL secret, NULL `raw_body` with a length, or
///   invalid UTF-8 in a string argument.
///
/// Requirements: `client_secret`, `signature`, `timestamp` are NULL or NUL-terminated; `raw_body` is
/// NULL or readable for `body_len` bytes; `out`/`err` are NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cfrpd_webhook_verify(
    client_secret: *const c_char,
    raw_body: *const u8,
    body_len: usize,
    signature: *const c_char,
    timestamp: *const c_char,
    max_age_s: u32,
    out: *mut *mut cfrpd_webhook,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `client_secret` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let secret = unsafe { str_in(client_secret, "client_secret") }?;
        let body: &[u8] = match (raw_body.is_null(), body_len) {
            (true, 0) => &[],
            (true, _) => return Err(Error::invalid("raw_body is NULL but body_len is not 0")),
            // SAFETY: the caller vouches for body_len readable bytes.
            (false, n) => unsafe { std::slice::from_raw_parts(raw_body, n) },
        };
        // SAFETY: `signature` is NULL (not given) or NUL-terminated (this function's requirements), borrowed during this call.
        let sig = unsafe { opt_str_in(signature, "signature") }?;
        // SAFETY: `timestamp` is NULL (not given) or NUL-terminated (this function's requirements), borrowed during this call.
        let ts = unsafe { opt_str_in(timestamp, "timestamp") }?;
        let max_age = (max_age_s > 0).then(|| Duration::from_secs(max_age_s.into()));
        Ok(webhook_out(&crate::webhook::verify(
            secret, body, sig, ts, max_age,
        )?))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// Frees a webhook and everything in it. NULL is a no-op.
///
/// Requirements: `hook` is NULL or a webhook from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_webhook_free(hook: *mut cfrpd_webhook) {
    // SAFETY: `hook` is NULL or a webhook from this library, not freed before (this function's requirements).
    call_infallible((), || unsafe { free_webhook(hook) })
}
