//! The C types: result codes, enums, and the owned structs handed to C.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_void};

use crate::{Client, Config};

/// Result of every fallible function. `CFRPD_OK` (0) is success. Numbers never change
/// meaning; new codes get new numbers. `cfrpd_result_name` gives the constant's name.
pub type cfrpd_result = u32;

// The values of each number type below are `u32` constants, not typed ones: cbindgen
// declares constants of a primitive type first in the header, before the structs that
// use them (it puts constants of a typedef'd type after every struct).

/// Success.
pub const CFRPD_OK: u32 = 0;
/// Bad input from the caller (NULL, invalid UTF-8, malformed id, unknown enum value); nothing was sent.
pub const CFRPD_ERR_INVALID_ARGUMENT: u32 = 1;
/// DNS, connect, reset.
pub const CFRPD_ERR_NETWORK: u32 = 2;
/// A connect or request timeout.
pub const CFRPD_ERR_TIMEOUT: u32 = 3;
/// TLS handshake / certificate failure.
pub const CFRPD_ERR_TLS: u32 = 4;
/// HTTP 400 (other than a duplicate id).
pub const CFRPD_ERR_BAD_REQUEST: u32 = 10;
/// HTTP 400 "verification_id already exists".
pub const CFRPD_ERR_DUPLICATE_ID: u32 = 11;
/// HTTP 401: wrong client id / secret.
pub const CFRPD_ERR_UNAUTHORIZED: u32 = 12;
/// HTTP 403: IP not whitelisted / bad signature.
pub const CFRPD_ERR_FORBIDDEN: u32 = 13;
/// HTTP 404.
pub const CFRPD_ERR_NOT_FOUND: u32 = 14;
/// HTTP 422: insufficient balance.
pub const CFRPD_ERR_INSUFFICIENT_BALANCE: u32 = 15;
/// HTTP 429: rate limited.
pub const CFRPD_ERR_RATE_LIMITED: u32 = 16;
/// HTTP 5xx.
pub const CFRPD_ERR_SERVER: u32 = 17;
/// Any other non-2xx (redirects are never followed: a 3xx lands here).
pub const CFRPD_ERR_HTTP: u32 = 18;
/// A 2xx that cannot be decoded, is larger than 1 MiB, or lacks the ids. A non-2xx
/// keeps its status's code even when its body is unreadable or too large.
pub const CFRPD_ERR_UNEXPECTED_RESPONSE: u32 = 20;
/// The public key for x-cf-signature is unusable.
pub const CFRPD_ERR_SIGNATURE: u32 = 21;
/// A wait stopped by the caller's callback.
pub const CFRPD_ERR_CANCELLED: u32 = 22;
/// A wait ran out of time while still pending.
pub const CFRPD_ERR_DEADLINE: u32 = 23;
/// A webhook signature is missing, wrong or stale.
pub const CFRPD_ERR_WEBHOOK_SIGNATURE: u32 = 24;
/// The create journal cannot be opened, locked, read or written (a create failing
/// with it sent nothing). See `cfrpd_config_set_journal_path`.
pub const CFRPD_ERR_JOURNAL: u32 = 25;
/// A panic inside the library was caught (a bug: please report it).
pub const CFRPD_ERR_PANIC: u32 = 99;

/// Longest verification_id accepted (characters of [A-Za-z0-9._-]).
pub const CFRPD_MAX_VERIFICATION_ID_LEN: usize = 50;
const _: () = assert!(CFRPD_MAX_VERIFICATION_ID_LEN == crate::validate::MAX_VERIFICATION_ID_LEN);
/// Most re-tries `cfrpd_config_set_max_retries` accepts.
pub const CFRPD_MAX_RETRIES_LIMIT: u32 = 10;
const _: () = assert!(CFRPD_MAX_RETRIES_LIMIT == crate::config::MAX_RETRIES_LIMIT);
/// Connect timeout of each attempt, in milliseconds, unless
/// `cfrpd_config_set_timeouts_ms` says otherwise.
pub const CFRPD_DEFAULT_CONNECT_TIMEOUT_MS: u32 = 10_000;
const _: () = assert!(
    CFRPD_DEFAULT_CONNECT_TIMEOUT_MS as u128 == crate::config::DEFAULT_CONNECT_TIMEOUT.as_millis()
);
/// Request timeout of each attempt (send and receive), in milliseconds, unless
/// `cfrpd_config_set_timeouts_ms` says otherwise.
pub const CFRPD_DEFAULT_REQUEST_TIMEOUT_MS: u32 = 30_000;
const _: () = assert!(
    CFRPD_DEFAULT_REQUEST_TIMEOUT_MS as u128 == crate::config::DEFAULT_REQUEST_TIMEOUT.as_millis()
);
/// Re-tries after the first attempt unless `cfrpd_config_set_max_retries` says otherwise.
pub const CFRPD_DEFAULT_MAX_RETRIES: u32 = 2;
const _: () = assert!(CFRPD_DEFAULT_MAX_RETRIES == crate::config::DEFAULT_MAX_RETRIES);
/// Bound of one whole call (every attempt, back-off and Retry-After wait), in
/// milliseconds, unless `cfrpd_config_set_call_deadline_ms` says otherwise.
pub const CFRPD_DEFAULT_CALL_DEADLINE_MS: u32 = 60_000;
const _: () = assert!(
    CFRPD_DEFAULT_CALL_DEADLINE_MS as u128 == crate::config::DEFAULT_CALL_DEADLINE.as_millis()
);
/// Pause between the polls of `cfrpd_wait_for_result`, in milliseconds, when its
/// `poll_interval_ms` is 0.
pub const CFRPD_DEFAULT_POLL_INTERVAL_MS: u32 = 3_000;
const _: () = assert!(
    CFRPD_DEFAULT_POLL_INTERVAL_MS as u128 == crate::wait::DEFAULT_POLL_INTERVAL.as_millis()
);
/// Idle connections a client keeps for reuse unless
/// `cfrpd_config_set_max_idle_connections` says otherwise.
pub const CFRPD_DEFAULT_MAX_IDLE_CONNECTIONS: u32 = 4;
const _: () = assert!(
    CFRPD_DEFAULT_MAX_IDLE_CONNECTIONS as usize == crate::config::DEFAULT_MAX_IDLE_CONNECTIONS
);
/// Most idle connections `cfrpd_config_set_max_idle_connections` accepts.
pub const CFRPD_MAX_IDLE_CONNECTIONS_LIMIT: u32 = 1024;
const _: () =
    assert!(CFRPD_MAX_IDLE_CONNECTIONS_LIMIT as usize == crate::config::MAX_IDLE_CONNECTIONS_LIMIT);

/// A Cashfree environment (`cfrpd_config_set_environment`).
pub type cfrpd_environment = u32;
/// `https://sandbox.cashfree.com/verification`
pub const CFRPD_ENV_SANDBOX: u32 = 0;
/// `https://api.cashfree.com/verification`
pub const CFRPD_ENV_PRODUCTION: u32 = 1;

/// The state of a verification request.
pub type cfrpd_state = u32;
/// Absent or unknown status text (the raw text is in `status`).
pub const CFRPD_STATE_UNKNOWN: u32 = 0;
/// Cashfree's CREATED: made, not paid yet.
pub const CFRPD_STATE_CREATED: u32 = 1;
/// Paid: the bank account fields are filled.
pub const CFRPD_STATE_SUCCESS: u32 = 2;
/// The payment failed.
pub const CFRPD_STATE_FAILURE: u32 = 3;
/// Nobody paid within the validity window.
pub const CFRPD_STATE_EXPIRED: u32 = 4;

/// The refund of the rupee, from `reversal_status`.
pub type cfrpd_reversal = u32;
/// Absent, empty (before payment) or another value (the raw text is in `reversal_status`).
pub const CFRPD_REVERSAL_UNKNOWN: u32 = 0;
/// `PENDING`: the refund has not started.
pub const CFRPD_REVERSAL_PENDING: u32 = 1;
/// `TRANSFER_INITIATED`: the refund is on its way.
pub const CFRPD_REVERSAL_TRANSFER_INITIATED: u32 = 2;
/// `TRANSFER_SUCCESS`: the rupee is back with the payer.
pub const CFRPD_REVERSAL_TRANSFER_SUCCESS: u32 = 3;
/// `FAILED`: the refund failed.
pub const CFRPD_REVERSAL_FAILED: u32 = 4;

/// Level of a diagnostics record (`cfrpd_config_set_log_callback`).
pub type cfrpd_log_level = u32;
/// A call failed.
pub const CFRPD_LOG_ERROR: u32 = 1;
/// A retry (reason and delay), or something that looks wrong.
pub const CFRPD_LOG_WARN: u32 = 2;
/// One line per attempt: method, path and query, HTTP status or failure kind,
/// milliseconds, attempt number, request id.
pub const CFRPD_LOG_INFO: u32 = 3;
/// Connection opened (address, connect time) or reused.
pub const CFRPD_LOG_DEBUG: u32 = 4;

/// How well the name at the bank matches the expected name.
pub type cfrpd_name_match = u32;
/// Absent, empty or unknown (the raw text is in `name_match_result`).
pub const CFRPD_MATCH_UNKNOWN: u32 = 0;
/// `DIRECT_MATCH`
pub const CFRPD_MATCH_DIRECT: u32 = 1;
/// `GOOD_PARTIAL_MATCH`
pub const CFRPD_MATCH_GOOD_PARTIAL: u32 = 2;
/// `MODERATE_PARTIAL_MATCH`
pub const CFRPD_MATCH_MODERATE_PARTIAL: u32 = 3;
/// `POOR_PARTIAL_MATCH`
pub const CFRPD_MATCH_POOR_PARTIAL: u32 = 4;
/// `NO_MATCH`
pub const CFRPD_MATCH_NO_MATCH: u32 = 5;

/// Details of a failure. Owned by the caller: release with `cfrpd_error_free`.
/// No string in it ever contains the client secret.
#[repr(C)]
pub struct cfrpd_error {
    /// The same code the function returned.
    pub code: cfrpd_result,
    /// The HTTP status when a response arrived, else 0.
    pub http_status: u16,
    /// A sentence a person can act on; never NULL.
    pub message: *mut c_char,
    /// Cashfree's error "code", or NULL.
    pub api_code: *mut c_char,
    /// Cashfree's error "type", or NULL.
    pub api_type: *mut c_char,
    /// From `Retry-After` (seconds form), else 0.
    pub retry_after_ms: u32,
    /// Repeating the same call is safe and may succeed.
    pub retryable: bool,
    /// A create may have reached Cashfree: look the id up with `cfrpd_get_status`
    /// before creating again.
    pub ambiguous: bool,
    /// The response body (at most 4 KiB, secret scrubbed), or NULL.
    pub raw_body: *mut c_char,
    /// The x-request-id sent with the last attempt (quote it to Cashfree support);
    /// NULL when nothing was sent (bad input, no connection attempt).
    pub request_id: *mut c_char,
    /// `X-RateLimit-Limit` of the failing answer, or -1 when absent.
    pub rate_limit_limit: i64,
    /// `X-RateLimit-Remaining` of the failing answer, or -1 when absent.
    pub rate_limit_remaining: i64,
    /// `X-RateLimit-Reset` of the failing answer in milliseconds, or -1 when absent.
    pub rate_limit_reset_ms: i64,
}

/// A rate-limit window (`cfrpd_client_rate_limit`); each field is -1 when unknown.
#[repr(C)]
pub struct cfrpd_rate_limit {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: i64,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: i64,
    /// Milliseconds from now until the window resets (0 once it passed).
    pub reset_ms: i64,
}

/// Settings for a client (opaque). Create with `cfrpd_config_new` or
/// `cfrpd_config_from_env`, release with `cfrpd_config_free`. Not to be changed from two
/// threads at once; may be freed right after `cfrpd_client_new`.
pub struct cfrpd_config {
    pub(crate) inner: Config,
    /// Message of the last failed call on this config (`cfrpd_config_last_error`).
    pub(crate) last_error: Option<std::ffi::CString>,
}

/// A client (opaque). Safe to share between threads; reuses connections.
/// Create with `cfrpd_client_new`, release with `cfrpd_client_free` once no thread uses it.
pub struct cfrpd_client {
    pub(crate) inner: Client,
}

/// A created verification request. Owned by the caller: release with
/// `cfrpd_request_free`. Strings belong to the struct.
#[repr(C)]
pub struct cfrpd_request {
    /// The id sent.
    pub verification_id: *mut c_char,
    /// Cashfree's id for the request (> 0).
    pub ref_id: i64,
    /// When the links stop working (ISO-8601 as sent), or NULL.
    pub valid_upto: *mut c_char,
    /// `upi://pay?...` intent link; never NULL.
    pub upi_link: *mut c_char,
    /// Google Pay deep link, or NULL.
    pub gpay: *mut c_char,
    /// BHIM deep link, or NULL.
    pub bhim: *mut c_char,
    /// Paytm deep link, or NULL.
    pub paytm: *mut c_char,
    /// PhonePe deep link, or NULL.
    pub phonepe: *mut c_char,
    /// Base64 PNG as sent, or NULL.
    pub qr_code: *mut c_char,
    /// Decoded PNG bytes; NULL if absent or not valid base64 of a PNG.
    pub qr_png: *mut u8,
    /// Length of `qr_png` in bytes (0 when NULL).
    pub qr_png_len: usize,
    /// The whole response body.
    pub raw_json: *mut c_char,
    /// True when this is the copy a create journal recorded (a create of an id whose
    /// request was already made: nothing was sent); false for a fresh answer.
    pub replayed: bool,
}

/// The result of a verification request. Owned by the caller: release with
/// `cfrpd_status_free`. Text fields are NULL when absent or JSON null, `""` when empty.
#[repr(C)]
pub struct cfrpd_status {
    /// Parsed `status` (case-insensitive).
    pub state: cfrpd_state,
    /// SUCCESS, FAILURE or EXPIRED: polling further will not change it.
    pub is_final: bool,
    /// The raw status string.
    pub status: *mut c_char,
    /// The merchant's id.
    pub verification_id: *mut c_char,
    /// Cashfree's id, always text whatever JSON type arrived.
    pub ref_id: *mut c_char,
    /// Payer's account number.
    pub bank_account: *mut c_char,
    /// Payer's bank branch code.
    pub ifsc: *mut c_char,
    /// Payer's UPI id (VPA).
    pub upi: *mut c_char,
    /// Account holder name as the bank has it.
    pub name_at_bank: *mut c_char,
    /// Bank reference of the 1 rupee payment.
    pub utr: *mut c_char,
    /// A number as text, e.g. "90.00"; may be "".
    pub name_match_score: *mut c_char,
    /// The raw name match string.
    pub name_match_result: *mut c_char,
    /// Parsed `name_match_result` (case-insensitive).
    pub name_match: cfrpd_name_match,
    /// When the request was created (format varies).
    pub added_on: *mut c_char,
    /// When it was processed.
    pub processed_on: *mut c_char,
    /// When the rupee arrived.
    pub penny_collected_on: *mut c_char,
    /// Refund of the rupee as sent: "PENDING", "TRANSFER_INITIATED",
    /// "TRANSFER_SUCCESS", "FAILED"; "" before payment. Parsed in `reversal`.
    pub reversal_status: *mut c_char,
    /// e.g. "SAVINGS", "CURRENT".
    pub account_type: *mut c_char,
    /// The whole response body.
    pub raw_json: *mut c_char,
    /// Parsed `reversal_status` (case-insensitive).
    pub reversal: cfrpd_reversal,
}

/// A verified webhook delivery. Owned by the caller: release with `cfrpd_webhook_free`.
#[repr(C)]
pub struct cfrpd_webhook {
    /// e.g. "RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS", or NULL.
    pub event_type: *mut c_char,
    /// When Cashfree sent it, or NULL.
    pub event_time: *mut c_char,
    /// Payload version, e.g. "v1", or NULL.
    pub version: *mut c_char,
    /// The same fields as a status; never NULL on success.
    pub data: *mut cfrpd_status,
}

/// Called by `cfrpd_wait_for_result` after every successful poll. `latest` is valid
/// only during the call and must not be freed. Return `true` to keep waiting, `false`
/// to stop with `CFRPD_ERR_CANCELLED` (unless `latest` is already final).
pub type cfrpd_poll_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, latest: *const cfrpd_status) -> bool>;

/// Receives diagnostics records (`cfrpd_config_set_log_callback`). `message` is valid
/// during the call only. Runs on the thread making the cfrpd_ call; may call cfrpd_
/// functions; must not throw (C++) or longjmp out.
pub type cfrpd_log_callback = Option<
    unsafe extern "C" fn(user_data: *mut c_void, level: cfrpd_log_level, message: *const c_char),
>;
