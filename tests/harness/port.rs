//! Loopback ports for the servers the tests start, never handed out twice.
//!
//! The servers (Dovecot, aiosmtpd) are other processes that bind their own
//! ports, so a test cannot keep a listener open for them. Taking a port by
//! binding `127.0.0.1:0` and releasing it lets two parallel tests get the
//! same port, and lets any outgoing connection take it as its source port
//! before the server binds it. Instead:
//!
//! - ports come from below the kernel's ephemeral range
//!   (`/proc/sys/net/ipv4/ip_local_port_range`), which outgoing connections
//!   never use;
//! - a process-wide set records every port handed out, so no two tests of
//!   this run get the same one;
//! - each candidate is probed by binding it first, so a port another
//!   program listens on is skipped; the scan starts at an offset derived
//!   from the process id, so test runs side by side start apart;
//! - a server that still loses the race to another program (it fails with
//!   "Address already in use") is restarted on fresh ports by its harness
//!   ([`is_address_in_use`]).

use std::collections::BTreeSet;
use std::sync::Mutex;

/// The ports handed out so far in this process.
static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// The lowest port handed out: above the well-known and most registered
/// service ports.
const LOWEST: u16 = 10_000;

/// How many times a harness restarts a server whose port was taken.
pub const START_ATTEMPTS: usize = 5;

/// The first port of the kernel's ephemeral range (Linux's default when it
/// cannot be read).
fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .filter(|&p: &u16| p > LOWEST + 1000)
        .unwrap_or(32_768)
}

/// A loopback port no other test of this run has been given, outside the
/// ephemeral range, free when handed out. Panics when none is left.
pub fn free_port() -> u16 {
    let end = ephemeral_start();
    let span = u32::from(end - LOWEST);
    let offset = std::process::id().wrapping_mul(7919) % span;
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    for i in 0..span {
        let port = LOWEST + ((offset + i) % span) as u16;
        if handed_out.contains(&port) {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            handed_out.insert(port);
            return port;
        }
    }
    panic!("no free loopback port left in {LOWEST}..{end}");
}

/// Whether a server's log says it could not bind its port because another
/// program holds it (Dovecot's and Python's wording).
pub fn is_address_in_use(log: &str) -> bool {
    log.contains("Address already in use") || log.contains("Errno 98")
}

#[test]
fn free_ports_are_never_handed_out_twice_and_are_not_ephemeral() {
    let ports: Vec<u16> = (0..50).map(|_| free_port()).collect();
    let distinct: BTreeSet<u16> = ports.iter().copied().collect();
    assert_eq!(distinct.len(), ports.len(), "{ports:?}");
    assert!(
        ports
            .iter()
            .all(|&p| (LOWEST..ephemeral_start()).contains(&p)),
        "{ports:?}"
    );
}
