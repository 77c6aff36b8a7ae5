//! A TCP relay on loopback that delays every byte by a fixed one-way latency in each
//! direction (no throughput cut: each chunk is stamped when read and written once its
//! time has come). Stands in for `tc netem delay`, which this kernel lacks.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

pub struct DelayRelay {
    pub port: u16,
    connections: Arc<AtomicUsize>,
    /// The one-way delay in microseconds (applies to bytes read from now on).
    delay_us: Arc<AtomicU64>,
}

impl DelayRelay {
    /// Relays connections on a fresh loopback port to `upstream`, `one_way` late.
    pub fn start(upstream: SocketAddr, one_way: Duration) -> DelayRelay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        let delay_us = Arc::new(AtomicU64::new(one_way.as_micros() as u64));
        let delay = delay_us.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let delay = delay.clone();
                thread::spawn(move || {
                    // The upstream connection is made at once (as a router would pass
                    // the SYN); only the bytes are late.
                    let Ok(server) = TcpStream::connect(upstream) else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    pump(
                        client.try_clone().unwrap(),
                        server.try_clone().unwrap(),
                        delay.clone(),
                    );
                    pump(server, client, delay);
                });
            }
        });
        DelayRelay {
            port,
            connections,
            delay_us,
        }
    }

    /// Changes the one-way delay for bytes read from now on.
    pub fn set_delay(&self, one_way: Duration) {
        self.delay_us
            .store(one_way.as_micros() as u64, Ordering::SeqCst);
    }

    /// `http://127.0.0.1:PORT/verification`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/verification", self.port)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Copies `from` to `to`, each chunk the delay (as it was when read) after it was read;
/// EOF is passed on as a write shutdown (also late).
fn pump(mut from: TcpStream, mut to: TcpStream, delay_us: Arc<AtomicU64>) {
    let due = move || Instant::now() + Duration::from_micros(delay_us.load(Ordering::SeqCst));
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send((due(), Vec::new()));
                    return;
                }
                Ok(n) => {
                    if tx.send((due(), buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    thread::spawn(move || {
        for (due, bytes) in rx {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if bytes.is_empty() {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            if to.write_all(&bytes).is_err() {
                return;
            }
        }
    });
}
