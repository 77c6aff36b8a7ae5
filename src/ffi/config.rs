//! Configuration: made, changed and freed (the client is made from one in `client`).

use std::ffi::CString;
use std::os::raw::{c_char, c_void};
use std::time::Duration;

use super::names::{number_of, value_of, ENVIRONMENTS, LOG_LEVELS};
use super::panic::{call_infallible, call_status, call_with_out};
use super::strings::str_in;
use super::types::*;
use crate::error::Error;
use crate::Config;

/// A new configuration for the sandbox with these credentials and every default
/// (CFRPD_DEFAULT_CONNECT_TIMEOUT_MS, CFRPD_DEFAULT_REQUEST_TIMEOUT_MS,
/// CFRPD_DEFAULT_MAX_RETRIES, CFRPD_DEFAULT_CALL_DEADLINE_MS,
/// CFRPD_DEFAULT_MAX_IDLE_CONNECTIONS, no proxy, no signature).
/// Both strings are copied. On failure `*out = NULL`. Release with `cfrpd_config_free`.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8, an empty credential or
///   one with control characters.
///
/// Requirements: Strings are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_new(
    client_id: *const c_char,
    client_secret: *const c_char,
    out: *mut *mut cfrpd_config,
) -> cfrpd_result {
    let run = || {
        // SAFETY: `client_id` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let id = unsafe { str_in(client_id, "client_id") }?;
        // SAFETY: `client_secret` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        let secret = unsafe { str_in(client_secret, "client_secret") }?;
        Ok(Box::new(cfrpd_config {
            inner: Config::new(id, secret)?,
            last_error: None,
        }))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, std::ptr::null_mut(), run) }
}

/// A configuration from the environment: CASHFREE_CLIENT_ID and CASHFREE_CLIENT_SECRET
/// (required, non-empty, no control characters), CASHFREE_ENV (sandbox|production, any
/// case; default sandbox), CASHFREE_BASE_URL (overrides the environment),
/// CASHFREE_PUBLIC_KEY (path to a PEM file, or the PEM text itself when it starts with
/// "-----BEGIN"). An empty variable counts as unset. The error message names the
/// variable that is wrong.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a required variable is missing or a variable is
///   malformed (the message names it), or the key file cannot be read (the message
///   names the path).
/// - CFRPD_ERR_SIGNATURE: CASHFREE_PUBLIC_KEY is not a usable RSA public key.
///
/// Requirements: `out` is NULL or writable; `err` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_from_env(
    out: *mut *mut cfrpd_config,
    err: *mut *mut cfrpd_error,
) -> cfrpd_result {
    let run = || {
        Ok(Box::new(cfrpd_config {
            inner: Config::from_env()?,
            last_error: None,
        }))
    };
    // SAFETY: `out` and `err` are NULL or valid for writes (this function's requirements
    // above), which is all call_with_out requires.
    unsafe { call_with_out(out, err, run) }
}

/// Runs `f` on a mutable config; NULL is CFRPD_ERR_INVALID_ARGUMENT. The outcome's
/// message is kept for `cfrpd_config_last_error` (cleared on success).
///
/// # Safety
/// `c` is NULL or a live config from this library that no other thread uses during the
/// call (the header's rule for a cfrpd_config).
pub(super) unsafe fn with_config(
    c: *mut cfrpd_config,
    f: impl FnOnce(&mut Config) -> Result<(), Error>,
) -> cfrpd_result {
    call_status(|| {
        // SAFETY: `c` is NULL (as_mut gives None) or a live config no other thread uses
        // now (this function's requirement), so the exclusive borrow is the only one.
        let config = unsafe { c.as_mut() }.ok_or_else(|| Error::invalid("config is NULL"))?;
        config.last_error = None;
        let result = f(&mut config.inner);
        if let Err(e) = &result {
            config.last_error = CString::new(e.message()).ok();
        }
        result
    })
}

/// Why the last failed call on this config failed (e.g. why a proxy URL or a PEM was
/// refused). Never contains the secret or a proxy password.
///
/// Returns: the message, owned by the config (valid until the next call on it; do not
/// free it), or NULL after a success and for a NULL config.
///
/// Requirements: `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_last_error(c: *const cfrpd_config) -> *const c_char {
    call_infallible(std::ptr::null(), || {
        // SAFETY: `c` is NULL (as_ref gives None) or a live config (this function's
        // requirements); the string returned borrows from it, as documented.
        match unsafe { c.as_ref() } {
            Some(cfg) => cfg
                .last_error
                .as_ref()
                .map_or(std::ptr::null(), |m| m.as_ptr()),
            None => std::ptr::null(),
        }
    })
}

/// Bounds one whole call in milliseconds: every attempt, back-off and Retry-After wait
/// (0 = the default, CFRPD_DEFAULT_CALL_DEADLINE_MS). No call outlives it by more than a few milliseconds,
/// whatever the server does (trickles bytes, stalls mid-TLS). When it fires the result
/// is CFRPD_ERR_TIMEOUT (ambiguous for a create that was sent). A wait's own
/// timeout_ms still bounds the wait; each poll of a wait is one call.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config.
///
/// Requirements: `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_call_deadline_ms(
    c: *mut cfrpd_config,
    ms: u32,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        cfg.set_call_deadline(Duration::from_millis(ms.into()));
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// How many idle connections the client keeps open for reuse (default
/// CFRPD_DEFAULT_MAX_IDLE_CONNECTIONS, at most CFRPD_MAX_IDLE_CONNECTIONS_LIMIT, else
/// CFRPD_ERR_INVALID_ARGUMENT; 0 keeps none). A server polling many requests
/// from many threads wants about one per thread.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config or `n` above
///   CFRPD_MAX_IDLE_CONNECTIONS_LIMIT (`cfrpd_config_last_error` says why).
///
/// Requirements: `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_max_idle_connections(
    c: *mut cfrpd_config,
    n: u32,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        cfg.set_max_idle_connections(n as usize)?;
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// The C side of a log callback (the caller vouches that `user_data` may be used from
/// the threads making calls).
struct CLog {
    callback: unsafe extern "C" fn(*mut c_void, cfrpd_log_level, *const c_char),
    user_data: *mut c_void,
}
// SAFETY: the header documents that the callback runs on the calling threads with
// this user_data; making that safe is the caller's side of the contract.
unsafe impl Send for CLog {}
// SAFETY: as for Send: the caller vouches that the callback and user_data may be used from several threads at once.
unsafe impl Sync for CLog {}

impl CLog {
    fn call(&self, level: crate::LogLevel, message: &str) {
        let text = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
        let level = number_of(&LOG_LEVELS, &level, 0);
        // SAFETY: the caller vouches for the callback and its user_data.
        unsafe { (self.callback)(self.user_data, level, text.as_ptr()) };
    }
}

/// Sends diagnostics records up to `max_level` (CFRPD_LOG_ERROR..CFRPD_LOG_DEBUG) to
/// `callback`; a NULL callback turns logging off. The message is valid during the call
/// only; the callback runs on the thread making the cfrpd_ call and may call cfrpd_
/// functions; it must not throw. Never the secret (nor the proxy password), never a
/// body at INFO or above. One INFO line per attempt (method, path and query, HTTP
/// status or failure kind, milliseconds, attempt number, request id); a WARN line per
/// retry (reason and delay); connection opened / reused at DEBUG. Clients made from
/// this config afterwards use it.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config, or a level other than CFRPD_LOG_ERROR
///   .. CFRPD_LOG_DEBUG with a callback.
///
/// Example:
/// ```c
/// static void on_log(void *user_data, cfrpd_log_level level, const char *message) {
///     fprintf((FILE *)user_data, "[cfrpd %s] %s\n", cfrpd_log_level_name(level), message);
/// }
/// // ...
/// cfrpd_config_set_log_callback(config, CFRPD_LOG_INFO, on_log, stderr);
/// ```
///
/// Requirements: `c` is NULL or a live config; `callback` is NULL or safe to call with `user_data`
/// from any thread that uses a client made from this config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_log_callback(
    c: *mut cfrpd_config,
    max_level: cfrpd_log_level,
    callback: cfrpd_log_callback,
    user_data: *mut c_void,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        let Some(callback) = callback else {
            cfg.clear_log_callback();
            return Ok(());
        };
        let level = value_of(&LOG_LEVELS, max_level).ok_or_else(|| {
            Error::invalid(format!(
                "unknown log level {max_level}: use CFRPD_LOG_ERROR (1), CFRPD_LOG_WARN (2), \
                 CFRPD_LOG_INFO (3) or CFRPD_LOG_DEBUG (4)"
            ))
        })?;
        let c_log = CLog {
            callback,
            user_data,
        };
        cfg.set_log_callback(level, move |level, message| c_log.call(level, message));
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Chooses CFRPD_ENV_SANDBOX or CFRPD_ENV_PRODUCTION. A base URL set with
/// `cfrpd_config_set_base_url` wins.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config or another value.
///
/// Requirements: `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_environment(
    c: *mut cfrpd_config,
    env: cfrpd_environment,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        let env = value_of(&ENVIRONMENTS, env)
            .ok_or_else(|| Error::invalid(format!("unknown environment {env}")))?;
        cfg.set_environment(env);
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Sends requests to this base URL (e.g. the emulator, "http://127.0.0.1:8080/verification").
/// "https://" anywhere; "http://" only for 127.0.0.0/8, `[::1]` and localhost (literal
/// names, no DNS). A trailing "/" is ignored; query, fragment and user info are
/// refused. The string is copied.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8, or a URL refused by the
///   rules above (`cfrpd_config_last_error` says which).
///
/// Requirements: `c` is NULL or a live config; `url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_base_url(
    c: *mut cfrpd_config,
    url: *const c_char,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        // SAFETY: `url` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        cfg.set_base_url(unsafe { str_in(url, "url") }?)?;
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Per-attempt timeouts in milliseconds; 0 means the default
/// (CFRPD_DEFAULT_CONNECT_TIMEOUT_MS, CFRPD_DEFAULT_REQUEST_TIMEOUT_MS).
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config.
///
/// Requirements: `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_timeouts_ms(
    c: *mut cfrpd_config,
    connect_ms: u32,
    request_ms: u32,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        cfg.set_timeouts(
            Duration::from_millis(connect_ms.into()),
            Duration::from_millis(request_ms.into()),
        );
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Turns on x-cf-signature with the RSA public key PEM ("PUBLIC KEY" or "RSA PUBLIC
/// KEY") from the Cashfree dashboard: every request then carries a fresh signature.
/// The key is checked here, not at the first request.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument or invalid UTF-8.
/// - CFRPD_ERR_SIGNATURE: not a usable RSA public key (`cfrpd_config_last_error` says
///   why).
///
/// Requirements: `c` is NULL or a live config; `pem` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_public_key_pem(
    c: *mut cfrpd_config,
    pem: *const c_char,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        // SAFETY: `pem` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        cfg.set_public_key_pem(unsafe { str_in(pem, "pem") }?)?;
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Trusts the CERTIFICATE blocks in this PEM text in addition to the bundled Mozilla
/// roots; repeated calls add more. TLS is always verified.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8, or no usable
///   certificate in the text (`cfrpd_config_last_error` says why).
///
/// Requirements: `c` is NULL or a live config; `pem` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_add_root_ca_pem(
    c: *mut cfrpd_config,
    pem: *const c_char,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        // SAFETY: `pem` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        cfg.add_root_ca_pem(unsafe { str_in(pem, "pem") }?)?;
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Sends requests through this "http://" or "https://" proxy; "" clears it. Proxy
/// environment variables are never read.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL argument, invalid UTF-8 or a malformed URL
///   (`cfrpd_config_last_error` says why; never with the password).
///
/// Requirements: `c` is NULL or a live config; `url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_proxy(
    c: *mut cfrpd_config,
    url: *const c_char,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        // SAFETY: `url` is NULL or NUL-terminated (this function's requirements) and only borrowed during this call.
        cfg.set_proxy(unsafe { str_in(url, "url") }?)?;
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// How many re-tries after the first attempt (default CFRPD_DEFAULT_MAX_RETRIES; above
/// CFRPD_MAX_RETRIES_LIMIT is CFRPD_ERR_INVALID_ARGUMENT). They apply to each poll of a wait too.
///
/// Errors:
/// - CFRPD_ERR_INVALID_ARGUMENT: a NULL config or `n` above CFRPD_MAX_RETRIES_LIMIT.
///
/// Requirements: `c` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_set_max_retries(
    c: *mut cfrpd_config,
    n: u32,
) -> cfrpd_result {
    let run = |cfg: &mut Config| {
        cfg.set_max_retries(n)?;
        Ok(())
    };
    // SAFETY: `c` is NULL or a live config no other thread uses now (this function's
    // requirements above), which is all with_config requires.
    unsafe { with_config(c, run) }
}

/// Frees a configuration. NULL is a no-op.
///
/// Requirements: `c` is NULL or a config from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn cfrpd_config_free(c: *mut cfrpd_config) {
    call_infallible((), || {
        if !c.is_null() {
            // SAFETY: `c` is a config from cfrpd_config_new/_from_env (Box::into_raw in call_with_out), not freed before (this function's requirements).
            drop(unsafe { Box::from_raw(c) });
        }
    })
}
