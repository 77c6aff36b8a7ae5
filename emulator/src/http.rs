//! Minimal HTTP/1.1 server-side framing: request parsing and response serialization.
//!
//! Requests need a `Content-Length` body (or none); `Transfer-Encoding` is refused with
//! 411. Header sections are capped at [`MAX_HEAD`] bytes and bodies at [`MAX_BODY`].

use std::io::{self, Read, Write};

/// Largest accepted request head (request line + headers).
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted request body.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// One parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    /// Request target as sent (path and query).
    pub target: String,
    /// Header names lowercased, values trimmed, in order of arrival.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the connection stays open after the answer.
    pub keep_alive: bool,
    /// HTTP/1.0 request asking for keep-alive (needs an explicit header in the answer).
    pub http10: bool,
}

impl Request {
    /// First value of a header (name in lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// Query string (after `?`), or "".
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
}

/// A response to serialize in one write.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Close the connection after this response.
    pub close: bool,
}

impl Response {
    /// A response with a JSON body.
    pub fn json(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type: Some("application/json".to_string()),
            headers: Vec::new(),
            body,
            close: false,
        }
    }

    /// A response with a body of the given content type.
    pub fn with_type(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type: Some(content_type.to_string()),
            headers: Vec::new(),
            body,
            close: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Status line and headers (announcing `content_length`), then `body_part`.
    pub fn to_bytes_with(
        &self,
        content_length: usize,
        body_part: &[u8],
        req_http10_ka: bool,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(160 + body_part.len());
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(self.status.to_string().as_bytes());
        out.push(b' ');
        out.extend_from_slice(reason(self.status).as_bytes());
        out.extend_from_slice(b"\r\nServer: cashfree-rpd-emulator\r\n");
        if let Some(ct) = &self.content_type {
            out.extend_from_slice(b"Content-Type: ");
            out.extend_from_slice(ct.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Content-Length: ");
        out.extend_from_slice(content_length.to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        for (k, v) in &self.headers {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if self.close {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if req_http10_ka {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body_part);
        out
    }

    /// The whole response (headers and body).
    pub fn to_bytes(&self, req_http10_ka: bool) -> Vec<u8> {
        self.to_bytes_with(self.body.len(), &self.body, req_http10_ka)
    }
}

/// Reason phrase of a status code.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Socket error or peer gone mid-request: just close.
    Io,
    /// Malformed request: answer this (status, message) and close.
    Bad(u16, &'static str),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// Finds the end of the head: returns (head length, length including the blank line).
/// Accepts CRLF and bare LF line endings.
fn find_head_end(buf: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(off) = memchr(b'\n', &buf[i..]) {
        let nl = i + off;
        match buf.get(nl + 1) {
            Some(b'\n') => return Some((nl + 1, nl + 2)),
            Some(b'\r') if buf.get(nl + 2) == Some(&b'\n') => return Some((nl + 1, nl + 3)),
            _ => {}
        }
        i = nl + 1;
    }
    None
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Reads one request from `stream`, using and refilling `buf` (bytes left over from
/// the previous request on a keep-alive connection). `Ok(None)` = clean EOF between
/// requests.
pub(crate) fn read_request<S: Read + Write>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Result<Option<Request>, ReadError> {
    let mut chunk = [0u8; 16 * 1024];
    // Skip empty lines before a request line (RFC 9112 §2.2).
    let mut scanned = 0;
    let (head_len, head_total) = loop {
        while buf.first().is_some_and(|b| *b == b'\r' || *b == b'\n') {
            buf.remove(0);
        }
        if let Some(found) = find_head_end(buf, scanned) {
            break found;
        }
        scanned = buf.len().saturating_sub(2);
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Bad(431, "request head too large"));
        }
        let n = read_some(stream, &mut chunk)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io)
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if head_len > MAX_HEAD {
        return Err(ReadError::Bad(431, "request head too large"));
    }
    let head = std::str::from_utf8(&buf[..head_len])
        .map_err(|_| ReadError::Bad(400, "request head is not valid UTF-8"))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) if !m.is_empty() && !t.is_empty() => (m, t, v),
        _ => return Err(ReadError::Bad(400, "malformed request line")),
    };
    if !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ReadError::Bad(400, "malformed method"));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(ReadError::Bad(400, "unsupported HTTP version")),
    };
    let target = origin_form(target).ok_or(ReadError::Bad(400, "malformed request target"))?;
    let method = method.to_string();

    let mut headers = Vec::new();
    let mut content_length: Option<usize> = None;
    let mut conn_close = false;
    let mut conn_keep_alive = false;
    let mut expect_continue = false;
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err(ReadError::Bad(400, "obsolete header folding"));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(ReadError::Bad(400, "malformed header line"))?;
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(ReadError::Bad(400, "malformed header name"));
        }
        let name = name.to_ascii_lowercase();
        let value = value.trim_matches(|c| c == ' ' || c == '\t').to_string();
        match name.as_str() {
            "content-length" => {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ReadError::Bad(400, "invalid Content-Length"));
                }
                let n: usize = value
                    .parse()
                    .map_err(|_| ReadError::Bad(413, "request body too large"))?;
                if content_length.is_some_and(|old| old != n) {
                    return Err(ReadError::Bad(400, "conflicting Content-Length headers"));
                }
                content_length = Some(n);
            }
            "transfer-encoding" => {
                return Err(ReadError::Bad(
                    411,
                    "Transfer-Encoding is not supported; send Content-Length",
                ));
            }
            "connection" => {
                for tok in value.split(',') {
                    let tok = tok.trim();
                    if tok.eq_ignore_ascii_case("close") {
                        conn_close = true;
                    } else if tok.eq_ignore_ascii_case("keep-alive") {
                        conn_keep_alive = true;
                    }
                }
            }
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
        headers.push((name, value));
    }
    let body_len = content_length.unwrap_or(0);
    if body_len > MAX_BODY {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    let total = head_total + body_len;
    if expect_continue && buf.len() < total {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    while buf.len() < total {
        let n = read_some(stream, &mut chunk)?;
        if n == 0 {
            return Err(ReadError::Io);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_total..total].to_vec();
    let request = Request {
        method,
        target,
        headers,
        body,
        keep_alive: if http10 {
            conn_keep_alive && !conn_close
        } else {
            !conn_close
        },
        http10: http10 && conn_keep_alive && !conn_close,
    };
    buf.drain(..total);
    Ok(Some(request))
}

fn read_some<S: Read>(stream: &mut S, chunk: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(chunk) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Turns an absolute-form target (`http://host/path`) into origin form.
fn origin_form(target: &str) -> Option<String> {
    if target.starts_with('/') {
        return Some(target.to_string());
    }
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))?;
    Some(match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".to_string(),
    })
}

/// Decodes `%XX` escapes and `+` (as space) in a query component.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// First value of `key` in a query string, percent-decoded.
pub(crate) fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == key).then(|| percent_decode(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    struct Duplex(Cursor<Vec<u8>>, Vec<u8>);
    impl Read for Duplex {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            self.0.read(b)
        }
    }
    impl Write for Duplex {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.1.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn parse_all(raw: &[u8]) -> Vec<Result<Option<Request>, ReadError>> {
        let mut s = Duplex(Cursor::new(raw.to_vec()), Vec::new());
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let r = read_request(&mut s, &mut buf);
            let stop = !matches!(r, Ok(Some(_)));
            out.push(r);
            if stop {
                return out;
            }
        }
    }

    #[test]
    fn pipelined_requests_and_eof() {
        let raw = b"POST /a?x=1 HTTP/1.1\r\nContent-Length: 3\r\nX-Y:  z \r\n\r\nabcGET /b HTTP/1.1\nHost: h\n\n";
        let rs = parse_all(raw);
        assert_eq!(rs.len(), 3);
        let a = rs[0].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(a.method, "POST");
        assert_eq!(a.path(), "/a");
        assert_eq!(a.query(), "x=1");
        assert_eq!(a.body, b"abc");
        assert_eq!(a.header("x-y"), Some("z"));
        let b = rs[1].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(b.target, "/b");
        assert!(b.keep_alive);
        assert!(matches!(rs[2], Ok(None)));
    }

    #[test]
    fn rejects_bad_requests() {
        let bad: &[(&[u8], u16)] = &[
            (b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
            (b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
            (b"GET /\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nbad header\r\n\r\n", 400),
        ];
        for (raw, code) in bad {
            match &parse_all(raw)[0] {
                Err(ReadError::Bad(c, _)) => assert_eq!(c, code),
                other => panic!("{other:?}"),
            }
        }
        // Truncated body.
        assert!(matches!(
            parse_all(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")[0],
            Err(ReadError::Io)
        ));
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            query_param("a=1&verification_id=x%2By+z", "verification_id").as_deref(),
            Some("x+y z")
        );
        assert_eq!(query_param("ref_id=5", "verification_id"), None);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
