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
//! - changes a socket timeout only when the one in place is shorter than the wanted
//!   value by at most 1/64 (at least 1 ms), never when it is longer, and sets it short
//!   by 1/8 + 10 ms because the kernel's socket timers end late: the last stretch before
//!   a deadline is waited for with `poll` (see [`coarse_timeout`]), so a read never
//!   outlives the call's deadline by more than about a millisecond (a read that ends
//!   early is simply resumed); writes are non-blocking sends, with `poll` for room;
//! - never writes, reads or shuts down a connection made by another process: after
//!   `fork()` the child's pool reports the parent's connections closed (it closes its
//!   copy of the descriptor, which leaves the parent's connection alone) and opens its own;
//! - writes with `MSG_NOSIGNAL`, so a reset connection is an error, not a `SIGPIPE`
//!   that kills a C host left with the default disposition;
//! - notes, per thread, whether the current attempt opened a connection and whether
//!   its request was handed to the connection ([`super::trace`]): a failure before the
//!   request was written certainly did not reach the server;
//! - checks a pooled connection with one `recv(MSG_PEEK | MSG_DONTWAIT)` on Unix, and
//!   answers the pool's second check from the first when no I/O happened in between
//!   and less than 1 ms passed (a connection returned and at once taken again).
//!
//! On Windows the socket is non-blocking for its whole life and every wait, for input
//! or for room to write, is a `WSAPoll` bounded by the time left (no socket timeouts,
//! whose ends are not precise either), so the call deadline holds there as on Linux.
//! The connect is std's `connect_timeout` (a `select` bounded by the connect budget).
//! There is no `fork()` on Windows: nothing to handle there.
//!
//! TLS ([`super::tls`]) and CONNECT proxies chain on top of it as they do on ureq's.

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout,
    ShutdownHandle, Transport,
};
use ureq::{Error, Timeout};

use super::trace::{current_pid, note};

/// Output held before it is written anyway (a request is far smaller).
const HOLD_LIMIT: usize = 64 * 1024;
/// How long a probe that found the connection open stands for the next one.
const PROBE_REUSE: Duration = Duration::from_millis(1);

/// The connector chain: CONNECT proxy (if configured), then this TCP, then TLS
/// ([`super::tls`]), then the mark that notes when the request is written.
pub(crate) fn connector(
    has_proxy: bool,
    tls: Arc<rustls::ClientConfig>,
) -> impl Connector<(), Out = impl Transport> {
    ().chain(ConnectProxyConnector::default())
        .chain(LeanTcpConnector)
        .chain(super::tls::TlsConnector { config: tls })
        .chain(WriteMarkConnector { has_proxy })
}

/// Wraps the finished connection so that handing it the request is noted in the
/// [`AttemptTrace`](super::trace::AttemptTrace). The leg to a CONNECT proxy is not
/// marked: writing `CONNECT` sends nothing to Cashfree.
#[derive(Debug)]
pub(crate) struct WriteMarkConnector {
    has_proxy: bool,
}

impl<In: Transport> Connector<In> for WriteMarkConnector {
    type Out = WriteMark<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        // ureq connects to the proxy itself with a copy of the config without the proxy.
        let proxy_leg = self.has_proxy && details.config.proxy().is_none();
        Ok(chained.map(|inner| WriteMark {
            inner,
            mark: !proxy_leg,
        }))
    }
}

/// See [`WriteMarkConnector`].
#[derive(Debug)]
pub(crate) struct WriteMark<T> {
    inner: T,
    mark: bool,
}

impl<T: Transport> Transport for WriteMark<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if self.mark && amount > 0 {
            note(|t| t.written = true);
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.inner.await_input(timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.inner.maybe_await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
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
        let started = Instant::now();
        let stream = connect_any(&details.addrs, details.timeout)?;
        stream.set_nodelay(true)?;
        // Every wait is a WSAPoll (see the module documentation).
        #[cfg(windows)]
        stream.set_nonblocking(true)?;
        let peer = stream.peer_addr().ok();
        note(|t| {
            t.connected = peer;
            t.connect_time = started.elapsed();
        });
        let stream = Arc::new(stream);
        (details.register_shutdown)(Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>)?;
        let config = details.config;
        Ok(Some(Either::B(LeanTcp {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            held: Vec::new(),
            probed_open: None,
            read_timeout: None,
            owner_pid: current_pid(),
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
    /// The process that opened the connection (see the module documentation).
    owner_pid: u32,
}

impl std::fmt::Debug for LeanTcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeanTcp")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

/// Whether a socket timeout of `current` may stand in for `wanted`: never longer, and
/// shorter by at most 1/64 (at least 1 ms).
fn close_enough(current: Option<Duration>, wanted: Duration) -> bool {
    let Some(current) = current else {
        return false;
    };
    let slack = (wanted / 64).max(Duration::from_millis(1));
    current <= wanted && wanted - current <= slack
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

/// The error for I/O attempted on another process's connection (never reached: the
/// pool drops such connections first).
fn foreign() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::NotConnected,
        "connection opened by another process (before fork)",
    ))
}

impl LeanTcp {
    fn is_foreign(&self) -> bool {
        self.owner_pid != current_pid()
    }

    /// Writes the held output.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        if self.is_foreign() {
            zeroize::Zeroize::zeroize(&mut self.held);
            return Err(foreign());
        }
        let timeout = timeout.for_write();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        let until = timeout.not_zero().map(|t| Instant::now() + *t);
        let result = send_all(&self.stream, &self.held, until);
        // The request (with the secret on plain http) does not linger here.
        zeroize::Zeroize::zeroize(&mut self.held);
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
        if self.is_foreign() {
            return Err(foreign());
        }
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
                match socket_timeout(left) {
                    // A blocking read that the kernel's timer ends before `left` is up.
                    Some(t) => {
                        set_timeout(&mut self.read_timeout, t, |d| stream.set_read_timeout(d))?
                    }
                    // The last stretch: wait for input to the millisecond, then read.
                    None => {
                        if !wait_ready(stream, false, left).map_err(|e| io_error(e, &timeout))? {
                            continue;
                        }
                    }
                }
            } else if cfg!(windows) {
                // A non-blocking socket (see the module documentation): wait for input.
                wait_ready(&self.stream, false, LONGEST_WAIT).map_err(|e| io_error(e, &timeout))?;
            }
            match (&*self.stream).read(self.buffers.input_append_buf()) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The socket timeout ended the read early on purpose: go on waiting.
                Err(e)
                    if limit.is_some()
                        && matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                {
                    continue
                }
                Err(e) => return Err(io_error(e, &timeout)),
            }
        }
    }

    fn is_open(&mut self) -> bool {
        if !self.held.is_empty() || self.is_foreign() {
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

/// Below this, a wait is left to `poll` rather than to a socket timeout.
const PRECISE_BELOW: Duration = Duration::from_millis(40);

/// The socket timeout for a read that must end within `left` ([`coarse_timeout`]), or
/// `None`: wait with [`wait_ready`]. On Windows always `None`: the socket is
/// non-blocking and every wait is a `WSAPoll`.
fn socket_timeout(left: Duration) -> Option<Duration> {
    if cfg!(windows) {
        None
    } else {
        coarse_timeout(left)
    }
}

/// The socket timeout to set for a read that must end within `left`, or `None` when
/// the rest must be waited for with [`wait_ready`].
///
/// Linux runs `SO_RCVTIMEO`/`SO_SNDTIMEO` on its timer wheel, which rounds a timeout up
/// to the wheel's granularity: up to 1/8 of it late, plus a jiffy or two (measured:
/// 500 ms fired after 528 ms, 1 ms after 6.6 ms; a 60 s one may be 7 s late). So the
/// socket timeout is set short by 1/8 + 10 ms, and the last stretch is waited for with
/// `poll`, whose timer is precise: a read never outlives the call's deadline by more
/// than about a millisecond, while a read that finds its answer in time (every normal
/// call) is still one system call.
fn coarse_timeout(left: Duration) -> Option<Duration> {
    (left >= PRECISE_BELOW).then(|| left - left / 8 - Duration::from_millis(10))
}

/// Waits until the socket is readable (or writable), at most `left` (rounded up to the
/// millisecond). `Ok(false)`: the time ran out.
#[cfg(unix)]
fn wait_ready(stream: &TcpStream, write: bool, left: Duration) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut ms = left.as_millis();
    if Duration::from_millis(ms as u64) < left {
        ms += 1;
    }
    let mut fd = libc::pollfd {
        fd: stream.as_raw_fd(),
        events: if write { libc::POLLOUT } else { libc::POLLIN },
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut fd, 1, ms.min(i32::MAX as u128) as libc::c_int) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(e)
        };
    }
    Ok(n > 0)
}

/// Waits with `WSAPoll` until the socket is readable (or writable), at most `left`
/// (rounded up to the millisecond). `Ok(false)`: the time ran out. (Windows ends the wait
/// on its timer tick, by default up to 15.6 ms late; the caller then finds no time left.)
#[cfg(windows)]
fn wait_ready(stream: &TcpStream, write: bool, left: Duration) -> io::Result<bool> {
    use std::os::windows::io::AsRawSocket;
    use windows_sys::Win32::Networking::WinSock::{
        WSAGetLastError, WSAPoll, POLLRDNORM, POLLWRNORM, SOCKET_ERROR, WSAPOLLFD,
    };
    let mut ms = left.as_millis();
    if Duration::from_millis(ms as u64) < left {
        ms += 1;
    }
    let mut fd = WSAPOLLFD {
        fd: stream.as_raw_socket() as _,
        events: if write { POLLWRNORM } else { POLLRDNORM },
        revents: 0,
    };
    // SAFETY: one valid WSAPOLLFD for a socket owned by `stream` (WinSock is started:
    // std started it to open the socket).
    let n = unsafe { WSAPoll(&mut fd, 1, ms.min(i32::MAX as u128) as i32) };
    if n == SOCKET_ERROR {
        // SAFETY: no arguments; reads this thread's last WinSock error.
        return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
    }
    // Ready, or an error/hang-up that the next send or recv reports.
    Ok(n > 0)
}

/// Writes all of `buf` by `until`; on Unix with `MSG_NOSIGNAL` (no `SIGPIPE` on a reset
/// peer). Non-blocking sends, with `poll` for room when the socket buffer is full, so a
/// slow reader cannot hold a write past `until` (socket timeouts end late, see
/// [`coarse_timeout`]).
#[cfg(unix)]
fn send_all(stream: &TcpStream, mut buf: &[u8], until: Option<Instant>) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const FLAGS: libc::c_int = libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT;
    // Elsewhere (macOS) SO_NOSIGPIPE would be the way; Rust programs ignore SIGPIPE.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const FLAGS: libc::c_int = libc::MSG_DONTWAIT;
    while !buf.is_empty() {
        // SAFETY: a valid socket owned by `stream`, and a buffer of `buf.len()` bytes.
        let n = unsafe { libc::send(stream.as_raw_fd(), buf.as_ptr().cast(), buf.len(), FLAGS) };
        if n < 0 {
            let e = io::Error::last_os_error();
            match e.kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => {
                    let left = match until {
                        Some(u) => u.saturating_duration_since(Instant::now()),
                        None => LONGEST_WAIT,
                    };
                    if left.is_zero() {
                        return Err(e);
                    }
                    wait_ready(stream, true, left)?;
                    continue;
                }
                _ => return Err(e),
            }
        }
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

/// A wait with no timeout waits in steps of this long.
const LONGEST_WAIT: Duration = Duration::from_secs(3600);

/// Writes all of `buf` by `until` on the non-blocking socket (see the module
/// documentation), waiting for room with `WSAPoll` (Windows has no `SIGPIPE`).
#[cfg(windows)]
fn send_all(mut stream: &TcpStream, mut buf: &[u8], until: Option<Instant>) -> io::Result<()> {
    use std::io::Write;
    while !buf.is_empty() {
        match stream.write(buf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = match until {
                    Some(u) => u.saturating_duration_since(Instant::now()),
                    None => LONGEST_WAIT,
                };
                if left.is_zero() {
                    return Err(e);
                }
                wait_ready(stream, true, left)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

/// The same with one `peek` on the socket, which is non-blocking on Windows.
#[cfg(windows)]
fn probe(stream: &TcpStream) -> bool {
    matches!(stream.peek(&mut [0]), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn timeouts_are_reset_only_when_off_by_more_than_a_64th() {
        let s = Duration::from_secs;
        assert!(!close_enough(None, s(30)));
        assert!(close_enough(Some(s(30)), s(30)));
        assert!(close_enough(Some(Duration::from_millis(29_600)), s(30)));
        assert!(!close_enough(Some(Duration::from_millis(29_000)), s(30)));
        // Never longer than wanted: a socket timeout must not outlive the deadline.
        assert!(!close_enough(Some(s(30)), s(29)));
        assert!(!close_enough(Some(Duration::from_millis(30_001)), s(30)));
        assert!(close_enough(
            Some(Duration::from_micros(1500)),
            Duration::from_micros(2000)
        ));
        assert!(!close_enough(Some(s(1)), Duration::from_millis(10)));
    }

    #[test]
    fn socket_timeouts_leave_room_for_the_kernel_timer() {
        let ms = Duration::from_millis;
        assert_eq!(coarse_timeout(ms(39)), None);
        for left in [ms(40), ms(100), ms(500), ms(1500), Duration::from_secs(60)] {
            let t = coarse_timeout(left).unwrap();
            // Linux may end it up to 1/8 late plus a jiffy or two (4 ms at HZ=250).
            assert!(t + t / 8 + ms(8) < left, "{left:?} -> {t:?}");
            assert!(t >= left / 2, "{left:?} -> {t:?}");
        }
    }

    /// A client socket as [`LeanTcpConnector`] leaves it (non-blocking on Windows).
    fn client_socket(l: &TcpListener) -> TcpStream {
        let stream = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        #[cfg(windows)]
        stream.set_nonblocking(true).unwrap();
        stream
    }

    #[test]
    fn a_read_times_out_within_a_few_ms_of_its_timeout() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = client_socket(&l);
        let _server = l.accept().unwrap();
        let mut t = LeanTcp {
            stream: Arc::new(stream),
            buffers: LazyBuffers::new(4096, 4096),
            held: Vec::new(),
            probed_open: None,
            read_timeout: None,
            owner_pid: current_pid(),
        };
        for wanted in [30, 300, 700] {
            let wanted = Duration::from_millis(wanted);
            let started = Instant::now();
            let r = t.await_input(NextTimeout {
                after: ureq::unversioned::transport::time::Duration::from(wanted),
                reason: Timeout::Global,
                ..NextTimeout::default()
            });
            let took = started.elapsed();
            assert!(matches!(r, Err(Error::Timeout(Timeout::Global))), "{r:?}");
            assert!(took >= wanted, "{wanted:?}: {took:?}");
            // Generous for loaded machines; quiet runs end within ~1 ms on Linux. Windows
            // ends waits on its timer tick (15.6 ms); wine within a few ms.
            let slack = if cfg!(windows) { 50 } else { 15 };
            assert!(
                took < wanted + Duration::from_millis(slack),
                "{wanted:?}: {took:?}"
            );
        }
    }

    #[test]
    fn probe_sees_open_closed_and_unexpected_bytes() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = client_socket(&l);
        let (mut server, _) = l.accept().unwrap();
        assert!(probe(&c));
        server.write_all(b"x").unwrap();
        server.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while probe(&c) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(!probe(&c));
        let c2 = client_socket(&l);
        drop(l.accept().unwrap());
        let deadline = Instant::now() + Duration::from_secs(5);
        while probe(&c2) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(!probe(&c2));
        // The probe leaves the socket as it was (blocking on Unix).
        #[cfg(windows)]
        c2.set_nonblocking(false).unwrap();
        c2.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut buf = [0u8; 1];
        assert_eq!((&c2).read(&mut buf).unwrap(), 0);
    }
}
