//! One HTTP exchange over a shared `ureq::Agent`: no redirects, no proxy from the
//! environment, bodies capped, errors sorted by whether the request may have arrived.
//!
//! After `fork()` a child never uses the parent's agent (nor the locks inside it, which
//! another parent thread may have held at fork time): it builds its own on first use.

use std::io::{ErrorKind as IoKind, Read};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::http::{HeaderName, HeaderValue, Uri};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::ratelimit::RateLimit;
use crate::transport::{attempt_trace, current_pid};

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
            crate::transport::connector(self.has_proxy, self.tls.clone()),
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

/// No (complete) response.
#[derive(Debug)]
pub(crate) struct Failure {
    /// `Network`, `Timeout` or `Tls`.
    pub(crate) kind: ErrorKind,
    /// The request may have reached the server (false only when no connection was made).
    pub(crate) maybe_sent: bool,
    pub(crate) detail: String,
    /// Repeating cannot help: the proxy refused its credentials (401/407 to CONNECT).
    pub(crate) permanent: bool,
}

impl Http {
    pub(crate) fn new(config: &Config, user_agent: &str) -> Result<Http> {
        // TLS is ours (crate::tls); ureq's TLS settings are not used.
        let tls = crate::tls::client_config(&config.root_cas)?;
        let proxy = match &config.proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|_| {
                Error::invalid(format!(
                    "proxy {} is not a valid proxy URL",
                    crate::config::proxy_label(url)
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

/// Sorts a ureq error into network / timeout / TLS, and whether the request may have
/// reached the server: only when it was handed to a connection ([`attempt_trace`]).
/// With a proxy, the connection noted in the trace is the one to the proxy.
fn classify(e: ureq::Error, url: &str, has_proxy: bool) -> Failure {
    use ureq::Timeout as T;
    let trace = attempt_trace();
    let https = url.len() >= 8 && url[..8].eq_ignore_ascii_case("https://");
    let mut detail = describe(&e);
    // ureq words it "proxy server responded 407/Proxy Authentication Required".
    let permanent = matches!(&e, ureq::Error::ConnectProxyFailed(why)
        if why.contains("responded 407") || why.contains("responded 401"));
    if permanent {
        detail.push_str(
            " (the proxy refused its credentials: check the user and password in the proxy URL)",
        );
    }
    let kind = match &e {
        ureq::Error::Timeout(t) => {
            if has_proxy
                && !trace.written
                && trace.connected.is_some()
                && !trace.tls_started
                && matches!(t, T::Connect)
            {
                detail = "the proxy accepted the connection but did not open the tunnel (its \
                          answer to CONNECT) in time"
                    .into();
            } else if https && !trace.written && trace.tls_started && trace.tls.is_none() {
                // Connected, nothing written: the time ran out in the TLS handshake.
                detail = if matches!(t, T::Connect) {
                    "the server accepted the connection but did not complete the TLS \
                     handshake in time: a slow link (raise the connect timeout), or not TLS \
                     at all (is it plain HTTP? use http:// for a plain-HTTP loopback server)"
                } else {
                    "the time ran out during the TLS handshake (the server accepted the \
                     connection but did not complete the handshake)"
                }
                .into();
            }
            ErrorKind::Timeout
        }
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => ErrorKind::Network,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
            detail = tls_detail(detail, trace.written);
            ErrorKind::Tls
        }
        ureq::Error::Io(io) if io_is_tls(io) => {
            detail = tls_detail(detail, trace.written);
            ErrorKind::Tls
        }
        ureq::Error::Io(io) => match io.kind() {
            IoKind::TimedOut | IoKind::WouldBlock => ErrorKind::Timeout,
            _ => ErrorKind::Network,
        },
        ureq::Error::Protocol(_) | ureq::Error::BadUri(_) if !https => {
            detail = format!(
                "{detail} (the server did not answer with HTTP: if it speaks TLS, use https://)"
            );
            ErrorKind::Network
        }
        _ => ErrorKind::Network,
    };
    let maybe_sent = trace.written
        && !matches!(
            &e,
            ureq::Error::Timeout(T::Resolve | T::Connect)
                | ureq::Error::HostNotFound
                | ureq::Error::ConnectionFailed
        );
    Failure {
        kind,
        maybe_sent,
        detail,
        permanent,
    }
}

/// Says which TLS failure it was, in words. `written`: the handshake was done and the
/// request handed over (what broke is the connection, not the handshake).
fn tls_detail(fallback: String, written: bool) -> String {
    let text = fallback.to_ascii_lowercase();
    if written {
        return format!(
            "the TLS connection broke after the request was sent (the server sent data \
             that is not valid TLS) [{fallback}]"
        );
    }
    let why = if text.contains("expired") {
        "the server certificate has expired (or the clock is wrong)"
    } else if text.contains("notvalidforname") || text.contains("not valid for name") {
        "the server certificate is not valid for this host name"
    } else if text.contains("unknownissuer") || text.contains("unknown issuer") {
        "the server certificate is signed by an unknown CA (add it with the root CA setting)"
    } else if text.contains("peerincompatible")
        || text.contains("peer is incompatible")
        || text.contains("protocol version")
        || text.contains("protocolversion")
    {
        "the server offers no TLS version or cipher suite this library accepts (TLS 1.2+ needed)"
    } else if text.contains("corrupt message") || text.contains("invalidcontenttype") {
        "the server did not answer TLS (is it plain HTTP? use http:// for a loopback emulator)"
    } else {
        return format!("TLS failed: {fallback}");
    };
    format!("{why} [{fallback}]")
}

fn io_is_tls(io: &std::io::Error) -> bool {
    io.get_ref()
        .map(|inner| inner.is::<rustls::Error>())
        .unwrap_or(false)
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => match io.kind() {
            IoKind::ConnectionRefused => "connection refused".into(),
            IoKind::ConnectionReset => "connection reset by the server".into(),
            IoKind::UnexpectedEof => "the server closed the connection early".into(),
            IoKind::BrokenPipe => {
                "the server closed the connection while the request was sent".into()
            }
            _ => io.to_string(),
        },
        ureq::Error::HostNotFound => "host name not found".into(),
        ureq::Error::ConnectProxyFailed(why) => format!("the proxy refused the tunnel: {why}"),
        other => other.to_string(),
    }
}

/// How long a host name's addresses are reused before they are looked up again.
const NAME_TTL: Duration = Duration::from_secs(10);

/// Answers IP literals itself (no thread, no lookup); names go to ureq's resolver,
/// whose answer is then reused for [`NAME_TTL`].
///
/// ureq resolves before it looks in its connection pool, and its resolver starts a
/// thread for the lookup whenever a timeout is set: without the cache, every call on a
/// kept-alive connection to `api.cashfree.com` started a thread (measured against
/// `http://localhost`: 1,068 thread starts for 1,040 calls, ~55 µs of CPU and 4x lower
/// throughput per call; see BENCHMARKS.md). Failures are not cached.
#[derive(Debug, Default)]
struct LiteralResolver {
    fallback: DefaultResolver,
    /// (scheme, authority, when resolved, addresses); a client talks to one or two hosts.
    names: Mutex<Vec<(String, String, Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for LiteralResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.fallback.resolve(uri, config, timeout);
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            let port = authority
                .port_u16()
                .unwrap_or(if uri.scheme_str() == Some("http") {
                    80
                } else {
                    443
                });
            let mut out = self.empty();
            out.push(SocketAddr::new(ip, port));
            return Ok(out);
        }
        let scheme = uri.scheme_str().unwrap_or("");
        let lock = || self.names.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if let Some((.., addrs)) = lock().iter().find(|(s, a, at, _)| {
            s == scheme && a == authority.as_str() && now.duration_since(*at) < NAME_TTL
        }) {
            return Ok(addrs.clone());
        }
        let addrs = self.fallback.resolve(uri, config, timeout)?;
        let mut names = lock();
        names.retain(|(s, a, at, _)| {
            !(s == scheme && a == authority.as_str()) && now.duration_since(*at) < NAME_TTL
        });
        if names.len() >= 8 {
            names.remove(0);
        }
        names.push((scheme.into(), authority.as_str().into(), now, addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_resolved_once_per_ttl_and_literals_never() {
        let r = LiteralResolver::default();
        let cfg = ureq::config::Config::default();
        let resolve = |u: &str| {
            r.resolve(&u.parse::<Uri>().unwrap(), &cfg, NextTimeout::default())
                .unwrap()
                .to_vec()
        };
        assert_eq!(
            resolve("http://127.0.0.1:9/x"),
            ["127.0.0.1:9".parse().unwrap()]
        );
        assert_eq!(resolve("https://[::1]/x"), ["[::1]:443".parse().unwrap()]);
        assert!(r.names.lock().unwrap().is_empty());
        let first = resolve("http://localhost:9/a");
        assert!(!first.is_empty());
        assert_eq!(resolve("http://localhost:9/b"), first);
        resolve("http://localhost:10/");
        assert_eq!(r.names.lock().unwrap().len(), 2);
        // An expired entry is looked up again and replaced.
        r.names.lock().unwrap()[0].2 = Instant::now() - NAME_TTL;
        assert_eq!(resolve("http://localhost:9/c"), first);
        assert_eq!(r.names.lock().unwrap().len(), 2);
    }

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
