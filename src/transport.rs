//! Plain TCP for ureq with fewer system calls per request than ureq's own transport.
//!
//! Measured with `strace` on a keep-alive status call, ureq 3.5's `TcpTransport` makes
//! ten system calls where a raw client makes two: it sets `SO_SNDTIMEO` and `SO_RCVTIMEO`
//! before every write and read (the remaining time always differs a little), and its
//! pool checks a connection twice per request (when it is returned and when it is
//! taken) with `ioctl(FIONBIO)`, a one-byte `recv`, `ioctl(FIONBIO)`. A POST also goes
//! out in two writes (head, then body). This transport:
//!
//! - holds output until the exchange waits for input, so a request leaves in one write;
//! - changes a socket timeout only when the one in place is off by more than 1/64 of
//!   the wanted value (at least 1 ms): deadlines keep that precision (±0.5 s of 30 s);
//! - checks a pooled connection with one `recv(MSG_PEEK | MSG_DONTWAIT)` on Unix, and
//!   answers the pool's second check from the first when no I/O happened in between
//!   and less than 1 ms passed (a connection returned and at once taken again).
//!
//! TLS (`RustlsConnector`) and CONNECT proxies chain on top of it as they do on ureq's.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout,
    RustlsConnector, ShutdownHandle, Transport,
};
use ureq::{Error, Timeout};

/// Output held before it is written anyway (a request is far smaller).
const HOLD_LIMIT: usize = 64 * 1024;
/// How long a probe that found the connection open stands for the next one.
const PROBE_REUSE: Duration = Duration::from_millis(1);

/// The connector chain: CONNECT proxy (if configured), then this TCP, then rustls.
pub(crate) fn connector() -> impl Connector<(), Out = impl Transport> {
    ().chain(ConnectProxyConnector::default())
        .chain(LeanTcpConnector)
        .chain(RustlsConnector::default())
}

/// Opens [`LeanTcp`] connections.
#[derive(Debug)]
pub(crate) struct LeanTcpConnector;

impl<In: Transport> Connector<In> for LeanTcpConnector {
    type Out = Either<In, LeanTcp>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if let Some(t) = chained {
            // A CONNECT proxy tunnel already made the connection.
            return Ok(Some(Either::A(t)));
        }
        let stream = connect_any(&details.addrs, details.timeout)?;
        stream.set_nodelay(true)?;
        let stream = Arc::new(stream);
        (details.register_shutdown)(Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>)?;
        let config = details.config;
        Ok(Some(Either::B(LeanTcp {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            held: Vec::new(),
            probed_open: None,
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

/// Tries the addresses in turn, sharing the connect budget as ureq does (halving it for
/// each next address, at least 10 ms each).
fn connect_any(addrs: &[SocketAddr], timeout: NextTimeout) -> Result<TcpStream, Error> {
    let total = timeout.not_zero().map(|t| *t);
    let weight_sum = 2.0 * (1.0 - 0.5_f64.powi(addrs.len() as i32));
    let mut weight = 1.0;
    let mut last = None;
    let started = Instant::now();
    for addr in addrs {
        let attempt = match total {
            Some(t) => {
                let share = t
                    .mul_f64(weight / weight_sum)
                    .max(Duration::from_millis(10));
                TcpStream::connect_timeout(addr, share)
            }
            None => TcpStream::connect(addr),
        };
        weight /= 2.0;
        match attempt {
            Ok(s) => return Ok(s),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                if total.is_some_and(|t| started.elapsed() >= t) {
                    return Err(Error::Timeout(timeout.reason));
                }
                last = Some(Error::Timeout(Timeout::Connect));
            }
            Err(e) if addr_specific(&e) => last = Some(Error::Io(e)),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::Io(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ))
    }))
}

/// A failure that says nothing about the next address.
fn addr_specific(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// One TCP connection (see the module documentation).
pub(crate) struct LeanTcp {
    /// Shared (weakly) with the agent so that it can shut the socket down.
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    /// Output not written yet.
    held: Vec<u8>,
    /// When a probe last found the connection open, if no I/O happened since.
    probed_open: Option<Instant>,
    /// The timeouts set on the socket (`None`: none set yet).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl std::fmt::Debug for LeanTcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeanTcp")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

/// Whether a socket timeout of `current` may stand in for `wanted`.
fn close_enough(current: Option<Duration>, wanted: Duration) -> bool {
    let Some(current) = current else {
        return false;
    };
    let slack = (wanted / 64).max(Duration::from_millis(1));
    current.abs_diff(wanted) <= slack
}

/// Sets a socket timeout unless the one in place is [`close_enough`].
fn set_timeout(
    current: &mut Option<Duration>,
    wanted: Duration,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    if !close_enough(*current, wanted) {
        set(Some(wanted))?;
        *current = Some(wanted);
    }
    Ok(())
}

fn io_error(e: io::Error, timeout: &NextTimeout) -> Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

impl LeanTcp {
    /// Writes the held output.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let timeout = timeout.for_write();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        if let Some(t) = timeout.not_zero() {
            let stream = &*self.stream;
            set_timeout(&mut self.write_timeout, *t, |d| stream.set_write_timeout(d))?;
        }
        let result = (&*self.stream).write_all(&self.held);
        self.held.clear();
        result.map_err(|e| io_error(e, &timeout))
    }
}

impl Transport for LeanTcp {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.probed_open = None;
        self.held
            .extend_from_slice(&self.buffers.output()[..amount]);
        if self.held.len() >= HOLD_LIMIT {
            self.flush(timeout)?;
        }
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        if self.buffers.can_use_input() {
            return Ok(true);
        }
        self.await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.probed_open = None;
        self.flush(timeout)?;
        let timeout = timeout.for_read();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        let limit = timeout.not_zero().map(|t| *t);
        let started = Instant::now();
        loop {
            if let Some(limit) = limit {
                let left = limit.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(Error::Timeout(timeout.reason));
                }
                let stream = &*self.stream;
                set_timeout(&mut self.read_timeout, left, |d| stream.set_read_timeout(d))?;
            }
            match (&*self.stream).read(self.buffers.input_append_buf()) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(e, &timeout)),
            }
        }
    }

    fn is_open(&mut self) -> bool {
        if !self.held.is_empty() {
            return false;
        }
        let now = Instant::now();
        if self
            .probed_open
            .is_some_and(|t| now.duration_since(t) < PROBE_REUSE)
        {
            return true;
        }
        let open = probe(&self.stream);
        self.probed_open = open.then_some(now);
        open
    }
}

/// True when the peer has neither closed the connection nor sent anything unasked.
#[cfg(unix)]
fn probe(stream: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut byte = 0u8;
    // SAFETY: a valid socket owned by `stream`, and a one-byte buffer we own.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            (&mut byte as *mut u8).cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock
}

#[cfg(not(unix))]
fn probe(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let open = matches!(stream.peek(&mut [0]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).is_ok() && open
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn timeouts_are_reset_only_when_off_by_more_than_a_64th() {
        let s = Duration::from_secs;
        assert!(!close_enough(None, s(30)));
        assert!(close_enough(Some(s(30)), s(30)));
        assert!(close_enough(Some(Duration::from_millis(29_600)), s(30)));
        assert!(!close_enough(Some(Duration::from_millis(29_000)), s(30)));
        assert!(!close_enough(Some(s(30)), s(29)));
        assert!(close_enough(
            Some(Duration::from_micros(1500)),
            Duration::from_micros(2000)
        ));
        assert!(!close_enough(Some(s(1)), Duration::from_millis(10)));
    }

    #[test]
    fn probe_sees_open_closed_and_unexpected_bytes() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (mut server, _) = l.accept().unwrap();
        assert!(probe(&c));
        server.write_all(b"x").unwrap();
        server.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while probe(&c) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(!probe(&c));
        let c2 = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        drop(l.accept().unwrap());
        let deadline = Instant::now() + Duration::from_secs(5);
        while probe(&c2) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(!probe(&c2));
        // The probe leaves the socket blocking.
        c2.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut buf = [0u8; 1];
        assert_eq!((&c2).read(&mut buf).unwrap(), 0);
    }
}
