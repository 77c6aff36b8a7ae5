//! The blocking client: create a request, read its status.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Http, RawResponse};
use crate::model::{decode_created, decode_status, CreatedRequest, Status};
use crate::redact::Redactor;
use crate::retry::{self, CallKind, Verdict};
use crate::signature::Signer;
use crate::validate::{validate_name, validate_ref_id, validate_verification_id};

/// A Cashfree RPD client. Cheap to clone (clones share one connection pool);
/// `Send + Sync`: share one between threads.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: Http,
    create_url: String,
    status_url: String,
    client_id: String,
    client_secret: String,
    signer: Option<Signer>,
    redactor: Redactor,
    max_retries: u32,
    request_timeout: Duration,
    target: String,
}

/// What a status call asks for.
#[derive(Clone, Copy)]
pub(crate) enum Lookup<'a> {
    Id(&'a str),
    RefId(i64),
}

impl Client {
    /// Builds a client from a configuration. Everything is copied: the config may be
    /// dropped or changed afterwards.
    pub fn new(config: &Config) -> Result<Client> {
        let user_agent = format!("cashfree-rpd/{}", crate::VERSION);
        let http = Http::new(config, &user_agent)?;
        let base = config.effective_base_url();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                create_url: format!("{base}/reverse-penny-drop"),
                status_url: format!("{base}/remitter/status"),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                signer: config.signer_key.clone(),
                redactor: Redactor::new(&config.client_secret),
                max_retries: config.max_retries,
                request_timeout: config.request_timeout,
                target: config.target_label(),
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
    pub fn create(&self, verification_id: &str, name: &str) -> Result<CreatedRequest> {
        validate_verification_id(verification_id)?;
        validate_name(name)?;
        let body = serde_json::to_vec(
            &serde_json::json!({ "verification_id": verification_id, "name": name }),
        )
        .map_err(|e| Error::invalid(format!("cannot encode the request: {e}")))?;
        let (status, bytes) =
            self.execute(CallKind::Create, &self.inner.create_url, Some(&body), None)?;
        decode_created(&bytes, verification_id)
            .map_err(|e| retry::undecodable(e, status, &bytes, CallKind::Create).error)
    }

    /// The current status of a request, by the merchant's verification_id.
    pub fn status(&self, verification_id: &str) -> Result<Status> {
        self.lookup(Lookup::Id(verification_id), None)
    }

    /// The current status of a request, by Cashfree's ref_id (> 0).
    pub fn status_by_ref_id(&self, ref_id: i64) -> Result<Status> {
        self.lookup(Lookup::RefId(ref_id), None)
    }

    /// A status call whose attempts and retries all end by `deadline`.
    pub(crate) fn lookup(&self, what: Lookup<'_>, deadline: Option<Instant>) -> Result<Status> {
        let url = match what {
            Lookup::Id(id) => {
                validate_verification_id(id)?;
                // The id alphabet needs no percent-encoding.
                format!("{}?verification_id={id}", self.inner.status_url)
            }
            Lookup::RefId(r) => {
                validate_ref_id(r)?;
                format!("{}?ref_id={r}", self.inner.status_url)
            }
        };
        let (status, bytes) = self.execute(CallKind::Get, &url, None, deadline)?;
        decode_status(&bytes)
            .map_err(|e| retry::undecodable(e, status, &bytes, CallKind::Get).error)
    }

    /// Sends with the retry rules; returns a 2xx status and its scrubbed body.
    fn execute(
        &self,
        call: CallKind,
        url: &str,
        body: Option<&[u8]>,
        deadline: Option<Instant>,
    ) -> Result<(u16, Vec<u8>)> {
        let inner = &*self.inner;
        let mut attempt = 0;
        loop {
            let timeout = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!("{call:?} call not sent: the deadline passed"),
                        ));
                    }
                    left.min(inner.request_timeout)
                }
                None => inner.request_timeout,
            };
            let signature = match &inner.signer {
                Some(s) => Some(s.sign()?),
                None => None,
            };
            let mut headers: Vec<(&str, &str)> = vec![
                ("x-client-id", &inner.client_id),
                ("x-client-secret", &inner.client_secret),
            ];
            if let Some(sig) = &signature {
                headers.push(("x-cf-signature", sig));
            }
            let verdict = match inner.http.send(body, url, &headers, timeout) {
                Err(failure) => retry::from_failure(failure, call, &inner.target, None),
                Ok(resp) if !(200..300).contains(&resp.status) => {
                    let clean = inner.redactor.scrub(&resp.body).into_owned();
                    retry::from_response(&resp, &clean, call, &inner.target)
                }
                Ok(RawResponse {
                    status,
                    body_problem: Some(problem),
                    ..
                }) => retry::from_unreadable_body(status, problem, call, &inner.target),
                Ok(RawResponse { status, body, .. }) => {
                    // Copy the body only when something was scrubbed out of it.
                    let scrubbed = match inner.redactor.scrub(&body) {
                        Cow::Owned(v) => Some(v),
                        Cow::Borrowed(_) => None,
                    };
                    return Ok((status, scrubbed.unwrap_or(body)));
                }
            };
            let Verdict { error, auto_retry } = verdict;
            // Messages are built from scrubbed bodies already; this second pass (errors
            // only) also covers text from the transport layer.
            let scrubbed = inner.redactor.scrub_str(error.message());
            let error = error.with_message(scrubbed);
            if !auto_retry || attempt >= inner.max_retries {
                return Err(error);
            }
            let wait = retry::backoff(attempt, error.retry_after());
            if let Some(d) = deadline {
                if Instant::now() + wait >= d {
                    return Err(error);
                }
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }
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
