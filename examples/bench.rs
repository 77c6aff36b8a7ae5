//! Overhead and throughput of the client against a Reverse Penny Drop server.
//!
//! ```text
//! cargo run --release --example bench -- [--base-url URL] [--requests N] [--threads T[,T...]] [--json]
//! ```
//!
//! - Without `--base-url` it starts the emulator in this process on loopback. With one,
//!   it targets that server, using `CASHFREE_CLIENT_ID` / `CASHFREE_CLIENT_SECRET`
//!   (defaulting to the emulator's test credentials).
//! - For each thread count it runs, on every thread, N creates then N status calls on
//!   one shared [`Client`]; then the same loop with a raw keep-alive `TcpStream` per
//!   thread sending pre-built requests (the floor for this server; `http://` only).
//! - It reports calls/s, p50/p90/p99 latency, client CPU per call and the ratio
//!   ours/raw (calls/s). `--json` prints one JSON object per line instead of a table.
//! - The timed calls are split into rounds alternating ours and raw, so both see the
//!   same background load. For the sequential overhead on a small VM, pin the process
//!   to one CPU (`taskset -c 1 ... --threads 1`): see BENCHMARKS.md for why.
//!
//! Client CPU is `getrusage(RUSAGE_THREAD)` summed over the client threads around their
//! loops, so the in-process emulator's threads are not counted. That would miss CPU
//! spent on helper threads the client started; `proc cpu` (`RUSAGE_SELF`) catches those:
//! with `--base-url` (nothing else in the process) the two must agree. With the
//! in-process emulator, `proc cpu` is client + emulator.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::ops::Range;
use std::sync::Barrier;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cashfree_rpd::{Client, Config};
use cashfree_rpd_emulator::{Emulator, TEST_CLIENT_ID, TEST_CLIENT_SECRET};

/// Calls per thread per operation when `--requests` is not given.
pub const DEFAULT_REQUESTS: usize = 5000;
/// Thread counts run when `--threads` is not given.
pub const DEFAULT_THREADS: &[usize] = &[1, 2, 4];
/// Untimed calls per thread before each timed loop (connections, caches).
const WARMUP: usize = 20;
/// Timed blocks per loop; ours and raw alternate between them.
const ROUNDS: usize = 6;

const USAGE: &str = "\
bench — cashfree-rpd client overhead, throughput and latency

USAGE: cargo run --release --example bench -- [OPTIONS]

OPTIONS:
  --base-url URL     target this server (default: start the emulator in-process);
                     credentials from CASHFREE_CLIENT_ID / CASHFREE_CLIENT_SECRET,
                     defaulting to the emulator's test credentials
  --requests N       creates and status calls per thread (default 5000)
  --threads T[,T..]  thread counts to run, e.g. 1,4 (default 1,2,4)
  --json             one JSON object per line instead of a table
  -h, --help         print this help
";

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// `None`: start the emulator in-process.
    pub base_url: Option<String>,
    /// Calls per thread per operation.
    pub requests: usize,
    /// Thread counts, each run in turn.
    pub threads: Vec<usize>,
    /// JSON lines instead of a table.
    pub json: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            base_url: None,
            requests: DEFAULT_REQUESTS,
            threads: DEFAULT_THREADS.to_vec(),
            json: false,
        }
    }
}

/// Parses the arguments after the program name. `Ok(None)` means `--help`.
pub fn parse_args<I, S>(args: I) -> Result<Option<Args>, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut out = Args::default();
    let mut it = args.into_iter().map(Into::into);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--json" if inline.is_none() => out.json = true,
            "--base-url" => {
                let v = value()?;
                if !(v.starts_with("http://") || v.starts_with("https://")) {
                    return Err(format!(
                        "--base-url: {v:?} must start with http:// or https://"
                    ));
                }
                out.base_url = Some(v.trim_end_matches('/').to_string());
            }
            "--requests" => {
                let v = value()?;
                out.requests = match v.parse::<usize>() {
                    Ok(n) if (1..=10_000_000).contains(&n) => n,
                    _ => return Err(format!("--requests: {v:?} is not a number from 1 to 1e7")),
                };
            }
            "--threads" => {
                let v = value()?;
                let parsed: Option<Vec<usize>> = v
                    .split(',')
                    .map(|t| {
                        t.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|n| (1..=256).contains(n))
                    })
                    .collect();
                out.threads =
                    parsed.ok_or_else(|| format!("--threads: {v:?} is not a list of 1..256"))?;
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(Some(out))
}

/// Which API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `POST /reverse-penny-drop`.
    Create,
    /// `GET /remitter/status`.
    Status,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Status => "status",
        }
    }
}

/// Which client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impl {
    /// `cashfree_rpd::Client`.
    Ours,
    /// Pre-built requests on a raw keep-alive `TcpStream`.
    Raw,
}

impl Impl {
    fn name(self) -> &'static str {
        match self {
            Impl::Ours => "ours",
            Impl::Raw => "raw",
        }
    }
}

/// One measured loop (all threads).
#[derive(Debug, Clone)]
pub struct Row {
    /// Client threads.
    pub threads: usize,
    /// The call.
    pub op: Op,
    /// The client.
    pub imp: Impl,
    /// Calls timed (all threads).
    pub calls: usize,
    /// Wall time from the start barrier to the last thread's end.
    pub wall: Duration,
    /// Latency percentiles (p50, p90, p99).
    pub p: [Duration; 3],
    /// Client threads' CPU (RUSAGE_THREAD, user + system) per call, µs.
    pub cpu_us: f64,
    /// The user part of `cpu_us`.
    pub cpu_user_us: f64,
    /// The system part of `cpu_us`.
    pub cpu_sys_us: f64,
    /// Whole process CPU (RUSAGE_SELF) per call, µs.
    pub proc_cpu_us: f64,
    /// calls/s of ours divided by raw's (ours rows only, when raw ran).
    pub ratio: Option<f64>,
}

impl Row {
    /// Calls per second.
    pub fn rate(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }

    fn json(&self) -> serde_json::Value {
        let us = |d: Duration| (d.as_secs_f64() * 1e7).round() / 10.0;
        serde_json::json!({
            "kind": "result",
            "threads": self.threads,
            "op": self.op.name(),
            "impl": self.imp.name(),
            "calls": self.calls,
            "wall_s": (self.wall.as_secs_f64() * 1e4).round() / 1e4,
            "calls_per_s": self.rate().round(),
            "p50_us": us(self.p[0]),
            "p90_us": us(self.p[1]),
            "p99_us": us(self.p[2]),
            "cpu_us_per_call": (self.cpu_us * 10.0).round() / 10.0,
            "cpu_user_us_per_call": (self.cpu_user_us * 10.0).round() / 10.0,
            "cpu_sys_us_per_call": (self.cpu_sys_us * 10.0).round() / 10.0,
            "proc_cpu_us_per_call": (self.proc_cpu_us * 10.0).round() / 10.0,
            "ratio_to_raw": self.ratio.map(|r| (r * 1000.0).round() / 1000.0),
        })
    }
}

/// What the bench talks to.
struct Target {
    base_url: String,
    client_id: String,
    client_secret: String,
    /// Kept alive for the run when started in-process.
    emulator: Option<Emulator>,
}

impl Target {
    fn in_process(&self) -> bool {
        self.emulator.is_some()
    }
}

fn target(args: &Args) -> Result<Target, String> {
    match &args.base_url {
        None => {
            let emu = Emulator::start_default().map_err(|e| format!("emulator: {e}"))?;
            Ok(Target {
                base_url: emu.base_url(),
                client_id: TEST_CLIENT_ID.into(),
                client_secret: TEST_CLIENT_SECRET.into(),
                emulator: Some(emu),
            })
        }
        Some(url) => {
            let var = |k: &str, d: &str| {
                std::env::var(k)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| d.to_string())
            };
            Ok(Target {
                base_url: url.clone(),
                client_id: var("CASHFREE_CLIENT_ID", TEST_CLIENT_ID),
                client_secret: var("CASHFREE_CLIENT_SECRET", TEST_CLIENT_SECRET),
                emulator: None,
            })
        }
    }
}

/// Runs every configured loop, writing the table (or JSON lines) to `out` as it goes.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<Vec<Row>, String> {
    let target = target(args)?;
    let mut config = Config::new(&target.client_id, &target.client_secret)
        .map_err(|e| format!("config: {e}"))?;
    config
        .set_base_url(&target.base_url)
        .map_err(|e| format!("--base-url: {e}"))?;
    let client = Client::new(&config).map_err(|e| format!("client: {e}"))?;
    let raw = RawTarget::new(&target)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let w = |r: io::Result<()>| r.map_err(|e| format!("output: {e}"));

    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let where_ = if target.in_process() {
        "emulator in-process"
    } else {
        "external server"
    };
    if args.json {
        let meta = serde_json::json!({
            "kind": "meta",
            "base_url": target.base_url,
            "in_process_emulator": target.in_process(),
            "requests_per_thread": args.requests,
            "threads": args.threads,
            "cpus": cpus,
            "raw_floor": raw.is_some(),
            "version": cashfree_rpd::VERSION,
        });
        w(writeln!(out, "{meta}"))?;
    } else {
        w(writeln!(
            out,
            "cashfree-rpd {} bench: {where_} at {}; {} calls per thread per op; {cpus} CPUs",
            cashfree_rpd::VERSION,
            target.base_url,
            args.requests
        ))?;
        w(writeln!(
            out,
            "{:>3} {:<6} {:<4} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8}",
            "thr",
            "op",
            "impl",
            "calls/s",
            "p50 µs",
            "p90 µs",
            "p99 µs",
            "cpu µs",
            "proc µs",
            "ours/raw"
        ))?;
    }

    let mut rows = Vec::new();
    for (phase, &threads) in args.threads.iter().enumerate() {
        for op in [Op::Create, Op::Status] {
            // The status loop looks up the ids the create loop made (same names).
            let ids = |imp: char| -> Vec<Vec<String>> {
                (0..threads)
                    .map(|t| {
                        (0..args.requests + WARMUP)
                            .map(|i| format!("b{stamp:x}-{phase}{imp}{t}-{i}"))
                            .collect()
                    })
                    .collect()
            };
            let mut ours: Vec<_> = (0..threads)
                .map(|_| {
                    let c = client.clone();
                    move |id: &str| {
                        match op {
                            Op::Create => c.create(id, "JOHN DOE").map(drop),
                            Op::Status => c.status(id).map(drop),
                        }
                        .map_err(|e| format!("ours {} {id}: {e}", op.name()))
                    }
                })
                .collect();
            let mut raws: Vec<_> = match &raw {
                Some(r) => (0..threads)
                    .map(|_| {
                        let mut conn = r.connect();
                        move |id: &str| conn.call(op, id)
                    })
                    .collect(),
                None => Vec::new(),
            };
            let (ours_ids, raw_ids) = (ids('o'), ids('r'));
            let mut acc_ours = Acc::default();
            let mut acc_raw = Acc::default();
            let mut junk = Acc::default();
            block(&mut ours, &ours_ids, 0..WARMUP, &mut junk)?;
            if !raws.is_empty() {
                block(&mut raws, &raw_ids, 0..WARMUP, &mut junk)?;
            }
            // Alternate the two clients in rounds (ours first in even rounds, raw first in
            // odd ones) so that both see the same background load on a shared machine.
            let rounds = ROUNDS.min(args.requests);
            for r in 0..rounds {
                let range =
                    WARMUP + args.requests * r / rounds..WARMUP + args.requests * (r + 1) / rounds;
                if r % 2 == 1 && !raws.is_empty() {
                    block(&mut raws, &raw_ids, range.clone(), &mut acc_raw)?;
                }
                block(&mut ours, &ours_ids, range.clone(), &mut acc_ours)?;
                if r % 2 == 0 && !raws.is_empty() {
                    block(&mut raws, &raw_ids, range, &mut acc_raw)?;
                }
            }
            let mut pair = vec![acc_ours.row(threads, op, Impl::Ours)];
            if !raws.is_empty() {
                let r = acc_raw.row(threads, op, Impl::Raw);
                pair[0].ratio = Some(pair[0].rate() / r.rate());
                pair.push(r);
            }
            for row in pair {
                if args.json {
                    w(writeln!(out, "{}", row.json()))?;
                } else {
                    let us = |d: Duration| d.as_secs_f64() * 1e6;
                    let ratio = row.ratio.map_or(String::new(), |r| format!("{r:.2}"));
                    w(writeln!(
                        out,
                        "{:>3} {:<6} {:<4} {:>9.0} {:>8.1} {:>8.1} {:>8.1} {:>9.1} {:>9.1} {:>8}",
                        row.threads,
                        row.op.name(),
                        row.imp.name(),
                        row.rate(),
                        us(row.p[0]),
                        us(row.p[1]),
                        us(row.p[2]),
                        row.cpu_us,
                        row.proc_cpu_us,
                        ratio
                    ))?;
                }
                rows.push(row);
            }
        }
    }
    if !args.json {
        let proc_note = if target.in_process() {
            "proc µs = whole process (client + in-process emulator)"
        } else {
            "proc µs = whole process (equals cpu µs unless the client starts helper threads)"
        };
        w(writeln!(
            out,
            "cpu µs = client threads' CPU per call (RUSAGE_THREAD); {proc_note}"
        ))?;
        if raw.is_none() {
            w(writeln!(
                out,
                "(no raw floor: it speaks plain http:// only)"
            ))?;
        }
    }
    Ok(rows)
}

/// What the timed blocks of one client measured.
#[derive(Default)]
struct Acc {
    lat: Vec<Duration>,
    wall: Duration,
    cpu: Cpu,
    proc_cpu: Cpu,
}

impl Acc {
    fn row(mut self, threads: usize, op: Op, imp: Impl) -> Row {
        self.lat.sort_unstable();
        let calls = self.lat.len().max(1);
        let lat = &self.lat;
        let per_call = |d: Duration| d.as_secs_f64() * 1e6 / calls as f64;
        let pct = |p: f64| {
            lat.get(((p * calls as f64).ceil() as usize).clamp(1, calls) - 1)
                .copied()
                .unwrap_or_default()
        };
        Row {
            threads,
            op,
            imp,
            calls: self.lat.len(),
            wall: self.wall,
            p: [pct(0.50), pct(0.90), pct(0.99)],
            cpu_us: per_call(self.cpu.total()),
            cpu_user_us: per_call(self.cpu.user),
            cpu_sys_us: per_call(self.cpu.sys),
            proc_cpu_us: per_call(self.proc_cpu.total()),
            ratio: None,
        }
    }
}

/// Runs `callers[t]` on its own thread over `ids[t][range]`, all threads released at
/// once, and adds wall time (release to last finish), latencies and CPU to `acc`.
fn block<F>(
    callers: &mut [F],
    ids: &[Vec<String>],
    range: Range<usize>,
    acc: &mut Acc,
) -> Result<(), String>
where
    F: FnMut(&str) -> Result<(), String> + Send,
{
    let barrier = Barrier::new(callers.len() + 1);
    std::thread::scope(|s| {
        let handles: Vec<_> = callers
            .iter_mut()
            .zip(ids)
            .map(|(call, list)| {
                let (barrier, list) = (&barrier, &list[range.clone()]);
                s.spawn(move || -> Result<(Vec<Duration>, Cpu, Instant), String> {
                    let mut lat = Vec::with_capacity(list.len());
                    barrier.wait();
                    let cpu0 = cpu_time(Who::Thread);
                    for id in list {
                        let t = Instant::now();
                        call(id)?;
                        lat.push(t.elapsed());
                    }
                    let end = Instant::now();
                    Ok((lat, cpu_time(Who::Thread) - cpu0, end))
                })
            })
            .collect();
        let proc0 = cpu_time(Who::Process);
        barrier.wait();
        let start = Instant::now();
        let mut end = start;
        let mut failure = None;
        for h in handles {
            match h.join() {
                Ok(Ok((lat, cpu, e))) => {
                    acc.lat.extend(lat);
                    acc.cpu += cpu;
                    end = end.max(e);
                }
                Ok(Err(e)) => failure = failure.or(Some(e)),
                Err(_) => failure = failure.or(Some("a bench thread panicked".to_string())),
            }
        }
        acc.proc_cpu += cpu_time(Who::Process) - proc0;
        acc.wall += end - start;
        failure.map_or(Ok(()), Err)
    })
}

#[derive(Clone, Copy)]
enum Who {
    Thread,
    Process,
}

/// User and system CPU time.
#[derive(Clone, Copy, Default)]
struct Cpu {
    user: Duration,
    sys: Duration,
}

impl Cpu {
    fn total(self) -> Duration {
        self.user + self.sys
    }
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, o: Cpu) -> Cpu {
        Cpu {
            user: self.user.saturating_sub(o.user),
            sys: self.sys.saturating_sub(o.sys),
        }
    }
}

impl std::ops::AddAssign for Cpu {
    fn add_assign(&mut self, o: Cpu) {
        self.user += o.user;
        self.sys += o.sys;
    }
}

/// CPU time of this thread or of the whole process.
#[cfg(target_os = "linux")]
fn cpu_time(who: Who) -> Cpu {
    let which = match who {
        Who::Thread => libc::RUSAGE_THREAD,
        Who::Process => libc::RUSAGE_SELF,
    };
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(which, &mut ru) != 0 {
            return Cpu::default();
        }
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Cpu {
        user: tv(ru.ru_utime),
        sys: tv(ru.ru_stime),
    }
}

#[cfg(not(target_os = "linux"))]
fn cpu_time(_who: Who) -> Cpu {
    Cpu::default()
}

/// Where the raw client connects and what it sends.
#[derive(Clone)]
struct RawTarget {
    addr: SocketAddr,
    /// `POST` line and headers, up to `content-length`.
    create_head: String,
    /// `GET ...?verification_id=` (the id and the headers follow).
    status_line: String,
    /// Headers both requests carry: the same ones our client sends.
    common: String,
}

impl RawTarget {
    /// `None` for `https://` (the raw floor speaks plain HTTP only).
    fn new(t: &Target) -> Result<Option<RawTarget>, String> {
        let Some(rest) = t.base_url.strip_prefix("http://") else {
            return Ok(None);
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let with_port = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.contains(']'))
        {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        let addr = with_port
            .to_socket_addrs()
            .map_err(|e| format!("{authority}: {e}"))?
            .next()
            .ok_or_else(|| format!("{authority}: no address"))?;
        let common = format!(
            "host: {authority}\r\nuser-agent: cashfree-rpd/{}\r\naccept: application/json\r\n\
             accept-encoding: identity\r\nx-client-id: {}\r\nx-client-secret: {}\r\n",
            cashfree_rpd::VERSION,
            t.client_id,
            t.client_secret
        );
        Ok(Some(RawTarget {
            addr,
            create_head: format!(
                "POST {path}/reverse-penny-drop HTTP/1.1\r\n{common}content-type: application/json\r\n"
            ),
            status_line: format!("GET {path}/remitter/status?verification_id="),
            common,
        }))
    }

    fn connect(&self) -> RawConn {
        RawConn {
            target: self.clone(),
            stream: None,
            buf: vec![0; 64 * 1024],
            req: Vec::with_capacity(1024),
        }
    }
}

/// One keep-alive connection of the raw client.
struct RawConn {
    target: RawTarget,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    req: Vec<u8>,
}

impl RawConn {
    /// Builds the request for `id` into the reused buffer (no formatting machinery).
    fn build(&mut self, op: Op, id: &str) {
        self.req.clear();
        match op {
            Op::Create => {
                let body_len = r#"{"verification_id":"","name":"JOHN DOE"}"#.len() + id.len();
                self.req
                    .extend_from_slice(self.target.create_head.as_bytes());
                self.req.extend_from_slice(b"content-length: ");
                self.req.extend_from_slice(body_len.to_string().as_bytes());
                self.req
                    .extend_from_slice(b"\r\n\r\n{\"verification_id\":\"");
                self.req.extend_from_slice(id.as_bytes());
                self.req.extend_from_slice(b"\",\"name\":\"JOHN DOE\"}");
            }
            Op::Status => {
                self.req
                    .extend_from_slice(self.target.status_line.as_bytes());
                self.req.extend_from_slice(id.as_bytes());
                self.req.extend_from_slice(b" HTTP/1.1\r\n");
                self.req.extend_from_slice(self.target.common.as_bytes());
                self.req.extend_from_slice(b"\r\n");
            }
        }
    }

    /// Sends one request in one write and reads the whole response; 200 or an error.
    fn call(&mut self, op: Op, id: &str) -> Result<(), String> {
        self.build(op, id);
        let stream = match &mut self.stream {
            Some(s) => s,
            None => {
                let s = TcpStream::connect(self.target.addr)
                    .map_err(|e| format!("raw connect: {e}"))?;
                s.set_nodelay(true).map_err(|e| e.to_string())?;
                self.stream.insert(s)
            }
        };
        stream
            .write_all(&self.req)
            .map_err(|e| format!("raw write: {e}"))?;
        read_response(stream, &mut self.buf).map_err(|e| format!("raw {} {id}: {e}", op.name()))
    }
}

/// Reads one `Content-Length` response into `buf` (allocated and zeroed once per
/// connection); fails unless the status is 200.
fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut filled = 0;
    let mut fill = |buf: &mut Vec<u8>, filled: &mut usize| -> Result<(), String> {
        if *filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = stream
            .read(&mut buf[*filled..])
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed".into());
        }
        *filled += n;
        Ok(())
    };
    let head_end = loop {
        if let Some(i) = head_end(&buf[..filled]) {
            break i;
        }
        fill(buf, &mut filled)?;
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "non-UTF-8 head")?;
    if !head.starts_with("HTTP/1.1 200 ") {
        return Err(head.lines().next().unwrap_or("").to_string());
    }
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .ok_or("no Content-Length")?;
    while filled < head_end + len {
        fill(buf, &mut filled)?;
    }
    Ok(())
}

/// Length of the head including the blank line, once `\r\n\r\n` has arrived.
fn head_end(b: &[u8]) -> Option<usize> {
    let mut i = 3;
    while i < b.len() {
        if b[i] == b'\n' && b[i - 1] == b'\r' && b[i - 2] == b'\n' && b[i - 3] == b'\r' {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

#[allow(dead_code)] // Not called when this file is included by tests/it/bench_args.rs.
fn main() -> std::process::ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bench: {e}\n\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match run(&args, &mut out) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
