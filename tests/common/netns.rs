//! A real (lossy, black-holed, slow) network between a client and an emulator: two
//! Linux network namespaces joined by a veth pair. Needs root and iproute2 (and
//! iptables / tc for the faults); without them [`NetPair::new`] prints why and returns
//! `None`, or panics when `CI=true`.
//!
//! The library sends plain `http://` to loopback addresses only, so both ends use
//! addresses from 127.0.0.0/8 on the veth (`route_localnet=1` lets them cross it;
//! each namespace's `lo` keeps only 127.0.0.1/32, so 127.1.0.x is not local there):
//!
//! ```text
//!  client ns: vc0 127.1.0.1/24  <== veth ==>  vs0 127.1.0.2/24 :server ns (emulator)
//! ```
//!
//! Namespaces are per thread in Linux: [`NetPair::in_client`] runs a closure on a
//! thread moved into the client namespace with `setns`, so every socket the library
//! opens there crosses the veth. The emulator runs in this process too, started on a
//! thread in the server namespace (its listening socket stays there); it is dropped on
//! such a thread as well ([`NsEmulator`]). Faults are iptables rules and tc qdiscs on
//! `vs0` inside the server namespace; the host's network is never touched. Both
//! namespaces (and so the veth) are deleted on drop, even when the test fails.

use std::fs::File;
use std::net::{IpAddr, Ipv4Addr};
use std::ops::Deref;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cashfree_rpd_emulator::{Emulator, Options};

use super::tinyproxy::skip_or_fail;

pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(127, 1, 0, 1);
pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(127, 1, 0, 2);
pub const SERVER_IF: &str = "vs0";
pub const CLIENT_IF: &str = "vc0";

pub struct NetPair {
    pub client_ns: String,
    pub server_ns: String,
    client_fd: Arc<File>,
    server_fd: Arc<File>,
}

/// Runs `ip args…`; Err(stderr) on failure.
fn ip(args: &[&str]) -> Result<(), String> {
    run("ip", args)
}

fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    match Command::new(cmd).args(args).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "`{cmd} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("`{cmd}` cannot run: {e}")),
    }
}

fn output(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd).args(args).output().expect("command runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Moves the calling thread into the network namespace open as `fd`.
fn enter(fd: &File) {
    // SAFETY: a valid namespace descriptor; setns affects only the calling thread.
    let rc = unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
}

/// Runs `f` on a new thread inside the namespace `fd`, and returns what it returns
/// (a panic in `f` is re-raised here).
pub fn in_ns<T: Send>(fd: &File, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            enter(fd);
            f()
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

impl NetPair {
    /// Two fresh namespaces joined by a veth pair, or `None` (after printing why; a
    /// panic under `CI=true`) when this machine cannot make them.
    pub fn new(test: &str) -> Option<NetPair> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            skip_or_fail(test, "network namespaces need root");
            return None;
        }
        for tool in ["ip", "iptables", "tc"] {
            let found = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
                .iter()
                .any(|d| std::path::Path::new(&format!("{d}/{tool}")).exists());
            if !found {
                skip_or_fail(
                    test,
                    &format!("`{tool}` is not installed (apt-get install -y iproute2 iptables)"),
                );
                return None;
            }
        }
        remove_stale();
        static N: AtomicU64 = AtomicU64::new(0);
        let tag = format!(
            "{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let client_ns = format!("cfrpd-c-{tag}");
        let server_ns = format!("cfrpd-s-{tag}");
        if let Err(why) = ip(&["netns", "add", &client_ns]) {
            skip_or_fail(test, &format!("cannot make a network namespace: {why}"));
            return None;
        }
        if let Err(why) = ip(&["netns", "add", &server_ns]) {
            let _ = ip(&["netns", "del", &client_ns]);
            skip_or_fail(test, &format!("cannot make a network namespace: {why}"));
            return None;
        }
        let open = |ns: &str| Arc::new(File::open(format!("/var/run/netns/{ns}")).unwrap());
        let pair = NetPair {
            client_fd: open(&client_ns),
            server_fd: open(&server_ns),
            client_ns,
            server_ns,
        };
        if let Err(why) = pair.wire() {
            skip_or_fail(test, &format!("cannot set up the veth pair: {why}"));
            return None; // dropping `pair` deletes the namespaces
        }
        Some(pair)
    }

    fn wire(&self) -> Result<(), String> {
        let (c, s) = (self.client_ns.as_str(), self.server_ns.as_str());
        ip(&[
            "-n", c, "link", "add", CLIENT_IF, "type", "veth", "peer", "name", SERVER_IF, "netns",
            s,
        ])?;
        for (ns, dev, addr) in [
            (c, CLIENT_IF, format!("{CLIENT_IP}/24")),
            (s, SERVER_IF, format!("{SERVER_IP}/24")),
        ] {
            // lo up for the namespace's own connections, but with 127.0.0.1/32 only:
            // the usual 127.0.0.0/8 would make the other end's address local.
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            let _ = ip(&["-n", ns, "addr", "del", "127.0.0.1/8", "dev", "lo"]);
            ip(&["-n", ns, "addr", "add", "127.0.0.1/32", "dev", "lo"])?;
            ip(&["-n", ns, "addr", "add", &addr, "dev", dev])?;
            ip(&["-n", ns, "link", "set", dev, "up"])?;
            run(
                "ip",
                &[
                    "netns",
                    "exec",
                    ns,
                    "sysctl",
                    "-qw",
                    "net.ipv4.conf.all.route_localnet=1",
                    &format!("net.ipv4.conf.{dev}.route_localnet=1"),
                ],
            )?;
        }
        Ok(())
    }

    /// Runs a command inside the server namespace; panics if it fails.
    pub fn server_cmd(&self, cmd: &[&str]) {
        let mut args = vec!["netns", "exec", &self.server_ns];
        args.extend_from_slice(cmd);
        ip(&args).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Runs `f` on a thread inside the client namespace: the client's sockets cross
    /// the veth.
    pub fn in_client<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        in_ns(&self.client_fd, f)
    }

    /// Runs `f` on a thread inside the server namespace.
    pub fn in_server<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        in_ns(&self.server_fd, f)
    }

    /// An emulator listening on `SERVER_IP` in the server namespace.
    pub fn start_emulator(&self, options: Options) -> NsEmulator {
        let emu = self
            .in_server(|| {
                Emulator::start(Options {
                    host: IpAddr::V4(SERVER_IP),
                    ..options
                })
            })
            .expect("emulator starts in the server namespace");
        NsEmulator {
            emu: Some(emu),
            ns: self.server_fd.clone(),
        }
    }

    /// Drops each packet entering or leaving the server's veth with probability `p`
    /// (iptables `statistic --mode random`).
    pub fn loss(&self, p: f64) {
        let p = format!("{p}");
        for (chain, dir) in [("INPUT", "-i"), ("OUTPUT", "-o")] {
            self.server_cmd(&[
                "iptables",
                "-w",
                "-A",
                chain,
                dir,
                SERVER_IF,
                "-m",
                "statistic",
                "--mode",
                "random",
                "--probability",
                &p,
                "-j",
                "DROP",
            ]);
        }
    }

    /// Drops every packet on the server's veth (`on`), or stops doing so.
    pub fn black_hole(&self, on: bool) {
        let op = if on { "-I" } else { "-D" };
        for (chain, dir) in [("INPUT", "-i"), ("OUTPUT", "-o")] {
            self.server_cmd(&["iptables", "-w", op, chain, dir, SERVER_IF, "-j", "DROP"]);
        }
    }

    /// Limits what the server sends to `rate` (tc tbf, e.g. "64kbit").
    pub fn slow(&self, rate: &str) {
        self.server_cmd(&[
            "tc", "qdisc", "add", "dev", SERVER_IF, "root", "tbf", "rate", rate, "burst", "2kb",
            "latency", "500ms",
        ]);
    }

    /// Removes every iptables rule of the server namespace (the loss, a black hole).
    pub fn clear_rules(&self) {
        self.server_cmd(&["iptables", "-w", "-F"]);
    }

    /// Packets the server namespace's iptables rules dropped so far.
    pub fn dropped_packets(&self) -> u64 {
        let out = output(
            "ip",
            &[
                "netns",
                "exec",
                &self.server_ns,
                "iptables",
                "-w",
                "-L",
                "-v",
                "-x",
                "-n",
            ],
        );
        out.lines()
            .filter(|l| l.contains("DROP") && !l.starts_with("Chain"))
            .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
            .sum()
    }
}

/// Deletes namespaces left by test processes that were killed before their Drop ran
/// (`cfrpd-c-PID-N` / `cfrpd-s-PID-N` whose PID is gone).
fn remove_stale() {
    let Ok(dir) = std::fs::read_dir("/var/run/netns") else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix("cfrpd-c-")
            .or_else(|| name.strip_prefix("cfrpd-s-"))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = ip(&["netns", "del", &name]);
        }
    }
}

impl Drop for NetPair {
    fn drop(&mut self) {
        // Deleting a namespace destroys the veth pair in it.
        let _ = ip(&["netns", "del", &self.client_ns]);
        let _ = ip(&["netns", "del", &self.server_ns]);
    }
}

/// An emulator living in the server namespace; dropped there (its shutdown connects
/// to its own address to wake its accept loop).
pub struct NsEmulator {
    emu: Option<Emulator>,
    ns: Arc<File>,
}

impl Deref for NsEmulator {
    type Target = Emulator;
    fn deref(&self) -> &Emulator {
        self.emu.as_ref().unwrap()
    }
}

impl Drop for NsEmulator {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            in_ns(&self.ns, move || drop(emu));
        }
    }
}
