//! Sorting a failed exchange: network, timeout or TLS; whether the request may have
//! reached the server; and a sentence that says what happened.

use std::io::ErrorKind as IoKind;

use super::trace::attempt_trace;
use crate::error::ErrorKind;

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

/// Sorts a ureq error into network / timeout / TLS, and whether the request may have
/// reached the server: only when it was handed to a connection ([`attempt_trace`]).
/// With a proxy, the connection noted in the trace is the one to the proxy.
pub(crate) fn classify(e: ureq::Error, url: &str, has_proxy: bool) -> Failure {
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
