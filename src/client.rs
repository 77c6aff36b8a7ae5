//! The blocking client: create a request, read its status.
//!
//! Every call runs under one deadline (the config's call deadline, or a wait's own),
//! which bounds every attempt, back-off and `Retry-After` wait. Each attempt sends a
//! fresh `x-request-id` and is logged (see [`crate::diagnostics`]).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::http::{HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::config::Config;
use crate::decode::{decode_created_detailed, decode_status_detailed};
use crate::diagnostics::{LogLevel, Logger};
use crate::error::{Error, ErrorKind, Result};
use crate::journal::{Begin, Journal, JournalEntry, JournalState, Log as JournalLog};
use crate::model::{CreatedRequest, Identity, Status};
use crate::net::{
    attempt_trace, begin_attempt, current_pid, end_attempt, AttemptTrace, BodyProblem, Failure,
    Http, RawResponse,
};
use crate::ratelimit::{RateLimit, RateLimitTracker};
use crate::redact::Redactor;
use crate::retry::{self, CallKind, Verdict};
use crate::signature::Signer;
use crate::sniff::is_error_object;
use crate::validate::{validate_name, validate_ref_id, validate_verification_id};

/// The API version sent in `x-api-version` (the verification suite's current one).
pub const API_VERSION: &str = "2023-12-18";

const X_CLIENT_ID: HeaderName = HeaderName::from_static("x-client-id");
const X_CLIENT_SECRET: HeaderName = HeaderName::from_static("x-client-secret");
const X_API_VERSION: HeaderName = HeaderName::from_static("x-api-version");
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_CF_SIGNATURE: HeaderName = HeaderName::from_static("x-cf-signature");

/// A Cashfree RPD client. Cheap to clone (clones share one connection pool);
/// `Send + Sync`: share one between threads.
///
/// After `fork()`, a client used in the child opens its own connections and never
/// touches the parent's; the parent is unaffected. Forking while another thread is
/// inside a call on the same client is not supported.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: Http,
    create_url: String,
    status_url: String,
    client_id: String,
    /// `client_id` as a header value, built once.
    client_id_header: HeaderValue,
    /// The `x-client-secret` header value: the one copy of the secret a client keeps,
    /// shared by every request (no copy per call), zeroed when the last user drops it.
    client_secret: ureq::http::HeaderValue,
    signer: Option<Signer>,
    redactor: Redactor,
    max_retries: u32,
    request_timeout: Duration,
    call_deadline: Duration,
    target: String,
    logger: Logger,
    rate_limit: RateLimitTracker,
    /// The create journal, when the config names one.
    journal: Option<Journal>,
}

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

impl Client {
    /// Builds a client from a configuration. Everything is copied: the config may be
    /// dropped or changed afterwards.
    pub fn new(config: &Config) -> Result<Client> {
        let user_agent = format!("cashfree-rpd/{}", crate::VERSION);
        let http = Http::new(config, &user_agent)?;
        let base = config.effective_base_url();
        let journal = match &config.journal_path {
            Some(path) => {
                let (logger, redactor) = (config.logger.clone(), config.redactor());
                let log: JournalLog = Arc::new(move |level, text: &str| {
                    logger.emit(level, &redactor, || text.to_owned())
                });
                Some(Journal::open(path, base, &config.client_id, log)?)
            }
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                create_url: format!("{base}/reverse-penny-drop"),
                status_url: format!("{base}/remitter/status"),
                client_id: config.client_id.clone(),
                client_id_header: HeaderValue::from_str(&config.client_id).map_err(|_| {
                    Error::invalid("the client id cannot be sent as a header value")
                })?,
                client_secret: secret_header(&config.client_secret)?,
                signer: config.signer_key.clone(),
                redactor: config.redactor(),
                max_retries: config.max_retries,
                request_timeout: config.request_timeout,
                call_deadline: config.call_deadline,
                target: config.target_label(),
                logger: config.logger.clone(),
                rate_limit: RateLimitTracker::new(),
                journal,
            }),
        })
    }

    /// Creates a verification request (this costs the merchant money).
    ///
    /// `verification_id`: 1–50 characters of `[A-Za-z0-9._-]`, unique per merchant.
    /// `name`: the name the account holder is expected to have.
    ///
    /// Never sent twice by accident: it is re-sent only when it certainly did not reach
    /// Cashfree. When it may have, the error [`is_ambiguous`](Error::is_ambiguous): look
    /// the id up with [`status`](Self::status) before creating again.
    ///
    /// With a journal ([`Config::set_journal_path`]) the intent is on stable storage
    /// before anything is sent (else [`ErrorKind::Journal`] and nothing is sent), and
    /// the answer is recorded after. A create of an id with an open entry sends nothing:
    /// the recorded request (with [`replayed`](CreatedRequest::replayed) set) when its
    /// answer is recorded under the same name, else [`ErrorKind::DuplicateId`]. Creates
    /// of one id from several threads send one request: the others wait for it, then
    /// follow the same rules (or create afresh if the first certainly sent nothing). After
    /// a failed flush of the journal every create fails with [`ErrorKind::Journal`] and
    /// sends nothing: make a new client.
    pub fn create(&self, verification_id: &str, name: &str) -> Result<CreatedRequest> {
        validate_verification_id(verification_id)?;
        validate_name(name)?;
        let Some(journal) = &self.inner.journal else {
            return self.send_create(verification_id, name);
        };
        let _in_flight = match journal.begin(verification_id, name) {
            Ok(Begin::Replay(request)) => return Ok(*request),
            Ok(Begin::Send(guard)) => guard,
            Err(e) => return Err(self.logged(e)),
        };
        let result = self.send_create(verification_id, name);
        let recorded = match &result {
            Ok(request) => journal.created(request),
            // Not ambiguous: this create certainly made no request at Cashfree.
            Err(e) if !e.is_ambiguous() => journal
                .close(verification_id, "the create made no request")
                .map(drop),
            // It may exist: the entry stays SENDING until resolved.
            Err(_) => Ok(()),
        };
        if let Err(e) = recorded {
            self.logged(e);
        }
        result
    }

    /// The open entries of the journal, oldest first, except creates in flight on this
    /// client right now. [`ErrorKind::Journal`] without a journal, or in a forked child.
    pub fn journal_pending(&self) -> Result<Vec<JournalEntry>> {
        self.journal()?.pending()
    }

    /// Settles a journal entry: one status lookup (usual retry rules). A final status
    /// closes the entry; a non-final one leaves it open in its state. When Cashfree does
    /// not know the id (404, or 400 "Please enter a valid verification_id") and the entry
    /// is SENDING, the create never happened: the entry is closed and that error returned
    /// — creating again with the same id is then the safe next step. A CREATED entry stays
    /// open whatever the answer (its recorded answer proves Cashfree has it). Only the
    /// entry seen before the lookup is settled. For an id not in the journal it is a
    /// plain status lookup. [`ErrorKind::Journal`] without a journal, after a failed
    /// journal sync, or (retryable) while a create of the id is in flight on this client.
    pub fn journal_resolve(&self, verification_id: &str) -> Result<Status> {
        validate_verification_id(verification_id)?;
        let journal = self.journal()?;
        let seen = journal.before_resolve(verification_id)?;
        match self.lookup(Identity::VerificationId(verification_id), None) {
            Ok(status) => Ok(status),
            Err(e) => {
                let unknown = e.kind() == ErrorKind::NotFound
                    || (e.kind() == ErrorKind::BadRequest
                        && e.message()
                            .to_ascii_lowercase()
                            .contains("enter a valid verification_id"));
                if let Some((seq, JournalState::Sending)) = seen.filter(|_| unknown) {
                    journal.close_seen(verification_id, seq, "unknown at Cashfree")?;
                }
                Err(e)
            }
        }
    }

    fn journal(&self) -> Result<&Journal> {
        self.inner.journal.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::Journal,
                "no journal configured (Config::set_journal_path / cfrpd_config_set_journal_path)",
            )
        })
    }

    /// Logs an error at ERROR and hands it back.
    fn logged(&self, e: Error) -> Error {
        let inner = &*self.inner;
        inner
            .logger
            .emit(LogLevel::Error, &inner.redactor, || e.message().to_owned());
        e
    }

    /// A create on the wire, with the retry rules.
    fn send_create(&self, verification_id: &str, name: &str) -> Result<CreatedRequest> {
        let body = serde_json::to_vec(
            &serde_json::json!({ "verification_id": verification_id, "name": name }),
        )
        .map_err(|e| Error::invalid(format!("cannot encode the request: {e}")))?;
        let done = self.execute(CallKind::Create, &self.inner.create_url, Some(&body), None)?;
        decode_created_detailed(&done.body, verification_id)
            .map(|d| d.scrubbed(&self.inner.redactor))
            .map_err(|e| self.undecodable(e, &done, CallKind::Create))
    }

    /// The current status of a request, by the merchant's verification_id.
    ///
    /// An answer about another request (a different `verification_id`) is an
    /// [`ErrorKind::UnexpectedResponse`], never returned as this one's.
    pub fn status(&self, verification_id: &str) -> Result<Status> {
        self.lookup(Identity::VerificationId(verification_id), None)
    }

    /// The current status of a request, by Cashfree's ref_id (> 0). An answer with
    /// another `ref_id` is an [`ErrorKind::UnexpectedResponse`].
    pub fn status_by_ref_id(&self, ref_id: i64) -> Result<Status> {
        self.lookup(Identity::RefId(ref_id), None)
    }

    /// The rate-limit window of the last answer that carried one (`reset` counted
    /// from now), or `None` when no answer had the headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.rate_limit.current()
    }

    /// A status call whose attempts and retries all end by `deadline` (and by the
    /// call deadline).
    pub(crate) fn lookup(
        &self,
        identity: Identity<'_>,
        deadline: Option<Instant>,
    ) -> Result<Status> {
        let url = match identity {
            Identity::VerificationId(id) => {
                validate_verification_id(id)?;
                // The id alphabet needs no percent-encoding.
                self.status_url_with("?verification_id=", id)
            }
            Identity::RefId(r) => {
                validate_ref_id(r)?;
                self.status_url_with("?ref_id=", &r.to_string())
            }
        };
        // The entry a final answer settles: the one open before the request.
        let seen = match (identity, &self.inner.journal) {
            (Identity::VerificationId(id), Some(j)) => j.open_entry(id).map(|(seq, _)| seq),
            _ => None,
        };
        let done = self.execute(CallKind::Get, &url, None, deadline)?;
        let status = decode_status_detailed(&done.body)
            .and_then(|d| d.status.check_identity(identity).map(|()| d))
            .map(|d| d.scrubbed(&self.inner.redactor))
            .map_err(|e| self.undecodable(e, &done, CallKind::Get))?;
        if let Some(journal) = &self.inner.journal {
            // A final status closes the id's open entry (a failed write is logged: the
            // entry stays open, and the next status or resolve closes it).
            let id = match identity {
                Identity::VerificationId(id) => Some(id),
                Identity::RefId(_) => status.verification_id.as_deref(),
            };
            // By ref_id the id is known only now (an entry in flight is never closed).
            let seen = match identity {
                Identity::VerificationId(_) => seen,
                Identity::RefId(_) => id.and_then(|id| journal.open_entry(id)).map(|e| e.0),
            };
            if let (Some(id), Some(seq), true) = (id, seen, status.is_final()) {
                if let Err(e) = journal.close_seen(id, seq, status.status.as_str()) {
                    self.logged(e);
                }
            }
        }
        Ok(status)
    }

    /// The status URL with one query parameter, in one allocation (`format!` cost ~1.4k
    /// instructions per call).
    fn status_url_with(&self, key: &str, value: &str) -> String {
        let base = &self.inner.status_url;
        let mut url = String::with_capacity(base.len() + key.len() + value.len());
        url.push_str(base);
        url.push_str(key);
        url.push_str(value);
        url
    }

    /// A 2xx that could not be used: Cashfree's error object under 2xx when it is one
    /// (the older API reference documents such answers), else an unexpected response; with the body and request
    /// id, scrubbed.
    fn undecodable(&self, e: Error, done: &Done, call: CallKind) -> Error {
        let inner = &*self.inner;
        if is_error_object(&done.body) {
            let resp = RawResponse {
                status: done.status,
                body: done.body.clone(),
                body_problem: None,
                retry_after: None,
                rate_limit: done.rate_limit,
            };
            let mut e = retry::from_response(&resp, call, &inner.target)
                .error
                .with_request_id(Some(done.request_id.clone()));
            if call == CallKind::Create && done.attempt > 0 {
                e = retry::after_resend(e);
            }
            let e = e.scrubbed(&inner.redactor);
            inner
                .logger
                .emit(LogLevel::Error, &inner.redactor, || e.message().to_owned());
            return e;
        }
        let m = format!(
            "{} answer from Cashfree {}: {}",
            call.verb(),
            inner.target,
            e.message()
        );
        let e = retry::undecodable(e.with_message(m), done.status, &done.body, call)
            .error
            .with_request_id(Some(done.request_id.clone()))
            .scrubbed(&inner.redactor);
        inner
            .logger
            .emit(LogLevel::Error, &inner.redactor, || e.message().to_owned());
        e
    }

    /// Sends with the retry rules; returns a 2xx answer (body as received).
    fn execute(
        &self,
        call: CallKind,
        url: &str,
        body: Option<&[u8]>,
        wait_deadline: Option<Instant>,
    ) -> Result<Done> {
        let inner = &*self.inner;
        let deadlines = Deadlines::new(Instant::now(), inner.call_deadline, wait_deadline);
        let mut attempt = 0;
        let mut last_request_id: Option<String> = None;
        loop {
            let Some(timeout) = deadlines.attempt_timeout(inner.request_timeout) else {
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
        let inner = &*self.inner;
        Error::new(
            ErrorKind::Timeout,
            format!(
                "{} not sent to {}: the call deadline passed",
                call.verb(),
                inner.target
            ),
        )
        .with_flags(true, false)
        .with_request_id(last_request_id)
        .scrubbed(&inner.redactor)
    }

    /// A fresh `x-cf-signature` value when the config has a public key.
    fn signature_header(&self) -> Result<Option<HeaderValue>> {
        match &self.inner.signer {
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
        let inner = &*self.inner;
        // Nothing fallible between here and end_attempt: the attempt's cached process
        // id must not outlive it.
        begin_attempt();
        let request_id = crate::request_id::next(current_pid());
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(5);
        headers.push((X_CLIENT_ID, inner.client_id_header.clone()));
        headers.push((X_CLIENT_SECRET, inner.client_secret.clone()));
        headers.push((X_API_VERSION, HeaderValue::from_static(API_VERSION)));
        // Hex digits and '-': always a valid header value.
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.push((X_REQUEST_ID, v));
        }
        if let Some(v) = signature {
            headers.push((X_CF_SIGNATURE, v));
        }
        let sent_at = Instant::now();
        let result = inner.http.send(body, url, &headers, timeout.duration);
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
        let inner = &*self.inner;
        let trace = &sent.trace;
        inner.logger.emit(LogLevel::Debug, &inner.redactor, || {
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
        let inner = &*self.inner;
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
                inner.logger.emit(LogLevel::Info, &inner.redactor, || {
                    format!(
                        "{method} {} -> {shown} ({}) in {ms} ms (attempt {}, request id {request_id})",
                        log_path(url),
                        failure.detail,
                        attempt + 1
                    )
                });
                retry::from_failure(failure, call, &inner.target, None)
            }
            Ok(mut resp) => {
                if let Some(BodyProblem::Broken(failure)) = &mut resp.body_problem {
                    deadlines.note_timeout(failure, cut_by_deadline);
                }
                inner.logger.emit(LogLevel::Info, &inner.redactor, || {
                    format!(
                        "{method} {} -> HTTP {} in {ms} ms (attempt {}, request id {request_id})",
                        log_path(url),
                        resp.status,
                        attempt + 1
                    )
                });
                if let Some(r) = &resp.rate_limit {
                    inner.rate_limit.observe(r);
                }
                match resp {
                    RawResponse {
                        status,
                        body_problem: Some(problem),
                        ..
                    } if (200..300).contains(&status) => {
                        retry::from_unreadable_body(status, problem, call, &inner.target)
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
                    resp => retry::from_response(&resp, call, &inner.target),
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
        let inner = &*self.inner;
        if !auto_retry || attempt >= inner.max_retries {
            let error = error.scrubbed(&inner.redactor);
            inner.logger.emit(LogLevel::Error, &inner.redactor, || {
                error.message().to_owned()
            });
            return Err(error);
        }
        let wait = retry::backoff(attempt, error.retry_after());
        if Instant::now() + wait >= deadlines.at {
            let error = error.scrubbed(&inner.redactor);
            inner.logger.emit(LogLevel::Error, &inner.redactor, || {
                format!(
                    "not retried: the call deadline comes first. {}",
                    error.message()
                )
            });
            return Err(error);
        }
        inner.logger.emit(LogLevel::Warn, &inner.redactor, || {
            format!(
                "retrying {} in {} ms (attempt {} of {}): {}",
                call.verb(),
                wait.as_millis(),
                attempt + 2,
                inner.max_retries + 1,
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
struct Done {
    status: u16,
    body: Vec<u8>,
    request_id: String,
    /// Re-tries before it (0 = the first attempt answered).
    attempt: u32,
    rate_limit: Option<RateLimit>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("target", &self.inner.target)
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &"[redacted]")
            .field("signature", &self.inner.signer.is_some())
            .field("max_retries", &self.inner.max_retries)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_hides_the_secret() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
        let cfg = Config::new("id", "top-secret-123").unwrap();
        let client = Client::new(&cfg).unwrap();
        assert!(!format!("{client:?}").contains("top-secret-123"));
    }

    #[test]
    fn invalid_input_is_refused_before_io() {
        let mut cfg = Config::new("id", "secret").unwrap();
        // Port 9 on loopback: nothing should ever be sent there.
        cfg.set_base_url("http://127.0.0.1:9/verification").unwrap();
        let client = Client::new(&cfg).unwrap();
        assert_eq!(
            client.create("bad id", "x").unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            client.create("ok", " ").unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            client.status("").unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            client.status_by_ref_id(0).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
}
