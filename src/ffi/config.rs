//! Version, result names, configuration and client lifetime.

use std::os::raw::c_char;
use std::time::Duration;

use super::error::name_of;
use super::panic::{call_infallible, call_status, call_with_out};
use super::strings::str_in;
use super::types::*;
use super::{convert, error, ref_in};
use crate::error::Error;
use crate::{Client, Config, Environment};

/// The library version, e.g. "0.1.0" (static; do not free). Equals the
/// `CFRPD_VERSION` macro of the header the program was compiled with, unless a
/// different library was linked.
#[no_mangle]
pub extern "C" fn cfrpd_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The constant's name of a result code, e.g. "CFRPD_ERR_TIMEOUT" (static; do not
/// free). An unknown value gives "CFRPD_UNKNOWN_RESULT".
#[no_mangle]
pub extern "C" fn cfrpd_result_name(r: cfrpd_result) -> *const c_char {
    name_of(r).as_ptr()
}

/// Frees an error. NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an error from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_error_free(err: *mut cfrpd_error) {
    call_infallible((), || unsafe { error::free_error(err) })
}

/// A new configuration for the sandbox with these credentials and every default
/// (connect timeout 10 s, request timeout 30 s, 2 retries, no proxy, no signature).
/// Both strings are copied. Empty or control characters: CFRPD_ERR_INVALID_ARGUMENT.
/// On failure `*out = NULL`. Release with `cfrpd_config_free`.
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_new(
    client_id: *const c_char,
    client_secret: *const c_char,
    out: *mut *mut cfrpd_config,
) -> cfrpd_result {
    call_with_out(out, std::ptr::null_mut(), || {
        let id = unsafe { str_in(client_id, "client_id") }?;
        let secret = unsafe { str_in(client_secret, "client_secret") }?;
        Ok(Box::new(cfrpd_config {
            inner: Config::new(id, secret)?,
        }))
    })
}

/// A configuration from the environment: CASHFREE_CLIENT_ID and CASHFREE_CLIENT_SECRET
/// (required, non-empty, no control characters), CASHFREE_ENV (sandbox|production, any
/// case; default sandbox), CASHFREE_BASE_URL (overrides the environment),
/// CASHFREE_PUBLIC_KEY (path to a PEM file, or the PEM text itself when it starts with
/// "-----BEGIN"). An empty variable counts as unset. The error message names the
/// variable that is wrong; an unreadable key file is CFRPD_ERR_INVALID_ARGUMENT naming
/// the path, an unusable key CFRPD_ERR_SIGNATURE.
///
/// # Safety
/// `out` is NULL or writable; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_from_env(
    out: *mut *mut cfrpd_config,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    call_with_out(out, err, || {
        Ok(Box::new(cfrpd_config {
            inner: Config::from_env()?,
        }))
    })
}

/// Runs `f` on a mutable config; NULL is CFRPD_ERR_INVALID_ARGUMENT.
fn with_config(
    c: *mut cfrpd_config,
    f: impl FnOnce(&mut Config) -> Result<(), Error>,
) -> cfrpd_result {
    call_status(|| {
        // SAFETY: the caller passes NULL or a live config used by one thread at a time.
        let config = unsafe { c.as_mut() }.ok_or_else(|| Error::invalid("config is NULL"))?;
        f(&mut config.inner)
    })
}

/// Chooses CFRPD_ENV_SANDBOX or CFRPD_ENV_PRODUCTION. Any other value is
/// CFRPD_ERR_INVALID_ARGUMENT. A base URL set with `cfrpd_config_set_base_url` wins.
///
/// # Safety
/// `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_environment(
    c: *mut cfrpd_config,
    env: cfrpd_environment,
) -> cfrpd_result {
    with_config(c, |cfg| {
        let env = match env {
            CFRPD_ENV_SANDBOX => Environment::Sandbox,
            CFRPD_ENV_PRODUCTION => Environment::Production,
            other => return Err(Error::invalid(format!("unknown environment {other}"))),
        };
        cfg.set_environment(env);
        Ok(())
    })
}

/// Sends requests to this base URL (e.g. the emulator, "http://127.0.0.1:8080/verification").
/// "https://" anywhere; "http://" only for 127.0.0.0/8, `[::1]` and localhost (literal
/// names, no DNS). A trailing "/" is ignored; query, fragment and user info are
/// refused. The string is copied.
///
/// # Safety
/// `c` is NULL or a live config; `url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_base_url(
    c: *mut cfrpd_config,
    url: *const c_char,
) -> cfrpd_result {
    with_config(c, |cfg| {
        cfg.set_base_url(unsafe { str_in(url, "url") }?)?;
        Ok(())
    })
}

/// Per-attempt timeouts in milliseconds; 0 means the default (connect 10 s, request 30 s).
///
/// # Safety
/// `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_timeouts_ms(
    c: *mut cfrpd_config,
    connect_ms: u32,
    request_ms: u32,
) -> cfrpd_result {
    with_config(c, |cfg| {
        cfg.set_timeouts(
            Duration::from_millis(connect_ms.into()),
            Duration::from_millis(request_ms.into()),
        );
        Ok(())
    })
}

/// Turns on x-cf-signature with the RSA public key PEM ("PUBLIC KEY" or "RSA PUBLIC
/// KEY") from the Cashfree dashboard: every request then carries a fresh signature.
/// An unusable key is CFRPD_ERR_SIGNATURE (checked here, not at the first request).
///
/// # Safety
/// `c` is NULL or a live config; `pem` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_public_key_pem(
    c: *mut cfrpd_config,
    pem: *const c_char,
) -> cfrpd_result {
    with_config(c, |cfg| {
        cfg.set_public_key_pem(unsafe { str_in(pem, "pem") }?)?;
        Ok(())
    })
}

/// Trusts the CERTIFICATE blocks in this PEM text in addition to the bundled Mozilla
/// roots; repeated calls add more. TLS is always verified.
///
/// # Safety
/// `c` is NULL or a live config; `pem` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_add_root_ca_pem(
    c: *mut cfrpd_config,
    pem: *const c_char,
) -> cfrpd_result {
    with_config(c, |cfg| {
        cfg.add_root_ca_pem(unsafe { str_in(pem, "pem") }?)?;
        Ok(())
    })
}

/// Sends requests through this "http://" or "https://" proxy; "" clears it. Proxy
/// environment variables are never read.
///
/// # Safety
/// `c` is NULL or a live config; `url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_proxy(
    c: *mut cfrpd_config,
    url: *const c_char,
) -> cfrpd_result {
    with_config(c, |cfg| {
        cfg.set_proxy(unsafe { str_in(url, "url") }?)?;
        Ok(())
    })
}

/// How many re-tries after the first attempt (default 2; above 10 is
/// CFRPD_ERR_INVALID_ARGUMENT). They apply to each poll of a wait too.
///
/// # Safety
/// `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_max_retries(
    c: *mut cfrpd_config,
    n: u32,
) -> cfrpd_result {
    with_config(c, |cfg| {
        cfg.set_max_retries(n)?;
        Ok(())
    })
}

/// Frees a configuration. NULL is a no-op.
///
/// # Safety
/// `c` is NULL or a config from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_free(c: *mut cfrpd_config) {
    call_infallible((), || {
        if !c.is_null() {
            drop(unsafe { Box::from_raw(c) });
        }
    })
}

/// A client built from `c`. It copies what it needs: the config may be freed or
/// changed afterwards. The client is safe to share between threads and reuses
/// connections. Release with `cfrpd_client_free` once no thread uses it.
///
/// # Safety
/// `c` is NULL or a live config; `out`/`err` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_client_new(
    c: *const cfrpd_config,
    out: *mut *mut cfrpd_client,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    call_with_out(out, err, || {
        let config = unsafe { ref_in(c, "config") }?;
        Ok(Box::new(cfrpd_client {
            inner: Client::new(&config.inner)?,
        }))
    })
}

/// Frees a client. NULL is a no-op. No other thread may be using it.
///
/// # Safety
/// `client` is NULL or a client from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_client_free(client: *mut cfrpd_client) {
    call_infallible((), || {
        if !client.is_null() {
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Frees a created request and everything in it. NULL is a no-op.
///
/// # Safety
/// `req` is NULL or a request from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_request_free(req: *mut cfrpd_request) {
    call_infallible((), || unsafe { convert::free_request(req) })
}

/// Frees a status and everything in it. NULL is a no-op.
///
/// # Safety
/// `status` is NULL or a status from this library (not one passed to a poll callback),
/// not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_status_free(status: *mut cfrpd_status) {
    call_infallible((), || unsafe { convert::free_status(status) })
}
