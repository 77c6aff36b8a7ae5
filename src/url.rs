//! The URLs a config accepts: base URLs (https, or plain http to loopback only) and
//! proxy URLs' passwords, found and masked by index without copying them.

use std::net::Ipv4Addr;
use std::ops::Range;

use crate::error::{Error, Result};

/// Where the password in a proxy URL's user info is (percent-encoded as written), if
/// it has a non-empty one: `scheme://user:PASSWORD@host…`.
fn proxy_password_span(url: &str) -> Option<Range<usize>> {
    let (scheme, rest) = url.split_once("://")?;
    let rest_start = scheme.len() + "://".len();
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    let span = rest_start + colon + 1..rest_start + at;
    (!span.is_empty()).then_some(span)
}

/// The password in a proxy URL's user info, if any (percent-encoded as written).
pub(crate) fn proxy_password(url: &str) -> Option<&str> {
    proxy_password_span(url).map(|span| &url[span])
}

/// The proxy URL with its password (if any) replaced by `with`, built around the
/// password, never copying it.
pub(crate) fn replace_proxy_password(url: &str, with: &str) -> String {
    match proxy_password_span(url) {
        Some(span) => format!("{}{with}{}", &url[..span.start], &url[span.end..]),
        None => url.to_owned(),
    }
}

/// A proxy URL for messages: its password replaced by `[redacted]`.
pub(crate) fn proxy_label(url: &str) -> String {
    replace_proxy_password(url, "[redacted]")
}

/// Validates a base URL and returns it without a trailing `/`.
pub(crate) fn check_base_url(url: &str) -> Result<String> {
    let bad = |why: &str| Error::invalid(format!("base URL {url:?} {why}"));
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("contains spaces or control characters"));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("must start with https:// (or http:// for loopback)"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad("must start with https:// (or http:// for loopback)"));
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(bad("must not have a query or fragment"));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err(bad("must not contain user info"));
    }
    let host = host_of(authority).ok_or_else(|| bad("has no valid host"))?;
    if scheme == "http" && !is_loopback_host(host) {
        return Err(bad(
            "uses plain http:// for a host that is not loopback: use https://",
        ));
    }
    let trimmed = format!("{scheme}://{authority}{}", path.trim_end_matches('/'));
    ureq::http::Uri::try_from(trimmed.as_str()).map_err(|_| bad("is not a valid URL"))?;
    Ok(trimmed)
}

/// The host part of `host[:port]` / `[v6][:port]`, checking the port.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        // `[v6]` and what follows it: nothing, or `:port`.
        let (host, after) = authority.split_at(authority.find(']')? + 1);
        let port = match after {
            "" => "",
            _ => after.strip_prefix(':')?,
        };
        (host, port)
    } else {
        authority.rsplit_once(':').unwrap_or((authority, ""))
    };
    if host.is_empty() || host == "[]" {
        return None;
    }
    if !port.is_empty() && (port.parse::<u16>().ok()? == 0) {
        return None;
    }
    Some(host)
}

/// Literal loopback names only: no DNS is consulted.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if host == "[::1]" {
        return true;
    }
    host.parse::<Ipv4Addr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_edges() {
        // The first ':' of the user info starts the password; the last '@' before the
        // path ends it; '@' and ':' in the path do not count.
        assert_eq!(proxy_password("http://u:a:b@h:1"), Some("a:b"));
        assert_eq!(proxy_password("http://u:p@x@h:1"), Some("p@x"));
        assert_eq!(proxy_password("http://u:@h:1"), None);
        assert_eq!(proxy_password("http://:pw@h"), Some("pw"));
        assert_eq!(proxy_password("http://h:1/a:b@c"), None);
        assert_eq!(proxy_password("http://u:pw@h/x@y"), Some("pw"));
        assert_eq!(proxy_password("u:pw@h"), None);
        assert_eq!(proxy_password("http://"), None);
        // Non-ASCII around the password: slicing stays on char boundaries.
        assert_eq!(proxy_password("http://ü:pä@h"), Some("pä"));
        assert_eq!(
            replace_proxy_password("http://ü:pä@h/p", "x"),
            "http://ü:x@h/p"
        );
        assert_eq!(replace_proxy_password("http://u@h", "x"), "http://u@h");
        assert_eq!(proxy_label("https://u:p@h"), "https://u:[redacted]@h");
    }

    #[test]
    fn host_edges() {
        assert_eq!(host_of("h"), Some("h"));
        assert_eq!(host_of("h:80"), Some("h"));
        assert_eq!(host_of("h:"), Some("h"));
        assert_eq!(host_of("[::1]"), Some("[::1]"));
        assert_eq!(host_of("[::1]:9"), Some("[::1]"));
        assert_eq!(host_of("[::1]:"), Some("[::1]"));
        assert_eq!(host_of("[::1]x"), None);
        assert_eq!(host_of("[::1"), None);
        assert_eq!(host_of("[]:1"), None);
        assert_eq!(host_of(""), None);
        assert_eq!(host_of(":80"), None);
        assert_eq!(host_of("h:0"), None);
        assert_eq!(host_of("h:65536"), None);
        assert_eq!(host_of("h:x"), None);
    }

    #[test]
    fn base_url_messages() {
        let msg = |u: &str| check_base_url(u).unwrap_err().message().to_owned();
        assert_eq!(
            msg("http://example.com"),
            "base URL \"http://example.com\" uses plain http:// for a host that is not loopback: use https://"
        );
        assert_eq!(
            msg("https://[::1"),
            "base URL \"https://[::1\" has no valid host"
        );
        assert_eq!(
            msg("https://u@h"),
            "base URL \"https://u@h\" must not contain user info"
        );
        assert_eq!(check_base_url("https://h//").unwrap(), "https://h");
        assert_eq!(
            check_base_url("http://LOCALHOST").unwrap(),
            "http://LOCALHOST"
        );
    }
}
