//! The one error type of the Rust API.

use std::fmt;
use std::time::Duration;

use crate::ratelimit::RateLimit;
use crate::redact::Redactor;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarse enough to decide what to do next.
///
/// Each kind maps one-to-one onto a `cfrpd_result` code of the C API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input from the caller; nothing was sent.
    InvalidInput,
    /// DNS, connect, reset, protocol breakage.
    Network,
    /// A connect or request timeout.
    Timeout,
    /// TLS handshake or certificate failure.
    Tls,
    /// HTTP 400 (other than a duplicate id).
    BadRequest,
    /// HTTP 400 "verification_id already exists".
    DuplicateId,
    /// HTTP 401: wrong client id / secret.
    Unauthorized,
    /// HTTP 403: IP not whitelisted, or bad `x-cf-signature`.
    Forbidden,
    /// HTTP 404.
    NotFound,
    /// HTTP 422: insufficient balance.
    InsufficientBalance,
    /// HTTP 429: rate limited.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// Any other non-2xx (including redirects, which are never followed).
    Http,
    /// A 2xx answer that cannot be decoded, is too large, or lacks the ids.
    UnexpectedResponse,
    /// The public key for `x-cf-signature` is unusable.
    Signature,
    /// A wait was stopped by the caller's callback.
    Cancelled,
    /// A wait ran out of time while the request was still pending.
    Deadline,
    /// A webhook signature is missing, wrong or stale.
    WebhookSignature,
    /// The create journal cannot be opened, locked, read or written (nothing was sent
    /// when a create fails with it).
    Journal,
}

impl ErrorKind {
    /// The kind's snake_case name, e.g. `"invalid_input"`, `"rate_limited"` (also its
    /// `Display`, and the `kind` of the `cfrpd` CLI's JSON error objects).
    ///
    /// ```
    /// assert_eq!(cashfree_rpd::ErrorKind::DuplicateId.as_str(), "duplicate_id");
    /// assert_eq!(cashfree_rpd::ErrorKind::Tls.to_string(), "tls");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Tls => "tls",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::DuplicateId => "duplicate_id",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InsufficientBalance => "insufficient_balance",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Http => "http",
            ErrorKind::UnexpectedResponse => "unexpected_response",
            ErrorKind::Signature => "signature",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Deadline => "deadline",
            ErrorKind::WebhookSignature => "webhook_signature",
            ErrorKind::Journal => "journal",
        }
    }

    /// True for failures that may go away by themselves (network, timeout, 429, 5xx).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::RateLimited | ErrorKind::Server
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from any call of this crate.
///
/// `Display` is a sentence a person can act on. No error ever contains the client
/// secret: response text that echoes it is scrubbed to `[redacted]`.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    http_status: Option<u16>,
    api_code: Option<String>,
    api_type: Option<String>,
    retry_after: Option<Duration>,
    retryable: bool,
    ambiguous: bool,
    raw_body: Option<String>,
    request_id: Option<String>,
    rate_limit: Option<RateLimit>,
}

/// Largest `raw_body` kept in an error.
pub(crate) const RAW_BODY_LIMIT: usize = 4096;

impl Error {
    /// A new error of `kind` with a human message. Strings are made safe for C
    /// (interior NUL bytes become U+FFFD).
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: c_safe(message.into()),
                http_status: None,
                api_code: None,
                api_type: None,
                retry_after: None,
                retryable: false,
                ambiguous: false,
                raw_body: None,
                request_id: None,
                rate_limit: None,
            }),
        }
    }

    /// Shorthand for an [`ErrorKind::InvalidInput`] error.
    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Error {
        self.inner.http_status = Some(status);
        self
    }

    pub(crate) fn with_api_details(mut self, code: Option<String>, ty: Option<String>) -> Error {
        self.inner.api_code = code.map(c_safe);
        self.inner.api_type = ty.map(c_safe);
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Error {
        self.inner.retry_after = after;
        self
    }

    pub(crate) fn with_flags(mut self, retryable: bool, ambiguous: bool) -> Error {
        self.inner.retryable = retryable;
        self.inner.ambiguous = ambiguous;
        self
    }

    /// Keeps the body (cut to [`RAW_BODY_LIMIT`] bytes once scrubbed: see
    /// [`scrubbed`](Self::scrubbed); a body of more than 64 KiB is cut here already).
    pub(crate) fn with_raw_body(mut self, body: &[u8]) -> Error {
        if !body.is_empty() {
            let text = String::from_utf8_lossy(body);
            let kept = if text.len() > 64 * 1024 {
                truncate_on_char(&text, RAW_BODY_LIMIT)
            } else {
                &text
            };
            self.inner.raw_body = Some(c_safe(kept.to_owned()));
        }
        self
    }

    pub(crate) fn with_message(mut self, message: String) -> Error {
        self.inner.message = c_safe(message);
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Error {
        self.inner.request_id = id;
        self
    }

    pub(crate) fn with_rate_limit(mut self, r: Option<RateLimit>) -> Error {
        self.inner.rate_limit = r;
        self
    }

    /// The same error with the secrets scrubbed out of every string in it.
    pub(crate) fn scrubbed(mut self, r: &Redactor) -> Error {
        let i = &mut *self.inner;
        r.scrub_in_place(&mut i.message);
        r.scrub_opt(&mut i.api_code);
        r.scrub_opt(&mut i.api_type);
        if let Some(body) = &mut i.raw_body {
            let clean = r.scrub_json(body);
            *body = truncate_on_char(&clean, RAW_BODY_LIMIT).to_owned();
        }
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The human-readable message (the same as `Display`).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status code, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// Cashfree's error `code`, when the body had one.
    pub fn api_code(&self) -> Option<&str> {
        self.inner.api_code.as_deref()
    }

    /// Cashfree's error `type`, when the body had one.
    pub fn api_type(&self) -> Option<&str> {
        self.inner.api_type.as_deref()
    }

    /// The server's `Retry-After`, when it sent one (seconds form).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Repeating the same call is safe and may succeed.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// A create may have reached Cashfree: look the id up with
    /// [`Client::status`](crate::Client::status) before creating again.
    pub fn is_ambiguous(&self) -> bool {
        self.inner.ambiguous
    }

    /// The response body (at most 4 KiB, secret scrubbed), for non-2xx answers and for
    /// 2xx answers that could not be decoded.
    pub fn raw_body(&self) -> Option<&str> {
        self.inner.raw_body.as_deref()
    }

    /// The `x-request-id` sent with the call's last attempt (quote it to Cashfree
    /// support); `None` when nothing was sent (bad input, no connection attempt).
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The `X-RateLimit-*` window the failing answer carried, if any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.rate_limit
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("message", &i.message)
            .field("http_status", &i.http_status)
            .field("api_code", &i.api_code)
            .field("api_type", &i.api_type)
            .field("retry_after", &i.retry_after)
            .field("retryable", &i.retryable)
            .field("ambiguous", &i.ambiguous)
            .field("raw_body", &i.raw_body)
            .field("request_id", &i.request_id)
            .field("rate_limit", &i.rate_limit)
            .finish()
    }
}

impl std::error::Error for Error {}

/// Replaces interior NUL bytes so the text can always become a C string.
pub(crate) fn c_safe(s: String) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub(crate) fn truncate_on_char(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_are_replaced_everywhere() {
        let e = Error::new(ErrorKind::Server, "a\0b")
            .with_api_details(Some("c\0".into()), None)
            .with_raw_body(b"x\0y");
        assert_eq!(e.message(), "a\u{FFFD}b");
        assert_eq!(e.api_code(), Some("c\u{FFFD}"));
        assert_eq!(e.raw_body(), Some("x\u{FFFD}y"));
    }

    #[test]
    fn raw_body_is_cut_to_4k_on_a_char_boundary() {
        let body = "é".repeat(3000); // 6000 bytes
        let e = Error::new(ErrorKind::Server, "x")
            .with_raw_body(body.as_bytes())
            .scrubbed(&Redactor::default());
        let raw = e.raw_body().unwrap();
        assert!(raw.len() <= RAW_BODY_LIMIT && raw.len() >= RAW_BODY_LIMIT - 1);
        assert!(raw.chars().all(|c| c == 'é'));
    }

    #[test]
    fn transient_kinds() {
        assert!(ErrorKind::Server.is_transient());
        assert!(ErrorKind::Timeout.is_transient());
        assert!(!ErrorKind::Unauthorized.is_transient());
        assert!(!ErrorKind::UnexpectedResponse.is_transient());
    }
}
