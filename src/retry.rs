//! Which failures are retried, how long to wait, and the error each one becomes.
//!
//! The rules (also in the README and the C header):
//! - GETs (status, each poll of a wait) are retried on connect failures, timeouts,
//!   resets, 429 and 500/502/503/504.
//! - A create is re-sent only when it certainly never reached Cashfree: no connection
//!   was made, or the answer was 429 or 503. After a timeout or reset *after* sending,
//!   a 500/502/504 (or other 5xx), or a 2xx we cannot read, the error is `ambiguous`.
//! - Backoff: full jitter over 250 ms × 2^attempt, capped at 5 s; never less than
//!   `Retry-After` (on a 429 without it: `x-ratelimit-retry`, else `X-RateLimit-Reset`),
//!   which is honoured up to 30 s (longer: no retry).
//! - A 2xx whose body is Cashfree's error object (no success ids; `code`/`message`/
//!   `type`) is that error, never re-sent, not ambiguous unless it is a server error on
//!   a create.
//! - A create re-sent under these rules that then meets "already exists" is ambiguous:
//!   an earlier attempt was processed.
//!
//! Errors are built from bodies as received; the client scrubs the secrets out of the
//! finished error.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::net::{BodyProblem, Failure, RawResponse};
use crate::sniff::looks_like_html;

/// First backoff step.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Largest backoff step (before `Retry-After`).
pub(crate) const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// Longest `Retry-After` we wait for automatically.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The two kinds of call, which differ in what may be re-sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// `POST /reverse-penny-drop`: costs money, re-sent only when it surely never arrived.
    Create,
    /// `GET /remitter/status`: safe to repeat.
    Get,
}

impl CallKind {
    pub(crate) fn verb(self) -> &'static str {
        match self {
            CallKind::Create => "create",
            CallKind::Get => "status",
        }
    }
}

/// An error plus whether the client may repeat the attempt by itself.
pub(crate) struct Verdict {
    pub(crate) error: Error,
    pub(crate) auto_retry: bool,
}

/// No response arrived.
pub(crate) fn from_failure(
    f: Failure,
    call: CallKind,
    target: &str,
    http_status: Option<u16>,
) -> Verdict {
    let what = match f.kind {
        ErrorKind::Timeout => "timed out",
        ErrorKind::Tls => "failed in TLS",
        _ => "failed on the network",
    };
    let mut message = format!(
        "{} {} talking to Cashfree {target}: {}",
        call.verb(),
        what,
        f.detail
    );
    let mut error;
    let auto_retry;
    if f.permanent && !f.maybe_sent {
        // A configuration error (proxy credentials): not retried, not retryable.
        error = Error::new(f.kind, message).with_flags(false, false);
        auto_retry = false;
    } else if f.kind == ErrorKind::Tls && !(call == CallKind::Create && f.maybe_sent) {
        message.push_str(" (check the server certificate, the extra root CAs and the proxy)");
        error = Error::new(f.kind, message).with_flags(false, false);
        auto_retry = false;
    } else if call == CallKind::Create && f.maybe_sent {
        message.push_str(
            ". The create may have reached Cashfree: look the verification_id up with a status call \
             before creating again",
        );
        error = Error::new(f.kind, message).with_flags(false, true);
        auto_retry = false;
    } else {
        error = Error::new(f.kind, message).with_flags(true, false);
        auto_retry = true;
    }
    if let Some(s) = http_status {
        error = error.with_http_status(s);
    }
    Verdict { error, auto_retry }
}

/// A response arrived that is not a readable 2xx, or a 2xx that is Cashfree's error
/// object (see [`crate::sniff::is_error_object`]).
pub(crate) fn from_response(resp: &RawResponse, call: CallKind, target: &str) -> Verdict {
    let status = resp.status;
    let body = &resp.body[..];
    let details = ApiDetails::parse(body);
    let kind = if (200..300).contains(&status) {
        kind_for_2xx_error(&details)
    } else {
        kind_for(status, &details)
    };
    let retry_after = resp.retry_after;
    let mut message = format!(
        "{} failed: Cashfree {target} answered HTTP {status}",
        call.verb()
    );
    if let Some(code) = &details.code {
        message.push_str(&format!(" ({code})"));
    }
    match &details.message {
        Some(m) => message.push_str(&format!(": {m}")),
        None if looks_like_html(&String::from_utf8_lossy(body)) => {
            message.push_str(" with an HTML page")
        }
        None => {}
    }
    message.push_str(". ");
    match details.environment_mix_up() {
        Some(hint) => message.push_str(hint),
        None => message.push_str(&hint(kind, target, retry_after)),
    }

    let long_wait = retry_after.is_some_and(|d| d > MAX_RETRY_AFTER);
    let (retryable, ambiguous, auto_retry) = match (call, kind, status) {
        // An error object under 2xx: never re-sent; a server error on a create may
        // have been processed.
        (CallKind::Create, ErrorKind::Server, 200..=299) => (false, true, false),
        (_, _, 200..=299) => (kind == ErrorKind::Server, false, false),
        (_, ErrorKind::RateLimited, _) => (true, false, !long_wait),
        (CallKind::Create, ErrorKind::Server, 503) => (true, false, !long_wait),
        (CallKind::Create, ErrorKind::Server, _) => (false, true, false),
        (CallKind::Get, ErrorKind::Server, 500 | 502 | 503 | 504) => (true, false, !long_wait),
        (CallKind::Get, ErrorKind::Server, _) => (true, false, false),
        _ => (false, false, false),
    };
    if ambiguous {
        message.push_str(" The create may have been processed: look the verification_id up before creating again.");
    }
    let error = Error::new(kind, message)
        .with_http_status(status)
        .with_api_details(details.code, details.ty)
        .with_retry_after(retry_after)
        .with_flags(retryable, ambiguous)
        .with_raw_body(body)
        .with_rate_limit(resp.rate_limit);
    Verdict { error, auto_retry }
}

/// The error a create meets when an earlier attempt of the same call was re-sent:
/// "already exists" then means that attempt was processed.
pub(crate) fn after_resend(error: Error) -> Error {
    if error.kind() != ErrorKind::DuplicateId || error.is_ambiguous() {
        return error;
    }
    let m = format!(
        "{} This create was re-sent after an attempt that seemed not to arrive: that attempt \
         was processed. Look the verification_id up with a status call (its payment links \
         are there); do not create again.",
        error.message()
    );
    error.with_flags(false, true).with_message(m)
}

/// A 2xx whose body could not be decoded: never retried; a create is ambiguous.
pub(crate) fn undecodable(error: Error, status: u16, body: &[u8], call: CallKind) -> Verdict {
    let ambiguous = call == CallKind::Create;
    let mut error = error
        .with_http_status(status)
        .with_flags(false, ambiguous)
        .with_raw_body(body);
    if ambiguous {
        let m = format!(
            "{} (the create may have been processed: look the verification_id up before creating again)",
            error.message()
        );
        error = error.with_message(m);
    }
    Verdict {
        error,
        auto_retry: false,
    }
}

/// A 2xx whose body could not be read: cut off (a network error after the request
/// certainly arrived) or larger than 1 MiB.
pub(crate) fn from_unreadable_body(
    status: u16,
    problem: BodyProblem,
    call: CallKind,
    target: &str,
) -> Verdict {
    match problem {
        BodyProblem::Broken(f) => from_failure(
            Failure {
                kind: f.kind,
                maybe_sent: true,
                detail: format!("the answer was cut off ({})", f.detail),
                permanent: false,
            },
            call,
            target,
            Some(status),
        ),
        BodyProblem::TooLarge => undecodable(
            Error::new(
                ErrorKind::UnexpectedResponse,
                "unexpected response: the body is larger than 1 MiB",
            ),
            status,
            b"",
            call,
        ),
    }
}

/// The kind of Cashfree's error object arriving under a 2xx (README.md, section: Errors,
/// retries and "never create twice").
fn kind_for_2xx_error(d: &ApiDetails) -> ErrorKind {
    let text = |s: &Option<String>| s.as_deref().unwrap_or("").to_ascii_lowercase();
    let (code, message, ty) = (text(&d.code), text(&d.message), text(&d.ty));
    let any = |needle: &str| [&code, &message, &ty].iter().any(|s| s.contains(needle));
    if d.says_already_exists() {
        ErrorKind::DuplicateId
    } else if any("authentication") || any("unauthori") {
        ErrorKind::Unauthorized
    } else if any("insufficient") {
        ErrorKind::InsufficientBalance
    } else if ty == "api_error" || any("internal") {
        ErrorKind::Server
    } else {
        ErrorKind::BadRequest
    }
}

fn kind_for(status: u16, details: &ApiDetails) -> ErrorKind {
    match status {
        400 if details.says_already_exists() => ErrorKind::DuplicateId,
        400 => ErrorKind::BadRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        422 => ErrorKind::InsufficientBalance,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Http,
    }
}

fn hint(kind: ErrorKind, target: &str, retry_after: Option<Duration>) -> String {
    match kind {
        ErrorKind::DuplicateId => "This verification_id was used before: create with a new id, or look this one up with a status call.".into(),
        ErrorKind::BadRequest => "Check the verification_id, name or ref_id sent.".into(),
        ErrorKind::Unauthorized => format!("Check the client id and secret, and that they belong to {}.", describe_target(target)),
        ErrorKind::Forbidden => "Whitelist this machine's IP in the Cashfree dashboard, or set the public key so requests carry x-cf-signature.".into(),
        ErrorKind::NotFound => "Check the id, and that the base URL points at the verification API.".into(),
        ErrorKind::InsufficientBalance => "Top up the verification balance in the Cashfree dashboard.".into(),
        ErrorKind::RateLimited => match retry_after {
            Some(d) => format!("Too many requests: retry after {} s.", d.as_secs()),
            None => "Too many requests: slow down and retry later.".into(),
        },
        ErrorKind::Server => "Cashfree (or a proxy in front of it) had a problem: retry later.".into(),
        _ => "Redirects are never followed; check the base URL.".into(),
    }
}

/// `code` / `message` / `type` of an error body, top-level or under `error`.
#[derive(Default)]
struct ApiDetails {
    code: Option<String>,
    message: Option<String>,
    ty: Option<String>,
}

impl ApiDetails {
    fn parse(body: &[u8]) -> ApiDetails {
        let Ok(Value::Object(top)) = serde_json::from_slice::<Value>(body) else {
            return ApiDetails::default();
        };
        let nested = match top.get("error") {
            Some(Value::Object(e)) => Some(e),
            _ => None,
        };
        let pick = |key: &str| {
            let text = |v: &Value| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
                _ => None,
            };
            top.get(key)
                .and_then(text)
                .or_else(|| nested.and_then(|e| e.get(key)).and_then(text))
        };
        let message = pick("message")
            .or_else(|| top.get("error").and_then(|v| v.as_str().map(str::to_owned)));
        ApiDetails {
            code: pick("code"),
            message,
            ty: pick("type"),
        }
    }

    /// The fix for Cashfree's "Client secret belongs to test environment" (and its
    /// mirror), when this is that error.
    fn environment_mix_up(&self) -> Option<&'static str> {
        let all = [&self.message, &self.code]
            .iter()
            .filter_map(|s| s.as_deref())
            .map(|s| s.to_ascii_lowercase().replace('_', " "))
            .collect::<Vec<_>>()
            .join(" ");
        if all.contains("test environment") {
            Some(
                "Sandbox (test) credentials were sent to production. Use production credentials, \
                 or point the client at the sandbox: CASHFREE_ENV=sandbox, \
                 cfrpd_config_set_environment(config, CFRPD_ENV_SANDBOX) or \
                 Config::set_environment(Environment::Sandbox).",
            )
        } else if all.contains("production environment") || all.contains("prod environment") {
            Some(
                "Production credentials were sent to the sandbox. Use sandbox (test) credentials, \
                 or point the client at production: CASHFREE_ENV=production, \
                 cfrpd_config_set_environment(config, CFRPD_ENV_PRODUCTION) or \
                 Config::set_environment(Environment::Production).",
            )
        } else if all.contains("invalid environment") {
            Some(
                "The credentials belong to the other Cashfree environment: check CASHFREE_ENV \
                 (or cfrpd_config_set_environment / Config::set_environment) against where the \
                 client secret was issued.",
            )
        } else {
            None
        }
    }

    fn says_already_exists(&self) -> bool {
        [&self.message, &self.code]
            .iter()
            .filter_map(|s| s.as_deref())
            .any(|s| {
                s.to_ascii_lowercase()
                    .replace('_', " ")
                    .contains("already exists")
            })
    }
}

/// "sandbox credentials", "production credentials", or "the server at URL".
fn describe_target(target: &str) -> String {
    match target.split(' ').next().unwrap_or(target) {
        t @ ("sandbox" | "production") => format!("the {t} environment"),
        _ => format!("the server at {target} (its credentials, not Cashfree's own)"),
    }
}

/// How long to wait before re-try number `attempt + 1`.
pub(crate) fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    let jittered = Duration::from_nanos(random_below(ceiling.as_nanos() as u64 + 1));
    match retry_after {
        Some(ra) => jittered.max(ra),
        None => jittered,
    }
}

/// A uniformly-ish random number in `0..n` (xorshift; jitter needs no crypto).
fn random_below(n: u64) -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    if n == 0 {
        0
    } else {
        x % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str, retry_after: Option<u64>) -> RawResponse {
        RawResponse {
            status,
            body: body.as_bytes().to_vec(),
            body_problem: None,
            retry_after: retry_after.map(Duration::from_secs),
            rate_limit: None,
        }
    }

    fn verdict(status: u16, body: &str, call: CallKind) -> Verdict {
        let r = resp(status, body, None);
        from_response(&r, call, "sandbox")
    }

    #[test]
    fn error_objects_under_200() {
        let dup = r#"{"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"}"#;
        for (body, kind) in [
            (dup, ErrorKind::DuplicateId),
            (
                r#"{"code":"authentication_failed","message":"x","type":"authentication_error"}"#,
                ErrorKind::Unauthorized,
            ),
            (
                r#"{"message":"Insufficient balance to process this request"}"#,
                ErrorKind::InsufficientBalance,
            ),
            (r#"{"code":"x","type":"api_error"}"#, ErrorKind::Server),
            (
                r#"{"code":"internal_error","message":"retry later"}"#,
                ErrorKind::Server,
            ),
            (
                r#"{"code":"verification_id_missing","message":"verification_id is missing","type":"validation_error"}"#,
                ErrorKind::BadRequest,
            ),
        ] {
            for call in [CallKind::Create, CallKind::Get] {
                let v = verdict(200, body, call);
                assert_eq!(v.error.kind(), kind, "{body}");
                assert_eq!(v.error.http_status(), Some(200));
                assert!(!v.auto_retry, "{body}");
                let server_create = kind == ErrorKind::Server && call == CallKind::Create;
                assert_eq!(v.error.is_ambiguous(), server_create, "{body}");
            }
        }
    }

    #[test]
    fn environment_mix_up_says_how_to_fix_it() {
        let body = r#"{"code":"client_secret_invalid_environment","message":"Client secret belongs to test environment","type":"authentication_error"}"#;
        let v = verdict(400, body, CallKind::Create);
        assert_eq!(v.error.kind(), ErrorKind::BadRequest);
        let m = v.error.message();
        assert!(
            m.contains("Sandbox (test) credentials were sent to production"),
            "{m}"
        );
        assert!(
            m.contains("CASHFREE_ENV=sandbox") && m.contains("cfrpd_config_set_environment"),
            "{m}"
        );
    }

    #[test]
    fn a_resent_create_that_meets_already_exists_is_ambiguous() {
        let dup = r#"{"message":"verification_id already exists"}"#;
        let e = after_resend(verdict(400, dup, CallKind::Create).error);
        assert!(e.is_ambiguous() && !e.is_retryable());
        assert_eq!(e.kind(), ErrorKind::DuplicateId);
        let other = after_resend(verdict(401, "{}", CallKind::Create).error);
        assert!(!other.is_ambiguous());
    }

    #[test]
    fn tls_after_the_request_was_written_is_ambiguous_for_a_create() {
        let f = |maybe_sent| Failure {
            kind: ErrorKind::Tls,
            maybe_sent,
            detail: "bad record mac".into(),
            permanent: false,
        };
        let v = from_failure(f(true), CallKind::Create, "sandbox", None);
        assert!(v.error.is_ambiguous() && !v.auto_retry && v.error.kind() == ErrorKind::Tls);
        let v = from_failure(f(false), CallKind::Create, "sandbox", None);
        assert!(!v.error.is_ambiguous() && !v.auto_retry);
    }

    #[test]
    fn status_codes_map_to_kinds() {
        let dup = r#"{"code":"verification_id_already_exists","message":"verification_id already exists","type":"validation_error"}"#;
        assert_eq!(
            verdict(400, dup, CallKind::Create).error.kind(),
            ErrorKind::DuplicateId
        );
        assert_eq!(
            verdict(
                400,
                r#"{"message":"Verification_ID Already Exists"}"#,
                CallKind::Create
            )
            .error
            .kind(),
            ErrorKind::DuplicateId
        );
        assert_eq!(
            verdict(400, r#"{"code":"already_exists"}"#, CallKind::Create)
                .error
                .kind(),
            ErrorKind::DuplicateId
        );
        assert_eq!(
            verdict(400, r#"{"message":"name missing"}"#, CallKind::Create)
                .error
                .kind(),
            ErrorKind::BadRequest
        );
        for (s, k) in [
            (401, ErrorKind::Unauthorized),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (422, ErrorKind::InsufficientBalance),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (502, ErrorKind::Server),
            (302, ErrorKind::Http),
            (418, ErrorKind::Http),
        ] {
            let v = verdict(s, "<html>x</html>", CallKind::Get);
            assert_eq!(v.error.kind(), k, "{s}");
            assert_eq!(v.error.http_status(), Some(s));
        }
    }

    #[test]
    fn nested_error_objects_are_read() {
        let v = verdict(
            401,
            r#"{"error":{"code":"auth","message":"bad creds","type":"authentication_error"}}"#,
            CallKind::Get,
        );
        assert_eq!(v.error.api_code(), Some("auth"));
        assert_eq!(v.error.api_type(), Some("authentication_error"));
        assert!(v.error.message().contains("bad creds"));
        assert!(v.error.message().contains("sandbox"));
    }

    #[test]
    fn create_retry_rules() {
        let v = verdict(503, "{}", CallKind::Create);
        assert!(v.auto_retry && v.error.is_retryable() && !v.error.is_ambiguous());
        let v = verdict(429, "{}", CallKind::Create);
        assert!(v.auto_retry && v.error.is_retryable() && !v.error.is_ambiguous());
        for s in [500, 502, 504] {
            let v = verdict(s, "{}", CallKind::Create);
            assert!(
                !v.auto_retry && !v.error.is_retryable() && v.error.is_ambiguous(),
                "{s}"
            );
        }
        let sent = Failure {
            kind: ErrorKind::Timeout,
            maybe_sent: true,
            detail: "t".into(),
            permanent: false,
        };
        let v = from_failure(sent, CallKind::Create, "sandbox", None);
        assert!(!v.auto_retry && v.error.is_ambiguous() && !v.error.is_retryable());
        let refused = Failure {
            kind: ErrorKind::Network,
            maybe_sent: false,
            detail: "r".into(),
            permanent: false,
        };
        let v = from_failure(refused, CallKind::Create, "sandbox", None);
        assert!(v.auto_retry && !v.error.is_ambiguous() && v.error.is_retryable());
    }

    #[test]
    fn get_retry_rules() {
        for s in [500, 502, 503, 504, 429] {
            assert!(verdict(s, "{}", CallKind::Get).auto_retry, "{s}");
        }
        for s in [400, 401, 403, 404, 422, 302] {
            let v = verdict(s, "{}", CallKind::Get);
            assert!(!v.auto_retry && !v.error.is_retryable(), "{s}");
        }
        let long = resp(429, "{}", Some(31));
        let v = from_response(&long, CallKind::Get, "sandbox");
        assert!(!v.auto_retry && v.error.is_retryable());
        assert_eq!(v.error.retry_after(), Some(Duration::from_secs(31)));
    }

    #[test]
    fn backoff_is_bounded_and_respects_retry_after() {
        for attempt in 0..20 {
            let d = backoff(attempt, None);
            assert!(d <= BACKOFF_CAP);
            assert!(d <= BACKOFF_BASE * 2u32.pow(attempt.min(10)));
        }
        assert!(backoff(0, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
    }
}
