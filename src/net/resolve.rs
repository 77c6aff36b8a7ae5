//! Host name resolution for the agent: IP literals answered directly, names cached.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

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
pub(crate) struct LiteralResolver {
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
}
