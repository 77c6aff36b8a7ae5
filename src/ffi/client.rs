//! The client: made from a configuration, its rate-limit window, freed.

use super::error;
use super::panic::{call_infallible, call_status, call_with_out};
use super::ref_in;
use super::types::*;
use crate::error::Error;
use crate::Client;

/// A client built from `c`. It copies what it needs: the config may be freed or
/// changed afterwards. The client is safe to share between threads and reuses
/// connections. Release with `cfrpd_client_free` once no thread uses it.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, or a client id or secret that cannot
///   be sent as an HTTP header value.
/// - CFRPD_ERR_TLS: the TLS settings (extra root certificates) cannot be used.
/// - CFRPD_ERR_JOURNAL: the journal set with `cfrpd_config_set_journal_path` cannot be
///   opened, read, locked or used (see there for every reason); nothing was sent.
///
/// Requirements: `c` is NULL or a live config; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_client_new(
    c: *const cfrpd_config,
    out: *mut *mut cfrpd_client,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `c` is NULL or a live config (this function's requirements), which is what
        // ref_in needs for a shared borrow during this call.
        let config = unsafe { ref_in(c, "config") }?;
        Ok(Box::new(cfrpd_client {
            inner: Client::new(&config.inner)?,
        }))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// The rate-limit window of the last answer that carried X-RateLimit-* headers, into
/// `*out` (fields -1 when unknown; `reset_ms` counted from now). CFRPD_OK even when no
/// answer had them (then every field is -1).
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: `client` or `out` is NULL.
///
/// Example:
/// ```c
/// cfrpd_rate_limit w;
/// if (cfrpd_client_rate_limit(client, &w) == CFRPD_OK && w.limit >= 0)
///     printf("%lld of %lld calls left\n", (long long)w.remaining, (long long)w.limit);
/// ```
///
/// Requirements: `client` is NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_client_rate_limit(
    client: *const cfrpd_client,
    out: *mut cfrpd_rate_limit,
) -> cfrpd_result {
    call_status(|| {
        // SAFETY: the caller passes NULL or a live client (this function's requirements); it outlives this call.
        let client = unsafe { ref_in(client, "client") }?;
        // SAFETY: `out` is NULL (as_mut gives None) or a writable struct no one else borrows
        // during this call (this function's requirements).
        let out = unsafe { out.as_mut() }.ok_or_else(|| Error::invalid("out is NULL"))?;
        let r = client.inner.rate_limit().unwrap_or_default();
        *out = cfrpd_rate_limit {
            limit: error::rl(r.limit),
            remaining: error::rl(r.remaining),
            reset_ms: error::rl(r.reset.map(|d| d.as_millis() as u64)),
        };
        Ok(())
    })
}

/// Frees a client. NULL is a no-op. No other thread may be using it.
///
/// Requirements: `client` is NULL or a client from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_client_free(client: *mut cfrpd_client) {
    call_infallible((), || {
        if !client.is_null() {
            // SAFETY: `client` is from cfrpd_client_new (Box::into_raw in call_with_out), unused by other threads and not freed before (this function's requirements).
            drop(unsafe { Box::from_raw(client) });
        }
    })
}
