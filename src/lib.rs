//! secdesk: the security front desk of a Linux distribution.
//!
//! Disclosures arrive as mail (IMAP, Maildir, mbox), become stored messages,
//! are classified and correlated into tracked issues, and people work those
//! issues through the `secdesk` operator CLI. Timer binaries send the on-call
//! reminders, handoffs and the daily report through one outbox.
//!
//! The crate is a functional core in an imperative shell:
//!
//! - pure, no I/O, `now` is a parameter: [`mail::parse`](mod@mail::parse),
//!   [`mail::classify`](mod@mail::classify), [`triage`] (correlation,
//!   states, rules, checklists), [`rota`] (schedule, notifications,
//!   iCalendar), [`report`], [`metrics`] (what a job shows monitoring),
//!   [`outbox::compose`](mod@outbox::compose), and
//!   the data they share: [`time`], [`text`], [`layout`];
//! - the shell: [`config`] (files and credentials), [`store`] (the only
//!   module holding SQL), [`mail::source`] and [`mail::ingest`] (reading
//!   mail), [`mail::fetch`] (IMAP accounts, mirroring),
//!   [`outbox::message`](mod@outbox::message) (a mail's bytes, with
//!   lettre), [`outbox::deliver`](mod@outbox::deliver) (the only module
//!   talking SMTP), [`job`] (the timer jobs), [`cli`] (what the binaries share).
//!
//! Start reading at `ARCHITECTURE.md`, then `src/bin/secdesk-ingest.rs`.
#![deny(missing_docs)]

pub mod advisory;
pub mod app;
pub mod cli;
pub mod config;
pub mod fix;
pub mod git;
pub mod job;
pub mod layout;
pub mod mail;
pub mod metrics;
pub mod outbox;
pub mod refusal;
pub mod report;
pub mod rota;
pub mod signal;
pub mod site;
pub mod store;
pub mod text;
pub mod time;
pub mod triage;
