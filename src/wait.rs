//! Polling until a request is final.

use std::fmt;
use std::time::{Duration, Instant};

use crate::attempt::deadline_after;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::model::Identity;
use crate::model::Status;
use crate::validate::validate_verification_id;

/// Default pause between polls.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(3);
/// Shortest pause between polls (shorter values are raised to it).
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How long to wait and how often to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Overall deadline (> 0); requests in flight are cut short by it.
    pub timeout: Duration,
    /// Pause between polls; zero means [`DEFAULT_POLL_INTERVAL`], values below
    /// [`MIN_POLL_INTERVAL`] are raised to it.
    pub poll_interval: Duration,
}

impl WaitOptions {
    /// Wait up to `timeout`, polling every [`DEFAULT_POLL_INTERVAL`].
    pub fn new(timeout: Duration) -> WaitOptions {
        WaitOptions {
            timeout,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// Sets the pause between polls.
    pub fn poll_interval(mut self, every: Duration) -> WaitOptions {
        self.poll_interval = every;
        self
    }

    fn effective_interval(&self) -> Duration {
        if self.poll_interval.is_zero() {
            DEFAULT_POLL_INTERVAL
        } else {
            self.poll_interval.max(MIN_POLL_INTERVAL)
        }
    }
}

/// A wait that did not end in a final status: the error, the last status seen and the
/// last failed poll's error.
#[derive(Debug, Clone)]
pub struct WaitError {
    /// Why the wait ended: [`ErrorKind::Deadline`], [`ErrorKind::Cancelled`], or the
    /// permanent error that stopped it (400, 401, 403, 422, bad response...).
    pub error: Error,
    /// The last status a poll returned, if any poll succeeded.
    pub last: Option<Box<Status>>,
    /// The error of the last poll that failed and was to be retried (network, timeout,
    /// 429, 5xx), if any did. With `last` `None` and a [`ErrorKind::Deadline`] error,
    /// this is why no status ever arrived.
    pub last_error: Option<Error>,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for WaitError {}

impl Client {
    /// Polls the status of `verification_id` until it is final (SUCCESS, FAILURE or
    /// EXPIRED) or `options.timeout` passes: [`wait_for_result`](Self::wait_for_result)
    /// without a callback, for the common case.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use cashfree_rpd::{Client, Config, VerificationStatus, WaitOptions};
    ///
    /// let client = Client::new(&Config::from_env()?)?;
    /// let status = client.wait("order-42", &WaitOptions::new(Duration::from_secs(600)))?;
    /// if status.status == VerificationStatus::Success {
    ///     println!("verified: {:?} at {:?}", status.bank_account, status.ifsc);
    /// } else {
    ///     println!("not verified: {}", status.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait(&self, verification_id: &str, options: &WaitOptions) -> Result<Status, WaitError> {
        self.wait_for_result(verification_id, options, |_| true)
    }

    /// Polls the status of `verification_id` until it is final (SUCCESS, FAILURE or
    /// EXPIRED) or `options.timeout` passes.
    ///
    /// `on_poll` is called after every successful poll; returning `false` stops the wait
    /// with [`ErrorKind::Cancelled`] (unless that status is already final: then it is
    /// returned). Transient failures (network, timeout, 429, 5xx; not a proxy refusing
    /// its credentials) are retried until the
    /// deadline; others end the wait at once. On deadline or cancel, the error carries
    /// the last status seen. Every answer must be about `verification_id`: one about
    /// another request ends the wait with [`ErrorKind::UnexpectedResponse`].
    ///
    /// Rate limits: when an answer says the window is used up (`X-RateLimit-Remaining:
    /// 0`), the next poll waits for `X-RateLimit-Reset` instead of polling into 429s
    /// (a fleet of terminals shares one merchant's window).
    pub fn wait_for_result(
        &self,
        verification_id: &str,
        options: &WaitOptions,
        on_poll: impl FnMut(&Status) -> bool,
    ) -> Result<Status, WaitError> {
        self.wait_for_result_reporting(verification_id, options, on_poll, |_, _| {})
    }

    /// [`wait_for_result`](Self::wait_for_result) that also reports every failed poll
    /// the wait retries: `on_failure(error, next_try_in)` is called after such a poll
    /// with how long until the next one, or `None` when the deadline comes first (this
    /// was the last try). A failure that ends the wait at once is not reported here: it
    /// is the returned error.
    pub fn wait_for_result_reporting(
        &self,
        verification_id: &str,
        options: &WaitOptions,
        mut on_poll: impl FnMut(&Status) -> bool,
        mut on_failure: impl FnMut(&Error, Option<Duration>),
    ) -> Result<Status, WaitError> {
        let mut failed_before: Option<Error> = None;
        let fail = |error: Error, last: Option<Status>, last_error: Option<Error>| WaitError {
            error,
            last: last.map(Box::new),
            last_error,
        };
        validate_verification_id(verification_id).map_err(|e| fail(e, None, None))?;
        if options.timeout.is_zero() {
            return Err(fail(
                Error::invalid("wait timeout must be greater than 0"),
                None,
                None,
            ));
        }
        let started = Instant::now();
        let deadline = deadline_after(started, options.timeout);
        let interval = options.effective_interval();
        let mut last: Option<Status> = None;
        let mut last_error: Option<Error>;
        loop {
            last_error = None;
            match self.lookup(Identity::VerificationId(verification_id), Some(deadline)) {
                Ok(status) => {
                    let keep_going = on_poll(&status);
                    if status.is_final() {
                        return Ok(status);
                    }
                    if !keep_going {
                        let state = status.status_raw.clone().unwrap_or_default();
                        return Err(fail(
                            Error::new(
                                ErrorKind::Cancelled,
                                format!("wait for {verification_id} cancelled by the callback (last status {state:?})"),
                            ),
                            Some(status),
                            failed_before,
                        ));
                    }
                    last = Some(status);
                }
                // A transient kind the call itself calls hopeless (a proxy refusing its
                // credentials) ends the wait at once.
                Err(e) if e.kind().is_transient() && e.is_retryable() => last_error = Some(e),
                Err(e) => return Err(fail(e, last, failed_before)),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let mut pause = interval;
            if let Some(r) = self.rate_limit().filter(|r| r.is_exhausted()) {
                // Just past the reset, so that the next poll lands in the new window.
                if let Some(reset) = r.reset {
                    pause = pause.max(reset + Duration::from_millis(50));
                }
            }
            if let Some(e) = &last_error {
                on_failure(e, (pause < left).then_some(pause));
                failed_before = Some(e.clone());
            }
            if left.is_zero() {
                break;
            }
            std::thread::sleep(pause.min(left));
            if Instant::now() >= deadline {
                break;
            }
        }
        let state = last
            .as_ref()
            .and_then(|s| s.status_raw.clone())
            .unwrap_or_else(|| "unknown".into());
        let mut message = format!(
            "wait for {verification_id} ran out of time after {:.1} s; last status {state:?}",
            started.elapsed().as_secs_f64()
        );
        if let Some(e) = last_error {
            message.push_str(&format!("; last error: {e}"));
        }
        Err(fail(
            Error::new(ErrorKind::Deadline, message),
            last,
            failed_before,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_rules() {
        let o = WaitOptions::new(Duration::from_secs(1));
        assert_eq!(o.effective_interval(), DEFAULT_POLL_INTERVAL);
        assert_eq!(
            o.poll_interval(Duration::from_millis(10))
                .effective_interval(),
            MIN_POLL_INTERVAL
        );
        assert_eq!(
            o.poll_interval(Duration::from_secs(7)).effective_interval(),
            Duration::from_secs(7)
        );
    }
}
