//! The attempt engine: one call on the wire under its deadline. Sends each attempt
//! (fresh `x-request-id`, the credential and signature headers), logs it, judges the
//! answer with the retry rules ([`crate::retry`]) and waits before the next one; hands
//! the caller a 2xx answer to decode, or the call's error. The answer to "why was my
//! create ambiguous?" starts here and in `retry.rs`.
//!
//! Below [`crate::client`] (which builds requests and decodes answers) and above
//! [`crate::net`] (which moves bytes and classifies transport failures).

use std::time::{Duration, Instant};

use ureq::http::{HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::config::Config;
use crate::diagnostics::{LogLevel, Logger};
use crate::error::{Error, ErrorKind, Result};
use crate::net::{
    attempt_trace, begin_attempt, current_pid, end_attempt, AttemptTrace, BodyProblem, Failure,
    Http, RawResponse,
};
use crate::ratelimit::{RateLimit, RateLimitTracker};
use crate::redact::Redactor;
use crate::retry::{self, CallKind, Verdict};
use crate::signature::Signer;
use crate::sniff::is_error_object;

/// The API version sent in `x-api-version` (the verification suite's current one).
pub const API_VERSION: &str = "2023-12-18";

const X_CLIENT_ID: HeaderName = HeaderName::from_static("x-client-id");
const X_CLIENT_SECRET: HeaderName = HeaderName::from_static("x-client-secret");
const X_API_VERSION: HeaderName = HeaderName::from_static("x-api-version");
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_CF_SIGNATURE: HeaderName = HeaderName::from_static("x-cf-signature");

/// The secret as a sensitive header value over a buffer that is zeroed when freed.
fn secret_header(secret: &str) -> Result<ureq::http::HeaderValue> {
    let owner = Zeroizing::new(secret.as_bytes().to_vec());
    let mut value = ureq::http::HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(owner))
        .map_err(|_| Error::invalid("the client secret cannot be sent as a header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A timeout this close to the deadline counts as the deadline's (message wording only).
const DEADLINE_NEAR: Duration = Duration::from_millis(5);

/// `start + d`, or far in the future when that does not fit.
pub(crate) fn deadline_after(start: Instant, d: Duration) -> Instant {
    start
        .checked_add(d)
        .unwrap_or_else(|| start + crate::config::LONGEST_DURATION)
}

/// What every attempt of a client's calls needs: the connection pool, the headers that
/// never change, the retry and time limits, and where to log. One per client, shared
/// by its clones.
pub(crate) struct Engine {
    http: Http,
    /// `client_id` as a header value, built once.
    client_id_header: HeaderValue,
    /// The `x-client-secret` header value: the one copy of the secret a client keeps,
    /// shared by every request (no copy per call), zeroed when the last user drops it.
    client_secret: HeaderValue,
    pub(crate) signer: Option<Signer>,
    pub(crate) redactor: Redactor,
    pub(crate) max_retries: u32,
    request_timeout: Duration,
    call_deadline: Duration,
    pub(crate) target: String,
    pub(crate) logger: Logger,
    pub(crate) rate_limit: RateLimitTracker,
}

impl Engine {
    pub(crate) fn new(config: &Config) -> Result<Engine> {
        let user_agent = format!("cashfree-rpd/{}", crate::VERSION);
        Ok(Engine {
            http: Http::new(config, &user_agent)?,
            client_id_header: HeaderValue::from_str(&config.client_id)
                .map_err(|_| Error::invalid("the client id cannot be sent as a header value"))?,
            client_secret: secret_header(&config.client_secret)?,
            signer: config.signer_key.clone(),
            redactor: config.redactor(),
            max_retries: config.max_retries,
            request_timeout: config.request_timeout,
            call_deadline: config.call_deadline,
            target: config.target_label(),
            logger: config.logger.clone(),
            rate_limit: RateLimitTracker::new(),
        })
    }

    /// A 2xx that could not be used: Cashfree's error object under 2xx when it is one
    /// else an unexpected response; with the body and request
    /// id, scrubbed.
    pub(crate) fn undecodable(&self, e: Error, done: &Done, call: CallKind) -> Error {
        if is_error_object(&done.body) {
            let resp = RawResponse {
                status: done.status,
                body: done.body.clone(),
                body_problem: None,
                retry_after: None,
                rate_limit: done.rate_limit,
            };
            let mut e = retry::from_response(&resp, call, &self.target)
                .error
                .with_request_id(Some(done.request_id.clone()));
            if call == CallKind::Create && done.attempt > 0 {
                e = retry::after_resend(e);
            }
            let e = e.scrubbed(&self.redactor);
            self.logger
                .emit(LogLevel::Error, &self.redactor, || e.message().to_owned());
            return e;
        }
        let m = format!(
            "{} answer from Cashfree {}: {}",
            call.verb(),
            self.target,
            e.message()
        );
        let e = retry::undecodable(e.with_message(m), done.status, &done.body, call)
            .error
            .with_request_id(Some(done.request_id.clone()))
            .scrubbed(&self.redactor);
        self.logger
            .emit(LogLevel::Error, &self.redactor, || e.message().to_owned());
        e
    }

    /// Sends with the retry rules; returns a 2xx answer (body as received).
    pub(crate) fn execute(
        &self,
        call: CallKind,
        url: &str,
        body: Option<&[u8]>,
        wait_deadline: Option<Instant>,
    ) -> Result<Done> {
        let deadlines = Deadlines::new(Instant::now(), self.call_deadline, wait_deadline);
        let mut attempt = 0;
        let mut last_request_id: Option<String> = None;
        loop {
            let Some(timeout) = deadlines.attempt_timeout(self.request_timeout) else {
                return Err(self.not_sent(call, last_request_id));
            };
            let signature = self.signature_header()?;
            let sent = self.send_attempt(url, body, timeout, signature);
            self.log_connection(&sent);
            let (verdict, request_id) =
                match self.judge(sent, call, url, body.is_some(), attempt, &deadlines) {
                    Judged::Answered(done) => return Ok(done),
                    Judged::Failed(verdict, request_id) => (verdict, request_id),
                };
            let error = attempt_error(verdict.error, call, attempt, &request_id);
            last_request_id = Some(request_id);
            let wait = self.retry_wait(error, verdict.auto_retry, call, attempt, &deadlines)?;
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// The error when the deadline passed before an attempt could be sent.
    fn not_sent(&self, call: CallKind, last_request_id: Option<String>) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!(
                "{} not sent to {}: the call deadline passed",
                call.verb(),
                self.target
            ),
        )
        .with_flags(true, false)
        .with_request_id(last_request_id)
        .scrubbed(&self.redactor)
    }

    /// A fresh `x-cf-signature` value when the config has a public key.
    fn signature_header(&self) -> Result<Option<HeaderValue>> {
        match &self.signer {
            Some(s) => {
                let sig = s.sign()?;
                let value = HeaderValue::from_str(&sig).map_err(|_| {
                    Error::new(ErrorKind::Signature, "the signature is not a valid header")
                })?;
                Ok(Some(value))
            }
            None => Ok(None),
        }
    }

    /// One attempt on the wire: a fresh request id, the headers, the exchange and what
    /// the transport saw of it.
    fn send_attempt(
        &self,
        url: &str,
        body: Option<&[u8]>,
        timeout: AttemptTimeout,
        signature: Option<HeaderValue>,
    ) -> Sent {
        // Nothing fallible between here and end_attempt: the attempt's cached process
        // id must not outlive it.
        begin_attempt();
        let request_id = crate::request_id::next(current_pid());
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(5);
        headers.push((X_CLIENT_ID, self.client_id_header.clone()));
        headers.push((X_CLIENT_SECRET, self.client_secret.clone()));
        headers.push((X_API_VERSION, HeaderValue::from_static(API_VERSION)));
        // Hex digits and '-': always a valid header value.
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.push((X_REQUEST_ID, v));
        }
        if let Some(v) = signature {
            headers.push((X_CF_SIGNATURE, v));
        }
        let sent_at = Instant::now();
        let result = self.http.send(body, url, &headers, timeout.duration);
        end_attempt();
        let ms = sent_at.elapsed().as_millis();
        Sent {
            request_id,
            result,
            ms,
            trace: attempt_trace(),
            cut_by_deadline: timeout.cut_by_deadline,
        }
    }

    /// The debug line saying which connection the attempt used.
    fn log_connection(&self, sent: &Sent) {
        let trace = &sent.trace;
        self.logger.emit(LogLevel::Debug, &self.redactor, || {
            let mut line = match trace.connected {
                Some(peer) => format!(
                    "connection opened to {peer} in {} ms",
                    trace.connect_time.as_millis()
                ),
                // Nothing opened yet the request was written: a pooled connection.
                None if sent.result.is_ok() || trace.written => "connection reused".to_owned(),
                None => "no connection made".to_owned(),
            };
            match (trace.tls, trace.tls_started) {
                (Some(tls), _) => line.push_str(&format!(
                    "; TLS {} {} in {} ms",
                    tls.version,
                    tls.suite,
                    tls.handshake.as_millis()
                )),
                (None, true) => line.push_str("; the TLS handshake did not complete"),
                (None, false) => {}
            }
            line
        });
    }

    /// The attempt's outcome, logged: a 2xx answer for the caller to decode, or what
    /// went wrong and whether it may be re-tried.
    fn judge(
        &self,
        sent: Sent,
        call: CallKind,
        url: &str,
        post: bool,
        attempt: u32,
        deadlines: &Deadlines,
    ) -> Judged {
        let method = if post { "POST" } else { "GET" };
        let Sent {
            request_id,
            result,
            ms,
            cut_by_deadline,
            ..
        } = sent;
        let verdict = match result {
            Err(mut failure) => {
                deadlines.note_timeout(&mut failure, cut_by_deadline);
                let shown = format!("{:?}", failure.kind).to_ascii_lowercase();
                self.logger.emit(LogLevel::Info, &self.redactor, || {
                    format!(
                        "{method} {} -> {shown} ({}) in {ms} ms (attempt {}, request id {request_id})",
                        log_path(url),
                        failure.detail,
                        attempt + 1
                    )
                });
                retry::from_failure(failure, call, &self.target, None)
            }
            Ok(mut resp) => {
                if let Some(BodyProblem::Broken(failure)) = &mut resp.body_problem {
                    deadlines.note_timeout(failure, cut_by_deadline);
                }
                self.logger.emit(LogLevel::Info, &self.redactor, || {
                    format!(
                        "{method} {} -> HTTP {} in {ms} ms (attempt {}, request id {request_id})",
                        log_path(url),
                        resp.status,
                        attempt + 1
                    )
                });
                if let Some(r) = &resp.rate_limit {
                    self.rate_limit.observe(r);
                }
                match resp {
                    RawResponse {
                        status,
                        body_problem: Some(problem),
                        ..
                    } if (200..300).contains(&status) => {
                        retry::from_unreadable_body(status, problem, call, &self.target)
                    }
                    // Decoded by the caller; a Cashfree error object under 2xx is
                    // recognised only when that fails (nothing to pay on success).
                    RawResponse {
                        status,
                        body,
                        rate_limit,
                        ..
                    } if (200..300).contains(&status) => {
                        return Judged::Answered(Done {
                            status,
                            body,
                            request_id,
                            attempt,
                            rate_limit,
                        });
                    }
                    resp => retry::from_response(&resp, call, &self.target),
                }
            }
        };
        Judged::Failed(verdict, request_id)
    }

    /// How long to wait before the next attempt, or the call's error (logged) when
    /// there is none: not re-triable, out of re-tries, or the deadline comes first.
    fn retry_wait(
        &self,
        error: Error,
        auto_retry: bool,
        call: CallKind,
        attempt: u32,
        deadlines: &Deadlines,
    ) -> Result<Duration> {
        if !auto_retry || attempt >= self.max_retries {
            let error = error.scrubbed(&self.redactor);
            self.logger.emit(LogLevel::Error, &self.redactor, || {
                error.message().to_owned()
            });
            return Err(error);
        }
        let wait = retry::backoff(attempt, error.retry_after());
        if Instant::now() + wait >= deadlines.at {
            let error = error.scrubbed(&self.redactor);
            self.logger.emit(LogLevel::Error, &self.redactor, || {
                format!(
                    "not retried: the call deadline comes first. {}",
                    error.message()
                )
            });
            return Err(error);
        }
        self.logger.emit(LogLevel::Warn, &self.redactor, || {
            format!(
                "retrying {} in {} ms (attempt {} of {}): {}",
                call.verb(),
                wait.as_millis(),
                attempt + 2,
                self.max_retries + 1,
                error.message()
            )
        });
        Ok(wait)
    }
}

/// A failed attempt's error: its request id, and a re-sent create's warning.
fn attempt_error(error: Error, call: CallKind, attempt: u32, request_id: &str) -> Error {
    let error = error.with_request_id(Some(request_id.to_owned()));
    if call == CallKind::Create && attempt > 0 {
        retry::after_resend(error)
    } else {
        error
    }
}

/// The URL's path, for log lines only (found when a line is built).
fn log_path(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

/// The deadlines one call runs under.
struct Deadlines {
    /// The call's own: the config's call deadline from the call's start.
    call: Instant,
    /// A wait's, when the call is one of its polls.
    wait: Option<Instant>,
    /// The earlier of the two: what bounds every attempt and back-off.
    at: Instant,
}

/// One attempt's time budget.
#[derive(Clone, Copy)]
struct AttemptTimeout {
    duration: Duration,
    /// The deadline, not the request timeout, set `duration`.
    cut_by_deadline: bool,
}

impl Deadlines {
    fn new(started: Instant, call_deadline: Duration, wait: Option<Instant>) -> Deadlines {
        let call = deadline_after(started, call_deadline);
        Deadlines {
            call,
            wait,
            at: wait.map_or(call, |d| d.min(call)),
        }
    }

    /// The next attempt's time: the rest of the deadline, at most the request timeout;
    /// `None` when the deadline has passed.
    fn attempt_timeout(&self, request_timeout: Duration) -> Option<AttemptTimeout> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let duration = left.min(request_timeout);
        Some(AttemptTimeout {
            duration,
            cut_by_deadline: duration < request_timeout,
        })
    }

    /// A timeout that is the deadline's says so.
    fn note_timeout(&self, failure: &mut Failure, cut_by_deadline: bool) {
        if failure.kind == ErrorKind::Timeout
            && cut_by_deadline
            && Instant::now() + DEADLINE_NEAR >= self.at
        {
            failure
                .detail
                .push_str(if self.wait.is_some_and(|d| d <= self.call) {
                    " (the wait's deadline passed)"
                } else {
                    " (the call deadline passed)"
                });
        }
    }
}

/// What one attempt sent and got back.
struct Sent {
    request_id: String,
    result: std::result::Result<RawResponse, Failure>,
    /// Milliseconds from sending to the answer (or the failure).
    ms: u128,
    trace: AttemptTrace,
    /// The attempt's time was cut short by the deadline.
    cut_by_deadline: bool,
}

/// An attempt's outcome.
enum Judged {
    /// A 2xx answer.
    Answered(Done),
    /// Anything else, with the attempt's request id.
    Failed(Verdict, String),
}

/// A 2xx answer as received.
pub(crate) struct Done {
    status: u16,
    pub(crate) body: Vec<u8>,
    request_id: String,
    /// Re-tries before it (0 = the first attempt answered).
    attempt: u32,
    rate_limit: Option<RateLimit>,
}
