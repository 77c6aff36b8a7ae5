//! Misbehaving servers on loopback for the TLS and deadline tests: a throw-away PKI
//! (rcgen) for rustls servers with bad certificates, servers that break TLS after the
//! request, and raw TCP servers that stall, trickle or answer in TLS 1.0.
//!
//! Every server accepts connections on its own thread and handles each one on another;
//! the threads live until the test process ends (a handler that stalls holds its socket
//! open, which is the point).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A CA that signs server certificates.
pub struct Pki {
    pub ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// What a server certificate looks like.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Leaf {
    /// Valid for `localhost` and `127.0.0.1`.
    Good,
    /// Valid for those names, but expired in 2021.
    Expired,
    /// Valid, but only for `not-this-host.example`.
    OtherName,
}

impl Pki {
    pub fn new(label: &str) -> Pki {
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, format!("cfrpd test CA {label}"));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = ca.self_signed(&key).unwrap();
        Pki {
            ca_pem: cert.pem(),
            ca_der: cert.der().clone(),
            issuer: Issuer::new(ca, key),
        }
    }

    /// A rustls server config (TLS 1.2 and 1.3, or only `versions`) with a leaf of this kind.
    pub fn server_config(
        &self,
        leaf: Leaf,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Arc<ServerConfig> {
        let names = match leaf {
            Leaf::OtherName => vec!["not-this-host.example".to_string()],
            _ => vec!["localhost".to_string(), "127.0.0.1".to_string()],
        };
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "cfrpd test server");
        if leaf == Leaf::Expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider);
        let builder = if versions.is_empty() {
            builder.with_safe_default_protocol_versions().unwrap()
        } else {
            builder.with_protocol_versions(versions).unwrap()
        };
        Arc::new(
            builder
                .with_no_client_auth()
                .with_single_cert(vec![cert.der().clone(), self.ca_der.clone()], key)
                .unwrap(),
        )
    }
}

/// A loopback server running `handler` on every connection it accepts.
pub struct Server {
    pub port: u16,
    accepted: Arc<AtomicU64>,
}

impl Server {
    pub fn start(handler: impl Fn(TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = accepted.clone();
        let handler = Arc::new(handler);
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let _ = conn.set_nodelay(true);
                counter.fetch_add(1, Ordering::Relaxed);
                let h = handler.clone();
                thread::spawn(move || h(conn));
            }
        });
        Server { port, accepted }
    }

    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}/verification", self.port)
    }

    /// `https://localhost:<port>/verification` (a name the good certificate holds).
    pub fn https_localhost(&self) -> String {
        format!("https://localhost:{}/verification", self.port)
    }

    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// Holds the connection open, reading and discarding, for `d` (or until the peer closes).
pub fn hold(mut conn: TcpStream, d: Duration) {
    let until = Instant::now() + d;
    let mut buf = [0u8; 4096];
    while Instant::now() < until {
        let left = until.saturating_duration_since(Instant::now());
        let _ = conn.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match conn.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

/// Reads one TLS record (header and body) from the socket.
pub fn read_record(conn: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = [0u8; 5];
    conn.read_exact(&mut head)?;
    let len = u16::from_be_bytes([head[3], head[4]]) as usize;
    let mut rec = head.to_vec();
    rec.resize(5 + len, 0);
    conn.read_exact(&mut rec[5..])?;
    Ok(rec)
}

/// Reads one HTTP/1.1 request (head and Content-Length body); returns the head.
pub fn read_http_request(r: &mut impl Read) -> io::Result<String> {
    super::script::read_request(r)
        .map(|seen| seen.head)
        .ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
}

/// Completes the TLS handshake as a rustls server (or fails trying: a client that
/// rejects the certificate aborts it).
pub fn tls_accept(
    config: &Arc<ServerConfig>,
    conn: TcpStream,
) -> Option<StreamOwned<ServerConnection, TcpStream>> {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(20)));
    let mut tls = StreamOwned::new(ServerConnection::new(config.clone()).unwrap(), conn);
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            return None;
        }
    }
    Some(tls)
}

/// A TLS handler: handshake, then answer every request with `response`.
pub fn tls_answer(
    config: Arc<ServerConfig>,
    response: Vec<u8>,
) -> impl Fn(TcpStream) + Send + Sync + 'static {
    move |conn| {
        let Some(mut tls) = tls_accept(&config, conn) else {
            return;
        };
        while read_http_request(&mut tls).is_ok() {
            if tls.write_all(&response).and_then(|_| tls.flush()).is_err() {
                return;
            }
        }
    }
}

/// A TLS handler: handshake, read the whole request, then write `garbage` to the socket
/// outside TLS (a broken record) and hold the connection.
pub fn tls_then_garbage(
    config: Arc<ServerConfig>,
    garbage: Vec<u8>,
) -> impl Fn(TcpStream) + Send + Sync + 'static {
    move |conn| {
        let Some(mut tls) = tls_accept(&config, conn) else {
            return;
        };
        if read_http_request(&mut tls).is_err() {
            return;
        }
        let StreamOwned { sock, .. } = tls;
        let mut sock = sock;
        let _ = sock.write_all(&garbage);
        hold(sock, Duration::from_secs(20));
    }
}

/// An application-data record whose contents are random: fails the client's decryption
/// (`bad_record_mac`).
pub fn bad_record() -> Vec<u8> {
    let mut rec = vec![0x17, 0x03, 0x03, 0x00, 0x40];
    let mut x: u32 = 0x1234_5678;
    for _ in 0..0x40 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        rec.push(x as u8);
    }
    rec
}

/// A raw handler: reads the ClientHello, writes `answer`, then holds the connection
/// for `hold_for` (a stall when `answer` is a partial message).
pub fn after_client_hello(
    answer: Vec<u8>,
    hold_for: Duration,
) -> impl Fn(TcpStream) + Send + Sync + 'static {
    move |mut conn| {
        let _ = conn.set_read_timeout(Some(Duration::from_secs(20)));
        if read_record(&mut conn).is_err() {
            return;
        }
        if conn.write_all(&answer).is_err() {
            return;
        }
        hold(conn, hold_for);
    }
}

/// The first 11 bytes of a TLS 1.2 ServerHello record (header, handshake header,
/// version) and 20 of its 32 random bytes: a handshake that stops mid-message.
pub fn partial_server_hello() -> Vec<u8> {
    let mut v = vec![
        0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03,
    ];
    v.extend(std::iter::repeat_n(0x5a, 20));
    v
}

/// A fatal `protocol_version` alert in a TLS 1.0 record: what a TLS 1.0-only server
/// answers a ClientHello whose highest version it does not speak.
pub fn tls10_protocol_version_alert() -> Vec<u8> {
    vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]
}

/// A TLS 1.0 ServerHello (no extensions, TLS_RSA_WITH_AES_128_CBC_SHA) and nothing more:
/// a TLS 1.0-only server choosing its version.
pub fn tls10_server_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x01]; // server_version TLS 1.0
    body.extend([0x42; 32]); // random
    body.push(0); // session id length
    body.extend([0x00, 0x2f]); // cipher suite
    body.push(0); // compression: null
    let mut hs = vec![0x02, 0x00, 0x00, body.len() as u8];
    hs.extend(body);
    let mut rec = vec![0x16, 0x03, 0x01, 0x00, hs.len() as u8];
    rec.extend(hs);
    rec
}

/// A raw handler: reads the request head, answers with headers announcing
/// `content_length` bytes, then sends one byte every `every` (forever, or until the
/// client goes away).
pub fn trickle(content_length: usize, every: Duration) -> impl Fn(TcpStream) + Send + Sync {
    move |mut conn| {
        if read_http_request(&mut conn).is_err() {
            return;
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {content_length}\r\n\r\n"
        );
        if conn.write_all(head.as_bytes()).is_err() {
            return;
        }
        for _ in 0..content_length {
            thread::sleep(every);
            if conn.write_all(b" ").is_err() {
                return;
            }
        }
    }
}

/// A raw handler: accepts and never says anything (reads and discards).
pub fn silent(hold_for: Duration) -> impl Fn(TcpStream) + Send + Sync {
    move |conn| hold(conn, hold_for)
}

/// Closes the connection with a RST (SO_LINGER 0).
#[cfg(unix)]
pub fn reset(conn: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a correctly sized option value.
    unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(conn);
}

/// Half-closes (FIN), then resets: the peer's socket ends in CLOSE_WAIT and is then
/// reset, after which a write without `MSG_NOSIGNAL` raises `SIGPIPE`.
#[cfg(unix)]
pub fn fin_then_reset(conn: TcpStream) {
    let _ = conn.shutdown(Shutdown::Write);
    reset(conn);
}

/// A TLS 1.3 handler for the SIGPIPE test: reads the ClientHello, writes the server's
/// whole first flight, then FIN and RST. The client completes the handshake from what
/// it received, and its next write (Finished and the request) meets a reset socket.
#[cfg(unix)]
pub fn tls_flight_then_reset(config: Arc<ServerConfig>) -> impl Fn(TcpStream) + Send + Sync {
    move |mut conn| {
        let _ = conn.set_read_timeout(Some(Duration::from_secs(20)));
        let mut server = ServerConnection::new(config.clone()).unwrap();
        let Ok(hello) = read_record(&mut conn) else {
            return;
        };
        let mut slice = &hello[..];
        if server.read_tls(&mut slice).is_err() || server.process_new_packets().is_err() {
            return;
        }
        while server.wants_write() {
            if server.write_tls(&mut conn).is_err() {
                return;
            }
        }
        fin_then_reset(conn);
    }
}

/// A plain handler for the SIGPIPE test: FIN then RST at once (before or while the
/// client writes its request).
#[cfg(unix)]
pub fn plain_fin_then_reset() -> impl Fn(TcpStream) + Send + Sync {
    fin_then_reset
}

/// A loopback address that accepts no connection: a listener whose accept queue is
/// full (backlog 0, filled by connections nobody accepts), so further SYNs are dropped
/// and a connect hangs until its timeout. Keep the returned guard alive.
#[cfg(target_os = "linux")]
pub fn black_hole() -> (String, BlackHole) {
    use std::os::fd::AsRawFd;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: a valid listening socket; listen() again only changes the backlog.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    // Fill the queue until a connect no longer completes at once.
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    (
        format!("http://{addr}/verification"),
        BlackHole {
            _listener: listener,
            _fillers: fillers,
        },
    )
}

/// Keeps a [`black_hole`] in place.
pub struct BlackHole {
    _listener: TcpListener,
    _fillers: Vec<TcpStream>,
}
