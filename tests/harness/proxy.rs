//! A loopback TCP proxy that forwards to a server and, while armed, cuts
//! every connection after the server has sent a given number of bytes: a
//! network that drops in the middle of a fetch.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A running proxy; it stops accepting when dropped.
pub struct CuttingProxy {
    pub port: u16,
    armed: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// How many connections were cut.
    pub cuts: Arc<AtomicU64>,
}

impl CuttingProxy {
    /// Forwards 127.0.0.1:port to 127.0.0.1:`target`, cutting each
    /// connection after `after_bytes` from the server while armed.
    pub fn start(target: u16, after_bytes: u64) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let armed = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicU64::new(0));
        let (a, s, c) = (armed.clone(), stop.clone(), cuts.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let cut = a.load(Ordering::SeqCst);
                let c = c.clone();
                let (client2, server2) = (
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                );
                // Client to server: plain copy.
                std::thread::spawn(move || pump(client2, server2, None, None));
                // Server to client: cut after the budget.
                std::thread::spawn(move || {
                    pump(server, client, cut.then_some(after_bytes), Some(c))
                });
            }
        });
        CuttingProxy {
            port,
            armed,
            stop,
            cuts,
        }
    }

    /// Stops cutting new connections.
    pub fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, budget: Option<u64>, cuts: Option<Arc<AtomicU64>>) {
    let mut buf = [0u8; 16 * 1024];
    let mut sent: u64 = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut n = n;
        if let Some(b) = budget
            && sent + n as u64 >= b
        {
            n = (b - sent) as usize;
            let _ = to.write_all(&buf[..n]);
            if let Some(c) = &cuts {
                c.fetch_add(1, Ordering::SeqCst);
            }
            break;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n as u64;
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
