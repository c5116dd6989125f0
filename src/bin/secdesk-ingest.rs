//! `secdesk-ingest`: the timer job that turns mail into issues.

use clap::{CommandFactory, Parser};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use secdesk::job::ingest;
use secdesk::mail::ingest::Local;
use std::path::PathBuf;
use std::process::ExitCode;

const NAME: &str = "secdesk-ingest";

/// Fetch new mail, store it, classify it and correlate it into issues.
///
/// With --maildir or --mbox, reads those (import and backfill) and nothing
/// else. Without them, fetches every mailbox of every `imap` account in the
/// configuration. Every message is stored once (by Message-ID, or a hash of
/// its bytes when it has none), in batches of one transaction each, so a
/// killed run is finished by the next one without duplicates. The same
/// Message-ID with other bytes (a cross-post through another list) is
/// stored as another copy, a timeline row of its own; the same bytes again
/// are a duplicate, counted and not stored. A message larger than
/// `max_message_bytes` (default 64 MiB) is stored cut at that size, with
/// the problem `truncated`.
///
/// A reply to a Bat-Signal page (a reply token in its Subject, or in the
/// plus-address of `signal.reply_to` it was sent to) acks or declines the
/// role it was paged for and is not stored: it opens no issue, and is
/// counted as `N signal replies` (`(N refused)` for a forged, altered,
/// other signal's or resolved signal's token, which changes nothing but
/// a log line and a history row). The token key is read only when a
/// message carries a token.
///
/// Prints one summary line: `ingest: N seen, N new, N copies, N duplicates,
/// N refused (REASONS), N unparsable, N issues opened, N issues updated`,
/// then `, N signal replies` when there are any, where seen is the sum of
/// new, copies, duplicates, refused and signal replies. Exit codes: 0 done
/// (also when nothing was new, and when messages were stored with parse
/// problems or cut); 1 something could not be read or the database refused
/// a message or failed (what could be stored was stored; the next run
/// retries); 2 the invocation or configuration is wrong (also a --maildir,
/// --eml or --mbox that is not one: then nothing is read and no database
/// is created).
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,

    /// Read a Maildir, or a tree of Maildirs, instead of IMAP. Repeatable.
    ///
    /// Trees are read at any depth; symbolic links are followed and a loop
    /// is reported, not followed twice. A DIR that does not exist or holds
    /// no Maildir (no cur/ or new/) in it or below is refused (exit 2)
    /// before anything is read; a folder of message files is --eml. A
    /// folder named after a source (oss-security, full-disclosure, debian,
    /// redhat, suse, gentoo) marks its messages as that source when they
    /// carry no list header of their own.
    #[arg(long, value_name = "DIR")]
    maildir: Vec<PathBuf>,

    /// Read a folder of message files instead of IMAP, one message per
    /// file (`*.eml`, a mail corpus), at any depth. Repeatable.
    ///
    /// A DIR that does not exist or holds no file is refused (exit 2). A
    /// Maildir inside it is read as a Maildir, and then other files are
    /// not messages. Folder names hint the source as for --maildir.
    #[arg(long, value_name = "DIR")]
    eml: Vec<PathBuf>,

    /// Read an mbox file instead of IMAP. Repeatable.
    ///
    /// Messages are split at `From ` lines that carry an address and a date
    /// (`From alice@example.org Mon Jan  1 00:00:00 2024`), and by a
    /// `Content-Length` header where it agrees with the file. A FILE that
    /// does not exist, or whose first line does not start with `From `, is
    /// refused (exit 2) before anything is read; an empty file is an empty
    /// mbox.
    #[arg(long, value_name = "FILE")]
    mbox: Vec<PathBuf>,

    /// Name every duplicate and every further copy in the log (stderr), as
    /// well as the refused messages, which are always named.
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
    if let Some(code) = generate::intercept(Args::command()) {
        return code;
    }
    cli::finish(NAME, run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut local: Vec<Local> = args.maildir.into_iter().map(Local::Maildir).collect();
    local.extend(args.eml.into_iter().map(Local::Files));
    local.extend(args.mbox.into_iter().map(Local::Mbox));
    // Before the database is opened: a wrong source creates nothing.
    ingest::check(&local)?;
    let mut ctx = Ctx::create(&args.common)?;
    let ran = ingest::run(
        &mut ctx.store,
        &ctx.config,
        &local,
        ctx.now,
        args.verbose,
        &mut |line| cli::log(NAME, line),
    )?;
    if let ingest::Ran::Read(summary) = &ran {
        for line in summary.notices.iter().chain(&summary.errors) {
            cli::log(NAME, line);
        }
    }
    cli::job_done(NAME, &mut ctx, ran.failed(), ran.monitored(), &ran)
}

#[cfg(test)]
mod tests {
    #[test]
    fn args_are_well_formed() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }
}
