//! A TCP relay on loopback that delays every byte by a fixed one-way latency in each
//! direction (no throughput cut: each chunk is stamped when read and written once its
//! time has come). Stands in for `tc netem delay`, which this kernel lacks.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

pub struct DelayRelay {
    pub port: u16,
    connections: Arc<AtomicUsize>,
}

impl DelayRelay {
    /// Relays connections on a fresh loopback port to `upstream`, `one_way` late.
    pub fn start(upstream: SocketAddr, one_way: Duration) -> DelayRelay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                count.fetch_add(1, Ordering::SeqCst);
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
                        one_way,
                    );
                    pump(server, client, one_way);
                });
            }
        });
        DelayRelay { port, connections }
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

/// Copies `from` to `to`, each chunk `delay` after it was read; EOF is passed on as a
/// write shutdown (also late).
fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send((Instant::now(), Vec::new()));
                    return;
                }
                Ok(n) => {
                    if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    thread::spawn(move || {
        for (at, bytes) in rx {
            let due = at + delay;
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
