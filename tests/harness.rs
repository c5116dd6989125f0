//! Real servers for the tests, on loopback: Dovecot (IMAP), aiosmtpd (SMTP) and a TCP proxy
//! that cuts connections, sharing one generated TLS certificate.

pub mod dovecot;
pub mod proxy;
pub mod smtp;
pub mod tls;
