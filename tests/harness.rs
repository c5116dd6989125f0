//! Real servers for the tests, on loopback: Dovecot (IMAP), aiosmtpd (SMTP) and a TCP proxy
//! that cuts connections, sharing one generated TLS certificate, on ports that `port` never
//! hands out twice; and a headless Chromium driven over the DevTools protocol.

pub mod chromium;
pub mod dovecot;
pub mod port;
pub mod proxy;
pub mod smtp;
pub mod tls;
