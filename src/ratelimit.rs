//! Cashfree's rate-limit window (`X-RateLimit-Limit`, `-Remaining`, `-Reset`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The rate-limit window an answer reported, from its `X-RateLimit-*` headers.
///
/// Cashfree limits requests per merchant; a fleet of terminals polling the same
/// account shares the window. [`Client::wait_for_result`](crate::Client::wait_for_result)
/// waits for the reset instead of polling into 429s when `remaining` reaches 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: time until the window resets (seconds on the wire).
    pub reset: Option<Duration>,
}

/// Longest `X-RateLimit-Reset` believed (a day); longer values are treated as absent.
const MAX_RESET: Duration = Duration::from_secs(86_400);

impl RateLimit {
    /// Reads the headers through `get`; `None` when none of them is present and valid.
    pub(crate) fn from_headers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Option<RateLimit> {
        let num = |name: &str| {
            let v = get(name)?.trim();
            (!v.is_empty() && v.len() <= 19 && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| v.parse::<u64>().ok())
                .flatten()
        };
        let r = RateLimit {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset: num("x-ratelimit-reset")
                .map(Duration::from_secs)
                .filter(|d| *d <= MAX_RESET),
        };
        (r != RateLimit::default()).then_some(r)
    }

    /// True when the window is used up (`remaining` is 0).
    pub fn is_exhausted(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// The last window a client saw, kept in atomics (no lock: a forked child never hangs
/// on it).
pub(crate) struct RateLimitTracker {
    epoch: Instant,
    limit: AtomicU64,
    remaining: AtomicU64,
    /// Milliseconds after `epoch` when the window resets.
    reset_at_ms: AtomicU64,
}

const UNKNOWN: u64 = u64::MAX;

impl RateLimitTracker {
    pub(crate) fn new() -> RateLimitTracker {
        RateLimitTracker {
            epoch: Instant::now(),
            limit: AtomicU64::new(UNKNOWN),
            remaining: AtomicU64::new(UNKNOWN),
            reset_at_ms: AtomicU64::new(UNKNOWN),
        }
    }

    /// Notes the window of an answer that arrived now.
    pub(crate) fn observe(&self, r: &RateLimit) {
        let now_ms = self.epoch.elapsed().as_millis() as u64;
        let known = |v: Option<u64>| v.map_or(UNKNOWN, |n| n.min(UNKNOWN - 1));
        self.limit.store(known(r.limit), Ordering::Relaxed);
        self.remaining.store(known(r.remaining), Ordering::Relaxed);
        let reset = r
            .reset
            .map_or(UNKNOWN, |d| now_ms.saturating_add(d.as_millis() as u64));
        self.reset_at_ms.store(reset, Ordering::Relaxed);
    }

    /// The last window seen, with `reset` counted from now (zero once it passed).
    pub(crate) fn current(&self) -> Option<RateLimit> {
        let get = |a: &AtomicU64| Some(a.load(Ordering::Relaxed)).filter(|v| *v != UNKNOWN);
        let now_ms = self.epoch.elapsed().as_millis() as u64;
        let r = RateLimit {
            limit: get(&self.limit),
            remaining: get(&self.remaining),
            reset: get(&self.reset_at_ms)
                .map(|at| Duration::from_millis(at.saturating_sub(now_ms))),
        };
        (r != RateLimit::default()).then_some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Option<RateLimit> {
        RateLimit::from_headers(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v))
    }

    #[test]
    fn headers_are_read_leniently() {
        assert_eq!(parse(&[]), None);
        let r = parse(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", " 0 "),
            ("x-ratelimit-reset", "120"),
        ])
        .unwrap();
        assert_eq!(r.limit, Some(100));
        assert!(r.is_exhausted());
        assert_eq!(r.reset, Some(Duration::from_secs(120)));
        let r = parse(&[
            ("x-ratelimit-remaining", "-1"),
            ("x-ratelimit-reset", "1e3"),
        ]);
        assert_eq!(r, None);
        let r = parse(&[("x-ratelimit-reset", "99999999")]);
        assert_eq!(r, None, "a reset longer than a day is not believed");
    }

    #[test]
    fn tracker_counts_the_reset_down() {
        let t = RateLimitTracker::new();
        assert_eq!(t.current(), None);
        t.observe(&RateLimit {
            limit: Some(5),
            remaining: Some(0),
            reset: Some(Duration::from_secs(2)),
        });
        let c = t.current().unwrap();
        assert_eq!((c.limit, c.remaining), (Some(5), Some(0)));
        assert!(c.reset.unwrap() <= Duration::from_secs(2));
        assert!(c.reset.unwrap() > Duration::from_millis(1500));
        t.observe(&RateLimit {
            limit: None,
            remaining: Some(3),
            reset: None,
        });
        let c = t.current().unwrap();
        assert_eq!((c.limit, c.remaining, c.reset), (None, Some(3), None));
    }
}
