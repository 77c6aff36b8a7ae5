//! The blocking client: create a request, read its status.
//!
//! Every call runs under one deadline (the config's call deadline, or a wait's own),
//! which bounds every attempt, back-off and `Retry-After` wait. Each attempt sends a
//! fresh `x-request-id` and is logged (see [`crate::diagnostics`]).

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::attempt::{Done, Engine};
use crate::config::Config;
use crate::decode::{decode_created_detailed, decode_status_detailed};
use crate::diagnostics::LogLevel;
use crate::error::{Error, ErrorKind, Result};
use crate::journal::{Begin, Journal, JournalEntry, JournalState, Log as JournalLog};
use crate::model::{CreatedRequest, Identity, Status};
use crate::ratelimit::RateLimit;
use crate::retry::CallKind;
use crate::validate::{validate_name, validate_ref_id, validate_verification_id};

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

/// What a client shares between its clones: the attempt engine (which it derefs to, so
/// `inner.redactor` and `inner.logger` are the engine's, one copy each), the URLs and the
/// journal.
struct Inner {
    /// Sends the calls (crate::attempt).
    engine: Engine,
    create_url: String,
    status_url: String,
    client_id: String,
    /// The create journal, when the config names one.
    journal: Option<Journal>,
}

impl Client {
    /// Builds a client from a configuration. Everything is copied: the config may be
    /// dropped or changed afterwards.
    pub fn new(config: &Config) -> Result<Client> {
        let engine = Engine::new(config)?;
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
                engine,
                create_url: format!("{base}/reverse-penny-drop"),
                status_url: format!("{base}/remitter/status"),
                client_id: config.client_id.clone(),
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
        self.inner.engine.rate_limit.current()
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

    /// Sends with the retry rules; returns a 2xx answer (body as received).
    fn execute(
        &self,
        call: CallKind,
        url: &str,
        body: Option<&[u8]>,
        wait_deadline: Option<Instant>,
    ) -> Result<Done> {
        self.inner.engine.execute(call, url, body, wait_deadline)
    }

    /// A 2xx that could not be decoded, as the call's error (logged).
    fn undecodable(&self, e: Error, done: &Done, call: CallKind) -> Error {
        self.inner.engine.undecodable(e, done, call)
    }
}

impl std::ops::Deref for Inner {
    type Target = Engine;

    fn deref(&self) -> &Engine {
        &self.engine
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("target", &self.inner.engine.target)
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &"[redacted]")
            .field("signature", &self.inner.engine.signer.is_some())
            .field("max_retries", &self.inner.engine.max_retries)
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
