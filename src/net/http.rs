//! One HTTP exchange over a shared `ureq::Agent`: no redirects, no proxy from the
//! environment, bodies capped, errors sorted by whether the request may have arrived.
//!
//! How a failure is classified is in [`super::errors`]; host names are cached by
//! [`super::resolve`].
//!
//! After `fork()` a child never uses the parent's agent (nor the locks inside it, which
//! another parent thread may have held at fork time): it builds its own on first use.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ureq::http::{HeaderName, HeaderValue};

use super::errors::{classify, Failure};
use super::resolve::LiteralResolver;
use super::trace::current_pid;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ratelimit::RateLimit;

/// Largest response body read (success or error).
pub(crate) const MAX_BODY: u64 = 1024 * 1024;

/// The agent of one client (and, after a fork, the child's own).
pub(crate) struct Http {
    /// The agent of the process that made the client.
    agent: ureq::Agent,
    owner_pid: u32,
    /// A forked child's agent: (pid, agent). Only ever locked in a child.
    forked: Mutex<Option<(u32, ureq::Agent)>>,
    /// Everything needed to build another agent (for a forked child).
    recipe: AgentRecipe,
    /// The agent's whole-exchange timeout: a call with this one needs no per-request
    /// configuration (which copies the whole ureq config on every call).
    default_timeout: Duration,
}

/// What [`Http::new`] builds an agent from.
struct AgentRecipe {
    config: ureq::config::Config,
    has_proxy: bool,
    tls: Arc<rustls::ClientConfig>,
}

impl AgentRecipe {
    fn build(&self) -> ureq::Agent {
        ureq::Agent::with_parts(
            self.config.clone(),
            super::transport::connector(self.has_proxy, self.tls.clone()),
            LiteralResolver::default(),
        )
    }
}

/// A response that arrived (any status).
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    /// The body, when it was read completely and within [`MAX_BODY`].
    pub(crate) body: Vec<u8>,
    /// Why the body could not be read, if it could not.
    pub(crate) body_problem: Option<BodyProblem>,
    /// How long the server asks to wait: `Retry-After`; on a 429 without it,
    /// `x-ratelimit-retry`, else `X-RateLimit-Reset`.
    pub(crate) retry_after: Option<Duration>,
    /// The `X-RateLimit-*` window the answer carried.
    pub(crate) rate_limit: Option<RateLimit>,
}

/// A body that could not be read.
pub(crate) enum BodyProblem {
    /// More than [`MAX_BODY`] bytes.
    TooLarge,
    /// The connection failed while reading (truncated, reset, timeout).
    Broken(Failure),
}

impl Http {
    pub(crate) fn new(config: &Config, user_agent: &str) -> Result<Http> {
        // TLS is ours (super::tls); ureq's TLS settings are not used.
        let tls = super::tls::client_config(&config.root_cas)?;
        let proxy = match &config.proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|_| {
                Error::invalid(format!(
                    "proxy {} is not a valid proxy URL",
                    crate::url::proxy_label(url)
                ))
            })?),
            None => None,
        };
        let has_proxy = proxy.is_some();
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(proxy)
            .user_agent(user_agent)
            .accept("application/json")
            .accept_encoding("identity")
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            .max_response_header_size(64 * 1024)
            .max_idle_connections(config.max_idle_connections)
            .max_idle_connections_per_host(config.max_idle_connections)
            .build();
        let recipe = AgentRecipe {
            config: agent_config,
            has_proxy,
            tls,
        };
        Ok(Http {
            agent: recipe.build(),
            owner_pid: current_pid(),
            forked: Mutex::new(None),
            recipe,
            default_timeout: config.request_timeout,
        })
    }

    /// The agent for this process: the client's own, or after `fork()` the child's.
    fn agent(&self) -> std::borrow::Cow<'_, ureq::Agent> {
        let pid = current_pid();
        if pid == self.owner_pid {
            return std::borrow::Cow::Borrowed(&self.agent);
        }
        // A child (or grandchild). try_lock: a lock held at fork time by a thread that
        // does not exist here must not hang this call; such a call gets an agent of
        // its own for once.
        match self.forked.try_lock() {
            Ok(mut slot) => {
                if slot.as_ref().is_none_or(|(p, _)| *p != pid) {
                    // Dropping a grandparent's agent closes this process's copies of
                    // its descriptors only (no shutdown, no TLS close_notify).
                    *slot = Some((pid, self.recipe.build()));
                }
                let agent = slot.as_ref().map(|(_, a)| a.clone());
                std::borrow::Cow::Owned(agent.unwrap_or_else(|| self.recipe.build()))
            }
            Err(_) => std::borrow::Cow::Owned(self.recipe.build()),
        }
    }

    /// Adds the headers, and a per-request timeout only when it differs from the
    /// agent's (a per-request config copies ureq's whole config).
    fn prepare<B>(
        &self,
        mut req: ureq::RequestBuilder<B>,
        headers: &[(HeaderName, HeaderValue)],
        timeout: Duration,
    ) -> ureq::RequestBuilder<B> {
        if timeout != self.default_timeout {
            req = req.config().timeout_global(Some(timeout)).build();
        }
        // Static names, and values the client built once (a clone shares the buffer:
        // the secret's is the client's one zeroing copy): no allocation per header.
        for (k, v) in headers {
            req = req.header(k.clone(), v.clone());
        }
        req
    }

    /// Sends one request. `headers` are added as given; `timeout` bounds the whole exchange.
    pub(crate) fn send(
        &self,
        post_body: Option<&[u8]>,
        url: &str,
        headers: &[(HeaderName, HeaderValue)],
        timeout: Duration,
    ) -> std::result::Result<RawResponse, Failure> {
        let agent = self.agent();
        let result = match post_body {
            Some(body) => self
                .prepare(agent.post(url), headers, timeout)
                .header("content-type", "application/json")
                .send(body),
            None => self.prepare(agent.get(url), headers, timeout).call(),
        };
        let has_proxy = self.recipe.has_proxy;
        let mut response = result.map_err(|e| classify(e, url, has_proxy))?;
        let status = response.status().as_u16();
        let wanted = WantedHeaders::of(response.headers());
        let rate_limit = RateLimit::from_headers(|name| wanted.get(name));
        let mut retry_after = wanted.retry_after.and_then(parse_retry_after);
        if status == 429 && retry_after.is_none() {
            retry_after = wanted
                .ratelimit_retry
                .and_then(parse_retry_after)
                .or(rate_limit.and_then(|r| r.reset));
        }
        // Sized from Content-Length up front: growing from empty reallocated and re-read
        // several times per answer (callgrind: 7.2k -> 4.2k instructions per status call).
        let expected = response.body().content_length().unwrap_or(0).min(MAX_BODY);
        let mut buf = Vec::with_capacity(expected as usize);
        let read = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .reader()
            .read_to_end(&mut buf)
            .map(|_| buf)
            .map_err(ureq::Error::from);
        let (body, body_problem) = match read {
            Ok(b) => (b, None),
            Err(ureq::Error::BodyExceedsLimit(_)) => (Vec::new(), Some(BodyProblem::TooLarge)),
            Err(e) => (
                Vec::new(),
                Some(BodyProblem::Broken(classify(e, url, has_proxy))),
            ),
        };
        Ok(RawResponse {
            status,
            body,
            body_problem,
            retry_after,
            rate_limit,
        })
    }
}

/// The answer headers the client reads, found in one pass over the header map (four
/// `HeaderMap::get` by name parsed and hashed each name: ~1.3k instructions per call).
/// The first of repeated headers wins, as with `get`; values that are not visible
/// ASCII count as absent, as with `to_str`.
#[derive(Default)]
struct WantedHeaders<'a> {
    retry_after: Option<&'a str>,
    ratelimit_retry: Option<&'a str>,
    limit: Option<&'a str>,
    remaining: Option<&'a str>,
    reset: Option<&'a str>,
}

impl<'a> WantedHeaders<'a> {
    fn of(headers: &'a ureq::http::HeaderMap) -> WantedHeaders<'a> {
        let mut w = WantedHeaders::default();
        let mut seen = [false; 5];
        for (name, value) in headers {
            // Names in a HeaderMap are lower case.
            let slot = match name.as_str() {
                "retry-after" => 0,
                "x-ratelimit-retry" => 1,
                "x-ratelimit-limit" => 2,
                "x-ratelimit-remaining" => 3,
                "x-ratelimit-reset" => 4,
                _ => continue,
            };
            if std::mem::replace(&mut seen[slot], true) {
                continue;
            }
            let v = value.to_str().ok();
            match slot {
                0 => w.retry_after = v,
                1 => w.ratelimit_retry = v,
                2 => w.limit = v,
                3 => w.remaining = v,
                _ => w.reset = v,
            }
        }
        w
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        match name {
            "retry-after" => self.retry_after,
            "x-ratelimit-retry" => self.ratelimit_retry,
            "x-ratelimit-limit" => self.limit,
            "x-ratelimit-remaining" => self.remaining,
            "x-ratelimit-reset" => self.reset,
            _ => None,
        }
    }
}

/// `Retry-After` in its seconds form (the date form is ignored).
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if v.is_empty() || v.len() > 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_headers_match_header_map_get() {
        let mut h = ureq::http::HeaderMap::new();
        h.append("X-RateLimit-Limit", HeaderValue::from_static("10"));
        h.append("x-ratelimit-limit", HeaderValue::from_static("20"));
        h.append("retry-after", HeaderValue::from_bytes(b"\xff").unwrap());
        h.append("x-ratelimit-reset", HeaderValue::from_static(" 5 "));
        h.append("content-length", HeaderValue::from_static("1"));
        let w = WantedHeaders::of(&h);
        for name in [
            "retry-after",
            "x-ratelimit-retry",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert_eq!(
                w.get(name),
                h.get(name).and_then(|v| v.to_str().ok()),
                "{name}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_only() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 10 "), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("99999999999999"), None);
    }
}
