//! A real forward proxy for tests: tinyproxy (Debian package `tinyproxy`) on loopback,
//! with Basic authentication, its config and log in a temporary directory.
//!
//! Tests that need it call [`TinyProxy::start`], which returns `None` (after printing
//! why) when tinyproxy is not installed, and panics instead when `CI=true`.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const PROXY_USER: &str = "rpduser";
/// Distinctive enough to be searched for in every message, Debug and log line.
pub const PROXY_PASSWORD: &str = "Pr0xyPa55-zq9w";

pub struct TinyProxy {
    pub port: u16,
    child: Option<Child>,
    dir: PathBuf,
}

#[allow(unused_imports)]
pub use super::skip::{in_ci, skip_or_fail};

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl TinyProxy {
    /// Starts tinyproxy with `BasicAuth PROXY_USER PROXY_PASSWORD`, allowing CONNECT to
    /// `connect_ports` only (tinyproxy refuses CONNECT to ports not listed once any
    /// `ConnectPort` line is present).
    pub fn start(test: &str, connect_ports: &[u16]) -> Option<TinyProxy> {
        TinyProxy::start_with_timeout(test, connect_ports, 30)
    }

    /// As [`start`](Self::start), closing connections idle for `idle_secs` (tinyproxy's
    /// `Timeout`, checked with one-second granularity).
    pub fn start_with_timeout(
        test: &str,
        connect_ports: &[u16],
        idle_secs: u32,
    ) -> Option<TinyProxy> {
        let binary = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(binary) = binary else {
            skip_or_fail(
                test,
                "tinyproxy is not installed (apt-get install -y tinyproxy)",
            );
            return None;
        };
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cfrpd-tinyproxy-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // A port can be taken between probing and tinyproxy's bind: try a few.
        for _ in 0..5 {
            let port = free_port();
            let mut conf = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout {idle_secs}\nLogFile \"{}\"\nLogLevel Connect\n\
                 MaxClients 100\nAllow 127.0.0.1\nBasicAuth {PROXY_USER} {PROXY_PASSWORD}\n",
                dir.join("tinyproxy.log").display()
            );
            for p in connect_ports {
                conf.push_str(&format!("ConnectPort {p}\n"));
            }
            let conf_path = dir.join("tinyproxy.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let child = Command::new(binary)
                .arg("-d")
                .arg("-c")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("tinyproxy starts");
            let mut proxy = TinyProxy {
                port,
                child: Some(child),
                dir: dir.clone(),
            };
            if proxy.wait_listening(Duration::from_secs(10)) {
                return Some(proxy);
            }
            proxy.stop();
        }
        panic!("tinyproxy did not start listening (see {})", dir.display());
    }

    fn wait_listening(&mut self, within: Duration) -> bool {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                return false;
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// `http://user:password@127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url_with(PROXY_PASSWORD)
    }

    pub fn url_with(&self, password: &str) -> String {
        format!("http://{PROXY_USER}:{password}@127.0.0.1:{}", self.port)
    }

    /// The URL as the library shows it: the password replaced by `[redacted]`.
    pub fn label(&self) -> String {
        format!("http://{PROXY_USER}:[redacted]@127.0.0.1:{}", self.port)
    }

    /// tinyproxy's log so far.
    pub fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(self.dir.join("tinyproxy.log")) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// Log lines of tunnels opened to `127.0.0.1:port` (tinyproxy logs
    /// `Established connection to host "127.0.0.1" using file descriptor N.` and the
    /// request line `Request (file descriptor N): CONNECT 127.0.0.1:PORT HTTP/1.1`).
    pub fn connects_to(&self, port: u16) -> usize {
        let needle = format!("CONNECT 127.0.0.1:{port} ");
        self.log().lines().filter(|l| l.contains(&needle)).count()
    }

    /// Stops the proxy (the process we started, by its id).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for TinyProxy {
    fn drop(&mut self) {
        self.stop();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Asserts that the proxy password (plain, or inside the Basic credentials) appears in
/// none of `texts`.
pub fn assert_no_password(texts: &[String], password: &str) {
    use base64_like::encode;
    let basic = encode(format!("{PROXY_USER}:{password}").as_bytes());
    for t in texts {
        assert!(!t.contains(password), "proxy password leaked in: {t}");
        assert!(
            !t.contains(&basic),
            "proxy Basic credentials leaked in: {t}"
        );
    }
}

/// Standard base64 (tests only; avoids a dev-dependency).
mod base64_like {
    pub fn encode(input: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            out.push(T[(n >> 18) as usize & 63] as char);
            out.push(T[(n >> 12) as usize & 63] as char);
            out.push(if chunk.len() > 1 {
                T[(n >> 6) as usize & 63] as char
            } else {
                '='
            });
            out.push(if chunk.len() > 2 {
                T[n as usize & 63] as char
            } else {
                '='
            });
        }
        out
    }
}
