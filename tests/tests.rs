//! The one integration-test binary: the real programs against a real
//! SQLite file (and, where the area needs them, real mail servers on
//! loopback). One link step; helpers shared without dead-code allowances.

// Test helpers: temp dirs, the `Desk` fixture, running the binaries.
mod util;
// `desktest!` and `eqnice!`.
#[macro_use]
mod macros;
// Real servers on loopback: Dovecot, a connection-cutting proxy, TLS.
mod harness;

// Ingest from Maildir and mbox: classification, correlation, idempotence.
mod ingest;
// Every input accounted for, nothing wedges (issue 11): copies, duplicates,
// refusals, folders of files, huge messages, one failing message.
mod accounting;
// The operator CLI: listings, show, JSON shapes, exit codes.
mod cli;
// Grouping that follows the disclosure: advisory ids, why a message joined.
mod grouping;
// Lookups and reading mail (issue 13): show by CVE, issues --cve,
// --package, --search, --problems, --state open, triage order; message.
mod lookup;
// Working issues: claims, release statuses, refusals, merges.
mod triage;
// IMAP ingest against a real Dovecot, and mirroring back.
mod imap;
// The on-call rota: schedule, changes, iCalendar, rotate-notify.
mod rota;
// A DST week of rota changes in four zones: exactly who is mailed, splits,
// undos, the iCalendar feed's revisions, refusals.
mod rota_scenario;
// The daily report and the outbox, against a real SMTP server.
mod report;
// The HTML report in a real headless Chromium: phone width, hostile text.
mod browser;
// The Bat-Signal (issue 14): pages, acks, escalation, baton, privacy.
mod signal;
// Bat-Signal acks and declines by replying to a page, through a real
// Dovecot, ingest and a real SMTP server; refused tokens; privacy.
mod signal_reply;
// The advisory renderers (issue 15): text, OSV and CSAF 2.0 against the
// official schemas and a third-party validator; hostile text.
mod advisory_render;
// Advisories (issue 15): two people, ids, render and mail once, published.
mod advisory;
// Fix tracking (issue 16): real git repositories built by the test;
// proposals, accept/reject, channels over successive scans, force-push,
// fetch from a bare remote, backport gaps in the report and the handoff.
mod fix_track;
// The public static site (issue 17): links, privacy, feed, JSON,
// incremental render, team templates, Chromium at phone width.
mod site;
// Bad mail, bad configuration, killed runs.
mod faults;
// Quiet by default (issue 13): one line per action, a screenful of status,
// tables that fit the terminal, no colour.
mod quiet;
// Errors said once (issue 13): every reported case names its path once;
// no silent new database; mail sources checked before a run.
mod errors;
// Seen from outside (issue 18): textfile metrics parsed by prometheus-client,
// the heartbeat pinged on a real HTTP server after success only.
mod metrics;
// Every saved fuzz input (seeds and findings) replayed through its target.
mod fuzz;
// Documentation that must stay true (the architecture map).
mod docs;
// The NixOS module: every .nix file parses; the module evaluates against a
// real nixpkgs lib (NIXPKGS_LIB, else ../shared/nixpkgs-lib/lib; neither
// fails); the JSON it generates is accepted by the programs.
mod nix;
// What packagers and deploys use (issue 13): --generate (man pages, shell
// completions) on every binary, and secdesk check-config.
mod tooling;
