//! Real servers for the tests, on loopback: Dovecot (IMAP) and a TCP proxy
//! that cuts connections, sharing one generated TLS certificate.

pub mod dovecot;
pub mod proxy;
pub mod tls;
